import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator';
import { s3ClientFor } from './s3/s3-fixture';
import { snsClientFor } from './sns/sns-fixture';

let t: TestEmulator;
let s3: ReturnType<typeof s3ClientFor>;
let sns: ReturnType<typeof snsClientFor>;
beforeEach(async () => {
  t = await startTestEmulator();
  s3 = s3ClientFor(t.emulator.endpoint);
  sns = snsClientFor(t.emulator.endpoint);
});
afterEach(async () => {
  s3.destroy();
  sns.destroy();
  await t.stop();
});

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const url = (await t.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
  return { url, arn: `arn:aws:sqs:us-east-1:000000000000:${name}` };
}

async function drain(url: string): Promise<Message[]> {
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

describe('fan-out', () => {
  it('one publish reaches every queue whose filter it passes', async () => {
    // Prepare
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'orders' }));
    const queues = await Promise.all(Array.from({ length: 8 }, (_, i) => queue(`region-${i}`)));
    for (const [i, q] of queues.entries()) {
      await sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: 'sqs',
          Endpoint: q.arn,
          // even queues take amounts of at least i * 10; odd queues take EU orders only
          Attributes: {
            FilterPolicy: JSON.stringify(
              i % 2 === 0 ? { amount: [{ numeric: ['>=', i * 10] }] } : { region: [{ prefix: 'eu-' }] },
            ),
          },
        }),
      );
    }
    // Act
    await sns.send(
      new PublishCommand({
        TopicArn,
        Message: 'order 1',
        MessageAttributes: {
          amount: { DataType: 'Number', StringValue: '45' },
          region: { DataType: 'String', StringValue: 'us-east-1' },
        },
      }),
    );
    const counts = await Promise.all(queues.map(async (q) => (await drain(q.url)).length));
    // Assess
    expect(counts).toEqual([1, 0, 1, 0, 1, 0, 0, 0]);
  });

  it('an S3 put reaches two queues through an SNS topic', async () => {
    // Prepare
    await s3.send(new CreateBucketCommand({ Bucket: 'invoices' }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'invoice-uploaded' }));
    const billing = await queue('billing');
    const audit = await queue('audit');
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: billing.arn }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: audit.arn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'invoices',
        NotificationConfiguration: {
          TopicConfigurations: [{ Id: 'to-topic', TopicArn, Events: ['s3:ObjectCreated:*'] }],
        },
      }),
    );
    const tests = [...(await drain(billing.url)), ...(await drain(audit.url))];
    // Act
    await s3.send(new PutObjectCommand({ Bucket: 'invoices', Key: '2026/inv-1.pdf', Body: '%PDF' }));
    const [toBilling] = await drain(billing.url);
    const [toAudit] = await drain(audit.url);
    // Assess
    expect(
      tests.map((m) => m.Body).map((b) => JSON.parse(JSON.parse(b as string).Message ?? b).Event),
    ).toEqual(['s3:TestEvent', 's3:TestEvent']);
    const envelope = JSON.parse(toBilling.Body as string);
    expect(envelope).toMatchObject({ Type: 'Notification', TopicArn, Subject: 'Amazon S3 Notification' });
    const record = JSON.parse(envelope.Message).Records[0];
    expect(record).toMatchObject({
      eventName: 'ObjectCreated:Put',
      s3: { configurationId: 'to-topic', object: { key: '2026/inv-1.pdf', size: 4 } },
    });
    expect(JSON.parse(toAudit.Body as string).Records[0].s3.object.key).toBe('2026/inv-1.pdf');
  });

  it('an S3 put reaches a queue only through its prefix and suffix filters', async () => {
    // Prepare
    await s3.send(new CreateBucketCommand({ Bucket: 'media' }));
    const videos = await queue('videos');
    const images = await queue('images');
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'media',
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              QueueArn: videos.arn,
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.mp4' }] } },
            },
            {
              QueueArn: images.arn,
              Events: ['s3:ObjectCreated:Put'],
              Filter: {
                Key: {
                  FilterRules: [
                    { Name: 'prefix', Value: 'incoming/' },
                    { Name: 'suffix', Value: '.png' },
                  ],
                },
              },
            },
          ],
        },
      }),
    );
    await drain(videos.url);
    await drain(images.url);
    // Act
    for (const key of [
      'incoming/a.png',
      'incoming/b.jpg',
      'processed/c.png',
      'clips/d.mp4',
      'incoming/e.mp4',
    ]) {
      await s3.send(new PutObjectCommand({ Bucket: 'media', Key: key, Body: key }));
    }
    const keysOf = async (url: string) =>
      (await drain(url)).map((m) => JSON.parse(m.Body as string).Records[0].s3.object.key).sort();
    // Assess
    expect(await keysOf(images.url)).toEqual(['incoming/a.png']);
    expect(await keysOf(videos.url)).toEqual(['clips/d.mp4', 'incoming/e.mp4']);
  });
});
