import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { QueueProducer, type QueueProducerProps } from '../../lib/constructs/queue-producer';
import { QueueEncryptionMode, QueueWithDeadLetter } from '../../lib/constructs/queue-with-dead-letter';
import { ValidationError } from '../../lib/validation';
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

describe('QueueProducer validation', () => {
  function problemsOf(props: Partial<QueueProducerProps>): readonly string[] {
    const stack = new Stack(testApp(), 'TestStack');
    const target = new QueueWithDeadLetter(stack, 'Orders');
    try {
      new QueueProducer(stack, 'Producer', { entry: ENTRY, queue: target.queue, ...props });
    } catch (error) {
      if (error instanceof ValidationError) return error.problems;
      throw error;
    }
    throw new Error('expected a ValidationError');
  }

  test('the variable name is letters, digits and underscores, starting with a letter', () => {
    expect(problemsOf({ queueUrlVariable: 'queue-url' })).toEqual([
      "queueUrlVariable must start with a letter and hold only letters, digits and underscores, but 'queue-url' was provided",
    ]);
  });

  test('the variable is not one the Lambda runtime sets', () => {
    expect(problemsOf({ queueUrlVariable: 'AWS_REGION' })).toEqual([
      "queueUrlVariable 'AWS_REGION' is a variable the Lambda runtime sets, which a function may not",
    ]);
  });

  test('the environment does not already set the variable', () => {
    expect(problemsOf({ environment: { QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/other' } })).toEqual(
      ['environment already sets QUEUE_URL, which would hide the queue URL: choose another queueUrlVariable'],
    );
  });

  test('reports every problem at once, naming the construct', () => {
    const stack = new Stack(testApp(), 'TestStack');
    const target = new QueueWithDeadLetter(stack, 'Orders');

    expect(
      () =>
        new QueueProducer(stack, 'Producer', {
          entry: ENTRY,
          queue: target.queue,
          queueUrlVariable: '1QUEUE',
          environment: { '1QUEUE': 'x' },
        }),
    ).toThrow(
      new ValidationError("QueueProducer 'TestStack/Producer'", [
        "queueUrlVariable must start with a letter and hold only letters, digits and underscores, but '1QUEUE' was provided",
        'environment already sets 1QUEUE, which would hide the queue URL: choose another queueUrlVariable',
      ]),
    );
  });
});
