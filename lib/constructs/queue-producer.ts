import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createHandlerFunction, type HandlerFunctionProps } from './handler-function';

/** Properties of a {@link QueueProducer}. */
export interface QueueProducerProps extends HandlerFunctionProps {
  /** The queue the function sends to. */
  readonly queue: sqs.IQueue;
  /** Environment variable that carries the queue URL. @default 'QUEUE_URL' */
  readonly queueUrlVariable?: string;
}

/**
 * A Lambda function allowed to send to one queue and nothing else: SendMessage (and the KMS data-key rights
 * an encrypted queue needs), with the queue URL in its environment.
 */
export class QueueProducer extends Construct {
  /** The producing function. */
  readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: QueueProducerProps) {
    super(scope, id);
    this.function = createHandlerFunction(this, {
      ...props,
      environment: { ...props.environment, [props.queueUrlVariable ?? 'QUEUE_URL']: props.queue.queueUrl },
    });
    props.queue.grantSendMessages(this.function);
  }
}
