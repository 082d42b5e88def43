/**
 * Auto Scaling on the wire: the AWS query protocol (form POST `Action=<Op>&Version=2011-01-01`, XML replies with
 * `member` lists), read and written from @aws-sdk/client-auto-scaling's model by the shared driver, as the SDK and
 * the AWS CLI speak it.
 */
import * as autoScalingSdk from '@aws-sdk/client-auto-scaling';
import { isDoubleMember, memberPath } from '../autoscaling/validation';
import { AutoScalingService } from '../autoscaling/service';
import { AwsError } from '../errors';
import { implementedOperations, RpcProtocol, type RpcServiceWire } from './codec/rpc-protocol';
import { serviceModelOf } from './codec/service-model';

const MODEL = serviceModelOf(autoScalingSdk);

/** The operations this emulator implements: those of the model that AutoScalingService has a method for. */
const OPERATIONS = implementedOperations(MODEL, AutoScalingService.prototype);

/**
 * Members of the SDK's input refused by name whatever their value. The service refuses more, depending on the
 * value (a non-empty TargetGroupARNs, a non-zero MaxInstanceLifetime…), with its reason: docs/emulator.md lists them.
 */
export const AUTOSCALING_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  // no EC2 capacity reservations, lifecycle hooks or operator-managed groups locally
  CreateAutoScalingGroup: ['CapacityReservationSpecification', 'InstanceLifecyclePolicy', 'Operator'],
  UpdateAutoScalingGroup: ['CapacityReservationSpecification', 'InstanceLifecyclePolicy'],
  // a forecast needs history the emulator does not have
  PutScalingPolicy: ['PredictiveScalingConfiguration'],
  DescribeScalingActivities: ['Filters'],
};

/** The operations Auto Scaling answers, for the conformance test and the docs. */
export const AUTOSCALING_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

const NUMBER_EXPECTED = 'must be a number.';

/**
 * A value the codec cannot read, in AWS's words: `1 validation error detected: Value 'x' at 'desiredCapacity' failed
 * to satisfy constraint: Member must be an integer`. A member refused by name keeps the codec's message.
 */
function invalidValue(member: string, message: string, text?: string): AwsError {
  if (text === undefined) return new AwsError('ValidationError', message);
  const names = member.split('.');
  const constraint = message.endsWith(NUMBER_EXPECTED)
    ? `Member must be ${isDoubleMember(names) ? 'a number' : 'an integer'}`
    : 'Member must be a boolean';
  // a megabyte of digits is quoted by its start only
  const shown = text.length > 64 ? `${text.slice(0, 64)}...` : text;
  return new AwsError(
    'ValidationError',
    `1 validation error detected: Value '${shown}' at '${memberPath(names)}' failed to satisfy constraint: ${constraint}`,
  );
}

export const AUTOSCALING_WIRE: RpcServiceWire<AutoScalingService> = {
  serviceName: 'Auto Scaling',
  signingName: 'autoscaling',
  model: MODEL,
  operations: OPERATIONS,
  unsupported: AUTOSCALING_UNSUPPORTED_MEMBERS,
  query: { xmlns: 'http://autoscaling.amazonaws.com/doc/2011-01-01/', decode: { invalidValue } },
  internalError: () => new AwsError('InternalFailure', 'An internal error occurred.', 500, 'Receiver'),
};

export class AutoScalingProtocol extends RpcProtocol<AutoScalingService> {
  constructor(autoscaling: AutoScalingService) {
    super(AUTOSCALING_WIRE, autoscaling);
  }
}
