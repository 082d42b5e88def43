import {
  AddPermissionCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { ManualClock } from '../../../lib/emulator/clock';
import { startEmulator } from '../../../lib/emulator/emulator';
import { awsErrorOf, sqsClientFor, startTestEmulator, type TestEmulator } from '../../helpers/emulator';

let t: TestEmulator;
beforeEach(async () => {
  t = await startTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

async function createQueue(name: string, attributes?: Record<string, string>): Promise<string> {
  const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl as string;
}

describe('CreateQueue, GetQueueUrl, DeleteQueue', () => {
  it('creates a queue with the local account in its URL and ARN', async () => {
    // Act
    const url = await createQueue('orders');
    const { Attributes } = await t.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    // Assess
    expect(url).toBe(`${t.emulator.endpoint}/000000000000/orders`);
    expect(Attributes).toEqual({ QueueArn: 'arn:aws:sqs:us-east-1:000000000000:orders' });
    expect((await t.sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl).toBe(url);
  });

  it('is idempotent with the same attributes and rejects different ones with QueueAlreadyExists', async () => {
    // Prepare
    const url = await createQueue('orders', { DelaySeconds: '5' });
    // Act
    const again = await createQueue('orders', { DelaySeconds: '5' });
    const error = await awsErrorOf(createQueue('orders', { DelaySeconds: '6' }));
    // Assess
    expect(again).toBe(url);
    expect(error).toMatchObject({
      name: 'QueueNameExists',
      code: 'QueueAlreadyExists',
      status: 400,
      message: 'A queue already exists with the same name and a different value for attribute DelaySeconds',
    });
  });

  it.each([
    ['', 'MissingParameter'],
    ['has space', 'InvalidParameterValue'],
    ['a'.repeat(81), 'InvalidParameterValue'],
    ['standard.fifo', 'InvalidParameterValue'],
  ])('rejects the queue name %j', async (name, code) => {
    // Act
    const error = await awsErrorOf(createQueue(name));
    // Assess
    expect(error.code).toBe(code);
    expect(error.status).toBe(400);
  });

  it('requires the .fifo suffix for FIFO queues', async () => {
    // Act
    const error = await awsErrorOf(createQueue('jobs', { FifoQueue: 'true' }));
    // Assess
    expect(error.message).toBe(
      'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
    );
  });

  it('reports an unknown queue as AWS.SimpleQueueService.NonExistentQueue', async () => {
    // Act
    const byName = await awsErrorOf(t.sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' })));
    const byUrl = await awsErrorOf(
      t.sqs.send(
        new SendMessageCommand({ QueueUrl: `${t.emulator.endpoint}/000000000000/missing`, MessageBody: 'x' }),
      ),
    );
    // Assess
    for (const error of [byName, byUrl]) {
      expect(error).toEqual({
        name: 'QueueDoesNotExist',
        code: 'AWS.SimpleQueueService.NonExistentQueue',
        type: 'Sender',
        status: 400,
        message: 'The specified queue does not exist.',
      });
    }
  });

  it('deletes a queue and blocks its name for 60 seconds', async () => {
    // Prepare
    const url = await createQueue('short-lived');
    // Act
    await t.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const gone = await awsErrorOf(t.sqs.send(new GetQueueUrlCommand({ QueueName: 'short-lived' })));
    const tooSoon = await awsErrorOf(createQueue('short-lived'));
    t.clock.advance(60_000);
    const later = await createQueue('short-lived');
    // Assess
    expect(gone.code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    expect(tooSoon).toMatchObject({
      name: 'QueueDeletedRecently',
      code: 'AWS.SimpleQueueService.QueueDeletedRecently',
    });
    expect(later).toBe(url);
  });
});

describe('ListQueues', () => {
  it('filters by prefix and paginates with MaxResults and NextToken', async () => {
    // Prepare
    for (const name of ['app-a', 'app-b', 'app-c', 'other']) await createQueue(name);
    // Act
    const first = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'app-', MaxResults: 2 }));
    const second = await t.sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: 'app-', MaxResults: 2, NextToken: first.NextToken }),
    );
    const all = await t.sqs.send(new ListQueuesCommand({}));
    // Assess
    const names = (urls?: string[]) => (urls ?? []).map((u) => u.split('/').pop());
    expect(names(first.QueueUrls)).toEqual(['app-a', 'app-b']);
    expect(first.NextToken).toBeDefined();
    expect(names(second.QueueUrls)).toEqual(['app-c']);
    expect(second.NextToken).toBeUndefined();
    expect(names(all.QueueUrls)).toEqual(['app-a', 'app-b', 'app-c', 'other']);
  });

  it('rejects MaxResults out of range', async () => {
    // Act
    const error = await awsErrorOf(t.sqs.send(new ListQueuesCommand({ MaxResults: 1001 })));
    // Assess
    expect(error.code).toBe('InvalidParameterValue');
  });
});

describe('GetQueueAttributes and SetQueueAttributes', () => {
  it('returns every attribute with AWS defaults for All', async () => {
    // Prepare
    const url = await createQueue('defaults');
    // Act
    const { Attributes } = await t.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    // Assess
    const created = String(Math.floor(t.clock.now() / 1000));
    expect(Attributes).toEqual({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:defaults',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
      CreatedTimestamp: created,
      LastModifiedTimestamp: created,
      VisibilityTimeout: '30',
      MaximumMessageSize: '1048576',
      MessageRetentionPeriod: '345600',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
      SqsManagedSseEnabled: 'true',
    });
  });

  it('returns the FIFO attributes of a FIFO queue', async () => {
    // Prepare
    const url = await createQueue('jobs.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    // Act
    const { Attributes } = await t.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'FifoQueue',
          'ContentBasedDeduplication',
          'DeduplicationScope',
          'FifoThroughputLimit',
        ],
      }),
    );
    // Assess
    expect(Attributes).toEqual({
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      DeduplicationScope: 'queue',
      FifoThroughputLimit: 'perQueue',
    });
  });

  it('updates attributes and LastModifiedTimestamp', async () => {
    // Prepare
    const url = await createQueue('tuned');
    t.clock.advance(5000);
    // Act
    await t.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: { VisibilityTimeout: '69', MaximumMessageSize: '2048', DelaySeconds: '420' },
      }),
    );
    const { Attributes } = await t.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    // Assess
    expect(Attributes).toMatchObject({
      VisibilityTimeout: '69',
      MaximumMessageSize: '2048',
      DelaySeconds: '420',
    });
    expect(Number(Attributes?.LastModifiedTimestamp)).toBe(Number(Attributes?.CreatedTimestamp) + 5);
  });

  it.each([
    ['VisibilityTimeout', '43201'],
    ['DelaySeconds', '901'],
    ['MessageRetentionPeriod', '59'],
    ['MaximumMessageSize', '1048577'],
    ['ReceiveMessageWaitTimeSeconds', '21'],
    ['VisibilityTimeout', 'soon'],
  ])('rejects %s=%s with InvalidAttributeValue', async (name, value) => {
    // Prepare
    const url = await createQueue('strict');
    // Act
    const error = await awsErrorOf(
      t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { [name]: value } })),
    );
    // Assess
    expect(error).toMatchObject({
      code: 'InvalidAttributeValue',
      status: 400,
      message: `Invalid value for the parameter ${name}.`,
    });
  });

  it('rejects unknown attribute names and FIFO-only attributes on a standard queue', async () => {
    // Prepare
    const url = await createQueue('standard');
    // Act
    const unknown = await awsErrorOf(
      t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Colour' as never] })),
    );
    const fifoOnly = await awsErrorOf(
      t.sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { ContentBasedDeduplication: 'true' } }),
      ),
    );
    const queueType = await awsErrorOf(
      t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { FifoQueue: 'true' } })),
    );
    // Assess
    expect(unknown).toMatchObject({ code: 'InvalidAttributeName', message: 'Unknown Attribute Colour.' });
    expect(fifoOnly).toMatchObject({
      code: 'InvalidAttributeName',
      message: 'Unknown Attribute ContentBasedDeduplication.',
    });
    expect(queueType).toMatchObject({
      code: 'InvalidAttributeName',
      message: 'Unknown Attribute FifoQueue.',
    });
  });

  it('refuses to enable KMS and SQS-managed encryption together', async () => {
    // Act
    const error = await awsErrorOf(
      createQueue('sse', { KmsMasterKeyId: 'alias/aws/sqs', SqsManagedSseEnabled: 'true' }),
    );
    // Assess
    expect(error).toMatchObject({
      code: 'InvalidAttributeName',
      message:
        'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.',
    });
  });
});

describe('RedrivePolicy validation and ListDeadLetterSourceQueues', () => {
  it('lists the queues that use a dead-letter queue', async () => {
    // Prepare
    const dlq = await createQueue('dlq');
    const redrive = JSON.stringify({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
      maxReceiveCount: 3,
    });
    await createQueue('source-b', { RedrivePolicy: redrive });
    await createQueue('source-a', { RedrivePolicy: redrive });
    await createQueue('unrelated');
    // Act
    const { queueUrls } = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
    // Assess
    expect(queueUrls?.map((u) => u.split('/').pop())).toEqual(['source-a', 'source-b']);
  });

  it.each([
    [{ deadLetterTargetArn: 'dummy', maxReceiveCount: 42 }, 'Invalid value for deadLetterTargetArn.'],
    [
      { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:nowhere', maxReceiveCount: 3 },
      'Dead letter target does not exist.',
    ],
    [
      { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq', maxReceiveCount: 0 },
      'Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.',
    ],
  ])('rejects the redrive policy %j', async (policy, reason) => {
    // Prepare
    await createQueue('dlq');
    const text = JSON.stringify(policy);
    // Act
    const error = await awsErrorOf(createQueue('source', { RedrivePolicy: text }));
    // Assess
    expect(error).toMatchObject({
      code: 'InvalidParameterValue',
      message: `Value ${text} for parameter RedrivePolicy is invalid. Reason: ${reason}`,
    });
  });

  it('honors the dead-letter queue RedriveAllowPolicy', async () => {
    // Prepare
    await createQueue('dlq', { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) });
    const redrive = JSON.stringify({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
      maxReceiveCount: 1,
    });
    // Act
    const error = await awsErrorOf(createQueue('source', { RedrivePolicy: redrive }));
    // Assess
    expect(error.code).toBe('InvalidParameterValue');
  });

  it('requires a dead-letter queue of the same type', async () => {
    // Prepare
    await createQueue('dlq.fifo', { FifoQueue: 'true' });
    const redrive = JSON.stringify({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq.fifo',
      maxReceiveCount: 1,
    });
    // Act
    const error = await awsErrorOf(createQueue('source', { RedrivePolicy: redrive }));
    // Assess
    expect(error.message).toContain('Dead-letter queue must be same type of queue as the source.');
  });
});

describe('PurgeQueue', () => {
  it('deletes every message and allows one purge per 60 seconds', async () => {
    // Prepare
    const url = await createQueue('purgeable');
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b', DelaySeconds: 10 }));
    // Act
    await t.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    const again = await awsErrorOf(t.sqs.send(new PurgeQueueCommand({ QueueUrl: url })));
    t.clock.advance(60_000);
    await t.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    const { Messages } = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    // Assess
    expect(again).toMatchObject({
      name: 'PurgeQueueInProgress',
      code: 'AWS.SimpleQueueService.PurgeQueueInProgress',
      status: 403,
      message: 'Only one PurgeQueue operation on purgeable is allowed every 60 seconds.',
    });
    expect(Messages ?? []).toEqual([]);
  });

  it('with purgeLimit: false (--no-purge-limit), purges as often as asked, emptying the queue each time', async () => {
    // Prepare
    const emulator = await startEmulator({ port: 0, clock: new ManualClock(), purgeLimit: false });
    const sqs = sqsClientFor(emulator.endpoint);
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'purged-between-tests' }));
      const sendAndPurge = async (body: string) => {
        await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
        const purged = await sqs.send(new PurgeQueueCommand({ QueueUrl }));
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
        return { status: purged.$metadata.httpStatusCode, left: Messages ?? [] };
      };
      // Act: the clock does not move between the two purges
      const first = await sendAndPurge('scenario 1');
      const second = await sendAndPurge('scenario 2');
      // Assess
      expect(first).toEqual({ status: 200, left: [] });
      expect(second).toEqual({ status: 200, left: [] });
    } finally {
      sqs.destroy();
      await emulator.stop();
    }
  });
});

describe('tags and permissions', () => {
  it('tags on create, adds, removes and lists tags', async () => {
    // Prepare
    const { QueueUrl } = await t.sqs.send(
      new CreateQueueCommand({ QueueName: 'tagged', tags: { team: 'core' } }),
    );
    // Act
    await t.sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: 'dev', tier: '' } }));
    await t.sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['team'] }));
    const { Tags } = await t.sqs.send(new ListQueueTagsCommand({ QueueUrl }));
    // Assess
    expect(Tags).toEqual({ env: 'dev', tier: '' });
  });

  it('builds the queue policy from AddPermission and removes it again', async () => {
    // Prepare
    const url = await createQueue('shared');
    // Act
    await t.sqs.send(
      new AddPermissionCommand({
        QueueUrl: url,
        Label: 'crossaccount',
        AWSAccountIds: ['111122223333'],
        Actions: ['ReceiveMessage'],
      }),
    );
    const duplicate = await awsErrorOf(
      t.sqs.send(
        new AddPermissionCommand({
          QueueUrl: url,
          Label: 'crossaccount',
          AWSAccountIds: ['1'],
          Actions: ['SendMessage'],
        }),
      ),
    );
    const withPolicy = await t.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }),
    );
    await t.sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'crossaccount' }));
    const missing = await awsErrorOf(
      t.sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'crossaccount' })),
    );
    const without = await t.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }),
    );
    // Assess
    expect(JSON.parse(withPolicy.Attributes?.Policy ?? '{}')).toEqual({
      Version: '2008-10-17',
      Id: 'arn:aws:sqs:us-east-1:000000000000:shared/SQSDefaultPolicy',
      Statement: [
        {
          Sid: 'crossaccount',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:root' },
          Action: 'SQS:ReceiveMessage',
          Resource: 'arn:aws:sqs:us-east-1:000000000000:shared',
        },
      ],
    });
    expect(duplicate.message).toBe(
      'Value crossaccount for parameter Label is invalid. Reason: Already exists.',
    );
    expect(missing.message).toBe(
      "Value crossaccount for parameter Label is invalid. Reason: can't find label.",
    );
    expect(without.Attributes ?? {}).toEqual({});
  });
});
