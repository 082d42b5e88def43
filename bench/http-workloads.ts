/** Workloads driven through @aws-sdk/client-sqs over loopback HTTP, against any SQS endpoint. */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { BENCH_BODY } from './canned-sqs-server';

export function clientFor(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIABENCHMARK', secretAccessKey: 'benchmark' },
    maxAttempts: 1,
  });
}

/** Creates the benchmark queue; the canned server has no state, so any queue URL does there. */
export async function benchQueue(
  client: SQSClient,
  endpoint: string,
  name: string,
  canned: boolean,
): Promise<string> {
  if (canned) return `${endpoint}/000000000000/${name}`;
  return (await client.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
}

/** No workload runs longer than this: slow baselines are measured on fewer requests. */
const BUDGET_MS = 15_000;

/** Runs up to `total` tasks, `concurrency` at a time, within the time budget; returns [done, seconds]. */
async function parallel(
  concurrency: number,
  total: number,
  task: (i: number) => Promise<void>,
): Promise<[number, number]> {
  let next = 0;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && performance.now() - started < BUDGET_MS) {
        await task(next++);
        done++;
      }
    }),
  );
  return [done, (performance.now() - started) / 1000];
}

/** SendMessage requests per second. */
export async function sendRate(
  client: SQSClient,
  queueUrl: string,
  total: number,
  concurrency: number,
): Promise<number> {
  const send = () => client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: BENCH_BODY }));
  await parallel(concurrency, Math.min(200, total), async () => void (await send())); // warm-up
  const [done, seconds] = await parallel(concurrency, total, async () => void (await send()));
  return done / seconds;
}

/** Fills a queue through SendMessageBatch (not measured). */
export async function fillQueue(client: SQSClient, queueUrl: string, messages: number): Promise<void> {
  const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: BENCH_BODY }));
  await parallel(8, Math.ceil(messages / 10), async () => {
    await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  });
}

/** Messages per second consumed with ReceiveMessage(10) + DeleteMessageBatch (two requests per round). */
export async function receiveDeleteRate(
  client: SQSClient,
  queueUrl: string,
  rounds: number,
  concurrency: number,
): Promise<number> {
  let messages = 0;
  const round = async () => {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    if (Messages.length === 0) throw new Error('the benchmark queue ran dry');
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    messages += Messages.length;
  };
  const [, seconds] = await parallel(concurrency, rounds, round);
  return messages / seconds;
}

/** Milliseconds from the start of a SendMessage to the return of a ReceiveMessage already waiting for it. */
export async function longPollLatencies(
  endpoint: string,
  queueUrl: string,
  samples: number,
): Promise<number[]> {
  const receiver = clientFor(endpoint);
  const sender = clientFor(endpoint);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < samples + 20; i++) {
      const waiting = receiver.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }));
      // let the receive reach the server and start waiting
      await new Promise((resolve) => setTimeout(resolve, 3));
      const started = performance.now();
      await sender.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: BENCH_BODY }));
      const { Messages = [] } = await waiting;
      const elapsed = performance.now() - started;
      if (Messages.length !== 1) throw new Error('long poll returned no message');
      if (i >= 20) latencies.push(elapsed); // the first 20 warm up
      await receiver.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: Messages[0].ReceiptHandle }),
      );
    }
  } finally {
    receiver.destroy();
    sender.destroy();
  }
  return latencies;
}

/** Milliseconds of a plain SendMessage round trip, one at a time: the floor under the long-poll latency. */
export async function sendLatencies(endpoint: string, queueUrl: string, samples: number): Promise<number[]> {
  const client = clientFor(endpoint);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < samples + 20; i++) {
      const started = performance.now();
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: BENCH_BODY }));
      if (i >= 20) latencies.push(performance.now() - started);
    }
  } finally {
    client.destroy();
  }
  return latencies;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
