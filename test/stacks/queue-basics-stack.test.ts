import { Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig, type Stage } from '../../lib/config';
import { QueueBasicsStack } from '../../lib/stacks/queue-basics-stack';
import { normalizedTemplate, resourcesOfType, testApp } from '../helpers/cdk';

function queueBasics(stage: Stage = 'sandbox') {
  const stack = new QueueBasicsStack(testApp(), 'QueueBasics', { config: loadStageConfig({ stage }) });
  const props = (construct: { node: { defaultChild?: unknown } }) =>
    Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(construct.node.defaultChild as never)]
      .Properties;
  return { stack, template: Template.fromStack(stack), props };
}

const DAY = 24 * 3600;

describe('QueueBasicsStack', () => {
  const { stack, template, props } = queueBasics();

  test('standard queue: visibility 30 s, retention 4 days, 3 receives to a DLQ that keeps messages 14 days', () => {
    expect(props(stack.standard.queue)).toMatchObject({
      VisibilityTimeout: 30,
      MessageRetentionPeriod: 4 * DAY,
      RedrivePolicy: { maxReceiveCount: 3 },
    });
    expect(props(stack.standard.queue).FifoQueue).toBeUndefined();
    expect(props(stack.standard.deadLetterQueue)).toMatchObject({ MessageRetentionPeriod: 14 * DAY });
  });

  test('delay queue: every message is delivered 30 s late', () => {
    expect(props(stack.delay.queue)).toMatchObject({ DelaySeconds: 30 });
    expect(props(stack.standard.queue).DelaySeconds).toBeUndefined();
  });

  test('FIFO queue: content-based deduplication, with a FIFO dead-letter queue', () => {
    expect(props(stack.fifo.queue)).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: true,
      QueueName: expect.stringMatching(/\.fifo$/),
    });
    expect(props(stack.fifo.deadLetterQueue)).toMatchObject({ FifoQueue: true });
  });

  test('every queue is encrypted and TLS-only', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(6);
    for (const [, queue] of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(6);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain(
        '{"Bool":{"aws:SecureTransport":"false"}}',
      );
    }
  });

  test('outputs every queue URL and its DLQ URL', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'DelayQueueDeadLetterQueueUrl',
      'DelayQueueUrl',
      'FifoQueueDeadLetterQueueUrl',
      'FifoQueueUrl',
      'StandardQueueDeadLetterQueueUrl',
      'StandardQueueUrl',
    ]);
  });

  test('matches the snapshot', () => {
    expect(normalizedTemplate(stack)).toMatchSnapshot();
  });
});

describe('QueueBasicsStack in prod', () => {
  const { template } = queueBasics('prod');

  test('queues are retained and cannot be purged', () => {
    for (const [, queue] of resourcesOfType(template, 'AWS::SQS::Queue'))
      expect(queue.DeletionPolicy).toBe('Retain');
    for (const [, policy] of resourcesOfType(template, 'AWS::SQS::QueuePolicy')) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"Action":"sqs:PurgeQueue"');
    }
  });
});
