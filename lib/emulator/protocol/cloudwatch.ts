/**
 * CloudWatch on the wire: AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`, what SDK v3 speaks,
 * query-compatible errors) and the query protocol (form POST `Action=<Op>&Version=2010-08-01`, XML replies) that
 * older SDKs and CLIs speak, both read and written from @aws-sdk/client-cloudwatch's model by the shared driver.
 */
import * as cloudWatchSdk from '@aws-sdk/client-cloudwatch';
import { CloudWatchService } from '../cloudwatch/service';
import { AwsError } from '../errors';
import { implementedOperations, RpcProtocol, type RpcServiceWire } from './codec/rpc-protocol';
import { serviceModelOf } from './codec/service-model';

const MODEL = serviceModelOf(cloudWatchSdk);

/** The operations this emulator implements: those of the model that CloudWatchService has a method for. */
const OPERATIONS = implementedOperations(MODEL, CloudWatchService.prototype);

/**
 * Members of the SDK's input the emulator refuses by name rather than drop. The service refuses some values of
 * honoured members too (a WallClockWindow time zone name, another account's AccountId): docs/emulator.md lists them.
 */
export const CLOUDWATCH_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  // PromQL alarms and alarms on anomaly detection bands are not emulated
  PutMetricAlarm: ['EvaluationCriteria', 'EvaluationInterval', 'ThresholdMetricId'],
};

/** The operations CloudWatch answers, for the conformance test and the docs. */
export const CLOUDWATCH_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

export const CLOUDWATCH_WIRE: RpcServiceWire<CloudWatchService> = {
  serviceName: 'CloudWatch',
  signingName: 'monitoring',
  model: MODEL,
  operations: OPERATIONS,
  unsupported: CLOUDWATCH_UNSUPPORTED_MEMBERS,
  query: {
    xmlns: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
    decode: {
      invalidValue: (_member: string, message: string) => new AwsError('InvalidParameterValue', message),
    },
  },
  json: {
    targetPrefix: 'GraniteServiceVersion20100801',
    contentType: 'application/x-amz-json-1.0',
    errors: {
      namespace: 'com.amazonaws.cloudwatch',
      queryCompatible: true,
      // AWS's front end validates before CloudWatch does: its ValidationError is coral's shape
      extraTypes: { ValidationError: 'com.amazon.coral.validate#ValidationException' },
    },
  },
  internalError: () => new AwsError('InternalServiceError', 'Internal service error.', 500, 'Receiver'),
  // a refused member is a ValidationError, as the service's own refusals of unsupported values are
  refusedMember: (_member, message) => new AwsError('ValidationError', message),
};

export class CloudWatchProtocol extends RpcProtocol<CloudWatchService> {
  constructor(cloudwatch: CloudWatchService) {
    super(CLOUDWATCH_WIRE, cloudwatch);
  }
}
