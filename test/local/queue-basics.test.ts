/** The queue-basics chapter of the workshop, end to end in local mode, on the manual clock. */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { type LocalApp, startLocalApp } from '../helpers/local-app';
import { TEST_ASSEMBLY_TIMEOUT_MS } from '../helpers/test-assembly';

describe('workshop chapter 1, queue basics, in local mode', () => {
  let app: LocalApp;

  beforeAll(async () => {
    app = await startLocalApp();
  }, TEST_ASSEMBLY_TIMEOUT_MS);
  afterAll(() => app.stop());

  /** Receives without waiting (the queues long-poll by default) and deletes what came. */
  async function receiveAll(queueUrl: string): Promise<string[]> {
    const { Messages = [] } = await app.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length > 0) {
      await app.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return Messages.map((m) => m.Body ?? '');
  }

  test('the delay queue hides every message for its 30 s delay', async () => {
    const queueUrl = app.output('QueueBasics', 'DelayQueueUrl');
    await app.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later' }));

    const atOnce = await receiveAll(queueUrl);
    app.clock.advance(29_000);
    const before = await receiveAll(queueUrl);
    app.clock.advance(1_000);
    const after = await receiveAll(queueUrl);

    expect(atOnce).toEqual([]);
    expect(before).toEqual([]);
    expect(after).toEqual(['later']);
  });

  test('the FIFO queue keeps the order within a group and drops duplicates by content', async () => {
    const queueUrl = app.output('QueueBasics', 'FifoQueueUrl');
    for (const body of ['first', 'second', 'first', 'third']) {
      await app.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageGroupId: 'order-1' }),
      );
    }

    const received = await receiveAll(queueUrl);

    // the second 'first' is a duplicate within the 5-minute window (content-based deduplication)
    expect(received).toEqual(['first', 'second', 'third']);
  });

  test('within the 5-minute window the same content is dropped, even after a delete; after it, it is new', async () => {
    const queueUrl = app.output('QueueBasics', 'FifoQueueUrl');
    const send = () =>
      app.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'again', MessageGroupId: 'g' }));

    await send();
    const first = await receiveAll(queueUrl);
    app.clock.advance(4 * 60_000);
    await send();
    const withinWindow = await receiveAll(queueUrl);
    app.clock.advance(60_000 + 1_000);
    await send();
    const afterWindow = await receiveAll(queueUrl);

    expect(first).toEqual(['again']);
    expect(withinWindow).toEqual([]);
    expect(afterWindow).toEqual(['again']);
  });
});
