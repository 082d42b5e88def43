/**
 * SSM Parameter Store on the wire: AWS JSON 1.1 (`X-Amz-Target: AmazonSSM.<Op>`), read and written from
 * @aws-sdk/client-ssm's model by the shared codecs. Only the Parameter Store operations are emulated; the rest of
 * Systems Manager answers that it is not.
 */
import * as ssmSdk from '@aws-sdk/client-ssm';
import { AwsError } from '../errors';
import { SsmService } from '../ssm/service';
import { implementedOperations, RpcProtocol, type RpcServiceWire } from './codec/rpc-protocol';
import { serviceModelOf } from './codec/service-model';
import { callerOf } from './sts';

const MODEL = serviceModelOf(ssmSdk);

/** The operations this emulator implements: those of the model that SsmService has a method for. */
const OPERATIONS = implementedOperations(MODEL, SsmService.prototype, {
  PutParameter: (s, i, r) => s.putParameter(i, callerOf(r)),
});

/** Members of the SDK's input the emulator refuses by name rather than drop. */
export const SSM_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  // a caller's regular expression cannot be run safely (JavaScript's engine backtracks); parameter policies
  // (expiration, notifications) are not emulated
  PutParameter: ['AllowedPattern', 'Policies'],
};

/** The operations SSM answers, for the conformance test and the docs. */
export const SSM_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

export const SSM_WIRE: RpcServiceWire<SsmService> = {
  serviceName: 'SSM',
  signingName: 'ssm',
  model: MODEL,
  operations: OPERATIONS,
  unsupported: SSM_UNSUPPORTED_MEMBERS,
  json: {
    targetPrefix: 'AmazonSSM',
    contentType: 'application/x-amz-json-1.1',
    errors: { namespace: 'com.amazonaws.ssm', queryCompatible: false },
  },
  internalError: () => new AwsError('InternalServerError', 'An internal error occurred.', 500, 'Receiver'),
  refusedMember: (_member, message) => new AwsError('ValidationException', message),
};

export class SsmProtocol extends RpcProtocol<SsmService> {
  constructor(ssm: SsmService) {
    super(SSM_WIRE, ssm);
  }
}
