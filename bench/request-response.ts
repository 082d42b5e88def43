/**
 * Request-response rows of `npm run bench` (chapter 6): the latency of one request and its reply through the
 * emulator over loopback HTTP, with a virtual queue on the requester's host queue (lambda/shared/temporary-queues)
 * vs the same-run baseline of one real queue per request (CreateQueue, send, long-poll the reply, DeleteQueue),
 * the same responder answering both. Run alone: tsx bench/request-response.ts
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { TemporaryQueueRequester } from '../lambda/shared/temporary-queues/requester';
import { RESPONSE_QUEUE_URL_ATTRIBUTE } from '../lambda/shared/temporary-queues/protocol';
import { replyAddressOfMessage, sendReply } from '../lambda/shared/temporary-queues/responder';
import { startEmulator } from '../lib/emulator/emulator';
import { type Figure, figure } from './figures';

const CREDENTIALS = { accessKeyId: 'AKIABENCHMARK', secretAccessKey: 'benchmark' };
/** Requests in flight at once, and in all. */
const CONCURRENCY = 10;
const REQUESTS = 200;
/** Responder loops on the request queue (as a Lambda's event source would run several). */
const RESPONDERS = 4;

export interface RequestResponseResult {
  readonly figures: Figure[];
  readonly header: string[];
  readonly rows: string[][];
}

interface Latencies {
  readonly p50: number;
  readonly p99: number;
  readonly perSecond: number;
}

function summarize(latencies: number[], seconds: number): Latencies {
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
  return { p50: at(50), p99: at(99), perSecond: latencies.length / seconds };
}

async function timed(total: number, request: (i: number) => Promise<void>): Promise<Latencies> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await request(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return summarize(latencies, (performance.now() - started) / 1000);
}

/** Answers every request on the queue to its ResponseQueueUrl, virtual or real, until `signal` aborts. */
async function respond(sqs: SQSClient, queueUrl: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const { Messages = [] } = await sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 20,
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      )
      .catch(() => ({ Messages: [] }));
    if (Messages.length === 0) continue;
    await Promise.all(Messages.map((m) => sendReply(sqs, replyAddressOfMessage(m), `answer to ${m.Body}`)));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

/** The baseline: a real queue created for each request, long-polled for the reply, then deleted. */
async function realQueueRequest(sqs: SQSClient, requestQueueUrl: string, i: number): Promise<void> {
  const replyUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `bench-reply-${i}` })))
    .QueueUrl as string;
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: requestQueueUrl,
        MessageBody: `request ${i}`,
        MessageAttributes: { [RESPONSE_QUEUE_URL_ATTRIBUTE]: { DataType: 'String', StringValue: replyUrl } },
      }),
    );
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: replyUrl, WaitTimeSeconds: 20 }),
      );
      if (Messages.length > 0) return;
    }
  } finally {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: replyUrl }));
  }
}

export async function benchRequestResponse(): Promise<RequestResponseResult> {
  const emulator = await startEmulator({ port: 0 });
  const sqs = new SQSClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  const stop = new AbortController();
  try {
    const requestQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'bench-requests' })))
      .QueueUrl as string;
    const responders = Array.from({ length: RESPONDERS }, () => respond(sqs, requestQueueUrl, stop.signal));
    const requester = await TemporaryQueueRequester.start({ sqs, hostQueueNamePrefix: 'bench-host-' });
    const virtualRequest = async (i: number) => {
      await requester.request(requestQueueUrl, `request ${i}`, { timeoutMs: 30_000 });
    };
    // warm-up of both paths, then alternating halves so that neither always runs on a warmer machine
    await timed(CONCURRENCY * 2, virtualRequest);
    await timed(CONCURRENCY * 2, (i) => realQueueRequest(sqs, requestQueueUrl, 10_000 + i));
    const virtual = await timed(REQUESTS, virtualRequest);
    const real = await timed(REQUESTS, (i) => realQueueRequest(sqs, requestQueueUrl, i));
    await requester.close();
    stop.abort();
    await Promise.all(responders);
    const baseline = { name: 'requestResponse.realQueue.p50', value: real.p50 };
    const figures = [
      figure({
        name: 'requestResponse.realQueue.p50',
        label: 'request-response p50, one real queue per request',
        value: real.p50,
        unit: 'ms',
      }),
      figure({
        name: 'requestResponse.virtualQueue.p50',
        label: 'request-response p50, a virtual queue per request',
        value: virtual.p50,
        unit: 'ms',
        // compared, not held to a goal: locally CreateQueue costs what SendMessage does, on AWS far more
        baseline,
      }),
    ];
    const row = (name: string, l: Latencies) => [
      name,
      `${l.p50.toFixed(1)} ms`,
      `${l.p99.toFixed(1)} ms`,
      `${l.perSecond.toFixed(0)}/s`,
    ];
    return {
      figures,
      header: ['', 'p50', 'p99', 'requests'],
      rows: [row('virtual queue on a host queue', virtual), row('one real queue per request', real)],
    };
  } finally {
    stop.abort();
    sqs.destroy();
    await emulator.stop();
  }
}

if (require.main === module) {
  benchRequestResponse().then(
    (result) => {
      console.log(
        `Request-response, ${REQUESTS} requests, ${CONCURRENCY} at a time, through the emulator over loopback HTTP`,
      );
      console.log(result.header.join('\t'));
      for (const row of result.rows) console.log(row.join('\t'));
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
