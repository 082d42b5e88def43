/** The fan-out chapter of the workshop, end to end in local mode: the real templates, the bundled Lambda code. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { eventually, TEST_CREDENTIALS } from '../helpers/emulator';
import { type LocalApp, startLocalApp } from '../helpers/local-app';
import { TEST_ASSEMBLY_TIMEOUT_MS } from '../helpers/test-assembly';

const QUOTES = path.join(__dirname, '..', '..', 'docs', 'workshop', 'samples', 'quotes.json');

describe('workshop chapter 3, fan-out, in local mode', () => {
  let app: LocalApp;
  let sns: SNSClient;
  let lambda: LambdaClient;
  const out = (key: string) => app.output('FanOut', key);

  beforeAll(async () => {
    app = await startLocalApp();
    const config = {
      endpoint: app.mode.emulator.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    };
    sns = new SNSClient(config);
    lambda = new LambdaClient(config);
  }, TEST_ASSEMBLY_TIMEOUT_MS);
  afterAll(async () => {
    sns.destroy();
    lambda.destroy();
    await app.stop();
  });

  /** Everything waiting in a queue now (no long poll), deleted once read. */
  async function drain(queueUrl: string): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const { Messages = [] } = await app.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) return all;
      all.push(...Messages);
      await app.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }

  /** The quote ids in SNS envelopes (or raw bodies). */
  const quoteIds = (messages: Message[]) =>
    messages
      .map((m) => JSON.parse(m.Body ?? '{}'))
      .map((body) => (body.Type === 'Notification' ? JSON.parse(body.Message) : body).quoteId)
      .sort();

  test('each quote the producer Lambda publishes reaches exactly the queues whose filter it matches', async () => {
    // Act
    const invoked = await lambda.send(
      new InvokeCommand({ FunctionName: out('QuoteProducerFunctionName'), Payload: readFileSync(QUOTES) }),
    );
    await app.mode.emulator.idle();
    const offers: Message[] = [];
    await eventually(
      async () => {
        offers.push(...(await drain(out('OffersQueueUrl'))));
        return offers.length >= 3 ? true : undefined;
      },
      { clock: app.clock },
    );

    // Assess
    expect(invoked.FunctionError).toBeUndefined();
    expect(quoteIds(await drain(out('LifeSalesQueueUrl')))).toEqual(['q-102', 'q-104']);
    const analytics = await drain(out('AnalyticsQueueUrl'));
    expect(quoteIds(analytics)).toEqual(['q-100', 'q-101', 'q-102', 'q-103', 'q-104']);
    // raw delivery: the body is the quote itself and `type` is an SQS message attribute
    expect(analytics[0].MessageAttributes?.type?.StringValue).toMatch(/^(car|boat|life)$/);
    expect(quoteIds(await drain(out('UnderwritingQueueUrl')))).toEqual(['q-103', 'q-104']);
    // vehicle sales is drained by its consumer, which prices car and boat quotes into offers
    expect(offers.map((m) => JSON.parse(m.Body ?? '{}').quoteId).sort()).toEqual(['q-100', 'q-101', 'q-103']);
    for (const dlq of ['VehicleSales', 'LifeSales', 'Analytics', 'Underwriting']) {
      expect(await drain(out(`${dlq}SubscriptionDeadLetterQueueUrl`))).toEqual([]);
    }
  });

  test('an image upload reaches both the thumbnails and the audit queue through the SNS topic', async () => {
    await app.s3.send(
      new PutObjectCommand({ Bucket: out('ImageBucketName'), Key: 'images/cat.png', Body: 'png' }),
    );
    await app.s3.send(
      new PutObjectCommand({ Bucket: out('ImageBucketName'), Key: 'docs/readme.txt', Body: 'no' }),
    );
    await app.mode.emulator.idle();

    const s3Keys = (messages: Message[]) =>
      messages
        .map((m) => JSON.parse(m.Body ?? '{}'))
        .map((body) => (body.Type === 'Notification' ? JSON.parse(body.Message) : body))
        .filter((event) => event.Event !== 's3:TestEvent')
        .flatMap((event) => event.Records.map((r: { s3: { object: { key: string } } }) => r.s3.object.key));

    expect(s3Keys(await drain(out('ThumbnailsQueueUrl')))).toEqual(['images/cat.png']);
    expect(s3Keys(await drain(out('AuditQueueUrl')))).toEqual(['images/cat.png']);
  });

  test('the FIFO topic keeps the order per order id in both queues and drops duplicates', async () => {
    const publish = (orderId: string, event: string) =>
      sns.send(
        new PublishCommand({
          TopicArn: out('OrderEventsTopicArn'),
          Message: JSON.stringify({ orderId, event }),
          MessageGroupId: orderId,
        }),
      );
    for (const [orderId, event] of [
      ['o-1', 'created'],
      ['o-2', 'created'],
      ['o-1', 'paid'],
      ['o-1', 'paid'], // the same content again: a duplicate within 5 minutes
      ['o-1', 'shipped'],
      ['o-2', 'cancelled'],
    ]) {
      await publish(orderId, event);
    }
    await app.mode.emulator.idle();

    for (const queue of ['FulfillmentQueueUrl', 'BillingQueueUrl']) {
      const events = (await drain(out(queue))).map((m) => {
        const body = JSON.parse(m.Body ?? '{}');
        return JSON.parse(body.Type === 'Notification' ? body.Message : (m.Body ?? '{}'));
      });
      expect(events.filter((e) => e.orderId === 'o-1').map((e) => e.event)).toEqual([
        'created',
        'paid',
        'shipped',
      ]);
      expect(events.filter((e) => e.orderId === 'o-2').map((e) => e.event)).toEqual(['created', 'cancelled']);
    }
  });
});
