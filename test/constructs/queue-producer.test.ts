import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { QueueProducer } from '../../lib/constructs/queue-producer';
import { QueueEncryptionMode, QueueWithDeadLetter } from '../../lib/constructs/queue-with-dead-letter';
import { resourcesOfType, testApp } from '../helpers/cdk';

const ENTRY = `${__dirname}/../../lambda/producer/index.ts`;

function producerStack(encryption = QueueEncryptionMode.SQS_MANAGED, queueUrlVariable?: string) {
  const stack = new Stack(testApp(), 'TestStack');
  const target = new QueueWithDeadLetter(stack, 'Orders', { encryption });
  new QueueProducer(stack, 'Producer', { entry: ENTRY, queue: target.queue, queueUrlVariable });
  const queueId = stack.getLogicalId(target.queue.node.defaultChild as never);
  return { template: Template.fromStack(stack), queueId };
}

function policyStatements(template: Template): Array<{ Action: string | string[]; Resource: unknown }> {
  return resourcesOfType(template, 'AWS::IAM::Policy').flatMap(
    ([, p]) => p.Properties.PolicyDocument.Statement,
  );
}

describe('QueueProducer', () => {
  test('puts the queue URL in the environment as QUEUE_URL', () => {
    const { template, queueId } = producerStack();

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { QUEUE_URL: { Ref: queueId } } },
    });
  });

  test('uses another variable name when asked', () => {
    const { template, queueId } = producerStack(QueueEncryptionMode.SQS_MANAGED, 'ORDERS_QUEUE_URL');

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ORDERS_QUEUE_URL: { Ref: queueId } } },
    });
  });

  test('may send to its queue and nothing else: no receive, delete, purge or wildcard SQS action', () => {
    const { template, queueId } = producerStack();

    const sqsStatements = policyStatements(template).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('sqs:')),
    );
    expect(sqsStatements).toHaveLength(1);
    expect([sqsStatements[0].Action].flat().sort()).toEqual(
      ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].sort(),
    );
    expect(sqsStatements[0].Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
  });

  test('gets the KMS data-key rights an encrypted queue needs, on that key only', () => {
    const { template } = producerStack(QueueEncryptionMode.KMS);
    const [[keyId]] = resourcesOfType(template, 'AWS::KMS::Key');

    const kmsStatements = policyStatements(template).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('kms:')),
    );
    expect(kmsStatements).toHaveLength(1);
    expect(kmsStatements[0].Resource).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });
});
