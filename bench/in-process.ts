/**
 * In-process benchmarks (services called directly, no HTTP), run in a child process with --expose-gc:
 * throughput on one core, per-operation cost under a 1,000,000-message backlog, and memory. Prints JSON.
 * `backlog standard|fifo N`: one queue of N messages waiting (0 for the empty baseline) in a process of its own,
 * which measures one round of cycles per `round` line on stdin: the parent alternates an empty and a full process.
 */
import { createInterface } from 'node:readline';
import { ManualClock } from '../lib/emulator/clock';
import { DEDUPLICATION_INTERVAL_MS } from '../lib/emulator/sqs/model';
import { SqsService } from '../lib/emulator/sqs/service';
import { BENCH_BODY } from './canned-sqs-server';

function service(clock = new ManualClock()): SqsService {
  return new SqsService({
    clock,
    region: 'us-east-1',
    endpoint: () => 'http://127.0.0.1:4566',
  });
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Messages per second for send + receive + delete, one message per call. */
async function singleThroughput(messages: number): Promise<number> {
  const sqs = service();
  const { QueueUrl } = sqs.createQueue({ QueueName: 'single' });
  const started = performance.now();
  for (let i = 0; i < messages; i++) {
    sqs.sendMessage({ QueueUrl, MessageBody: BENCH_BODY });
    const { Messages = [] } = await sqs.receiveMessage({ QueueUrl });
    sqs.deleteMessage({ QueueUrl, ReceiptHandle: Messages[0].ReceiptHandle });
  }
  return messages / ((performance.now() - started) / 1000);
}

/** Messages per second with SendMessageBatch(10), ReceiveMessage(10), DeleteMessageBatch(10). */
async function batchedThroughput(messages: number): Promise<number> {
  const sqs = service();
  const { QueueUrl } = sqs.createQueue({ QueueName: 'batched' });
  const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: BENCH_BODY }));
  const started = performance.now();
  for (let i = 0; i < messages; i += 10) {
    sqs.sendMessageBatch({ QueueUrl, Entries: entries });
    const { Messages = [] } = await sqs.receiveMessage({ QueueUrl, MaxNumberOfMessages: 10 });
    sqs.deleteMessageBatch({
      QueueUrl,
      Entries: Messages.map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle })),
    });
  }
  return messages / ((performance.now() - started) / 1000);
}

let dedupCounter = 0;

/** Nanoseconds per operation for send + receive + delete cycles on a queue (3 operations per cycle). */
async function cycleCost(sqs: SqsService, QueueUrl: string, cycles: number, fifoGroups = 0): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < cycles; i++) {
    if (fifoGroups > 0) {
      sqs.sendMessage({
        QueueUrl,
        MessageBody: BENCH_BODY,
        MessageGroupId: `g${i % fifoGroups}`,
        MessageDeduplicationId: `c${dedupCounter++}`,
      });
    } else {
      sqs.sendMessage({ QueueUrl, MessageBody: BENCH_BODY });
    }
    const { Messages = [] } = await sqs.receiveMessage({ QueueUrl });
    sqs.deleteMessage({ QueueUrl, ReceiptHandle: Messages[0].ReceiptHandle });
  }
  return Number(process.hrtime.bigint() - started) / (cycles * 3);
}

function fill(sqs: SqsService, QueueUrl: string, count: number, fifoGroups = 0): void {
  const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: BENCH_BODY }));
  for (let i = 0; i < count; i += 10) {
    if (fifoGroups > 0) {
      sqs.sendMessageBatch({
        QueueUrl,
        Entries: entries.map((e, j) => ({
          ...e,
          MessageGroupId: `g${(i + j) % fifoGroups}`,
          MessageDeduplicationId: `fill-${i + j}`,
        })),
      });
    } else {
      sqs.sendMessageBatch({ QueueUrl, Entries: entries });
    }
  }
}

async function main(): Promise<void> {
  // warm up the JIT
  await singleThroughput(50_000);
  await batchedThroughput(50_000);
  let single = 0;
  let batched = 0;
  for (let round = 0; round < 3; round++) {
    single = Math.max(single, await singleThroughput(100_000));
    batched = Math.max(batched, await batchedThroughput(200_000));
  }

  console.log(
    JSON.stringify({
      single,
      batched,
    }),
  );
}

/**
 * One side of the backlog comparison: a queue holding `backlog` messages (FIFO: in 100,000 groups) alone in this
 * process, so the empty baseline's heap holds no backlog. Prints `ready`, then ns per operation for each `round`.
 */
async function backlogSide(kind: string, backlog: number): Promise<void> {
  const clock = new ManualClock();
  const sqs = service(clock);
  const fifo = kind === 'fifo';
  const attributes = fifo ? { FifoQueue: 'true' } : undefined;
  const groups = fifo ? 1000 : 0;
  // warm up the JIT on a queue of the same kind, then leave it empty
  const warmUp = sqs.createQueue({ QueueName: fifo ? 'warm-up.fifo' : 'warm-up', Attributes: attributes })
    .QueueUrl as string;
  await cycleCost(sqs, warmUp, 50_000, groups);
  const QueueUrl = sqs.createQueue({ QueueName: fifo ? 'backlog.fifo' : 'backlog', Attributes: attributes })
    .QueueUrl as string;
  fill(sqs, QueueUrl, backlog, fifo ? 100_000 : 0);
  // the backlog is the messages waiting, not the fill's deduplication ids: AWS forgets those after 5 minutes, and at
  // FIFO's default quota (300 sends/s, 3,000 batched) a million messages take longer than that to send
  clock.advance(DEDUPLICATION_INTERVAL_MS + 1);
  await cycleCost(sqs, QueueUrl, 1, groups);
  gc();
  console.log('ready');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line !== 'round') break;
    console.log(String(await cycleCost(sqs, QueueUrl, 20_000, groups)));
  }
}

/** Memory for a backlog of distinct 100-byte messages, alone in a fresh process. */
function memory(): void {
  const backlog = Number(process.env.BENCH_BACKLOG ?? 1_000_000);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const sqs = service();
  const QueueUrl = sqs.createQueue({ QueueName: 'memory' }).QueueUrl as string;
  for (let i = 0; i < backlog; i += 10) {
    // parsed from JSON, as bodies arriving over HTTP are: flat strings, each its own
    const entries = JSON.parse(
      JSON.stringify(
        Array.from({ length: 10 }, (_, j) => ({
          Id: `e${j}`,
          MessageBody: `${String(i + j).padStart(10, '0')}${BENCH_BODY.slice(10)}`,
        })),
      ),
    );
    sqs.sendMessageBatch({ QueueUrl, Entries: entries });
  }
  gc();
  const { Attributes } = sqs.getQueueAttributes({
    QueueUrl,
    AttributeNames: ['ApproximateNumberOfMessages'],
  });
  console.log(
    JSON.stringify({
      backlog: Number(Attributes?.ApproximateNumberOfMessages),
      heapBytes: process.memoryUsage().heapUsed - heapBefore,
      rssBytes: process.memoryUsage().rss - rssBefore,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    }),
  );
}

const mode = process.argv[2];
(mode === 'memory'
  ? Promise.resolve().then(memory)
  : mode === 'backlog'
    ? backlogSide(process.argv[3], Number(process.argv[4]))
    : main()
).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
