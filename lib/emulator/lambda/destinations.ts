/** Where asynchronous invocation records go: an SQS queue, an SNS topic or another function, by ARN. */
import type { FunctionRegistry } from '../event-delivery';
import type { SnsService } from '../sns/service';
import type { SqsService } from '../sqs/service';
import type { InvocationRecord } from './async-invocation';

export interface DestinationServices {
  readonly sqs: SqsService;
  readonly sns: SnsService;
  readonly functions: FunctionRegistry;
}

/** Sends one invocation record, as Lambda does, to the destination the ARN names. */
export function sendInvocationRecord(
  services: DestinationServices,
  destinationArn: string,
  record: InvocationRecord,
): void {
  const body = JSON.stringify(record);
  const service = destinationArn.split(':')[2];
  switch (service) {
    case 'sqs': {
      const queue = services.sqs.queueByArn(destinationArn);
      if (!queue) throw new Error(`the destination queue ${destinationArn} does not exist`);
      services.sqs.sendMessage({ QueueUrl: queue.url, MessageBody: body });
      return;
    }
    case 'sns':
      services.sns.publish({ TopicArn: destinationArn, Message: body });
      return;
    case 'lambda':
      services.functions.invokeAsync(destinationArn, record);
      return;
    default:
      throw new Error(`destinations of type ${service} are not emulated (${destinationArn})`);
  }
}
