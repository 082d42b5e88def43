/** Workloads driven through @aws-sdk/client-sqs over loopback HTTP, against any SQS endpoint. */
import { Agent, request } from 'node:http';
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

/** How the latency workload talks to SQS: through the SDK, or as bare AWS JSON 1.0 requests. */
export type LatencyTransport = 'sdk' | 'raw';

/** The three SQS calls the latency workload makes. */
interface LatencyCalls {
  receive(queueUrl: string): Promise<{ body: string; receiptHandle: string }[]>;
  send(queueUrl: string): Promise<void>;
  delete(queueUrl: string, receiptHandle: string): Promise<void>;
  destroy(): void;
}

function sdkCalls(endpoint: string): LatencyCalls {
  const client = clientFor(endpoint);
  return {
    receive: async (QueueUrl) => {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }),
      );
      return Messages.map((m) => ({ body: m.Body as string, receiptHandle: m.ReceiptHandle as string }));
    },
    send: async (QueueUrl) =>
      void (await client.send(new SendMessageCommand({ QueueUrl, MessageBody: BENCH_BODY }))),
    delete: async (QueueUrl, ReceiptHandle) =>
      void (await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle }))),
    destroy: () => client.destroy(),
  };
}

/**
 * The same calls as bare AWS JSON 1.0 requests on a keep-alive connection: no signing, retries, checksums or
 * middleware, whose CPU time in this process (about 5 ms a request on a loaded 2-core machine, against 0.6 ms
 * raw) would otherwise be most of what is measured.
 */
function rawCalls(endpoint: string): LatencyCalls {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const call = (operation: string, input: object) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const body = JSON.stringify(input);
      const req = request(
        `${endpoint}/`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'content-length': Buffer.byteLength(body),
            'x-amz-target': `AmazonSQS.${operation}`,
            // the emulator routes by the SigV4 scope and does not check the signature
            authorization:
              'AWS4-HMAC-SHA256 Credential=AKIABENCHMARK/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`${operation}: ${res.statusCode} ${text}`));
            else resolve(text === '' ? {} : JSON.parse(text));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    receive: async (QueueUrl) => {
      const { Messages = [] } = (await call('ReceiveMessage', { QueueUrl, WaitTimeSeconds: 20 })) as {
        Messages?: { Body: string; ReceiptHandle: string }[];
      };
      return Messages.map((m) => ({ body: m.Body, receiptHandle: m.ReceiptHandle }));
    },
    send: async (QueueUrl) => void (await call('SendMessage', { QueueUrl, MessageBody: BENCH_BODY })),
    delete: async (QueueUrl, ReceiptHandle) =>
      void (await call('DeleteMessage', { QueueUrl, ReceiptHandle })),
    destroy: () => agent.destroy(),
  };
}

/**
 * Milliseconds from the start of a SendMessage to the return of a ReceiveMessage already waiting for it (`wake`),
 * and of a plain SendMessage round trip to another queue (`send`, the floor under the wake), one of each in turn,
 * so that the machine's load hits both alike.
 */
export async function longPollLatencies(
  endpoint: string,
  wakeQueueUrl: string,
  sendQueueUrl: string,
  samples: number,
  transport: LatencyTransport,
): Promise<{ wake: number[]; send: number[] }> {
  const make = transport === 'sdk' ? sdkCalls : rawCalls;
  const receiver = make(endpoint);
  const sender = make(endpoint);
  const wake: number[] = [];
  const send: number[] = [];
  try {
    for (let i = 0; i < samples + 20; i++) {
      const waiting = receiver.receive(wakeQueueUrl);
      // let the receive reach the server and start waiting
      await new Promise((resolve) => setTimeout(resolve, 3));
      let started = performance.now();
      await sender.send(wakeQueueUrl);
      const messages = await waiting;
      const elapsed = performance.now() - started;
      if (messages.length !== 1) throw new Error('long poll returned no message');
      await receiver.delete(wakeQueueUrl, messages[0].receiptHandle);
      // the same pause before the baseline, so both start from the same idle state
      await new Promise((resolve) => setTimeout(resolve, 3));
      started = performance.now();
      await sender.send(sendQueueUrl);
      if (i >= 20) {
        // the first 20 of each warm up
        wake.push(elapsed);
        send.push(performance.now() - started);
      }
    }
  } finally {
    receiver.destroy();
    sender.destroy();
  }
  return { wake, send };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
