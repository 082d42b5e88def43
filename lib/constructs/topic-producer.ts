import * as iam from 'aws-cdk-lib/aws-iam';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Problems } from '../validation';
import { createValueHandlerFunction, validateValueVariable } from './handler-function';
import type { HandlerFunctionProps, ValueVariable } from './handler-function';

/** Properties of a {@link TopicProducer}. */
export interface TopicProducerProps extends HandlerFunctionProps {
  /** The topic the function publishes to. */
  readonly topic: sns.ITopic;
  /** Environment variable that carries the topic ARN. @default 'TOPIC_ARN' */
  readonly topicArnVariable?: string;
}

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
    this.function = createValueHandlerFunction(this, props, topicArnVariable(props), props.topic.topicArn);
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
  return validateValueVariable(topicArnVariable(props), props.environment);
}

/** The variable that carries the topic ARN: `topicArnVariable`, else TOPIC_ARN. */
function topicArnVariable(props: TopicProducerProps): ValueVariable {
  const name = props.topicArnVariable;
  return { prop: 'topicArnVariable', name, defaultName: 'TOPIC_ARN', carries: 'the topic ARN' };
}
