/** Fixtures for running queue workers in-process against the emulator on its manual clock. */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ManualClock } from '../../lib/emulator/clock';
import type { Emulator } from '../../lib/emulator/emulator';
import { EmulatorInstanceClock, RequestTracker } from '../../lib/emulator/autoscaling/instance-runtime';
import { TEST_CREDENTIALS } from './emulator';

/** An SQS client like the worker's (no retries, so a failure shows at once), counted by `tracker`. */
export function trackedSqsClient(endpoint: string, tracker: RequestTracker): SQSClient {
  return tracker.observe(
    new SQSClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 }),
  );
}

/** The request trackers of the workers, or a function that lists them (instances come and go). */
export type Trackers = readonly RequestTracker[] | (() => readonly RequestTracker[]);

/**
 * Resolves once every tracked request is a long poll waiting in the emulator, so nothing can happen until the
 * clock moves (the trackers must be the only long-pollers). Checked over a few event-loop turns.
 */
export async function untilSettled(emulator: Emulator, trackers: Trackers): Promise<void> {
  let stable = 0;
  for (let turn = 0; turn < 20_000; turn++) {
    const inFlight = (typeof trackers === 'function' ? trackers() : trackers).reduce(
      (n, t) => n + t.inFlight,
      0,
    );
    if (inFlight === emulator.sqs.waitingReceivers()) {
      if (++stable >= 3) return;
    } else {
      stable = 0;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error('the workers did not settle');
}

/** Moves the clock `ms` forward in `stepMs` steps, letting the workers settle after each. */
export async function advanceSettled(
  clock: ManualClock,
  emulator: Emulator,
  trackers: Trackers,
  ms: number,
  stepMs = 1_000,
): Promise<void> {
  await untilSettled(emulator, trackers);
  for (let moved = 0; moved < ms; moved += stepMs) {
    clock.advance(Math.min(stepMs, ms - moved));
    await untilSettled(emulator, trackers);
  }
}

export { EmulatorInstanceClock, RequestTracker };
