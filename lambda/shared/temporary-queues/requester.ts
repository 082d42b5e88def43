/**
 * The requester side of request-response over SQS with temporary queues, after AWS's Temporary Queue Client for
 * Java (AmazonSQSRequesterClient over virtual queues): one host queue per requester, one virtual queue per
 * request multiplexed on it, one long-poll loop routing each reply to the caller that waits for it. The host
 * queue heartbeats a tag so that a sweeper can delete it once its requester has died.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { systemWorkerClock, type WorkerClock } from '../queue-worker';
import {
  CORRELATION_ID_ATTRIBUTE,
  HEARTBEAT_INTERVAL_SECONDS,
  IDLE_QUEUE_RETENTION_PERIOD_SECONDS,
  IDLE_QUEUE_RETENTION_PERIOD_TAG,
  LAST_HEARTBEAT_TIMESTAMP_TAG,
  RESPONSE_QUEUE_URL_ATTRIBUTE,
  VIRTUAL_QUEUE_NAME_ATTRIBUTE,
  virtualQueueUrl,
} from './protocol';

/** How a requester is set up. */
export interface TemporaryQueueRequesterOptions {
  readonly sqs: SQSClient;
  /** Start of the host queue's name (a UUID follows): what the sweeper lists and IAM scopes. 1-43 of [A-Za-z0-9_-]. */
  readonly hostQueueNamePrefix: string;
  /** Tags the host queue is created with (IAM may require them: aws:RequestTag). @default none */
  readonly tags?: Readonly<Record<string, string>>;
  /** Seconds without a heartbeat after which a sweeper may delete the host queue (1-300). @default 300 */
  readonly idleQueueRetentionPeriodSeconds?: number;
  /** Seconds between heartbeats (at least 1, less than the retention period). @default 5 */
  readonly heartbeatIntervalSeconds?: number;
  /** Time for heartbeats and request timeouts (the emulator's clock in tests). @default the system clock */
  readonly clock?: WorkerClock;
  /** Told of each reply that no caller waits for any more (late, or for another requester's address). */
  readonly onOrphanedReply?: (reply: OrphanedReply) => void;
}

/** A reply, as the waiting caller gets it. */
export interface Reply {
  readonly body: string;
  readonly correlationId: string;
  readonly messageId: string;
  /** The reply's own message attributes, without the routing ones. */
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
}

/** A reply that was dropped: its virtual queue has no caller waiting (the request timed out, or never was). */
export interface OrphanedReply {
  readonly virtualQueueName: string | undefined;
  readonly correlationId: string | undefined;
  readonly messageId: string | undefined;
}

/** Per request. */
export interface RequestOptions {
  /** How long to wait for the reply, in milliseconds (1 ms to 15 minutes). */
  readonly timeoutMs: number;
  /** Extra message attributes of the request (at most 8: the routing takes 2 of SQS's 10). @default none */
  readonly messageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
  /** The id the reply echoes. @default a random UUID */
  readonly correlationId?: string;
}

/**
 * The documented error of a request whose reply did not come in time. The reply, should it come later, is
 * dropped (counted in `orphanedReplies`): its virtual queue is gone, so it can reach no other caller.
 */
export class RequestTimeoutError extends Error {
  readonly code = 'RequestTimeout';
  constructor(
    readonly correlationId: string,
    readonly timeoutMs: number,
  ) {
    super(
      `RequestTimeout: no reply to request ${correlationId} within ${timeoutMs} ms; a reply arriving later is dropped`,
    );
    this.name = 'RequestTimeoutError';
  }
}

/** A request that can no longer get its reply: the requester was closed, or its host queue was deleted. */
export class RequesterClosedError extends Error {
  readonly code = 'RequesterClosed';
  constructor(reason: string) {
    super(`RequesterClosed: ${reason}`);
    this.name = 'RequesterClosedError';
  }
}

const HOST_QUEUE_PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,43}$/;
const MAX_TIMEOUT_MS = 15 * 60 * 1000;
const ROUTING_ATTRIBUTES = [
  RESPONSE_QUEUE_URL_ATTRIBUTE,
  CORRELATION_ID_ATTRIBUTE,
  VIRTUAL_QUEUE_NAME_ATTRIBUTE,
];
const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** Real milliseconds between retries of a failed receive (the clock may be one that stands still). */
const RECEIVE_RETRY_MS = 1_000;

interface PendingRequest {
  readonly correlationId: string;
  readonly timeoutMs: number;
  /** When it times out, on the requester's clock. */
  readonly deadline: number;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}

/** Checks the options, every problem at once. */
export function validateRequesterOptions(options: TemporaryQueueRequesterOptions): string[] {
  const problems: string[] = [];
  if (!HOST_QUEUE_PREFIX_PATTERN.test(options.hostQueueNamePrefix)) {
    problems.push(
      `hostQueueNamePrefix must be 1-43 letters, digits, '-' or '_' (a UUID follows it in an 80-character queue name), but it is '${options.hostQueueNamePrefix}'`,
    );
  }
  const retention = options.idleQueueRetentionPeriodSeconds ?? IDLE_QUEUE_RETENTION_PERIOD_SECONDS.max;
  const { min, max } = IDLE_QUEUE_RETENTION_PERIOD_SECONDS;
  if (!Number.isInteger(retention) || retention < min || retention > max) {
    problems.push(
      `idleQueueRetentionPeriodSeconds must be a whole number from ${min} to ${max}, but it is ${retention}`,
    );
  }
  const heartbeat = options.heartbeatIntervalSeconds ?? HEARTBEAT_INTERVAL_SECONDS.default;
  if (!(heartbeat >= HEARTBEAT_INTERVAL_SECONDS.min) || !(heartbeat < retention)) {
    problems.push(
      `heartbeatIntervalSeconds must be at least ${HEARTBEAT_INTERVAL_SECONDS.min} and less than idleQueueRetentionPeriodSeconds (${retention}), but it is ${heartbeat}`,
    );
  }
  for (const key of Object.keys(options.tags ?? {})) {
    if (key === IDLE_QUEUE_RETENTION_PERIOD_TAG || key === LAST_HEARTBEAT_TIMESTAMP_TAG) {
      problems.push(`tags may not set ${key}: the requester keeps it`);
    }
  }
  return problems;
}

/**
 * A requester: `start` creates its host queue, `request` sends one request and resolves with its reply (or
 * rejects with {@link RequestTimeoutError}), `close` deletes the host queue. Any number of requests may be in
 * flight at once; each has its own virtual queue, so no reply reaches a caller it was not addressed to.
 */
export class TemporaryQueueRequester {
  /** Replies dropped because no caller waited for them. */
  orphanedReplies = 0;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly stopping = new AbortController();
  private closed = false;
  private readonly loops: Promise<void>[];
  /** The one timer of all the timeouts: when it fires, and how to cancel it. */
  private timeoutTimer: { readonly at: number; readonly cancel: AbortController } | undefined;

  private constructor(
    private readonly options: TemporaryQueueRequesterOptions,
    private readonly clock: WorkerClock,
    /** The host queue's URL: replies travel on it. */
    readonly hostQueueUrl: string,
  ) {
    this.loops = [this.pollReplies(), this.heartbeat()];
  }

  /** Creates the host queue (tagged with its retention period and a first heartbeat) and starts listening. */
  static async start(options: TemporaryQueueRequesterOptions): Promise<TemporaryQueueRequester> {
    const problems = validateRequesterOptions(options);
    if (problems.length > 0) throw new Error(`Invalid temporary queue requester: ${problems.join('; ')}`);
    const clock = options.clock ?? systemWorkerClock;
    const retention = options.idleQueueRetentionPeriodSeconds ?? IDLE_QUEUE_RETENTION_PERIOD_SECONDS.max;
    const created = await options.sqs.send(
      new CreateQueueCommand({
        QueueName: `${options.hostQueueNamePrefix}${randomUUID()}`,
        Attributes: {
          // a reply older than a minute has no caller left: SQS's shortest retention
          MessageRetentionPeriod: '60',
          ReceiveMessageWaitTimeSeconds: '20',
          SqsManagedSseEnabled: 'true',
        },
        // tagged at creation, so IAM can require the tags (aws:RequestTag) and the sweeper can find it at once
        tags: {
          ...options.tags,
          [IDLE_QUEUE_RETENTION_PERIOD_TAG]: String(retention),
          [LAST_HEARTBEAT_TIMESTAMP_TAG]: String(clock.now()),
        },
      }),
    );
    return new TemporaryQueueRequester(options, clock, created.QueueUrl as string);
  }

  /** Requests waiting for their reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Sends `body` to `queueUrl` with the address of a new virtual queue in `ResponseQueueUrl` and a correlation
   * id; resolves with the reply sent to that address, or rejects with {@link RequestTimeoutError}.
   */
  request(queueUrl: string, body: string, options: RequestOptions): Promise<Reply> {
    if (this.closed) return Promise.reject(new RequesterClosedError('the requester is closed'));
    const problems = validateRequest(options);
    if (problems.length > 0) return Promise.reject(new Error(`Invalid request: ${problems.join('; ')}`));
    const name = randomUUID();
    const correlationId = options.correlationId ?? randomUUID();
    const replyTo = virtualQueueUrl({ hostQueueUrl: this.hostQueueUrl, name });
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(name, {
        correlationId,
        timeoutMs: options.timeoutMs,
        deadline: this.clock.now() + options.timeoutMs,
        resolve: (reply) => {
          this.pending.delete(name);
          resolve(reply);
        },
        reject: (error) => {
          this.pending.delete(name);
          reject(error);
        },
      });
      this.armTimeouts();
      this.options.sqs
        .send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: body,
            MessageAttributes: {
              ...options.messageAttributes,
              [RESPONSE_QUEUE_URL_ATTRIBUTE]: { DataType: 'String', StringValue: replyTo },
              [CORRELATION_ID_ATTRIBUTE]: { DataType: 'String', StringValue: correlationId },
            },
          }),
        )
        .catch((error: Error) => this.pending.get(name)?.reject(error));
    });
  }

  /** Stops listening and heartbeating, rejects what is still waiting, and deletes the host queue. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.shutDown('the requester was closed before the reply came');
    await Promise.all(this.loops);
    try {
      await this.options.sqs.send(new DeleteQueueCommand({ QueueUrl: this.hostQueueUrl }));
    } catch (error) {
      if (!isQueueGone(error)) throw error;
    }
  }

  /** Keeps one timer, at the earliest deadline of what waits (one sleep, however many requests are in flight). */
  private armTimeouts(): void {
    if (this.closed) return;
    let next = Infinity;
    for (const request of this.pending.values()) next = Math.min(next, request.deadline);
    if (next === Infinity || (this.timeoutTimer !== undefined && this.timeoutTimer.at <= next)) return;
    this.timeoutTimer?.cancel.abort();
    const timer = { at: next, cancel: new AbortController() };
    this.timeoutTimer = timer;
    void this.clock.sleep(Math.max(0, next - this.clock.now()), timer.cancel.signal).then(() => {
      if (timer.cancel.signal.aborted) return;
      this.timeoutTimer = undefined;
      const now = this.clock.now();
      for (const request of [...this.pending.values()]) {
        // the virtual queue goes with the caller: a later reply to it finds nobody and is dropped
        if (request.deadline <= now)
          request.reject(new RequestTimeoutError(request.correlationId, request.timeoutMs));
      }
      this.armTimeouts();
    });
  }

  private shutDown(reason: string): void {
    this.closed = true;
    this.stopping.abort();
    this.timeoutTimer?.cancel.abort();
    for (const request of [...this.pending.values()]) request.reject(new RequesterClosedError(reason));
  }

  /** One long poll at a time on the host queue; each reply goes to the caller its virtual queue names. */
  private async pollReplies(): Promise<void> {
    while (!this.closed) {
      let messages: Message[];
      try {
        const received = await this.options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.hostQueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 20,
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.stopping.signal },
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (this.closed) return;
        if (isQueueGone(error)) {
          // swept or deleted by someone else: the replies of what waits would go nowhere
          this.shutDown(`the host queue ${this.hostQueueUrl} was deleted`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, RECEIVE_RETRY_MS));
        continue;
      }
      for (const message of messages) this.route(message);
      if (messages.length > 0) void this.deleteReceived(messages);
    }
  }

  private route(message: Message): void {
    const attributes = message.MessageAttributes ?? {};
    const name = attributes[VIRTUAL_QUEUE_NAME_ATTRIBUTE]?.StringValue;
    const correlationId = attributes[CORRELATION_ID_ATTRIBUTE]?.StringValue;
    const waiting = name === undefined ? undefined : this.pending.get(name);
    // a reply must be for a waiting virtual queue and, when it echoes a correlation id, for that request
    if (!waiting || (correlationId !== undefined && correlationId !== waiting.correlationId)) {
      this.orphanedReplies++;
      this.options.onOrphanedReply?.({ virtualQueueName: name, correlationId, messageId: message.MessageId });
      return;
    }
    const own = Object.fromEntries(
      Object.entries(attributes).filter(([key]) => !ROUTING_ATTRIBUTES.includes(key)),
    );
    waiting.resolve({
      body: message.Body ?? '',
      correlationId: waiting.correlationId,
      messageId: message.MessageId ?? '',
      attributes: own,
    });
  }

  private async deleteReceived(messages: readonly Message[]): Promise<void> {
    try {
      await this.options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.hostQueueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    } catch {
      // a reply not deleted comes back after the visibility timeout, finds no caller and is dropped then
    }
  }

  /** Tags the host queue with the time every interval, so the sweeper sees the requester is alive. */
  private async heartbeat(): Promise<void> {
    const intervalMs = (this.options.heartbeatIntervalSeconds ?? HEARTBEAT_INTERVAL_SECONDS.default) * 1000;
    while (!this.closed) {
      await this.clock.sleep(intervalMs, this.stopping.signal);
      if (this.closed) return;
      try {
        await this.options.sqs.send(
          new TagQueueCommand({
            QueueUrl: this.hostQueueUrl,
            Tags: { [LAST_HEARTBEAT_TIMESTAMP_TAG]: String(this.clock.now()) },
          }),
          { abortSignal: this.stopping.signal },
        );
      } catch (error) {
        if (this.closed) return;
        if (isQueueGone(error)) this.shutDown(`the host queue ${this.hostQueueUrl} was deleted`);
        // any other failure: the next heartbeat tries again, well within the retention period
      }
    }
  }
}

function validateRequest(options: RequestOptions): string[] {
  const problems: string[] = [];
  const { timeoutMs, messageAttributes = {}, correlationId } = options;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    problems.push(`timeoutMs must be a whole number from 1 to ${MAX_TIMEOUT_MS}, but it is ${timeoutMs}`);
  }
  const names = Object.keys(messageAttributes);
  if (names.length > 8)
    problems.push(`at most 8 messageAttributes (SQS allows 10, the routing takes 2), not ${names.length}`);
  for (const name of names.filter((n) => ROUTING_ATTRIBUTES.includes(n))) {
    problems.push(`messageAttributes may not set ${name}: the requester sets it`);
  }
  if (correlationId !== undefined && !CORRELATION_ID_PATTERN.test(correlationId)) {
    problems.push(
      `correlationId must be 1-128 letters, digits, '.', '_', ':' or '-', but it is '${correlationId}'`,
    );
  }
  return problems;
}

/** SQS's answer for a queue that does not exist (any protocol's spelling). */
export function isQueueGone(error: unknown): boolean {
  const e = error as { name?: string; Code?: string };
  return (
    e?.name === 'QueueDoesNotExist' ||
    e?.Code === 'AWS.SimpleQueueService.NonExistentQueue' ||
    e?.name === 'AWS.SimpleQueueService.NonExistentQueue'
  );
}
