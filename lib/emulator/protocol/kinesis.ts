/**
 * Kinesis Data Streams on the wire: AWS JSON 1.1 (`X-Amz-Target: Kinesis_20131202.<Op>`) and its CBOR form
 * (`application/x-amz-cbor-1.1`, codec/cbor.ts), read and written from
 * @aws-sdk/client-kinesis's model by the shared codecs. Streams, shards, records, resharding, retention, tags and
 * encryption settings are emulated; enhanced fan-out consumers, resource policies and account settings answer
 * that they are not.
 */
import * as kinesisSdk from '@aws-sdk/client-kinesis';
import { AwsError } from '../errors';
import { KinesisService } from '../kinesis/service';
import { implementedOperations, RpcProtocol, type RpcServiceWire } from './codec/rpc-protocol';
import { serviceModelOf } from './codec/service-model';

const MODEL = serviceModelOf(kinesisSdk);

/** The operations this emulator implements: those of the model that KinesisService has a method for. */
const OPERATIONS = implementedOperations(MODEL, KinesisService.prototype);

/** Members every data-plane and control-plane call may carry that the emulator does not honour. */
const NEWER_MEMBERS = ['StreamId', 'DryRun'];

/** Members of the SDK's input the emulator refuses by name rather than drop. */
export const KINESIS_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.keys(OPERATIONS).map((name) => {
    const input = MODEL.operations.get(name)!.input;
    const members = new Set([...input.structIterator()].map(([member]) => member));
    const refused = NEWER_MEMBERS.filter((m) => members.has(m));
    // warm throughput, record sizes above 1 MiB and distribution strategies are newer stream settings not emulated
    for (const m of ['WarmThroughputMiBps', 'MaxRecordSizeInKiB', 'RecordDistributionStrategy'])
      if (members.has(m)) refused.push(m);
    return [name, refused];
  }),
);

/** The operations Kinesis answers, for the conformance test and the docs. */
export const KINESIS_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

export const KINESIS_WIRE: RpcServiceWire<KinesisService> = {
  serviceName: 'Kinesis',
  signingName: 'kinesis',
  model: MODEL,
  operations: OPERATIONS,
  unsupported: KINESIS_UNSUPPORTED_MEMBERS,
  json: {
    targetPrefix: 'Kinesis_20131202',
    contentType: 'application/x-amz-json-1.1',
    // the AWS SDK for Java and the KCL send Kinesis calls as CBOR by default
    cbor: true,
    errors: {
      namespace: 'com.amazonaws.kinesis',
      queryCompatible: false,
      extraTypes: { ValidationException: 'com.amazonaws.kinesis#ValidationException' },
    },
  },
  internalError: () => new AwsError('InternalFailure', 'Internal service failure.', 500, 'Receiver'),
  refusedMember: (member) =>
    new AwsError('InvalidArgumentException', `${member} is not supported by the local emulator.`),
};

export class KinesisProtocol extends RpcProtocol<KinesisService> {
  constructor(kinesis: KinesisService) {
    super(KINESIS_WIRE, kinesis);
  }
}
