import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import type { InvocationResult } from '../../../lib/emulator/lambda/function-runtime';
import {
  type BatchReport,
  SqsEventSourceMapping,
  type SqsEventSourceSettings,
} from '../../../lib/emulator/lambda/sqs-event-source';
import { sqsClientFor } from '../../helpers/emulator';

type Handler = (records: SQSRecord[]) => Promise<unknown> | unknown;

describe('SqsEventSourceMapping', () => {
  let emu: Emulator;
  let sqs: SQSClient;
  let clock: ManualClock;
  const mappings: SqsEventSourceMapping[] = [];

  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-11-21T10:00:00Z'));
    emu = await startEmulator({ port: 0, clock });
    sqs = sqsClientFor(emu.endpoint);
  });
  afterEach(async () => {
    await Promise.all(mappings.splice(0).map((m) => m.stop()));
    sqs.destroy();
    await emu.stop();
  });

  async function queueWithDlq(name: string, fifo = false) {
    const suffix = fifo ? '.fifo' : '';
    const fifoAttributes = fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'true' } : {};
    const dlq = await sqs.send(
      new CreateQueueCommand({ QueueName: `${name}-dlq${suffix}`, Attributes: fifoAttributes }),
    );
    const dlqArn = `arn:aws:sqs:${emu.region}:000000000000:${name}-dlq${suffix}`;
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${name}${suffix}`,
        Attributes: {
          ...fifoAttributes,
          VisibilityTimeout: '30',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }),
        },
      }),
    );
    return {
      url: queue.QueueUrl as string,
      arn: `arn:aws:sqs:${emu.region}:000000000000:${name}${suffix}`,
      dlqUrl: dlq.QueueUrl as string,
    };
  }

  /** Starts a mapping onto an in-process function; `batches` yields each batch report as it completes. */
  function map(settings: Omit<SqsEventSourceSettings, 'uuid' | 'functionName'>, handler: Handler) {
    const reports: BatchReport[] = [];
    const waiters: Array<() => void> = [];
    const mapping = new SqsEventSourceMapping(
      { uuid: 'test', functionName: 'fn', ...settings },
      {
        sqs: emu.sqs,
        region: emu.region,
        async invoke(_name, event): Promise<InvocationResult> {
          try {
            return {
              ok: true,
              requestId: 'r',
              payload: (await handler(event.Records)) ?? null,
              durationMs: 1,
            };
          } catch (error) {
            return {
              ok: false,
              requestId: 'r',
              error: { errorType: 'Error', errorMessage: String(error) },
              durationMs: 1,
            };
          }
        },
        onBatch(report) {
          reports.push(report);
          waiters.splice(0).forEach((w) => w());
        },
      },
    );
    mappings.push(mapping);
    mapping.start();
    const batches = async (count: number) => {
      while (reports.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return reports.slice(0, count);
    };
    return { batches };
  }

  const send = (url: string, bodies: string[], groupId?: string) =>
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body, MessageGroupId: groupId })),
      }),
    );

  const depth = async (url: string) => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return [
      Number(Attributes?.ApproximateNumberOfMessages),
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
    ];
  };

  test('delivers records in the Lambda SQS event shape and deletes the batch when the function succeeds', async () => {
    const q = await queueWithDlq('orders');
    const seen: SQSRecord[] = [];
    const { batches } = map(
      { queueArn: q.arn, maximumConcurrency: 1 },
      (records) => void seen.push(...records),
    );

    await send(q.url, ['a', 'b', 'c']);
    const [report] = await batches(1);

    expect(report).toMatchObject({ received: 3, deleted: 3, failedIds: [] });
    expect(seen[0]).toMatchObject({
      body: 'a',
      eventSource: 'aws:sqs',
      eventSourceARN: q.arn,
      awsRegion: emu.region,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(clock.now()) },
      md5OfBody: '0cc175b9c0f1b6a831c399e269772661',
    });
    expect(await depth(q.url)).toEqual([0, 0]);
  });

  test('with ReportBatchItemFailures, only the listed records return; after 3 receives one lands in the DLQ', async () => {
    // Prepare
    const q = await queueWithDlq('partial');
    const { batches } = map(
      { queueArn: q.arn, reportBatchItemFailures: true, maximumConcurrency: 1 },
      (records) => ({
        batchItemFailures: records
          .filter((r) => r.body === 'bad')
          .map((r) => ({ itemIdentifier: r.messageId })),
      }),
    );

    // Act: the bad message is received three times, 30 s (its visibility timeout) apart
    await send(q.url, ['good-1', 'bad', 'good-2']);
    const [first] = await batches(1);
    clock.advance(30_000);
    await batches(2);
    clock.advance(30_000);
    const third = (await batches(3))[2];
    clock.advance(30_000);

    // Assess
    expect(first).toMatchObject({ received: 3, deleted: 2, failedIds: [expect.any(String)] });
    expect(third).toMatchObject({ received: 1, deleted: 0 });
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.dlqUrl, WaitTimeSeconds: 20 }));
    expect(dead.Messages?.map((m) => m.Body)).toEqual(['bad']);
    expect(await depth(q.url)).toEqual([0, 0]);
  });

  test('a function error returns the whole batch; so does a report naming an unknown record', async () => {
    const q = await queueWithDlq('errors');
    let call = 0;
    const { batches } = map({ queueArn: q.arn, reportBatchItemFailures: true, maximumConcurrency: 1 }, () => {
      call++;
      if (call === 1) throw new Error('boom');
      if (call === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
      return { batchItemFailures: [] };
    });

    await send(q.url, ['x', 'y']);
    const [thrown] = await batches(1);
    clock.advance(30_000);
    const [, invalid] = await batches(2);
    clock.advance(30_000);
    const [, , ok] = await batches(3);

    expect(thrown).toMatchObject({ received: 2, deleted: 0 });
    expect(invalid).toMatchObject({ received: 2, deleted: 0 });
    expect(ok).toMatchObject({ received: 2, deleted: 2 });
  });

  test('FIFO: a message group is delivered in order, batch after batch', async () => {
    const q = await queueWithDlq('ordered', true);
    const order: string[] = [];
    const { batches } = map({ queueArn: q.arn, batchSize: 3, maximumConcurrency: 2 }, (records) => {
      order.push(...records.map((r) => r.body));
    });

    for (let i = 0; i < 12; i += 4)
      await send(
        q.url,
        [0, 1, 2, 3].map((j) => `m${i + j}`),
        'g1',
      );
    await batches(4);

    expect(order).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
  });

  test('never runs more invocations at once than MaximumConcurrency', async () => {
    const q = await queueWithDlq('busy');
    let active = 0;
    let peak = 0;
    const { batches } = map({ queueArn: q.arn, batchSize: 1, maximumConcurrency: 2 }, async () => {
      peak = Math.max(peak, ++active);
      await new Promise((resolve) => setImmediate(resolve));
      active--;
    });

    await send(q.url, ['1', '2', '3', '4', '5', '6']);
    await batches(6);

    expect(peak).toBe(2);
  });

  test('the batching window gathers a larger batch from later sends', async () => {
    const q = await queueWithDlq('windowed');
    const { batches } = map(
      { queueArn: q.arn, batchSize: 20, maximumBatchingWindowSeconds: 5, maximumConcurrency: 1 },
      () => {},
    );

    await send(q.url, ['1', '2']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await send(q.url, ['3', '4', '5']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    clock.advance(5_000);
    const [report] = await batches(1);

    expect(report.received).toBe(5);
  });
});
