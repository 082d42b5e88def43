/**
 * Amazon Data Firehose on the wire: AWS JSON 1.1 (`X-Amz-Target: Firehose_20150804.<Op>`), read and written from
 * @aws-sdk/client-firehose's model by the shared codecs.
 */
import * as firehoseSdk from '@aws-sdk/client-firehose';
import { AwsError } from '../errors';
import { FirehoseService } from '../firehose/service';
import { implementedOperations, RpcProtocol, type RpcServiceWire } from './codec/rpc-protocol';
import { serviceModelOf } from './codec/service-model';

const MODEL = serviceModelOf(firehoseSdk);

/** The operations this emulator implements: those of the model that FirehoseService has a method for. */
const OPERATIONS = implementedOperations(MODEL, FirehoseService.prototype);

/** Members of the SDK's input the emulator refuses by name rather than drop. */
export const FIREHOSE_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  // sources other than DirectPut and a Kinesis data stream are not emulated
  CreateDeliveryStream: ['MSKSourceConfiguration', 'DatabaseSourceConfiguration'],
};

/** The operations Firehose answers, for the conformance test and the docs. */
export const FIREHOSE_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

export const FIREHOSE_WIRE: RpcServiceWire<FirehoseService> = {
  serviceName: 'Firehose',
  signingName: 'firehose',
  model: MODEL,
  operations: OPERATIONS,
  unsupported: FIREHOSE_UNSUPPORTED_MEMBERS,
  json: {
    targetPrefix: 'Firehose_20150804',
    contentType: 'application/x-amz-json-1.1',
    errors: { namespace: 'com.amazonaws.firehose', queryCompatible: false },
  },
  internalError: () =>
    new AwsError('ServiceUnavailableException', 'An internal error occurred.', 500, 'Receiver'),
  refusedMember: (member) =>
    new AwsError('InvalidArgumentException', `${member} is not supported by the local emulator.`),
};

export class FirehoseProtocol extends RpcProtocol<FirehoseService> {
  constructor(firehose: FirehoseService) {
    super(FIREHOSE_WIRE, firehose);
  }
}
