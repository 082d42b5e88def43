import { type Duration, Token } from 'aws-cdk-lib';

/** Thrown when props or config are invalid; the message lists every problem, one per line. */
export class ValidationError extends Error {
  constructor(
    subject: string,
    readonly problems: readonly string[],
  ) {
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    super(`${subject} is invalid (${count}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ValidationError';
  }
}

/** A closed range of allowed values, as the constructs' limit tables give them; a Duration's are in seconds. */
export interface Limits {
  readonly min: number;
  readonly max: number;
}

/** The {@link Limits} of a count, and what it counts, as messages name it (`instances`). */
export interface CountLimits extends Limits {
  readonly unit: string;
}

/** Collects problems so that all of them are reported at once, not just the first. */
export class Problems {
  private readonly found: string[] = [];

  /** Records `message` when `failed` is true. */
  check(failed: boolean, message: () => string): void {
    if (failed) this.found.push(message());
  }

  add(message: string): void {
    this.found.push(message);
  }

  /** Records a problem when a resolved number lies outside `limits` or is not whole. */
  range(name: string, value: number | undefined, limits: CountLimits): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    const { min, max, unit } = limits;
    this.check(
      !Number.isInteger(value) || value < min || value > max,
      () =>
        `${name} must be a whole number from ${fmt(min)} to ${fmt(max)} ${unit}, but ${value} was provided`,
    );
  }

  /** Like {@link range}, for a Duration measured in seconds. */
  durationRange(name: string, value: Duration | undefined, limits: Limits): void {
    if (value === undefined || value.isUnresolved()) return;
    this.range(name, value.toSeconds({ integral: false }), { ...limits, unit: 'seconds' });
  }

  get count(): number {
    return this.found.length;
  }

  /** Throws one {@link ValidationError} naming `subject` when any problem was recorded. */
  throwIfAny(subject: string): void {
    if (this.found.length > 0) throw new ValidationError(subject, this.found);
  }
}

/** 43200 → "43,200": the way AWS writes its limits. */
function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
