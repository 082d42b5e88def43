/**
 * The worker's clock on a local instance of the emulator (`npm start`): the emulator's own time, read from its
 * control API, so a job's simulated work, its heartbeats and the stop grace follow `--clock manual` (moving only
 * on `clock advance`) and `--clock fast:N` exactly as the queues' timeouts do. On AWS the variable is not set and
 * the worker keeps the system clock.
 */
import type { WorkerClock } from './queue-worker';

/** Set by the emulator for its instance processes: `http://HOST:PORT/_emulator/clock`. */
export const EMULATOR_CLOCK_VARIABLE = 'EMULATOR_CLOCK_URL';

interface ClockReading {
  readonly mode: 'real' | 'manual' | 'fast';
  readonly factor: number;
  readonly epochMillis: number;
}

/** Pause before asking again when the emulator cannot be reached (it is stopping). */
const RETRY_MS = 1_000;

/** Reads the emulator's clock once, then keeps time from it: `now()` extrapolates, `sleep()` waits on the emulator. */
export async function emulatorWorkerClock(clockUrl: string): Promise<WorkerClock> {
  let reading = await read(fetch(clockUrl));
  let readAt = performance.now();
  const now = () =>
    // a manual clock stands still between readings; a real or fast one runs at its factor
    reading.mode === 'manual'
      ? reading.epochMillis
      : Math.floor(reading.epochMillis + (performance.now() - readAt) * reading.factor);
  return {
    now,
    async sleep(ms, signal) {
      const until = now() + ms;
      // the emulator answers when its clock reaches `until`, or after 20 s of real time: then ask again
      while (!signal?.aborted && now() < until) {
        try {
          reading = await read(fetch(`${clockUrl}/wait?until=${Math.ceil(until)}`, { signal }));
          readAt = performance.now();
        } catch {
          if (signal?.aborted) return;
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    },
  };
}

async function read(response: Promise<Response>): Promise<ClockReading> {
  const answer = await response;
  if (!answer.ok) throw new Error(`the emulator's clock answered ${answer.status}`);
  return (await answer.json()) as ClockReading;
}
