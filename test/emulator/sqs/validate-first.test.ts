/**
 * Every SQS operation checks all of its input before it changes anything: a refused request leaves no half-made
 * queue, no half-applied attributes. Batches keep AWS's semantics: request-level errors fail the whole batch,
 * entry-level errors fail only their entry.
 */
import {
  AddPermissionCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  SendMessageBatchCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { awsErrorOf, startTestEmulator, type TestEmulator } from '../../helpers/emulator';

const ARN = 'arn:aws:sqs:us-east-1:000000000000';

let t: TestEmulator;
let queueUrl: string;
beforeEach(async () => {
  t = await startTestEmulator();
  queueUrl = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'orders' }))).QueueUrl as string;
  await t.sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }));
});
afterEach(async () => {
  await t.stop();
});

async function attributes(): Promise<Record<string, string>> {
  const { Attributes } = await t.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
  );
  return Attributes ?? {};
}

describe('a refused request changes nothing', () => {
  it.each<[string, Record<string, string>, string]>([
    [
      'a valid attribute with an invalid one',
      { VisibilityTimeout: '60', DelaySeconds: '901' },
      'Invalid value for the parameter DelaySeconds.',
    ],
    [
      'a valid attribute with a RedrivePolicy nested too deep',
      {
        VisibilityTimeout: '60',
        RedrivePolicy: `{"deadLetterTargetArn":"${ARN}:orders-dlq","maxReceiveCount":${'['.repeat(50)}1${']'.repeat(50)}}`,
      },
      'Redrive policy is not a valid JSON map.',
    ],
    [
      'a valid attribute with a RedrivePolicy to a missing queue',
      {
        VisibilityTimeout: '60',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${ARN}:nowhere`, maxReceiveCount: 3 }),
      },
      'Dead letter target does not exist.',
    ],
  ])('SetQueueAttributes with %s applies none of them', async (_case, requested, reason) => {
    // Prepare
    const before = await attributes();
    // Act
    const error = await awsErrorOf(
      t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: requested })),
    );
    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toContain(reason);
    expect(await attributes()).toEqual(before);
  });

  it('CreateQueue with an invalid tag or dead-letter policy creates no queue', async () => {
    // Act
    const badTag = await awsErrorOf(
      t.sqs.send(new CreateQueueCommand({ QueueName: 'tagged', tags: { ['k'.repeat(129)]: 'v' } })),
    );
    const badRedrive = await awsErrorOf(
      t.sqs.send(
        new CreateQueueCommand({
          QueueName: 'redriven',
          Attributes: {
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${ARN}:orders-dlq`, maxReceiveCount: 0 }),
          },
        }),
      ),
    );
    const { QueueUrls } = await t.sqs.send(new ListQueuesCommand({}));
    // Assess
    expect(badTag.message).toBe('Tag keys must be between 1 and 128 characters in length.');
    expect(badRedrive.message).toContain('Invalid value for maxReceiveCount: 0');
    expect(QueueUrls?.map((url) => url.split('/').pop())).toEqual(['orders', 'orders-dlq']);
  });

  it('TagQueue over the limit adds no tag; AddPermission with a taken label adds no statement', async () => {
    // Prepare
    const permission = {
      QueueUrl: queueUrl,
      Label: 'p',
      AWSAccountIds: ['111122223333'],
      Actions: ['SendMessage'],
    };
    await t.sqs.send(new AddPermissionCommand(permission));
    const policy = (await attributes()).Policy;
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    // Act
    const tagError = await awsErrorOf(t.sqs.send(new TagQueueCommand({ QueueUrl: queueUrl, Tags: tooMany })));
    const labelError = await awsErrorOf(
      t.sqs.send(new AddPermissionCommand({ ...permission, Actions: ['DeleteMessage'] })),
    );
    const { Tags } = await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }));
    // Assess
    expect(tagError.message).toBe('Too many tags added for queue orders.');
    expect(labelError.message).toBe('Value p for parameter Label is invalid. Reason: Already exists.');
    expect(Tags ?? {}).toEqual({});
    expect((await attributes()).Policy).toBe(policy);
  });
});

describe('batches', () => {
  it('fail the whole batch on a request-level error, storing nothing', async () => {
    // Act
    const error = await awsErrorOf(
      t.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [
            { Id: 'ok', MessageBody: 'a' },
            { Id: 'ok', MessageBody: 'b' },
          ],
        }),
      ),
    );
    // Assess
    expect(error.code).toBe('AWS.SimpleQueueService.BatchEntryIdsNotDistinct');
    expect((await attributes()).ApproximateNumberOfMessages).toBe('0');
  });

  it('fail only the entries that are invalid, storing the others', async () => {
    // Act
    const result = await t.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'first', MessageBody: 'a' },
          {
            Id: 'huge-number',
            MessageBody: 'b',
            MessageAttributes: { n: { DataType: 'Number', StringValue: `1${'0'.repeat(100_000)}1` } },
          },
          { Id: 'last', MessageBody: 'c' },
        ],
      }),
    );
    // Assess
    expect(result.Successful?.map((s) => s.Id)).toEqual(['first', 'last']);
    expect(result.Failed?.map((f) => [f.Id, f.Code, f.SenderFault])).toEqual([
      ['huge-number', 'InvalidParameterValue', true],
    ]);
    expect((await attributes()).ApproximateNumberOfMessages).toBe('2');
  });
});
