/**
 * The arithmetic of Auto Scaling policies, pure: which step adjustment an alarm breach falls in, how an
 * adjustment changes a capacity (ChangeInCapacity, ExactCapacity, PercentChangeInCapacity with
 * MinAdjustmentMagnitude), and the capacity a target tracking policy asks for.
 */

export type AdjustmentType = 'ChangeInCapacity' | 'ExactCapacity' | 'PercentChangeInCapacity';
export const ADJUSTMENT_TYPES: readonly AdjustmentType[] = [
  'ChangeInCapacity',
  'ExactCapacity',
  'PercentChangeInCapacity',
];

export interface StepAdjustment {
  /** Lower bound of (metric − threshold); absent is −∞. */
  readonly MetricIntervalLowerBound?: number;
  /** Upper bound of (metric − threshold); absent is +∞. */
  readonly MetricIntervalUpperBound?: number;
  readonly ScalingAdjustment: number;
}

/**
 * Checks step adjustments the way AWS does; returns the first problem in AWS's words, or undefined.
 * AWS: the intervals cannot overlap or leave a gap; at most one has no lower bound and at most one no upper
 * bound, never both on one step; a negative lower bound needs a step without lower bound (and a positive upper
 * bound one without upper bound), so that every breach falls in some step.
 */
export function stepAdjustmentsProblem(steps: readonly StepAdjustment[]): string | undefined {
  if (steps.length === 0) return 'Step adjustments are required for step scaling policies.';
  for (const s of steps) {
    if (s.MetricIntervalLowerBound === undefined && s.MetricIntervalUpperBound === undefined) {
      return 'Both MetricIntervalLowerBound and MetricIntervalUpperBound cannot be null for a step adjustment.';
    }
    if (
      s.MetricIntervalLowerBound !== undefined &&
      s.MetricIntervalUpperBound !== undefined &&
      !(s.MetricIntervalUpperBound > s.MetricIntervalLowerBound)
    ) {
      return 'MetricIntervalUpperBound must be greater than MetricIntervalLowerBound for a step adjustment.';
    }
  }
  if (steps.filter((s) => s.MetricIntervalLowerBound === undefined).length > 1) {
    return 'Only one step adjustment can have an unbounded lower bound (null MetricIntervalLowerBound).';
  }
  if (steps.filter((s) => s.MetricIntervalUpperBound === undefined).length > 1) {
    return 'Only one step adjustment can have an unbounded upper bound (null MetricIntervalUpperBound).';
  }
  const sorted = [...steps].sort(
    (a, b) => (a.MetricIntervalLowerBound ?? -Infinity) - (b.MetricIntervalLowerBound ?? -Infinity),
  );
  for (let i = 1; i < sorted.length; i++) {
    const previousUpper = sorted[i - 1].MetricIntervalUpperBound ?? Infinity;
    const lower = sorted[i].MetricIntervalLowerBound ?? -Infinity;
    if (previousUpper > lower) return 'Step adjustment intervals cannot overlap.';
    if (previousUpper < lower) return 'Step adjustment intervals cannot have gaps between them.';
  }
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first.MetricIntervalLowerBound !== undefined && first.MetricIntervalLowerBound < 0) {
    return 'A step adjustment with a negative lower bound requires a step adjustment with a null lower bound.';
  }
  if (last.MetricIntervalUpperBound !== undefined && last.MetricIntervalUpperBound > 0) {
    return 'A step adjustment with a positive upper bound requires a step adjustment with a null upper bound.';
  }
  return undefined;
}

/**
 * The step a breach (metric − threshold) falls in. AWS: when the metric is above the threshold the lower bound
 * is inclusive and the upper exclusive; below it, the lower bound is exclusive and the upper inclusive. A metric
 * equal to the threshold is "above" for an alarm on high values and "below" for one on low values.
 */
export function stepFor(
  steps: readonly StepAdjustment[],
  breach: number,
  alarmOnLowValues = false,
): StepAdjustment | undefined {
  const above = breach > 0 || (breach === 0 && !alarmOnLowValues);
  return steps.find((s) => {
    const lower = s.MetricIntervalLowerBound ?? -Infinity;
    const upper = s.MetricIntervalUpperBound ?? Infinity;
    return above ? breach >= lower && breach < upper : breach > lower && breach <= upper;
  });
}

/**
 * The capacity an adjustment asks for, from `capacity`, before the group's min and max apply.
 * AWS: a percentage change rounds toward zero when its magnitude is above 1, and away from zero (to ±1)
 * below that; MinAdjustmentMagnitude then raises a smaller change to that many instances.
 */
export function adjustedCapacity(
  capacity: number,
  type: AdjustmentType,
  adjustment: number,
  minAdjustmentMagnitude?: number,
): number {
  switch (type) {
    case 'ExactCapacity':
      return adjustment;
    case 'ChangeInCapacity':
      return capacity + adjustment;
    case 'PercentChangeInCapacity': {
      const raw = (capacity * adjustment) / 100;
      let change = Math.abs(raw) > 1 ? Math.trunc(raw) : Math.sign(raw);
      if (minAdjustmentMagnitude !== undefined && change !== 0 && Math.abs(change) < minAdjustmentMagnitude) {
        change = Math.sign(change) * minAdjustmentMagnitude;
      }
      return capacity + change;
    }
  }
}

/**
 * The capacity that brings a load metric to its target: with the metric proportional to the load per instance,
 * `capacity × metric ÷ target` instances, rounded up so the metric ends at or below the target (AWS scales
 * in only as far as keeps the metric below it).
 */
export function targetTrackingCapacity(capacity: number, metric: number, target: number): number {
  // a tiny epsilon keeps 4 × 50 / 50 from becoming 4.000000000000001 → 5
  return Math.max(0, Math.ceil((capacity * metric) / target - 1e-9));
}

/** AWS: target tracking scales in when the metric is below 90% of the target for 15 minutes. */
export const TARGET_TRACKING_SCALE_IN_RATIO = 0.9;
/** Datapoints (of 1 minute) of the alarms Auto Scaling creates for a target tracking policy. */
export const TARGET_TRACKING_ALARM_PERIODS = { high: 3, low: 15 } as const;
/** The predefined metrics target tracking can follow without a load balancer, as the alarms' metric. */
export const PREDEFINED_METRICS: Readonly<
  Record<string, { readonly namespace: string; readonly metricName: string; readonly statistic: string }>
> = {
  ASGAverageCPUUtilization: { namespace: 'AWS/EC2', metricName: 'CPUUtilization', statistic: 'Average' },
  ASGAverageNetworkIn: { namespace: 'AWS/EC2', metricName: 'NetworkIn', statistic: 'Average' },
  ASGAverageNetworkOut: { namespace: 'AWS/EC2', metricName: 'NetworkOut', statistic: 'Average' },
};
