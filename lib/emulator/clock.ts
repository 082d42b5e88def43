/**
 * All emulator time comes from a Clock, so tests can move time forward instead of waiting:
 * a 30 s visibility timeout or a 4-day retention period is one `advance()` call away.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `callback` once the clock reaches `atMs` (epoch milliseconds). */
  setTimer(atMs: number, callback: () => void): Timer;
  clearTimer(timer: Timer): void;
}

/** An opaque timer handle. */
export interface Timer {
  readonly atMs: number;
}

interface SystemTimer extends Timer {
  handle: NodeJS.Timeout;
}

/** Wall-clock time, timers on the Node event loop. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(atMs: number, callback: () => void): Timer {
    const delay = Math.max(0, atMs - Date.now());
    // setTimeout caps at 2^31-1 ms; re-arm for longer waits (a 14-day retention fits in a few hops).
    const timer: SystemTimer = { atMs, handle: undefined as unknown as NodeJS.Timeout };
    const arm = (ms: number): void => {
      timer.handle = setTimeout(
        () => {
          const left = atMs - Date.now();
          if (left > 0) arm(left);
          else callback();
        },
        Math.min(ms, 2_147_483_647),
      );
    };
    arm(delay);
    return timer;
  }

  clearTimer(timer: Timer): void {
    clearTimeout((timer as SystemTimer).handle);
  }
}

interface ManualTimer extends Timer {
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. `advance(ms)` walks time forward timer by timer, in deadline order
 * (ties in creation order), so every callback observes `now()` equal to its own deadline.
 */
export class ManualClock implements Clock {
  private current: number;
  private nextSeq = 0;
  private timers: ManualTimer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(atMs: number, callback: () => void): Timer {
    const timer: ManualTimer = { atMs, seq: this.nextSeq++, callback, cancelled: false };
    this.timers.push(timer);
    return timer;
  }

  clearTimer(timer: Timer): void {
    (timer as ManualTimer).cancelled = true;
    this.timers = this.timers.filter((t) => t !== timer);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot move a clock backwards (advance(${ms}))`);
    this.advanceTo(this.current + ms);
  }

  /** Moves time forward to `targetMs`, firing every timer that falls due on the way. */
  advanceTo(targetMs: number): void {
    for (;;) {
      const due = this.nextDue(targetMs);
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      if (due.atMs > this.current) this.current = due.atMs;
      if (!due.cancelled) due.callback();
    }
    if (targetMs > this.current) this.current = targetMs;
  }

  /** Number of timers waiting to fire (for tests). */
  get pendingTimers(): number {
    return this.timers.length;
  }

  private nextDue(targetMs: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.timers) {
      if (t.atMs > targetMs) continue;
      if (!best || t.atMs < best.atMs || (t.atMs === best.atMs && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
