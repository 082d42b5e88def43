/**
 * The figures of `npm run bench`, as `--json FILE` writes them: each measured value beside the baseline measured
 * in the same run (the ceiling, the empty queue, the handlers called directly), with the goal it is held to.
 */

/** What a figure is held to: `value` or `ratio` (value / baseline) against a limit. */
export interface Goal {
  readonly on: 'value' | 'ratio';
  readonly op: '>=' | '<=' | '<';
  readonly limit: number;
}

export interface Figure {
  /** Stable dotted name, e.g. `sqs.http.send`; the section is its first part. */
  readonly name: string;
  /** What the text table calls it. */
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  /** The same-run measurement the value is compared with; null when the goal is absolute. */
  readonly baseline: { readonly name: string; readonly value: number } | null;
  /** value / baseline.value; null without a baseline. */
  readonly ratio: number | null;
  readonly goal: Goal | null;
  /** Whether the goal is met; null without a goal. */
  readonly pass: boolean | null;
}

export interface FigureInput {
  readonly name: string;
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number };
  readonly goal?: Goal;
}

export function figure(input: FigureInput): Figure {
  const baseline = input.baseline ?? null;
  const ratio = baseline === null ? null : input.value / baseline.value;
  const goal = input.goal ?? null;
  let pass: boolean | null = null;
  if (goal !== null) {
    const measured = goal.on === 'ratio' ? ratio : input.value;
    pass = measured !== null && Number.isFinite(measured) && meets(measured, goal);
  }
  return { ...input, baseline, ratio, goal, pass };
}

function meets(measured: number, goal: Goal): boolean {
  if (goal.op === '>=') return measured >= goal.limit;
  if (goal.op === '<=') return measured <= goal.limit;
  return measured < goal.limit;
}

/** The goal as the text tables print it, e.g. `ratio ≤ 1.25`. */
export function goalText(goal: Goal | null): string {
  if (goal === null) return '';
  const op = { '>=': '≥', '<=': '≤', '<': '<' }[goal.op];
  return `${goal.on === 'ratio' ? 'ratio ' : ''}${op} ${goal.limit.toLocaleString('en-US')}`;
}
