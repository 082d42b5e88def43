import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { sweepIdleHostQueues } from '../../lambda/shared/temporary-queues/idle-queue-sweeper';
import {
  IDLE_QUEUE_RETENTION_PERIOD_TAG,
  LAST_HEARTBEAT_TIMESTAMP_TAG,
  parseVirtualQueueUrl,
  queueNameOf,
  VIRTUAL_QUEUE_NAME_ATTRIBUTE,
} from '../../lambda/shared/temporary-queues/protocol';
import {
  RequestTimeoutError,
  TemporaryQueueRequester,
  type TemporaryQueueRequesterOptions,
} from '../../lambda/shared/temporary-queues/requester';
import {
  replyAddressOfMessage,
  sendReply,
  UnanswerableRequestError,
} from '../../lambda/shared/temporary-queues/responder';
import {
  awsErrorOf,
  eventually,
  manualRuntimeClock,
  startTestEmulator,
  type TestEmulator,
} from '../helpers/emulator';

const PREFIX = 'replies-';
let t: TestEmulator;
let requestQueueUrl: string;
const requesters: TemporaryQueueRequester[] = [];

beforeEach(async () => {
  t = await startTestEmulator();
  requestQueueUrl = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'requests' }))).QueueUrl as string;
});
afterEach(async () => {
  await Promise.all(requesters.splice(0).map((r) => r.close()));
  await t.stop();
});

async function startRequester(extra: Partial<TemporaryQueueRequesterOptions> = {}) {
  const requester = await TemporaryQueueRequester.start({
    sqs: t.sqs,
    hostQueueNamePrefix: PREFIX,
    clock: manualRuntimeClock(t.clock),
    idleQueueRetentionPeriodSeconds: 60,
    ...extra,
  });
  requesters.push(requester);
  return requester;
}

/** Responder loops on the request queue (4, as an event source runs several): `answer` decides each reply. */
async function respond(
  sqs: SQSClient,
  answer: (request: Message) => string | undefined,
  signal: AbortSignal,
): Promise<void> {
  const loop = async () => {
    while (!signal.aborted) {
      const { Messages = [] } = await sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: requestQueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: signal },
        )
        .catch(() => ({ Messages: [] }));
      if (Messages.length === 0) continue;
      await Promise.all(
        Messages.map(async (request) => {
          const body = answer(request);
          if (body !== undefined) await sendReply(sqs, replyAddressOfMessage(request), body);
        }),
      );
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: requestQueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  };
  await Promise.all([loop(), loop(), loop(), loop()]);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

describe('temporary queue requester', () => {
  it('routes 100 concurrent requests from 3 requesters each to its own caller', async () => {
    // Prepare
    const three = await Promise.all([startRequester(), startRequester(), startRequester()]);
    const stop = new AbortController();
    const responder = respond(t.sqs, (request) => `answer to ${request.Body}`, stop.signal);
    // Act
    const latencies: number[] = [];
    const answers = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const started = performance.now();
        const reply = await three[i % 3].request(requestQueueUrl, `request ${i}`, { timeoutMs: 30_000 });
        latencies.push(performance.now() - started);
        return reply.body;
      }),
    );
    stop.abort();
    await responder;
    // Assess
    expect(answers).toEqual(Array.from({ length: 100 }, (_, i) => `answer to request ${i}`));
    expect(three.map((r) => r.orphanedReplies)).toEqual([0, 0, 0]);
    expect(three.map((r) => r.inFlight)).toEqual([0, 0, 0]);
    latencies.sort((a, b) => a - b);
    console.log(
      `100 requests over 3 requesters: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
  });

  it('creates one tagged host queue per requester and addresses each request to a virtual queue on it', async () => {
    // Prepare
    const requester = await startRequester({ tags: { owner: 'quotes' } });
    const stop = new AbortController();
    let seen: Message | undefined;
    const responder = respond(
      t.sqs,
      (request) => {
        seen = request;
        return 'ok';
      },
      stop.signal,
    );
    // Act
    const reply = await requester.request(requestQueueUrl, 'hello', {
      timeoutMs: 30_000,
      correlationId: 'c-1',
    });
    stop.abort();
    await responder;
    // Assess
    expect(reply).toMatchObject({ body: 'ok', correlationId: 'c-1', attributes: {} });
    const address = replyAddressOfMessage(seen as Message);
    expect(address.correlationId).toBe('c-1');
    expect(parseVirtualQueueUrl(address.responseQueueUrl)?.hostQueueUrl).toBe(requester.hostQueueUrl);
    expect(queueNameOf(requester.hostQueueUrl)).toMatch(/^replies-[0-9a-f-]{36}$/);
    const { Tags } = await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: requester.hostQueueUrl }));
    expect(Tags).toEqual({
      owner: 'quotes',
      [IDLE_QUEUE_RETENTION_PERIOD_TAG]: '60',
      [LAST_HEARTBEAT_TIMESTAMP_TAG]: String(t.clock.now()),
    });
  });

  it('times out a request the responder is too slow for, and drops the late reply', async () => {
    // Prepare: the responder holds the first request back; the second is answered at once
    const requester = await startRequester();
    const held: Message[] = [];
    const stop = new AbortController();
    const responder = respond(
      t.sqs,
      (request) => {
        if (request.Body === 'slow') {
          held.push(request);
          return undefined;
        }
        return `answer to ${request.Body}`;
      },
      stop.signal,
    );
    const slow = requester.request(requestQueueUrl, 'slow', { timeoutMs: 5_000, correlationId: 'slow-1' });
    const failure = slow.catch((error: Error) => error);
    await eventually(() => (held.length === 1 ? true : undefined));
    // Act: the clock passes the timeout, then the late reply comes while another request waits
    t.clock.advance(5_000);
    const error = await failure;
    const next = requester.request(requestQueueUrl, 'quick', { timeoutMs: 30_000 });
    await sendReply(t.sqs, replyAddressOfMessage(held[0]), 'late answer');
    const quick = await next;
    stop.abort();
    await responder;
    // Assess
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ code: 'RequestTimeout', correlationId: 'slow-1', timeoutMs: 5_000 });
    expect((error as Error).message).toBe(
      'RequestTimeout: no reply to request slow-1 within 5000 ms; a reply arriving later is dropped',
    );
    expect(quick.body).toBe('answer to quick');
    await eventually(() => (requester.orphanedReplies === 1 ? true : undefined));
  });

  it('heartbeats its host queue on the clock, and the sweeper deletes only host queues idle too long', async () => {
    // Prepare: a live requester, and a host queue whose requester died (its heartbeats stopped)
    const live = await startRequester({ heartbeatIntervalSeconds: 5 });
    const deadUrl = (
      await t.sqs.send(
        new CreateQueueCommand({
          QueueName: `${PREFIX}dead`,
          tags: {
            [IDLE_QUEUE_RETENTION_PERIOD_TAG]: '60',
            [LAST_HEARTBEAT_TIMESTAMP_TAG]: String(t.clock.now()),
          },
        }),
      )
    ).QueueUrl as string;
    await t.sqs.send(new CreateQueueCommand({ QueueName: `${PREFIX}not-a-host-queue` }));
    const before = await sweepIdleHostQueues({ sqs: t.sqs, hostQueueNamePrefix: PREFIX, now: t.clock.now() });
    // Act: 61 s pass; the live requester heartbeats, the dead one cannot
    t.clock.advance(61_000);
    await eventually(async () => {
      const { Tags = {} } = await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: live.hostQueueUrl }));
      return Number(Tags[LAST_HEARTBEAT_TIMESTAMP_TAG]) > t.clock.now() - 10_000 || undefined;
    });
    const after = await sweepIdleHostQueues({ sqs: t.sqs, hostQueueNamePrefix: PREFIX, now: t.clock.now() });
    // Assess
    expect(before).toEqual({ deleted: [], alive: 2 });
    expect(after).toEqual({ deleted: [deadUrl], alive: 1 });
    const gone = await awsErrorOf(t.sqs.send(new GetQueueUrlCommand({ QueueName: `${PREFIX}dead` })));
    expect(gone.name).toBe('QueueDoesNotExist');
    await t.sqs.send(new GetQueueUrlCommand({ QueueName: `${PREFIX}not-a-host-queue` }));
  });

  it('drops a reply to a requester that is gone, and refuses requests without a valid reply address', async () => {
    // Prepare
    const requester = await startRequester();
    const address = { responseQueueUrl: `${requester.hostQueueUrl}#abc`, correlationId: 'x' };
    await requester.close();
    requesters.splice(0);
    // Act
    const outcome = await sendReply(t.sqs, address, 'too late');
    // Assess
    expect(outcome).toBe('requester-gone');
    await expect(sendReply(t.sqs, { responseQueueUrl: 'not a url' }, 'x')).rejects.toThrow(
      UnanswerableRequestError,
    );
    await expect(
      sendReply(t.sqs, { responseQueueUrl: requestQueueUrl }, 'x', { hostQueueNamePrefix: PREFIX }),
    ).rejects.toThrow(`replies go only to queues named ${PREFIX}*`);
  });

  it('refuses bad options and requests, naming each problem', async () => {
    await expect(
      TemporaryQueueRequester.start({
        sqs: t.sqs,
        hostQueueNamePrefix: 'bad prefix',
        idleQueueRetentionPeriodSeconds: 301,
        tags: { [LAST_HEARTBEAT_TIMESTAMP_TAG]: '1' },
      }),
    ).rejects.toThrow(
      /hostQueueNamePrefix must be .*; idleQueueRetentionPeriodSeconds must be a whole number from 1 to 300, but it is 301; tags may not set/,
    );
    const requester = await startRequester();
    await expect(
      requester.request(requestQueueUrl, 'x', {
        timeoutMs: 0,
        messageAttributes: { [VIRTUAL_QUEUE_NAME_ATTRIBUTE]: { DataType: 'String', StringValue: 'y' } },
      }),
    ).rejects.toThrow(
      /timeoutMs must be a whole number from 1 to 900000, but it is 0; messageAttributes may not set/,
    );
  });
});
