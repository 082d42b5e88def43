/**
 * One evaluation of a metric alarm, as CloudWatch does it (pure: datapoints in, state and reason out).
 *
 * AWS: an alarm looks at more periods than EvaluationPeriods (its evaluation range). When that range holds at
 * least EvaluationPeriods real datapoints, the most recent of them decide and missing data does not matter.
 * Otherwise the missing periods are filled per TreatMissingData, as few as needed to reach EvaluationPeriods:
 * `breaching` and `notBreaching` count them as such; `missing` judges on the real datapoints alone and goes to
 * INSUFFICIENT_DATA when there are none; `ignore` keeps the current state whenever the outcome would depend on
 * the missing periods.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';
export type ComparisonOperator =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];
/** Valid in AWS, but only with an anomaly detection band (ThresholdMetricId), which the emulator does not model. */
export const ANOMALY_COMPARISON_OPERATORS = [
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
];
export const TREAT_MISSING_DATA: readonly TreatMissingData[] = [
  'breaching',
  'notBreaching',
  'ignore',
  'missing',
];

/** One period of the evaluation range. */
export interface EvaluationDatapoint {
  /** Start of the period, epoch ms. */
  readonly timestamp: number;
  /** Undefined when the period has no data. */
  readonly value?: number;
  readonly sampleCount?: number;
}

export interface EvaluationInput {
  /** The evaluation range, oldest first, one entry per period (at least `evaluationPeriods` entries). */
  readonly range: readonly EvaluationDatapoint[];
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: ComparisonOperator;
  readonly treatMissingData: TreatMissingData;
  readonly currentState: AlarmState;
  /** For StateReasonData. */
  readonly period: number;
  readonly statistic?: string;
  readonly unit?: string;
  readonly now: number;
}

export interface EvaluationResult {
  /** The state the alarm should be in (may be its current one). */
  readonly state: AlarmState;
  readonly reason: string;
  readonly reasonData: string;
  /** The most recent real datapoint evaluated (Auto Scaling step policies compare it to the threshold). */
  readonly latestValue?: number;
}

export function breaches(value: number, comparison: ComparisonOperator, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

const WORDS: Record<ComparisonOperator, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export function evaluateAlarm(input: EvaluationInput): EvaluationResult {
  const n = input.evaluationPeriods;
  const m = input.datapointsToAlarm;
  const real = input.range.filter((d) => d.value !== undefined);
  const isBreaching = (d: EvaluationDatapoint) =>
    breaches(d.value as number, input.comparison, input.threshold);
  const latestValue = real.length > 0 ? real[real.length - 1].value : undefined;

  // enough real datapoints in the range: the most recent N decide, missing data does not matter
  if (real.length >= n) {
    const evaluated = real.slice(real.length - n);
    const breaching = evaluated.filter(isBreaching);
    const state: AlarmState = breaching.length >= m ? 'ALARM' : 'OK';
    return {
      state,
      reason: crossedReason(
        input,
        state,
        state === 'ALARM' ? breaching : evaluated.filter((d) => !isBreaching(d)),
      ),
      reasonData: reasonData(input, evaluated),
      latestValue,
    };
  }

  // fill the most recent missing periods, as few as needed to reach N
  const missingSlots = input.range.filter((d) => d.value === undefined);
  const filled = missingSlots.slice(Math.max(0, missingSlots.length - (n - real.length)));
  const evaluated = [...real, ...filled].sort((a, b) => a.timestamp - b.timestamp);
  const realBreaching = real.filter(isBreaching).length;
  const outcome = (missingBreach: boolean): AlarmState =>
    realBreaching + (missingBreach ? filled.length : 0) >= m ? 'ALARM' : 'OK';
  const data = reasonData(input, evaluated);
  const keep = (): EvaluationResult => ({
    state: input.currentState,
    reason: '',
    reasonData: data,
    latestValue,
  });

  switch (input.treatMissingData) {
    case 'breaching':
    case 'notBreaching': {
      const asBreaching = input.treatMissingData === 'breaching';
      const state = outcome(asBreaching);
      return {
        state,
        reason: filledReason(real.length, n, filled.length, asBreaching),
        reasonData: data,
        latestValue,
      };
    }
    case 'ignore': {
      if (real.length === 0) return keep();
      const ifBreaching = outcome(true);
      const ifNot = outcome(false);
      if (ifBreaching === ifNot) {
        return {
          state: ifNot,
          reason: crossedReason(
            input,
            ifNot,
            real.filter((d) => isBreaching(d) === (ifNot === 'ALARM')),
          ),
          reasonData: data,
          latestValue,
        };
      }
      // the outcome depends on the missing periods: they are taken to agree with the current state
      return keep();
    }
    case 'missing': {
      if (real.length === 0) {
        return {
          state: 'INSUFFICIENT_DATA',
          reason: `Insufficient Data: ${n} ${n === 1 ? 'datapoint was' : 'datapoints were'} unknown.`,
          reasonData: data,
        };
      }
      // only the real datapoints count; an alarm needs no more of them breaching than it has
      const state: AlarmState = realBreaching >= Math.min(m, real.length) ? 'ALARM' : 'OK';
      return {
        state,
        reason: crossedReason(
          input,
          state,
          real.filter((d) => isBreaching(d) === (state === 'ALARM')),
        ),
        reasonData: data,
        latestValue,
      };
    }
  }
}

function crossedReason(
  input: EvaluationInput,
  state: AlarmState,
  counted: readonly EvaluationDatapoint[],
): string {
  const n = input.evaluationPeriods;
  const list = [...counted]
    .reverse()
    .map((d) => `${javaDouble(d.value as number)} (${reasonTime(d.timestamp)})`)
    .join(', ');
  const verb = counted.length === 1 ? 'was' : 'were';
  const words = (state === 'ALARM' ? '' : 'not ') + WORDS[input.comparison];
  const minimum = state === 'ALARM' ? input.datapointsToAlarm : n - input.datapointsToAlarm + 1;
  const transition = state === 'ALARM' ? 'OK -> ALARM' : 'ALARM -> OK';
  return (
    `Threshold Crossed: ${counted.length} out of the last ${n} datapoints [${list}] ${verb} ${words} the threshold ` +
    `(${javaDouble(input.threshold)}) (minimum ${minimum} ${minimum === 1 ? 'datapoint' : 'datapoints'} for ${transition} transition).`
  );
}

function filledReason(received: number, periods: number, missing: number, asBreaching: boolean): string {
  const head =
    received === 0
      ? 'no datapoints were received'
      : `${received} ${received === 1 ? 'datapoint was' : 'datapoints were'} received`;
  return (
    `Threshold Crossed: ${head} for ${periods} ${periods === 1 ? 'period' : 'periods'} and ${missing} missing ` +
    `${missing === 1 ? 'datapoint was' : 'datapoints were'} treated as [${asBreaching ? 'Breaching' : 'NonBreaching'}].`
  );
}

/** StateReasonData: AWS's JSON document describing the evaluation. */
function reasonData(input: EvaluationInput, evaluated: readonly EvaluationDatapoint[]): string {
  const data: Record<string, unknown> = {
    version: '1.0',
    queryDate: cloudWatchTime(input.now),
  };
  if (evaluated.length > 0) data.startDate = cloudWatchTime(evaluated[0].timestamp);
  if (input.unit !== undefined) data.unit = input.unit;
  if (input.statistic !== undefined) data.statistic = input.statistic;
  data.period = input.period;
  data.recentDatapoints = evaluated.filter((d) => d.value !== undefined).map((d) => d.value);
  data.threshold = input.threshold;
  data.evaluatedDatapoints = [...evaluated].reverse().map((d) =>
    d.value === undefined
      ? { timestamp: cloudWatchTime(d.timestamp) }
      : {
          timestamp: cloudWatchTime(d.timestamp),
          ...(d.sampleCount !== undefined ? { sampleCount: d.sampleCount } : {}),
          value: d.value,
        },
  );
  return JSON.stringify(data);
}

/** `2026-01-01T00:05:00.000+0000`, the timestamp format of alarm documents and notifications. */
export function cloudWatchTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** `dd/MM/yy HH:mm:ss` in UTC, as datapoints appear in StateReason. */
function reasonTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
  );
}

/** A number as Java prints a double (`5.0`, `0.25`, `1.0E7`): CloudWatch's reasons are written that way. */
export function javaDouble(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) {
    const [mantissa, exponent] = value.toExponential().split('e');
    return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
  }
  const text = String(value);
  return text.includes('.') ? text : `${text}.0`;
}
