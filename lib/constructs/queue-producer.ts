import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Problems } from '../validation';
import { createValueHandlerFunction, validateValueVariable } from './handler-function';
import type { HandlerFunctionProps, ValueVariable } from './handler-function';

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
    validateQueueProducerProps(props).throwIfAny(`QueueProducer '${this.node.path}'`);
    this.function = createValueHandlerFunction(this, props, queueUrlVariable(props), props.queue.queueUrl);
    props.queue.grantSendMessages(this.function);
  }
}

/** Checks the environment variable the queue URL goes into. */
export function validateQueueProducerProps(props: QueueProducerProps): Problems {
  return validateValueVariable(queueUrlVariable(props), props.environment);
}

/** The variable that carries the queue URL: `queueUrlVariable`, else QUEUE_URL. */
function queueUrlVariable(props: QueueProducerProps): ValueVariable {
  const name = props.queueUrlVariable;
  return { prop: 'queueUrlVariable', name, defaultName: 'QUEUE_URL', carries: 'the queue URL' };
}
