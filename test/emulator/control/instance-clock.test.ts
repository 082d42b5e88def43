/**
 * The worker on a local instance keeps the emulator's time through the control API (lambda/shared/emulator-clock.ts):
 * its sleeps (a job's work, heartbeats, the stop grace) end when the emulator's clock gets there.
 */
import { emulatorWorkerClock } from '../../../lambda/shared/emulator-clock';
import { FastClock, ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';

let emulator: Emulator;
afterEach(() => emulator.stop());

const advance = (duration: string) =>
  fetch(`${emulator.endpoint}/_emulator/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance: duration }),
  });

test('on a manual clock, a sleep ends only when the clock is advanced past it', async () => {
  // Prepare
  const clock = new ManualClock(Date.parse('2026-11-30T12:00:00Z'));
  emulator = await startEmulator({ port: 0, clock });
  const workerClock = await emulatorWorkerClock(`${emulator.endpoint}/_emulator/clock`);
  let woke: number | undefined;
  const sleeping = workerClock.sleep(10 * 60_000).then(() => (woke = workerClock.now()));

  // Act
  await new Promise((resolve) => setTimeout(resolve, 150));
  const beforeAdvance = woke;
  await advance('9m');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const afterNine = woke;
  await advance('1m');
  await sleeping;

  // Assess
  expect(workerClock.now()).toBe(clock.now());
  expect([beforeAdvance, afterNine]).toEqual([undefined, undefined]);
  expect(woke).toBe(Date.parse('2026-11-30T12:10:00Z'));
});

test('a sleep ends at once when its signal aborts (the worker stopping)', async () => {
  emulator = await startEmulator({ port: 0, clock: new ManualClock() });
  const workerClock = await emulatorWorkerClock(`${emulator.endpoint}/_emulator/clock`);
  const stop = new AbortController();
  const sleeping = workerClock.sleep(60_000, stop.signal);

  stop.abort();

  await expect(sleeping).resolves.toBeUndefined();
});

test('on a fast clock, time runs at its speed-up and a sleep takes the scaled real time', async () => {
  // Prepare
  emulator = await startEmulator({ port: 0, clock: new FastClock(100) });
  const workerClock = await emulatorWorkerClock(`${emulator.endpoint}/_emulator/clock`);
  const realStart = performance.now();
  const start = workerClock.now();

  // Act: 20 emulated seconds are 200 real milliseconds
  await workerClock.sleep(20_000);

  // Assess
  const realMs = performance.now() - realStart;
  expect(workerClock.now() - start).toBeGreaterThanOrEqual(20_000);
  expect(realMs).toBeGreaterThanOrEqual(150);
  expect(realMs).toBeLessThan(5_000);
  expect(Math.abs(workerClock.now() - emulator.clock.now())).toBeLessThan(5_000);
});
