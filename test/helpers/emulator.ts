/** Shared fixture: an in-process emulator on a free port, a manual clock, and an SDK client pointed at it. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../lib/emulator/emulator';

export interface TestEmulator {
  emulator: Emulator;
  clock: ManualClock;
  sqs: SQSClient;
  stop(): Promise<void>;
}

export const TEST_CREDENTIALS = { accessKeyId: 'AKIAEMULATOR', secretAccessKey: 'emulator-secret' };

export function sqsClientFor(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
}

export async function startTestEmulator(): Promise<TestEmulator> {
  const clock = new ManualClock();
  const emulator = await startEmulator({ port: 0, clock, region: 'us-east-1' });
  const sqs = sqsClientFor(emulator.endpoint);
  return {
    emulator,
    clock,
    sqs,
    stop: async () => {
      sqs.destroy();
      await emulator.stop();
    },
  };
}

/** The AWS error an SDK call rejects with: name (JSON shape), query-compatible Code, HTTP status, message. */
export async function awsErrorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; code: string; status: number; message: string; type: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as {
      name: string;
      Code?: string;
      Type?: string;
      message: string;
      $metadata?: { httpStatusCode?: number };
    };
    return {
      name: e.name,
      code: e.Code ?? '',
      status: e.$metadata?.httpStatusCode ?? 0,
      message: e.message,
      type: e.Type ?? '',
    };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Lets pending I/O and promise callbacks run (a long poll woken by the clock answers over the socket). */
export function settle(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `count` receives are long-polling in the emulator (the request reached the server). */
export async function untilWaiting(emulator: Emulator, count: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (emulator.sqs.waitingReceivers() >= count) return;
    await settle(2);
  }
  throw new Error(`expected ${count} waiting receives, have ${emulator.sqs.waitingReceivers()}`);
}

export interface EventuallyOptions {
  /** Moves this clock forward by `stepMs` between probes, so batching windows and long polls end. */
  readonly clock?: ManualClock;
  /** @default 1000 */
  readonly stepMs?: number;
  /** Real time to wait at most. @default 15 s */
  readonly timeoutMs?: number;
}

/**
 * Waits (in real time: functions run in worker threads) until `probe` returns something other than undefined.
 * AWS timeouts are never waited for in real time: with `clock`, each round moves the manual clock a step.
 */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  options: EventuallyOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`nothing came within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    options.clock?.advance(options.stepMs ?? 1000);
  }
}
