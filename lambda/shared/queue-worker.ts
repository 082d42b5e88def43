/**
 * The loop of the EC2 queue worker, behind small ports so the same code runs on an instance, in tests and in the
 * emulator's local fleet: long-poll, process, delete; extend the visibility of a long job while it runs (a
 * heartbeat); on stop (SIGTERM), take no new work, let the jobs in flight finish within a grace period and
 * release the rest so another worker picks them up at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** A message as the worker sees it. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly receiptHandle: string;
  /** How many times SQS has handed this message out, this receive included. */
  readonly receiveCount: number;
}

/** What the worker needs from its queue (SQS through the SDK in production: see sqs-work-queue.ts). */
export interface WorkQueue {
  /** A long poll for up to `maxMessages` messages; rejects (or resolves empty) when `signal` aborts. */
  receive(request: {
    readonly maxMessages: number;
    readonly waitSeconds: number;
    readonly signal: AbortSignal;
  }): Promise<ReceivedMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  changeVisibility(receiptHandle: string, visibilitySeconds: number): Promise<void>;
}

/** The worker's time: the system clock on an instance, the emulator's clock in the local fleet. */
export interface WorkerClock {
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall-clock time, for the worker on an instance. */
export const systemWorkerClock: WorkerClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
};

/** What a job handler gets besides its message. */
export interface JobContext {
  /** Aborted when the job must give up: its lease on the message was lost, or the stop grace period ended. */
  readonly signal: AbortSignal;
  readonly clock: WorkerClock;
}

/** Processes one message; a rejection leaves the message to return after its visibility timeout (a retry). */
export type JobHandler = (message: ReceivedMessage, context: JobContext) => Promise<void>;

/** What the worker reports as it goes, for logs and tests. */
export type WorkerEvent =
  | { readonly type: 'job-started'; readonly messageId: string; readonly receiveCount: number }
  | { readonly type: 'job-done'; readonly messageId: string; readonly durationMs: number }
  | {
      readonly type: 'job-failed';
      readonly messageId: string;
      readonly receiveCount: number;
      readonly error: string;
    }
  | { readonly type: 'visibility-extended'; readonly messageId: string; readonly seconds: number }
  | { readonly type: 'lease-lost'; readonly messageId: string; readonly error: string }
  | { readonly type: 'released'; readonly messageId: string }
  | { readonly type: 'receive-failed'; readonly error: string }
  | { readonly type: 'stopping'; readonly inFlight: number }
  | ({ readonly type: 'stopped' } & WorkerSummary);

/** Counts of one worker's life. */
export interface WorkerSummary {
  /** Jobs that finished and whose message was deleted. */
  readonly processed: number;
  /** Jobs whose handler failed (their messages come back after the visibility timeout). */
  readonly failed: number;
  /** Messages handed back (visibility 0) because the worker stopped before their job finished. */
  readonly released: number;
}

export interface QueueWorkerOptions {
  readonly queue: WorkQueue;
  readonly handler: JobHandler;
  readonly clock: WorkerClock;
  /** The queue's visibility timeout: each heartbeat makes a job's message invisible for this long again. */
  readonly visibilityTimeoutSeconds: number;
  /** Seconds between heartbeats. @default half the visibility timeout, as AWS suggests */
  readonly heartbeatSeconds?: number;
  /** Jobs processed at once (1–10: one receive fills every free slot). @default 1 */
  readonly concurrency?: number;
  /** How long each receive long-polls (0–20 s). @default 20 */
  readonly waitSeconds?: number;
  /** After stop(), how long jobs in flight may still run before their messages are released. @default 30 */
  readonly stopGraceSeconds?: number;
  /** Receives every {@link WorkerEvent}. @default none */
  readonly onEvent?: (event: WorkerEvent) => void;
}

/** AWS: ReceiveMessage returns 10 messages at most; a long poll waits 20 seconds at most. */
export const WORKER_LIMITS = {
  concurrency: { min: 1, max: 10 },
  waitSeconds: { min: 0, max: 20 },
  visibilityTimeoutSeconds: { min: 1, max: 43_200 },
} as const;

/** Pause after a failed receive, doubled on each further failure up to the maximum. */
const RECEIVE_BACKOFF_MS = { first: 1_000, max: 20_000 };

interface Job {
  readonly message: ReceivedMessage;
  /** Aborted to make the handler give up. */
  readonly cancel: AbortController;
  /** Aborted when the job is over, whatever the outcome: ends its heartbeat. */
  readonly over: AbortController;
  leaseLost: boolean;
  released: boolean;
  done: Promise<void>;
}

/** One queue worker; {@link run} until {@link stop}. */
export class QueueWorker {
  private readonly jobs = new Set<Job>();
  private readonly stopSignal = new AbortController();
  private readonly concurrency: number;
  private readonly waitSeconds: number;
  private readonly heartbeatMs: number;
  private readonly graceMs: number;
  private slotFreed: (() => void) | undefined;
  private running: Promise<WorkerSummary> | undefined;
  private counts = { processed: 0, failed: 0, released: 0 };

  constructor(private readonly options: QueueWorkerOptions) {
    const problems = validateQueueWorkerOptions(options);
    if (problems.length > 0) throw new RangeError(`Invalid queue worker options: ${problems.join('; ')}`);
    this.concurrency = options.concurrency ?? 1;
    this.waitSeconds = options.waitSeconds ?? 20;
    this.heartbeatMs = (options.heartbeatSeconds ?? options.visibilityTimeoutSeconds / 2) * 1000;
    this.graceMs = (options.stopGraceSeconds ?? 30) * 1000;
  }

  /** Works until {@link stop} is called; resolves once every job has finished or been released. */
  run(): Promise<WorkerSummary> {
    this.running ??= this.loop();
    return this.running;
  }

  /** SIGTERM: no new receives; jobs in flight get the grace period, then are released. Resolves when done. */
  stop(): Promise<WorkerSummary> {
    if (!this.stopSignal.signal.aborted) {
      this.emit({ type: 'stopping', inFlight: this.jobs.size });
      this.stopSignal.abort();
      this.slotFreed?.();
    }
    return this.run();
  }

  /** Jobs being processed now. */
  get inFlight(): number {
    return this.jobs.size;
  }

  get stopping(): boolean {
    return this.stopSignal.signal.aborted;
  }

  private async loop(): Promise<WorkerSummary> {
    let backoffMs = RECEIVE_BACKOFF_MS.first;
    while (!this.stopping) {
      const free = this.concurrency - this.jobs.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      let messages: ReceivedMessage[];
      try {
        messages = await this.options.queue.receive({
          maxMessages: free,
          waitSeconds: this.waitSeconds,
          signal: this.stopSignal.signal,
        });
        backoffMs = RECEIVE_BACKOFF_MS.first;
      } catch (error) {
        if (this.stopping) break;
        this.emit({ type: 'receive-failed', error: describe(error) });
        await this.options.clock.sleep(backoffMs, this.stopSignal.signal);
        backoffMs = Math.min(backoffMs * 2, RECEIVE_BACKOFF_MS.max);
        continue;
      }
      if (this.stopping) {
        // The answer raced the stop: hand these back untouched rather than start work we may not finish.
        await Promise.all(messages.map((m) => this.release(m)));
        break;
      }
      for (const message of messages) this.start(message);
    }
    await this.drain();
    const summary = { ...this.counts };
    this.emit({ type: 'stopped', ...summary });
    return summary;
  }

  /** Waits for the jobs in flight up to the grace period, then releases what is left. */
  private async drain(): Promise<void> {
    if (this.jobs.size === 0) return;
    const allDone = new AbortController();
    const finished = Promise.all([...this.jobs].map((j) => j.done)).then(() => allDone.abort());
    await Promise.race([finished, this.options.clock.sleep(this.graceMs, allDone.signal)]);
    allDone.abort();
    const left = [...this.jobs];
    for (const job of left) {
      job.released = true;
      job.cancel.abort(new Error('the worker is stopping: the message was released'));
      job.over.abort();
    }
    await Promise.all(left.map((job) => this.release(job.message)));
  }

  private start(message: ReceivedMessage): void {
    const job: Job = {
      message,
      cancel: new AbortController(),
      over: new AbortController(),
      leaseLost: false,
      released: false,
      done: Promise.resolve(),
    };
    this.jobs.add(job);
    this.emit({ type: 'job-started', messageId: message.messageId, receiveCount: message.receiveCount });
    job.done = this.process(job);
  }

  private async process(job: Job): Promise<void> {
    const { message } = job;
    const started = this.options.clock.now();
    void this.heartbeat(job);
    try {
      await this.options.handler(message, { signal: job.cancel.signal, clock: this.options.clock });
      if (job.released || job.leaseLost) return;
      await this.options.queue.delete(message.receiptHandle);
      this.counts.processed++;
      this.emit({
        type: 'job-done',
        messageId: message.messageId,
        durationMs: this.options.clock.now() - started,
      });
    } catch (error) {
      // A job cancelled because its message was released or lost is not a failure of its own.
      if (job.released || job.leaseLost) return;
      this.counts.failed++;
      this.emit({
        type: 'job-failed',
        messageId: message.messageId,
        receiveCount: message.receiveCount,
        error: describe(error),
      });
    } finally {
      job.over.abort();
      this.jobs.delete(job);
      this.slotFreed?.();
    }
  }

  /** AWS: extend a long job's visibility before it runs out, so no other consumer receives the message. */
  private async heartbeat(job: Job): Promise<void> {
    const seconds = this.options.visibilityTimeoutSeconds;
    for (;;) {
      await this.options.clock.sleep(this.heartbeatMs, job.over.signal);
      if (job.over.signal.aborted) return;
      try {
        await this.options.queue.changeVisibility(job.message.receiptHandle, seconds);
        this.emit({ type: 'visibility-extended', messageId: job.message.messageId, seconds });
      } catch (error) {
        // The message is no longer ours (deleted, past SQS's 12-hour limit, or received by someone else).
        if (job.over.signal.aborted) return;
        job.leaseLost = true;
        job.cancel.abort(new Error(`lost the lease on the message: ${describe(error)}`));
        this.emit({ type: 'lease-lost', messageId: job.message.messageId, error: describe(error) });
        return;
      }
    }
  }

  private async release(message: ReceivedMessage): Promise<void> {
    try {
      await this.options.queue.changeVisibility(message.receiptHandle, 0);
      this.counts.released++;
      this.emit({ type: 'released', messageId: message.messageId });
    } catch (error) {
      // It comes back after its visibility timeout anyway.
      this.emit({ type: 'lease-lost', messageId: message.messageId, error: describe(error) });
    }
  }

  private emit(event: WorkerEvent): void {
    this.options.onEvent?.(event);
  }
}

/** Every problem with the options, in one list (empty when they are valid). */
export function validateQueueWorkerOptions(options: QueueWorkerOptions): string[] {
  const problems: string[] = [];
  const whole = (name: string, value: number | undefined, min: number, max: number) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, but ${value} was provided`);
    }
  };
  const l = WORKER_LIMITS;
  whole('concurrency', options.concurrency, l.concurrency.min, l.concurrency.max);
  whole('waitSeconds', options.waitSeconds, l.waitSeconds.min, l.waitSeconds.max);
  whole(
    'visibilityTimeoutSeconds',
    options.visibilityTimeoutSeconds,
    l.visibilityTimeoutSeconds.min,
    l.visibilityTimeoutSeconds.max,
  );
  const heartbeat = options.heartbeatSeconds;
  if (heartbeat !== undefined && !(heartbeat > 0 && heartbeat < options.visibilityTimeoutSeconds)) {
    problems.push(
      `heartbeatSeconds must be above 0 and below the visibility timeout (${options.visibilityTimeoutSeconds} s), but ${heartbeat} was provided`,
    );
  }
  if (options.stopGraceSeconds !== undefined && !(options.stopGraceSeconds >= 0)) {
    problems.push(`stopGraceSeconds must be 0 or more, but ${options.stopGraceSeconds} was provided`);
  }
  return problems;
}

function describe(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
