import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { TopicProducer, type TopicProducerProps } from '../../lib/constructs/topic-producer';
import { ValidationError } from '../../lib/validation';
import { resourcesOfType, testApp } from '../helpers/cdk';

const ENTRY = `${__dirname}/../../lambda/quote-producer/index.ts`;

function producerStack(props: Partial<TopicProducerProps> = {}, encrypted = true) {
  const stack = new Stack(testApp(), 'TestStack');
  const masterKey = encrypted ? new kms.Key(stack, 'Key') : undefined;
  const topic = new sns.Topic(stack, 'Quotes', { masterKey });
  new TopicProducer(stack, 'Producer', { entry: ENTRY, topic, ...props });
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return { template: Template.fromStack(stack), topicId: id(topic), keyId: masterKey && id(masterKey) };
}

function statements(template: Template): Array<{ Action: string | string[]; Resource: unknown }> {
  return resourcesOfType(template, 'AWS::IAM::Policy').flatMap(
    ([, p]) => p.Properties.PolicyDocument.Statement,
  );
}

function problemsOf(props: Partial<TopicProducerProps>): readonly string[] {
  try {
    producerStack(props);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('TopicProducer', () => {
  test('puts the topic ARN in the environment as TOPIC_ARN, or under the name asked for', () => {
    const byDefault = producerStack();
    const named = producerStack({ topicArnVariable: 'QUOTE_TOPIC_ARN' });

    byDefault.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: { Variables: { TOPIC_ARN: { Ref: byDefault.topicId } } },
    });
    named.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { QUOTE_TOPIC_ARN: { Ref: named.topicId } } },
    });
  });

  test('may publish to its topic and use its key for data keys, nothing more, and no wildcard action', () => {
    const { template, topicId, keyId } = producerStack();

    const granted = statements(template).filter((s) => !String(s.Action).startsWith('logs:'));
    expect(granted).toEqual([
      expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: topicId } }),
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      }),
    ]);
  });

  test('an unencrypted topic needs no KMS rights', () => {
    const { template } = producerStack({}, false);

    expect(statements(template).flatMap((s) => [s.Action].flat())).not.toContainEqual(
      expect.stringMatching(/^kms:/),
    );
  });
});

describe('TopicProducer validation', () => {
  test('the variable name is letters, digits and underscores, starting with a letter', () => {
    expect(problemsOf({ topicArnVariable: 'topic-arn' })).toEqual([
      "topicArnVariable must start with a letter and hold only letters, digits and underscores, but 'topic-arn' was provided",
    ]);
  });

  test('the variable is not one the Lambda runtime sets', () => {
    expect(problemsOf({ topicArnVariable: 'AWS_REGION' })).toEqual([
      "topicArnVariable 'AWS_REGION' is a variable the Lambda runtime sets, which a function may not",
    ]);
  });

  test('the environment does not already set the variable', () => {
    expect(problemsOf({ environment: { TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:other' } })).toEqual([
      'environment already sets TOPIC_ARN, which would hide the topic ARN: choose another topicArnVariable',
    ]);
  });

  test('reports every problem at once, naming the construct', () => {
    expect(() => producerStack({ topicArnVariable: 'TZ', environment: { TZ: 'Europe/Lisbon' } })).toThrow(
      new ValidationError("TopicProducer 'TestStack/Producer'", [
        "topicArnVariable 'TZ' is a variable the Lambda runtime sets, which a function may not",
        'environment already sets TZ, which would hide the topic ARN: choose another topicArnVariable',
      ]),
    );
  });
});
