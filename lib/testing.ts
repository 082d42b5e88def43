/**
 * `decoupled/testing`: what this project's own tests use to run the emulator in-process, for tests of yours
 * (Jest, Vitest, node:test). The package is TypeScript, run by tsx or a TypeScript-aware test runner (ts-jest,
 * esbuild-jest, Vitest): see "Testing your own app" in docs/local-mode.md.
 *
 *   const local = await startLocalMode({ root: '.', assemblyDirectory: 'cdk.out', port: 0, clock, print: () => {} });
 *   await advanceClock(local.emulator, '10m');
 *   await eventually(async () => ...);
 */
import type { Clock, ManualClock } from './emulator/clock';
import { advanceSettled } from './emulator/control/clock-control';
import { parseDuration } from './emulator/control/duration';
import type { Emulator } from './emulator/emulator';

export { FastClock, ManualClock, SystemClock, type Clock } from './emulator/clock';
export { startEmulator, type Emulator, type EmulatorOptions } from './emulator/emulator';
export { startLocalMode, type LocalMode, type LocalModeOptions } from './local/local-mode';
export { deployCloudAssembly, type LocalDeployment } from './emulator/deploy/local-deployment';

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

/**
 * Moves the emulator's manual (or fast) clock forward as `POST /_emulator/clock` does: timer by timer, letting
 * each Lambda invocation, delivery and stack operation a timer starts finish before the next fires. `duration`
 * is milliseconds or text like `10m`, `1h30m` (at most 30 days).
 */
export async function advanceClock(
  emulator: { readonly clock: Clock } & Emulator,
  duration: number | string,
) {
  const ms = typeof duration === 'number' ? duration : parseDuration(duration);
  if (typeof ms !== 'number') throw new RangeError(ms.problem);
  if (!(ms >= 0)) throw new RangeError(`cannot move a clock backwards (${duration})`);
  await advanceSettled(emulator, ms);
}
