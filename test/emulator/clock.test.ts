import { ManualClock, SystemClock } from '../../lib/emulator/clock';

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
