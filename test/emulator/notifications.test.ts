import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type PutBucketNotificationConfigurationCommandInput,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { awsErrorOf, startTestEmulator, type TestEmulator } from '../helpers/emulator';
import { s3ClientFor } from './s3/s3-fixture';

let t: TestEmulator;
let s3: ReturnType<typeof s3ClientFor>;
let queueUrl: string;
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:uploads-events';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:thumbnailer';

beforeEach(async () => {
  t = await startTestEmulator();
  s3 = s3ClientFor(t.emulator.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
  queueUrl = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'uploads-events' }))).QueueUrl as string;
});
afterEach(async () => {
  s3.destroy();
  await t.stop();
});

async function received(url = queueUrl): Promise<Message[]> {
  await t.emulator.idle();
  const all: Message[] = [];
  for (;;) {
    const { Messages } = await t.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    if (!Messages?.length) return all;
    all.push(...Messages);
  }
}
const records = (messages: Message[]) => messages.map((m) => JSON.parse(m.Body as string).Records?.[0]);

const configure = (
  configuration: PutBucketNotificationConfigurationCommandInput['NotificationConfiguration'],
) =>
  s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: 'uploads',
      NotificationConfiguration: configuration,
    }),
  );

describe('S3 event notifications to SQS', () => {
  it('sends s3:TestEvent when the configuration is set, and returns the configuration as stored', async () => {
    // Act
    await configure({
      QueueConfigurations: [
        {
          Id: 'images',
          QueueArn: QUEUE_ARN,
          Events: ['s3:ObjectCreated:*'],
          Filter: {
            Key: {
              FilterRules: [
                { Name: 'prefix', Value: 'images/' },
                { Name: 'SUFFIX' as never, Value: '.jpg' },
              ],
            },
          },
        },
      ],
    });
    const [test] = await received();
    const stored = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'uploads' }));
    // Assess
    expect(JSON.parse(test.Body as string)).toEqual({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2026-01-01T00:00:00.000Z',
      Bucket: 'uploads',
      RequestId: expect.stringMatching(/^[0-9A-F]{16}$/),
      HostId: expect.any(String),
    });
    expect(stored.QueueConfigurations).toEqual([
      {
        Id: 'images',
        QueueArn: QUEUE_ARN,
        Events: ['s3:ObjectCreated:*'],
        Filter: {
          Key: {
            FilterRules: [
              { Name: 'Prefix', Value: 'images/' },
              { Name: 'Suffix', Value: '.jpg' },
            ],
          },
        },
      },
    ]);
  });

  it('writes ObjectCreated:Put records as AWS does, through prefix and suffix filters', async () => {
    // Prepare
    await configure({
      QueueConfigurations: [
        {
          Id: 'images',
          QueueArn: QUEUE_ARN,
          Events: ['s3:ObjectCreated:*'],
          Filter: {
            Key: {
              FilterRules: [
                { Name: 'prefix', Value: 'images/' },
                { Name: 'suffix', Value: '.jpg' },
              ],
            },
          },
        },
      ],
    });
    await received(); // the test event
    // Act
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'images/cat 1@home.jpg', Body: 'meow' }));
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'images/cat.png', Body: 'no' }));
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'docs/cat.jpg', Body: 'no' }));
    const messages = await received();
    // Assess
    expect(messages).toHaveLength(1);
    const body = JSON.parse(messages[0].Body as string);
    expect(Object.keys(body)).toEqual(['Records']);
    const [record] = body.Records;
    expect(Object.keys(record)).toEqual([
      'eventVersion',
      'eventSource',
      'awsRegion',
      'eventTime',
      'eventName',
      'userIdentity',
      'requestParameters',
      'responseElements',
      's3',
    ]);
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2026-01-01T00:00:00.000Z',
      eventName: 'ObjectCreated:Put',
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'images',
        bucket: { name: 'uploads', arn: 'arn:aws:s3:::uploads' },
        object: {
          key: 'images/cat+1%40home.jpg',
          size: 4,
          eTag: createHash('md5').update('meow').digest('hex'),
        },
      },
    });
    expect(record.s3.object.eTag).toMatch(/^[0-9a-f]{32}$/);
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{18,}$/);
    expect(record.responseElements['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
  });

  it('raises Copy, CompleteMultipartUpload and ObjectRemoved:Delete events, removals without size and eTag', async () => {
    // Prepare
    await configure({
      QueueConfigurations: [
        {
          QueueArn: QUEUE_ARN,
          Events: ['s3:ObjectCreated:Copy', 's3:ObjectCreated:CompleteMultipartUpload', 's3:ObjectRemoved:*'],
        },
      ],
    });
    await received();
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'a', Body: 'x' }));
    // Act
    await s3.send(new CopyObjectCommand({ Bucket: 'uploads', Key: 'b', CopySource: 'uploads/a' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: 'm' }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket: 'uploads', Key: 'm', UploadId, PartNumber: 1, Body: 'yz' }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'uploads',
        Key: 'm',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: 'uploads', Key: 'a' }));
    await s3.send(
      new DeleteObjectsCommand({ Bucket: 'uploads', Delete: { Objects: [{ Key: 'b' }, { Key: 'm' }] } }),
    );
    const events = records(await received());
    // Assess
    expect(events.map((e) => `${e.eventName} ${e.s3.object.key}`)).toEqual([
      'ObjectCreated:Copy b',
      'ObjectCreated:CompleteMultipartUpload m',
      'ObjectRemoved:Delete a',
      'ObjectRemoved:Delete b',
      'ObjectRemoved:Delete m',
    ]);
    expect(events[0].s3.object).toMatchObject({ size: 1, eTag: '9dd4e461268c8034f5c8564e155c67a6' });
    expect(events[1].s3.object.eTag).toMatch(/^[0-9a-f]{32}-1$/);
    expect(Object.keys(events[2].s3.object)).toEqual(['key', 'sequencer']);
  });
});

describe('S3 event notifications to Lambda', () => {
  it('invokes the function through the hook with the S3 event', async () => {
    // Prepare
    const events: any[] = [];
    t.emulator.functions.register(FUNCTION_ARN, (event) => {
      events.push(event);
    });
    await configure({
      LambdaFunctionConfigurations: [
        { Id: 'thumbs', LambdaFunctionArn: FUNCTION_ARN, Events: ['s3:ObjectCreated:Put'] },
      ],
    });
    // Act
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'photo.jpg', Body: 'jpeg' }));
    await t.emulator.idle();
    const stored = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'uploads' }));
    // Assess
    expect(events).toHaveLength(1);
    expect(events[0].Records[0]).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { configurationId: 'thumbs', object: { key: 'photo.jpg', size: 4 } },
    });
    expect(stored.LambdaFunctionConfigurations).toEqual([
      { Id: 'thumbs', LambdaFunctionArn: FUNCTION_ARN, Events: ['s3:ObjectCreated:Put'] },
    ]);
  });
});

describe('configuration validation', () => {
  it('reports every destination that does not exist, numbered', async () => {
    // Act
    const error = (await configure({
      QueueConfigurations: [
        { QueueArn: 'arn:aws:sqs:us-east-1:000000000000:missing', Events: ['s3:ObjectCreated:*'] },
      ],
      TopicConfigurations: [
        { TopicArn: 'arn:aws:sns:us-east-1:000000000000:missing', Events: ['s3:ObjectRemoved:*'] },
      ],
      LambdaFunctionConfigurations: [{ LambdaFunctionArn: FUNCTION_ARN, Events: ['s3:ObjectRestore:*'] }],
    }).catch((e: unknown) => e)) as Record<string, unknown>;
    // Assess
    expect(error).toMatchObject({
      name: 'InvalidArgument',
      message: 'Unable to validate the following destination configurations',
      ArgumentName1: 'arn:aws:sqs:us-east-1:000000000000:missing',
      ArgumentValue1: 'The destination queue does not exist',
      ArgumentName2: 'arn:aws:sns:us-east-1:000000000000:missing',
      ArgumentValue2: 'The destination topic does not exist',
      ArgumentName3: FUNCTION_ARN,
    });
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
  });

  it.each<[string, PutBucketNotificationConfigurationCommandInput['NotificationConfiguration'], string]>([
    [
      'an ARN that does not parse',
      { QueueConfigurations: [{ QueueArn: 'not-an-arn', Events: ['s3:ObjectCreated:*'] }] },
      'The ARN could not be parsed',
    ],
    [
      'an unknown event',
      { QueueConfigurations: [{ QueueArn: QUEUE_ARN, Events: ['s3:ObjectExploded:*' as never] }] },
      'The event is not supported for notifications',
    ],
    [
      'an unknown filter rule',
      {
        QueueConfigurations: [
          {
            QueueArn: QUEUE_ARN,
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'INVALID' as never, Value: 'x' }] } },
          },
        ],
      },
      'filter rule name must be either prefix or suffix',
    ],
    [
      'overlapping configurations',
      {
        QueueConfigurations: [
          { QueueArn: QUEUE_ARN, Events: ['s3:ObjectCreated:*'] },
          { QueueArn: QUEUE_ARN, Events: ['s3:ObjectCreated:Put'] },
        ],
      },
      'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
    ],
  ])('rejects %s with InvalidArgument', async (_case, configuration, message) => {
    // Act
    const error = await awsErrorOf(configure(configuration));
    // Assess
    expect(error).toMatchObject({ name: 'InvalidArgument', status: 400, message });
  });
});
