/**
 * bbc/sqs-consumer and sqs-producer, the libraries most Node services poll and feed SQS with, run their typical
 * workflows against the emulator. The consumer polls in real time (its timers are its own); AWS's timeouts are
 * moved on the emulator's manual clock. Long polls are short (waitTimeSeconds 1) and end when a message arrives
 * or the clock moves.
 */
import { once } from 'node:events';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Consumer, type ConsumerOptions } from 'sqs-consumer';
import { Producer } from 'sqs-producer';
import { eventually, settle, sqsClientFor, startTestEmulator, type TestEmulator } from '../helpers/emulator';

let t: TestEmulator;
let consumer: Consumer | undefined;
let errors: Error[];
beforeEach(async () => {
  t = await startTestEmulator();
  errors = [];
});
afterEach(async () => {
  consumer?.stop({ abort: true });
  consumer = undefined;
  await t.stop();
});

async function queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const result = await t.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return result.QueueUrl as string;
}

/** A started consumer polling through the test's SDK client, collecting the errors it reports. */
function startConsumer(options: Omit<ConsumerOptions, 'sqs'>): Consumer {
  consumer = Consumer.create({ sqs: t.sqs, waitTimeSeconds: 1, ...options });
  consumer.on('error', (error) => errors.push(error));
  consumer.on('processing_error', (error) => errors.push(error));
  consumer.start();
  return consumer;
}

async function counts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await t.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

describe('sqs-producer and sqs-consumer', () => {
  it('produces 25 messages in batches and consumes them in batches of at most 10, deleting each', async () => {
    // Prepare
    const queueUrl = await queue('orders');
    const producer = Producer.create({ queueUrl, sqs: t.sqs });
    const batches: Message[][] = [];
    // Act
    const sent = await producer.send(
      Array.from({ length: 25 }, (_, i) => ({ id: `m${i}`, body: `order ${i}` })),
    );
    startConsumer({
      queueUrl,
      batchSize: 10,
      handleMessageBatch: async (messages) => {
        batches.push(messages);
        return messages;
      },
    });
    const bodies = await eventually(() => {
      const all = batches.flat().map((m) => m.Body);
      return all.length >= 25 ? all : undefined;
    });
    await eventually(async () => ((await counts(queueUrl)).inFlight === 0 ? true : undefined));
    // Assess
    expect(sent).toHaveLength(25);
    expect(new Set(bodies)).toEqual(new Set(Array.from({ length: 25 }, (_, i) => `order ${i}`)));
    expect(bodies).toHaveLength(25);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(10);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(await producer.queueSize()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('delivers a delayed producer message only after its delay, with its message attributes', async () => {
    // Prepare
    const queueUrl = await queue('signups');
    const received: Message[] = [];
    await Producer.create({ queueUrl, sqs: t.sqs }).send({
      id: 'welcome',
      body: 'send the welcome mail',
      delaySeconds: 10,
      messageAttributes: { kind: { DataType: 'String', StringValue: 'signup' } },
    });
    startConsumer({
      queueUrl,
      messageAttributeNames: ['All'],
      handleMessage: async (message) => {
        received.push(message);
        return message;
      },
    });
    // Act
    t.clock.advance(9_000);
    await settle(200);
    const early = received.length;
    t.clock.advance(1_000);
    await eventually(() => (received.length === 1 ? true : undefined));
    // Assess
    expect(early).toBe(0);
    expect(received[0]).toMatchObject({
      Body: 'send the welcome mail',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'signup' } },
    });
  });

  it('deletes only the messages a batch handler returns; the others come back after the visibility timeout', async () => {
    // Prepare
    const queueUrl = await queue('partial', { VisibilityTimeout: '30' });
    await Producer.create({ queueUrl, sqs: t.sqs }).send(['a', 'b', 'c', 'd']);
    const seen: string[] = [];
    startConsumer({
      queueUrl,
      batchSize: 10,
      handleMessageBatch: async (messages) => {
        seen.push(...messages.map((m) => m.Body as string));
        // acknowledge a and c only, the first time they are seen
        return messages.filter((m) => m.Body === 'a' || m.Body === 'c' || seen.length > 4);
      },
    });
    await eventually(() => (seen.length === 4 ? true : undefined));
    // Act: not yet due, then due
    t.clock.advance(29_000);
    await settle(200);
    const beforeTimeout = seen.length;
    t.clock.advance(1_000);
    await eventually(() => (seen.length === 6 ? true : undefined));
    await eventually(async () => ((await counts(queueUrl)).inFlight === 0 ? true : undefined));
    // Assess
    expect(beforeTimeout).toBe(4);
    expect(seen.slice(4).sort()).toEqual(['b', 'd']);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('returns a message whose handler threw after the visibility timeout, not before, and then processes it', async () => {
    // Prepare
    const queueUrl = await queue('flaky', { VisibilityTimeout: '30' });
    await Producer.create({ queueUrl, sqs: t.sqs }).send({ id: 'job', body: 'resize image 42' });
    const receiveCounts: string[] = [];
    const c = startConsumer({
      queueUrl,
      messageSystemAttributeNames: ['ApproximateReceiveCount'],
      handleMessage: async (message) => {
        receiveCounts.push(message.Attributes?.ApproximateReceiveCount ?? '');
        if (receiveCounts.length === 1) throw new Error('transient failure');
        return message;
      },
    });
    await eventually(() => (errors.length === 1 ? true : undefined));
    // Act
    t.clock.advance(29_000);
    await settle(200);
    const beforeTimeout = [...receiveCounts];
    const processed = once(c, 'message_processed');
    t.clock.advance(1_000);
    await processed;
    // Assess
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('transient failure')]);
    expect(beforeTimeout).toEqual(['1']);
    expect(receiveCounts).toEqual(['1', '2']);
    await eventually(async () => ((await counts(queueUrl)).inFlight === 0 ? true : undefined));
  });

  it('keeps a message invisible past its visibility timeout while the heartbeat extends it', async () => {
    // Prepare: the consumer receives with a 2 s visibility timeout and extends it by 2 s every second.
    // The heartbeat is the library's own 1 s real-time interval: this test waits for one beat (about 1 s).
    const queueUrl = await queue('slow-jobs');
    await Producer.create({ queueUrl, sqs: t.sqs }).send({ id: 'job', body: 'transcode' });
    const heartbeats = observeVisibilityChanges(t.sqs);
    const other = sqsClientFor(t.emulator.endpoint);
    let stolen: Message[] | undefined;
    const c = startConsumer({
      queueUrl,
      visibilityTimeout: 2,
      heartbeatInterval: 1,
      handleMessage: async (message) => {
        t.clock.advance(1_500);
        await eventually(() => (heartbeats.length > 0 ? true : undefined), { timeoutMs: 5_000 });
        // 3 s after the receive: past the 2 s it was received with, inside the 1.5 s + 2 s the heartbeat set
        t.clock.advance(1_500);
        stolen = (await other.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 })))
          .Messages;
        return message;
      },
    });
    // Act
    await once(c, 'message_processed');
    other.destroy();
    // Assess
    expect(heartbeats[0]).toMatchObject({ VisibilityTimeout: 2 });
    expect(stolen ?? []).toEqual([]);
    await eventually(async () => ((await counts(queueUrl)).inFlight === 0 ? true : undefined));
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(errors).toEqual([]);
  });

  it('keeps FIFO order per message group and drops a duplicate by its deduplication id', async () => {
    // Prepare
    const queueUrl = await queue('payments.fifo', { FifoQueue: 'true', VisibilityTimeout: '30' });
    const producer = Producer.create({ queueUrl, sqs: t.sqs });
    const messages = ['1', '2', '3'].flatMap((n) =>
      ['alice', 'bob'].map((group) => ({
        id: `${group}${n}`,
        body: `${group} payment ${n}`,
        groupId: group,
        deduplicationId: `${group}-${n}`,
      })),
    );
    await producer.send(messages);
    // the same deduplication id within 5 minutes: accepted, never delivered twice
    await producer.send({
      id: 'again',
      body: 'alice payment 1 (retry)',
      groupId: 'alice',
      deduplicationId: 'alice-1',
    });
    const received: { group: string; body: string }[] = [];
    let failedOnce = false;
    // Act: bob's second payment fails once; bob's third must wait for it
    // one message per receive: a batch would hand bob's third payment out beside the second, as on AWS
    startConsumer({
      queueUrl,
      batchSize: 1,
      suppressFifoWarning: true,
      messageSystemAttributeNames: ['MessageGroupId'],
      handleMessage: async (message) => {
        const body = message.Body as string;
        received.push({ group: message.Attributes?.MessageGroupId ?? '', body });
        if (body === 'bob payment 2' && !failedOnce) {
          failedOnce = true;
          throw new Error('card declined, retry');
        }
        return message;
      },
    });
    await eventually(() => (failedOnce ? true : undefined));
    // alice is done and only bob's failed payment is in flight: his third stays behind it
    await eventually(async () =>
      received.filter((r) => r.group === 'alice').length === 3 && (await counts(queueUrl)).inFlight === 1
        ? true
        : undefined,
    );
    await settle(200);
    const bobBeforeTimeout = received.filter((r) => r.group === 'bob').length;
    t.clock.advance(30_000);
    await eventually(() => (received.filter((r) => r.group === 'bob').length === 4 ? true : undefined));
    await eventually(() => (received.filter((r) => r.group === 'alice').length === 3 ? true : undefined));
    // Assess
    const of = (group: string) => received.filter((r) => r.group === group).map((r) => r.body);
    expect(of('alice')).toEqual(['alice payment 1', 'alice payment 2', 'alice payment 3']);
    expect(bobBeforeTimeout).toBe(2);
    expect(of('bob')).toEqual(['bob payment 1', 'bob payment 2', 'bob payment 2', 'bob payment 3']);
    await eventually(async () => ((await counts(queueUrl)).inFlight === 0 ? true : undefined));
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
});

/** The ChangeMessageVisibility calls `sqs` completes (the consumer's heartbeats), observed, not altered. */
function observeVisibilityChanges(sqs: SQSClient): { VisibilityTimeout?: number }[] {
  const seen: { VisibilityTimeout?: number }[] = [];
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'ChangeMessageVisibilityCommand') {
        seen.push(args.input as { VisibilityTimeout?: number });
      }
      return result;
    },
    { step: 'initialize', name: 'observeVisibilityChanges' },
  );
  return seen;
}
