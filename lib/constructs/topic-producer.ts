import * as iam from 'aws-cdk-lib/aws-iam';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Problems } from '../validation';
import { createHandlerFunction, type HandlerFunctionProps } from './handler-function';

/** Properties of a {@link TopicProducer}. */
export interface TopicProducerProps extends HandlerFunctionProps {
  /** The topic the function publishes to. */
  readonly topic: sns.ITopic;
  /** Environment variable that carries the topic ARN. @default 'TOPIC_ARN' */
  readonly topicArnVariable?: string;
}

/** Lambda environment variable names: a letter, then letters, digits and underscores. */
const VARIABLE_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

/** AWS: the variables the Lambda runtime sets, which a function's configuration may not. */
const RESERVED_VARIABLES = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
]);

/**
 * A Lambda function allowed to publish to one topic and nothing else: sns:Publish (which PublishBatch needs
 * too) and, for an encrypted topic, the two KMS actions publishing uses, with the topic ARN in its environment.
 */
export class TopicProducer extends Construct {
  /** The publishing function. */
  readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: TopicProducerProps) {
    super(scope, id);
    validateTopicProducerProps(props).throwIfAny(`TopicProducer '${this.node.path}'`);
    const variable = props.topicArnVariable ?? 'TOPIC_ARN';
    this.function = createHandlerFunction(this, {
      ...props,
      environment: { ...props.environment, [variable]: props.topic.topicArn },
    });
    // Explicit actions rather than grantPublish, whose kms:GenerateDataKey* is a wildcard action.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.topic.topicArn] }),
    );
    const key = props.topic.masterKey;
    if (key) {
      // AWS: publishing to an SSE-KMS topic needs a data key from the topic's key, on the publisher's behalf.
      this.function.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
      );
    }
  }
}

/** Checks the environment variable the topic ARN goes into. */
export function validateTopicProducerProps(props: TopicProducerProps): Problems {
  const problems = new Problems();
  const variable = props.topicArnVariable;
  if (variable !== undefined) {
    problems.check(
      !VARIABLE_PATTERN.test(variable),
      () =>
        `topicArnVariable must start with a letter and hold only letters, digits and underscores, but '${variable}' was provided`,
    );
    problems.check(
      RESERVED_VARIABLES.has(variable),
      () => `topicArnVariable '${variable}' is a variable the Lambda runtime sets, which a function may not`,
    );
  }
  const name = variable ?? 'TOPIC_ARN';
  problems.check(
    props.environment !== undefined && Object.hasOwn(props.environment, name),
    () => `environment already sets ${name}, which would hide the topic ARN: choose another topicArnVariable`,
  );
  return problems;
}
