/**
 * SNS on the wire: the AWS query protocol (form POST `Action=<Op>`, XML replies) as @aws-sdk/client-sns speaks it,
 * plus GET for the SubscribeURL and UnsubscribeURL links in notifications. The HTTP/S client that delivers
 * notifications to subscribed endpoints is in sns-http-delivery.ts.
 */
import * as snsSdk from '@aws-sdk/client-sns';
import { AwsError } from '../errors';
import { SnsService } from '../sns/service';
import { implementedOperations, RpcProtocol } from './codec/rpc-protocol';
import { serviceModelOf } from './codec/service-model';

const MODEL = serviceModelOf(snsSdk);

/** The operations this emulator implements: those of the model that SnsService has a method for. */
const OPERATIONS = implementedOperations(MODEL, SnsService.prototype);

/** Members of the SDK's input that the emulator refuses by name rather than drop (none: SNS honours all it reads). */
export const SNS_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {};

/** The operations SNS answers, for the conformance test and the docs. */
export const SNS_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

/** SNS speaks the query protocol only (form POST `Action=<Op>`, XML replies), as @aws-sdk/client-sns does. */
export const SNS_WIRE = {
  serviceName: 'SNS',
  signingName: 'sns',
  model: MODEL,
  operations: OPERATIONS,
  unsupported: SNS_UNSUPPORTED_MEMBERS,
  query: {
    xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
    decode: {
      invalidValue: (_member: string, message: string) =>
        new AwsError('InvalidParameter', `Invalid parameter: ${message}`),
      invalidBlob: (key: string, get: (name: string) => string | null) =>
        new AwsError(
          'ParameterValueInvalid',
          `The message attribute '${get(`${key.slice(0, key.lastIndexOf('.Value.'))}.Name`) ?? ''}' has an invalid binary value.`,
        ),
    },
  },
  internalError: () => new AwsError('InternalError', 'An internal error occurred.', 500, 'Receiver'),
};

export class SnsProtocol extends RpcProtocol<SnsService> {
  constructor(sns: SnsService) {
    super(SNS_WIRE, sns);
  }
}
