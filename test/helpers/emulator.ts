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

// the implementation is part of the package's testing API (decoupled/testing); the suite uses the same one
export { eventually, type EventuallyOptions } from '../../lib/testing';

/** The emulator's manual clock as a runtime clock (now, sleep): runtime code's timers move only with `advance`. */
export function manualRuntimeClock(clock: ManualClock): {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
} {
  return {
    now: () => clock.now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const onAbort = () => {
          clock.clearTimer(timer);
          resolve();
        };
        const timer = clock.setTimer(clock.now() + ms, () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
}
