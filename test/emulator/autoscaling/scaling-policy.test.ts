import {
  adjustedCapacity,
  type StepAdjustment,
  stepAdjustmentsProblem,
  stepFor,
  targetTrackingCapacity,
} from '../../../lib/emulator/autoscaling/scaling-policy';

const step = (lower: number | undefined, upper: number | undefined, adjustment: number): StepAdjustment => ({
  ...(lower !== undefined ? { MetricIntervalLowerBound: lower } : {}),
  ...(upper !== undefined ? { MetricIntervalUpperBound: upper } : {}),
  ScalingAdjustment: adjustment,
});

describe('step adjustments', () => {
  const outSteps = [step(0, 90, 1), step(90, 490, 2), step(490, undefined, 4)];

  test("AWS's example with a threshold of 50: [0, 10) is 50 ≤ metric < 60, (−10, 0] is 40 < metric ≤ 50", () => {
    const steps = [step(undefined, -10, -2), step(-10, 0, -1), step(0, 10, 1), step(10, undefined, 2)];

    expect(stepFor(steps, 50 - 50)?.ScalingAdjustment).toBe(1);
    expect(stepFor(steps, 59.9 - 50)?.ScalingAdjustment).toBe(1);
    expect(stepFor(steps, 60 - 50)?.ScalingAdjustment).toBe(2);
    expect(stepFor(steps, 49 - 50)?.ScalingAdjustment).toBe(-1);
    expect(stepFor(steps, 40.5 - 50)?.ScalingAdjustment).toBe(-1);
    expect(stepFor(steps, 40 - 50)?.ScalingAdjustment).toBe(-2);
  });

  test('a metric equal to the threshold falls in the step on the alarm’s side of it', () => {
    const inSteps = [step(undefined, 0, -1)];

    expect(stepFor(inSteps, 0, true)?.ScalingAdjustment).toBe(-1);
    expect(stepFor(outSteps, 0, false)?.ScalingAdjustment).toBe(1);
  });

  test('a backlog policy: 10 → +1, 100 → +2, 500 → +4 (threshold 10)', () => {
    expect([10, 99, 100, 499, 500, 5000].map((v) => stepFor(outSteps, v - 10)?.ScalingAdjustment)).toEqual([
      1, 1, 2, 2, 4, 4,
    ]);
    expect(stepAdjustmentsProblem(outSteps)).toBeUndefined();
  });

  test.each([
    [[], 'Step adjustments are required for step scaling policies.'],
    [
      [step(undefined, undefined, 1)],
      'Both MetricIntervalLowerBound and MetricIntervalUpperBound cannot be null',
    ],
    [[step(0, 10, 1), step(5, undefined, 2)], 'Step adjustment intervals cannot overlap.'],
    [[step(0, 10, 1), step(20, undefined, 2)], 'Step adjustment intervals cannot have gaps between them.'],
    [
      [step(0, undefined, 1), step(10, undefined, 2)],
      'Only one step adjustment can have an unbounded upper bound',
    ],
    [
      [step(-10, undefined, 1)],
      'A step adjustment with a negative lower bound requires a step adjustment with a null lower bound.',
    ],
    [
      [step(undefined, 10, -1)],
      'A step adjustment with a positive upper bound requires a step adjustment with a null upper bound.',
    ],
    [[step(10, 10, 1)], 'MetricIntervalUpperBound must be greater than MetricIntervalLowerBound'],
  ])('rejects %j', (steps, message) => {
    expect(stepAdjustmentsProblem(steps)).toContain(message);
  });
});

describe('adjustedCapacity', () => {
  test('ChangeInCapacity adds, ExactCapacity sets', () => {
    expect(adjustedCapacity(3, 'ChangeInCapacity', 2)).toBe(5);
    expect(adjustedCapacity(3, 'ChangeInCapacity', -1)).toBe(2);
    expect(adjustedCapacity(3, 'ExactCapacity', 7)).toBe(7);
  });

  test('PercentChangeInCapacity: above 1 rounds toward zero, below 1 rounds to ±1 (AWS)', () => {
    expect(adjustedCapacity(10, 'PercentChangeInCapacity', 127)).toBe(22); // +12.7 → +12
    expect(adjustedCapacity(10, 'PercentChangeInCapacity', -67)).toBe(4); // −6.7 → −6
    expect(adjustedCapacity(2, 'PercentChangeInCapacity', 25)).toBe(3); // +0.5 → +1
    expect(adjustedCapacity(2, 'PercentChangeInCapacity', -25)).toBe(1); // −0.5 → −1
  });

  test('MinAdjustmentMagnitude raises a smaller percentage change to that many instances', () => {
    expect(adjustedCapacity(4, 'PercentChangeInCapacity', 25, 2)).toBe(6);
    expect(adjustedCapacity(4, 'PercentChangeInCapacity', -25, 2)).toBe(2);
    expect(adjustedCapacity(40, 'PercentChangeInCapacity', 25, 2)).toBe(50);
  });
});

describe('targetTrackingCapacity', () => {
  test('capacity × metric ÷ target, rounded up so the metric ends at or below the target', () => {
    expect(targetTrackingCapacity(1, 1000, 50)).toBe(20); // 1,000 jobs waiting, 50 per instance
    expect(targetTrackingCapacity(4, 50, 50)).toBe(4);
    expect(targetTrackingCapacity(4, 51, 50)).toBe(5);
    expect(targetTrackingCapacity(10, 2, 50)).toBe(1);
    expect(targetTrackingCapacity(3, 0, 50)).toBe(0);
  });
});
