/**
 * CloudWatch Logs on the wire: AWS JSON 1.1 (`X-Amz-Target: Logs_20140328.<Op>`), read and written from
 * @aws-sdk/client-cloudwatch-logs's model by the shared codecs. Log groups, streams and events are emulated; metric
 * and subscription filters, Insights queries, exports and the rest answer that they are not.
 */
import * as logsSdk from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../errors';
import { LogsService } from '../logs/service';
import { implementedOperations, RpcProtocol, type RpcServiceWire } from './codec/rpc-protocol';
import { serviceModelOf } from './codec/service-model';

const MODEL = serviceModelOf(logsSdk);

/** The operations this emulator implements: those of the model that LogsService has a method for. */
const OPERATIONS = implementedOperations(MODEL, LogsService.prototype);

/** Members of the SDK's input the emulator refuses by name rather than drop. */
export const LOGS_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  // one local account: there are no linked source accounts to search
  DescribeLogGroups: ['accountIdentifiers', 'includeLinkedAccounts'],
  // entities (the telemetry's related resources) are not emulated
  PutLogEvents: ['entity'],
  // Logs Insights query results are not emulated: a key is associated with log groups only
  AssociateKmsKey: ['resourceIdentifier'],
  DisassociateKmsKey: ['resourceIdentifier'],
};

/** The operations CloudWatch Logs answers, for the conformance test and the docs. */
export const LOGS_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

export const LOGS_WIRE: RpcServiceWire<LogsService> = {
  serviceName: 'CloudWatch Logs',
  signingName: 'logs',
  model: MODEL,
  operations: OPERATIONS,
  unsupported: LOGS_UNSUPPORTED_MEMBERS,
  json: {
    targetPrefix: 'Logs_20140328',
    contentType: 'application/x-amz-json-1.1',
    errors: { namespace: 'com.amazonaws.cloudwatchlogs', queryCompatible: false },
  },
  internalError: () =>
    new AwsError('ServiceUnavailableException', 'The service cannot complete the request.', 500, 'Receiver'),
  refusedMember: (_member, message) => new AwsError('InvalidParameterException', message),
};

export class LogsProtocol extends RpcProtocol<LogsService> {
  constructor(logs: LogsService) {
    super(LOGS_WIRE, logs);
  }
}
