/**
 * What a local instance runs on: the emulator's clock as its time (so a job's work, its heartbeat and its stop
 * grace follow a test's manual clock), and a count of its AWS SDK requests in flight, so a test can tell when
 * every instance is waiting on the clock (a timer, or a long poll that only time or a message can end).
 */
import type { Clock } from '../clock';

/** The time an instance's code sees (structurally the worker's `WorkerClock`). */
export interface InstanceClock {
  now(): number;
  /** Resolves after `ms` of emulator time, or as soon as `signal` aborts; never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** An instance clock on the emulator's clock; `pending` counts its sleeps not yet over. */
export class EmulatorInstanceClock implements InstanceClock {
  private sleeping = 0;

  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    // no time to wait: a manual clock would otherwise hold even a zero-length sleep until it next moves
    if (signal?.aborted || !(ms > 0)) return Promise.resolve();
    this.sleeping++;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.sleeping--;
        this.clock.clearTimer(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.clock.setTimer(this.clock.now() + Math.max(0, ms), done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Sleeps in progress. */
  get pending(): number {
    return this.sleeping;
  }
}

/** The part of an AWS SDK v3 client this needs: its middleware stack. */
export interface SdkClientLike {
  readonly middlewareStack: {
    add(
      middleware: (next: (args: never) => Promise<unknown>) => (args: never) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

/** Thrown to an instance's code for a request it makes after its instance was powered off. */
export class InstanceTerminatedError extends Error {
  constructor() {
    super('the instance was powered off: its request never left it');
    this.name = 'InstanceTerminatedError';
  }
}

/**
 * Counts the SDK requests an instance has in flight (from `send()` until its promise settles), and cuts them
 * off when the instance is powered off.
 */
export class RequestTracker {
  private count = 0;
  private severed = false;

  /** Adds the counting middleware to an SDK client, first in its stack. */
  observe<T extends SdkClientLike>(client: T): T {
    client.middlewareStack.add(
      (next) => async (args) => {
        if (this.severed) throw new InstanceTerminatedError();
        this.count++;
        try {
          return await next(args);
        } finally {
          this.count--;
        }
      },
      { step: 'initialize', name: 'decoupledLocalInstanceRequests', priority: 'high' },
    );
    return client;
  }

  get inFlight(): number {
    return this.count;
  }

  /** Power-off: every later request fails before it is sent. */
  sever(): void {
    this.severed = true;
  }
}
