import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Problems } from '../validation';
import { checkValueVariable, createHandlerFunction, type HandlerFunctionProps } from './handler-function';

/** Properties of a {@link QueueProducer}. */
export interface QueueProducerProps extends HandlerFunctionProps {
  /** The queue the function sends to. */
  readonly queue: sqs.IQueue;
  /** Environment variable that carries the queue URL. @default 'QUEUE_URL' */
  readonly queueUrlVariable?: string;
}

/** The variable that carries the queue URL unless `queueUrlVariable` names another. */
const DEFAULT_VARIABLE = 'QUEUE_URL';

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
    const variable = props.queueUrlVariable ?? DEFAULT_VARIABLE;
    this.function = createHandlerFunction(this, {
      ...props,
      environment: { ...props.environment, [variable]: props.queue.queueUrl },
    });
    props.queue.grantSendMessages(this.function);
  }
}

/** Checks the environment variable the queue URL goes into. */
export function validateQueueProducerProps(props: QueueProducerProps): Problems {
  const problems = new Problems();
  checkValueVariable(
    problems,
    {
      prop: 'queueUrlVariable',
      name: props.queueUrlVariable,
      defaultName: DEFAULT_VARIABLE,
      carries: 'the queue URL',
    },
    props.environment,
  );
  return problems;
}
