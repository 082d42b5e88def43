/**
 * CloudFormation on the wire: the AWS query protocol (form POST `Action=<Op>&Version=2010-05-15`, XML replies with
 * `member` lists), read and written from @aws-sdk/client-cloudformation's model by the shared driver, as the SDK, the
 * AWS CLIs and the CDK CLI speak it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import * as cloudFormationSdk from '@aws-sdk/client-cloudformation';
import { CloudFormationService } from '../cloudformation/service';
import { AwsError } from '../errors';
import { implementedOperations, RpcProtocol, type RpcServiceWire } from './codec/rpc-protocol';
import { serviceModelOf } from './codec/service-model';

const MODEL = serviceModelOf(cloudFormationSdk);

/**
 * How long DescribeStacks of one stack waits for an operation on it to finish before it answers. The CDK CLI polls
 * DescribeStacks every 5 s until a deployment or deletion ends; here one ends in well under a second, so answering
 * when it has ended (the stack's state at that time, as AWS would report it) spares the CLI a 5 s poll interval.
 */
export const DESCRIBE_STACKS_SETTLE_MS = 3_000;
/** How often the waiting DescribeStacks looks at the stack again. */
const SETTLE_POLL_MS = 10;

/** Whether the stack DescribeStacks names has an operation running (REVIEW_IN_PROGRESS waits for a user, not us). */
function operationRunning(service: CloudFormationService, input: { StackName?: string }): boolean {
  if (input.StackName === undefined) return false;
  const status = String((service.describeStacks(input).Stacks[0] as { StackStatus?: string }).StackStatus);
  return status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';
}

/** The operations this emulator implements: those of the model that CloudFormationService has a method for. */
const OPERATIONS = implementedOperations(MODEL, CloudFormationService.prototype, {
  DescribeStacks: async (service, input) => {
    const until = Date.now() + DESCRIBE_STACKS_SETTLE_MS;
    while (operationRunning(service, input) && Date.now() < until) await delay(SETTLE_POLL_MS);
    return service.describeStacks(input);
  },
});

/**
 * Members refused by name whatever their value. The service refuses more depending on the value (non-empty
 * NotificationARNs, rollback triggers, an EXPRESS DeploymentConfig, imports): docs/emulator.md lists them.
 */
export const CLOUDFORMATION_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  // stack sets and drift are not emulated; a template summary of a stack set has nothing to read
  GetTemplateSummary: ['CallAs', 'TemplateSummaryConfig'],
};

/** The operations CloudFormation answers, for the conformance test and the docs. */
export const CLOUDFORMATION_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

export const CLOUDFORMATION_WIRE: RpcServiceWire<CloudFormationService> = {
  serviceName: 'CloudFormation',
  signingName: 'cloudformation',
  model: MODEL,
  operations: OPERATIONS,
  unsupported: CLOUDFORMATION_UNSUPPORTED_MEMBERS,
  query: {
    xmlns: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
    decode: {
      invalidValue: (member: string, message: string) =>
        new AwsError('ValidationError', `Invalid value for ${member}: ${message}`),
    },
  },
  internalError: () => new AwsError('InternalFailure', 'An internal error occurred.', 500, 'Receiver'),
};

export class CloudFormationProtocol extends RpcProtocol<CloudFormationService> {
  constructor(cloudformation: CloudFormationService) {
    super(CLOUDFORMATION_WIRE, cloudformation);
  }
}
