/** Where asynchronous invocation records go: an SQS queue, an SNS topic or another function, by ARN. */
import type { FunctionRegistry } from '../event-delivery';
import { deliverToArn, type IntegrationGuard } from '../kit/arn-delivery';
import type { SnsService } from '../sns/service';
import type { SqsService } from '../sqs/service';
import type { InvocationRecord } from './async-invocation';

export interface DestinationServices {
  readonly sqs: SqsService;
  readonly sns: SnsService;
  readonly functions: FunctionRegistry;
}

/** Sends one invocation record, as Lambda does, to the destination the ARN names (throws when it cannot). */
export function sendInvocationRecord(
  services: DestinationServices,
  destinationArn: string,
  record: InvocationRecord,
  /** `--iam`: the function's execution role's permissions, which AWS sends the record with. */
  role?: IntegrationGuard,
): void {
  const sourceArn = record.requestContext.functionArn;
  deliverToArn(services, destinationArn, {
    event: record,
    actingFor: role && { service: 'lambda.amazonaws.com', sourceArn, guard: role },
  });
}
