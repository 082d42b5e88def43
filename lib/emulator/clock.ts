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

  /** The deadline of the next timer to fire, if any (the control API walks time from one to the next). */
  nextTimerAt(): number | undefined {
    return this.nextDue(Infinity)?.atMs;
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

interface FastTimer extends Timer {
  readonly seq: number;
  readonly callback: () => void;
  handle: NodeJS.Timeout | undefined;
}

/** The most a fast clock may speed time up: `fast:1000` turns a real second into about 17 minutes. */
export const MAX_FAST_FACTOR = 1000;

/**
 * Time running `factor` times faster than the wall clock (`--clock fast:60`: a real second is an emulated
 * minute), with timers on the Node event loop at the scaled delay. It can also be moved forward like a manual
 * clock: `advance(ms)` jumps, firing every timer due on the way in deadline order, each seeing its own deadline.
 */
export class FastClock implements Clock {
  private readonly startReal: number;
  private offset = 0;
  /** Set while `advance` walks timers: `now()` is the deadline being fired, not a reading of the wall clock. */
  private pinned: number | undefined;
  private nextSeq = 0;
  private readonly timers = new Set<FastTimer>();

  constructor(
    readonly factor: number,
    private readonly startMs = Date.now(),
  ) {
    if (!(factor > 0 && factor <= MAX_FAST_FACTOR)) {
      throw new RangeError(`a fast clock's factor is above 0 and at most ${MAX_FAST_FACTOR}, got ${factor}`);
    }
    this.startReal = performance.now();
  }

  now(): number {
    if (this.pinned !== undefined) return this.pinned;
    return Math.floor(this.startMs + (performance.now() - this.startReal) * this.factor + this.offset);
  }

  setTimer(atMs: number, callback: () => void): Timer {
    const timer: FastTimer = { atMs, seq: this.nextSeq++, callback, handle: undefined };
    this.timers.add(timer);
    this.arm(timer);
    return timer;
  }

  clearTimer(timer: Timer): void {
    const t = timer as FastTimer;
    clearTimeout(t.handle);
    this.timers.delete(t);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in deadline order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot move a clock backwards (advance(${ms}))`);
    this.advanceTo(this.now() + ms);
  }

  /** Moves time forward to `targetMs`, firing every timer that falls due on the way. */
  advanceTo(targetMs: number): void {
    const outer = this.pinned;
    try {
      for (;;) {
        const due = this.nextDue(targetMs);
        if (due === undefined) break;
        this.pinned = Math.max(this.pinned ?? this.now(), due.atMs);
        this.fire(due);
      }
    } finally {
      this.pinned = outer;
    }
    const behind = targetMs - this.now();
    if (behind > 0) {
      this.offset += behind;
      // every timer's real delay is shorter now
      for (const timer of this.timers) this.arm(timer);
    }
  }

  /** The deadline of the next timer to fire, if any. */
  nextTimerAt(): number | undefined {
    return this.nextDue(Infinity)?.atMs;
  }

  private arm(timer: FastTimer): void {
    clearTimeout(timer.handle);
    // setTimeout caps at 2^31-1 ms: a longer wait re-arms when it ends
    const realDelay = Math.min(Math.max(0, (timer.atMs - this.now()) / this.factor), 2_147_483_647);
    timer.handle = setTimeout(() => {
      if (timer.atMs > this.now()) this.arm(timer);
      else this.fire(timer);
    }, Math.ceil(realDelay));
  }

  private fire(timer: FastTimer): void {
    if (!this.timers.delete(timer)) return;
    clearTimeout(timer.handle);
    timer.callback();
  }

  private nextDue(targetMs: number): FastTimer | undefined {
    let best: FastTimer | undefined;
    for (const t of this.timers) {
      if (t.atMs > targetMs) continue;
      if (!best || t.atMs < best.atMs || (t.atMs === best.atMs && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** A clock that can be moved forward on request (`POST /_emulator/clock`), as the manual and fast clocks can. */
export interface MovableClock extends Clock {
  advanceTo(targetMs: number): void;
  nextTimerAt(): number | undefined;
}

export function isMovableClock(clock: Clock): clock is MovableClock {
  return clock instanceof ManualClock || clock instanceof FastClock;
}

/** The choices of `--clock`, as the usage line shows them. */
export const CLOCK_FLAG_USAGE = '--clock real|manual|fast:N';

/**
 * The clock `--clock` asks for: `real` (the system clock), `manual` (moves only when told, starting at the
 * current time) or `fast:N` (N times real time, 0 < N ≤ 1000); otherwise a sentence naming the flag.
 */
export function clockFromFlag(text: string): Clock | { readonly problem: string } {
  if (text === 'real') return new SystemClock();
  if (text === 'manual') return new ManualClock(Date.now());
  if (text.startsWith('fast:')) {
    const factorText = text.slice(5);
    const factor = /^\d{1,4}(\.\d{1,6})?$/.test(factorText) ? Number(factorText) : Number.NaN;
    if (factor > 0 && factor <= MAX_FAST_FACTOR) return new FastClock(factor);
    return {
      problem: `--clock fast:N takes a speed-up N above 0 and at most ${MAX_FAST_FACTOR} (fast:60: a real second is an emulated minute), got '${factorText.slice(0, 16)}'`,
    };
  }
  return { problem: `--clock takes real, manual or fast:N, got '${text.slice(0, 32)}'` };
}

/** How a clock describes itself in start-up lines: undefined for the system clock (nothing to say). */
export function clockModeLine(clock: Clock): string | undefined {
  if (clock instanceof ManualClock) {
    return `Clock: manual, at ${new Date(clock.now()).toISOString()}: time moves only when told (npx decoupled clock advance 10m, or POST /_emulator/clock).`;
  }
  if (clock instanceof FastClock) {
    return `Clock: fast, ${clock.factor}× real time (a real second is ${formatSeconds(clock.factor)} here).`;
  }
  return undefined;
}

function formatSeconds(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
