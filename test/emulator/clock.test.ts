import { clockFromFlag, FastClock, ManualClock, SystemClock } from '../../lib/emulator/clock';

describe('ManualClock', () => {
  it('fires timers in deadline order, each seeing its own deadline as now', () => {
    // Prepare
    const clock = new ManualClock(1000);
    const seen: [string, number][] = [];
    clock.setTimer(3000, () => seen.push(['c', clock.now()]));
    clock.setTimer(2000, () => seen.push(['b', clock.now()]));
    clock.setTimer(2000, () => seen.push(['b2', clock.now()]));
    // Act
    clock.advance(999);
    const afterFirst = [...seen];
    clock.advance(10_501);
    // Assess
    expect(afterFirst).toEqual([]);
    expect(seen).toEqual([
      ['b', 2000],
      ['b2', 2000],
      ['c', 3000],
    ]);
    expect(clock.now()).toBe(12_500);
  });

  it('fires timers scheduled by timers within the same advance, and skips cleared ones', () => {
    // Prepare
    const clock = new ManualClock(0);
    const seen: number[] = [];
    const cleared = clock.setTimer(50, () => seen.push(-1));
    clock.setTimer(100, () => clock.setTimer(150, () => seen.push(clock.now())));
    clock.clearTimer(cleared);
    // Act
    clock.advance(200);
    // Assess
    expect(seen).toEqual([150]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses to go backwards', () => {
    expect(() => new ManualClock().advance(-1)).toThrow(RangeError);
  });
});

describe('SystemClock', () => {
  it('runs a timer at its deadline', async () => {
    // Prepare
    const clock = new SystemClock();
    const start = clock.now();
    // Act
    const firedAt = await new Promise<number>((resolve) =>
      clock.setTimer(start + 20, () => resolve(clock.now())),
    );
    // Assess
    expect(firedAt).toBeGreaterThanOrEqual(start + 19);
  });
});

describe('FastClock', () => {
  it('runs N times faster than real time', async () => {
    // Prepare
    const clock = new FastClock(50, 0);
    const realStart = performance.now();
    const emulatedStart = clock.now();

    // Act
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Assess: generous bounds, the ratio is what matters
    const ratio = (clock.now() - emulatedStart) / (performance.now() - realStart);
    expect(ratio).toBeGreaterThan(35);
    expect(ratio).toBeLessThan(55);
  });

  it('fires a timer after the scaled delay', async () => {
    // Prepare
    const clock = new FastClock(100);
    const realStart = performance.now();

    // Act: 10 emulated seconds are 100 real milliseconds
    const deadline = clock.now() + 10_000;
    const firedAt = await new Promise<number>((resolve) =>
      clock.setTimer(deadline, () => resolve(clock.now())),
    );

    // Assess
    const realMs = performance.now() - realStart;
    expect(realMs).toBeGreaterThanOrEqual(90);
    expect(realMs).toBeLessThan(3_000);
    expect(firedAt).toBeGreaterThanOrEqual(deadline);
  });

  it('advances by a jump, firing the timers on the way in deadline order, each seeing its deadline', () => {
    // Prepare
    const clock = new FastClock(1, 1_000_000);
    const start = clock.now();
    const seen: [string, number][] = [];
    clock.setTimer(start + 3_600_000, () => seen.push(['hour', clock.now()]));
    clock.setTimer(start + 60_000, () => {
      seen.push(['minute', clock.now()]);
      clock.setTimer(clock.now() + 60_000, () => seen.push(['second minute', clock.now()]));
    });
    const cleared = clock.setTimer(start + 1_000, () => seen.push(['cleared', clock.now()]));
    clock.clearTimer(cleared);

    // Act
    clock.advance(3 * 60_000);

    // Assess
    expect(seen).toEqual([
      ['minute', start + 60_000],
      ['second minute', start + 120_000],
    ]);
    expect(clock.now() - start).toBeGreaterThanOrEqual(180_000);
    expect(clock.now() - start).toBeLessThan(185_000);
    expect(clock.nextTimerAt()).toBe(start + 3_600_000);
    clock.advance(3_600_000);
    expect(seen.at(-1)).toEqual(['hour', start + 3_600_000]);
  });

  it('keeps running at its speed after a jump', async () => {
    const clock = new FastClock(20);
    clock.advance(60_000);
    const before = clock.now();
    const realStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ratio = (clock.now() - before) / (performance.now() - realStart);
    expect(ratio).toBeGreaterThan(14);
    expect(ratio).toBeLessThan(22);
  });

  it('refuses a speed-up of 0, below 0 or above 1000', () => {
    expect(() => new FastClock(0)).toThrow(RangeError);
    expect(() => new FastClock(-1)).toThrow(RangeError);
    expect(() => new FastClock(1001)).toThrow(RangeError);
  });
});

describe('--clock', () => {
  it('reads real, manual and fast:N', () => {
    expect(clockFromFlag('real')).toBeInstanceOf(SystemClock);
    expect(clockFromFlag('manual')).toBeInstanceOf(ManualClock);
    expect(clockFromFlag('fast:60')).toMatchObject({ factor: 60 });
    expect(clockFromFlag('fast:0.5')).toMatchObject({ factor: 0.5 });
  });

  it('names the flag for anything else', () => {
    for (const text of ['fast', 'fast:', 'fast:0', 'fast:1001', 'fast:-2', 'fast:1e3', 'slow', 'Manual']) {
      expect(clockFromFlag(text)).toEqual({ problem: expect.stringContaining('--clock') });
    }
  });
});
