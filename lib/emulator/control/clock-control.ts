/**
 * The emulator's clock as the control API shows and moves it. Moving it walks time from one timer to the next
 * and lets what each timer started (a Lambda invocation, an SNS delivery, a stack operation) finish before the
 * next one fires, so `advance 10m` plays out ten minutes of retries and alarms as they would have happened.
 */
import { type Clock, FastClock, isMovableClock, ManualClock } from '../clock';
import type { Emulator } from '../emulator';

export type ClockMode = 'real' | 'manual' | 'fast';

/** `GET /_emulator/clock`. */
export interface ClockReading {
  readonly mode: ClockMode;
  /** N for `fast:N`, else 1 (a manual clock does not run by itself: see `mode`). */
  readonly factor: number;
  readonly now: string;
  readonly epochMillis: number;
}

export function clockModeOf(clock: Clock): { readonly mode: ClockMode; readonly factor: number } {
  if (clock instanceof ManualClock) return { mode: 'manual', factor: 1 };
  if (clock instanceof FastClock) return { mode: 'fast', factor: clock.factor };
  return { mode: 'real', factor: 1 };
}

export function readClock(clock: Clock): ClockReading {
  const epochMillis = clock.now();
  return { ...clockModeOf(clock), now: new Date(epochMillis).toISOString(), epochMillis };
}

/** The most timers one advance fires before it jumps the rest of the way (a timer that re-arms at once). */
const MAX_STEPS = 500_000;

/**
 * Moves a manual or fast clock `ms` forward, timer by timer in deadline order, waiting after each for the work it
 * started inside the emulator to end. Throws when the clock cannot move (the system clock).
 */
export async function advanceSettled(emulator: Emulator, ms: number): Promise<void> {
  const clock = emulator.clock;
  if (!isMovableClock(clock)) throw new Error('the system clock cannot be moved');
  const target = clock.now() + ms;
  await settle(emulator);
  for (let step = 0; step < MAX_STEPS; step++) {
    const next = clock.nextTimerAt();
    if (next === undefined || next > target) break;
    clock.advanceTo(Math.max(next, clock.now()));
    await settle(emulator);
  }
  clock.advanceTo(target);
  await settle(emulator);
}

/** Nothing may happen inside the emulator until the clock moves: no delivery, invocation or stack operation runs. */
function busy(emulator: Emulator): boolean {
  return emulator.deliveries.size > 0 || emulator.lambda.runtime.running > 0;
}

/**
 * The longest one step waits, in real time, for the work its timers started: a function that itself waits on the
 * manual clock (a long poll of its own) would otherwise hold the advance until its timeout.
 */
const MAX_SETTLE_MS = 15_000;

/** Resolves once the emulator has been idle over a few event-loop turns (or after a real-time bound). */
async function settle(emulator: Emulator): Promise<void> {
  const until = Date.now() + MAX_SETTLE_MS;
  let quiet = 0;
  while (quiet < 3 && Date.now() < until) {
    if (busy(emulator)) {
      quiet = 0;
      // a function runs in its worker thread: poll gently rather than spin
      await new Promise((resolve) => setTimeout(resolve, 2));
    } else {
      quiet++;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await emulator.cloudformation.settled();
}

/** The longest a clock wait holds its request, in real time: the caller asks again (as a long poll does). */
export const MAX_WAIT_REAL_MS = 20_000;

/**
 * Resolves once the emulator's clock reaches `untilMs`, after `MAX_WAIT_REAL_MS` of real time, or when `signal`
 * aborts, whichever comes first: how instance processes sleep on the emulator's time.
 */
export function waitForClock(clock: Clock, untilMs: number, signal: AbortSignal): Promise<void> {
  if (clock.now() >= untilMs || signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clock.clearTimer(timer);
      clearTimeout(bound);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimer(untilMs, done);
    const bound = setTimeout(done, MAX_WAIT_REAL_MS);
    signal.addEventListener('abort', done, { once: true });
  });
}
