/**
 * PutMetricAlarm's input checks: every member is checked (the tags by the operation) before an alarm is created
 * or changed, with AWS's codes and messages; the result is the alarm's configuration as stored and evaluated.
 */
import type {
  ActionConfiguration,
  EvaluationWindow,
  MetricDataQuery,
  PutMetricAlarmInput,
  WarmUpConfiguration,
} from '@aws-sdk/client-cloudwatch';
import {
  type AlarmState,
  ANOMALY_COMPARISON_OPERATORS,
  COMPARISON_OPERATORS,
  type ComparisonOperator,
  TREAT_MISSING_DATA,
  type TreatMissingData,
} from './alarm-evaluation';
import {
  checkLength,
  checkPeriod,
  dimensionsOf,
  invalidCombination,
  invalidValue,
  lowerFirst,
  notNull,
  requireAlarmName,
  TAG_KEY_MAX,
  UNITS,
  unsupported,
  validateQueries,
  validation,
} from './input-checks';
import type { MetricDimension } from './metric-store';
import { isSimpleStatistic, percentileOf } from './statistics';

const ALARM_DESCRIPTION_MAX = 1024;
const ARN_MAX = 1024;
/** AWS: a wall clock window's time zone offset is within ±14 hours, a multiple of 5 minutes. */
const MAX_UTC_OFFSET_MINUTES = 14 * 60;

/** An alarm's configuration, as PutMetricAlarm gave it (checked). */
export interface AlarmConfig {
  name: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  metricName?: string;
  namespace?: string;
  statistic?: string;
  extendedStatistic?: string;
  dimensions: MetricDimension[];
  period?: number;
  unit?: string;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  threshold: number;
  comparison: ComparisonOperator;
  treatMissingData?: TreatMissingData;
  evaluateLowSampleCountPercentile?: string;
  metrics?: MetricDataQuery[];
  /** As given (returned by DescribeAlarms); absent means AWS's default sliding window. */
  evaluationWindow?: EvaluationWindow;
  /** WallClockWindow: the UTC offset (ms) the evaluated range is aligned in. */
  wallClockOffsetMs?: number;
  warmUp?: WarmUpConfiguration;
  actionConfiguration?: ActionConfiguration;
}

/** An alarm as the service holds it: its configuration, state and tags. */
export interface Alarm {
  config: AlarmConfig;
  arn: string;
  state: AlarmState;
  stateReason: string;
  stateReasonData?: string;
  stateUpdatedAt: number;
  stateTransitionedAt: number;
  configurationUpdatedAt: number;
  tags: Map<string, string>;
  /** When the alarm was created: its warm-up period runs from there (an update does not restart it). */
  createdAt: number;
  /** Set once the warm-up period is over (elapsed, or ended early by a full evaluation window). */
  warmedUp: boolean;
}

/** The configuration PutMetricAlarm's input describes; throws AWS's error for the first member that is wrong. */
export function validateAlarm(input: PutMetricAlarmInput, accountId: string): AlarmConfig {
  const config = alarmConfigOf(input, accountId);
  if (config.wallClockOffsetMs !== undefined) checkWallClockPeriod(alarmPeriod(config));
  return config;
}

function alarmConfigOf(input: PutMetricAlarmInput, accountId: string): AlarmConfig {
  const name = requireAlarmName(input.AlarmName);
  // refused by name, never dropped: the wire refuses them first, these serve in-process callers (templates)
  if (input.EvaluationCriteria !== undefined) {
    throw unsupported('EvaluationCriteria', 'PromQL alarms are not emulated; use MetricName or Metrics');
  }
  if (input.EvaluationInterval !== undefined) {
    throw unsupported(
      'EvaluationInterval',
      'AWS accepts it only with EvaluationCriteria (PromQL alarms), which are not emulated',
    );
  }
  if (input.ThresholdMetricId !== undefined) {
    throw unsupported(
      'ThresholdMetricId',
      'alarms on anomaly detection bands are not emulated; use a static Threshold',
    );
  }
  if (input.EvaluationPeriods === undefined || input.EvaluationPeriods === null) {
    throw validation(
      "1 validation error detected: Value null at 'evaluationPeriods' failed to satisfy constraint: Member must not be null",
    );
  }
  const evaluationPeriods = input.EvaluationPeriods;
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
    throw validation(
      `1 validation error detected: Value '${evaluationPeriods}' at 'evaluationPeriods' failed to satisfy ` +
        'constraint: Member must have value greater than or equal to 1',
    );
  }
  const comparison = input.ComparisonOperator as string | undefined;
  if (comparison === undefined) {
    throw validation(
      "1 validation error detected: Value null at 'comparisonOperator' failed to satisfy constraint: Member must not be null",
    );
  }
  if (ANOMALY_COMPARISON_OPERATORS.includes(comparison)) {
    throw invalidValue(
      `ComparisonOperator ${comparison} compares with an anomaly detection band, ` +
        'which the local emulator does not support: use a static Threshold with ' +
        `${COMPARISON_OPERATORS.join(', ')}.`,
    );
  }
  if (!(COMPARISON_OPERATORS as readonly string[]).includes(comparison)) {
    throw validation(
      `1 validation error detected: Value '${comparison}' at 'comparisonOperator' failed to satisfy constraint: ` +
        `Member must satisfy enum value set: [${[...COMPARISON_OPERATORS, ...ANOMALY_COMPARISON_OPERATORS].join(', ')}]`,
    );
  }
  if (input.Threshold === undefined || input.Threshold === null)
    throw validation('Threshold must not be null');
  if (typeof input.Threshold !== 'number' || !Number.isFinite(input.Threshold)) {
    throw invalidValue(`The value ${String(input.Threshold)} for parameter Threshold is invalid.`);
  }
  const datapointsToAlarm = input.DatapointsToAlarm;
  if (datapointsToAlarm !== undefined) {
    if (!Number.isInteger(datapointsToAlarm) || datapointsToAlarm < 1) {
      throw validation(
        `1 validation error detected: Value '${datapointsToAlarm}' at 'datapointsToAlarm' failed to satisfy ` +
          'constraint: Member must have value greater than or equal to 1',
      );
    }
    if (datapointsToAlarm > evaluationPeriods) {
      throw validation('DatapointsToAlarm must be less than or equal to EvaluationPeriods');
    }
  }
  const treat = input.TreatMissingData;
  if (treat !== undefined && !(TREAT_MISSING_DATA as readonly string[]).includes(treat)) {
    throw validation(
      `The value ${treat} is not supported for TreatMissingData. Valid values: ${TREAT_MISSING_DATA.join(', ')}.`,
    );
  }
  const actions = (list: string[] | undefined, param: string): string[] => {
    const arns = list ?? [];
    if (arns.length > 5) throw validation(`The collection ${param} must not contain more than 5 items.`);
    arns.forEach((arn, i) => {
      if (typeof arn === 'string') checkLength(arn, `${lowerFirst(param)}.${i + 1}.member`, 1, ARN_MAX);
      // linear: the classes either side of each ':' exclude it, so no segment can be split two ways
      if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/.test(arn)) {
        throw validation(`Invalid arn syntax: ${String(arn)}`);
      }
    });
    return [...arns];
  };
  if (input.AlarmDescription !== undefined) {
    checkLength(input.AlarmDescription, 'alarmDescription', 0, ALARM_DESCRIPTION_MAX);
  }
  if (input.EvaluateLowSampleCountPercentile !== undefined) {
    checkLength(input.EvaluateLowSampleCountPercentile, 'evaluateLowSampleCountPercentile', 1, 255);
  }
  const window = evaluationWindowOf(input.EvaluationWindow);
  const warmUp = warmUpOf(input.WarmUpConfiguration);
  const actionConfiguration = actionConfigurationOf(input.ActionConfiguration);
  const config: AlarmConfig = {
    name,
    description: input.AlarmDescription,
    actionsEnabled: input.ActionsEnabled ?? true,
    okActions: actions(input.OKActions, 'OKActions'),
    alarmActions: actions(input.AlarmActions, 'AlarmActions'),
    insufficientDataActions: actions(input.InsufficientDataActions, 'InsufficientDataActions'),
    dimensions: [],
    evaluationPeriods,
    datapointsToAlarm,
    threshold: input.Threshold,
    comparison: comparison as ComparisonOperator,
    treatMissingData: treat as TreatMissingData | undefined,
    evaluateLowSampleCountPercentile: input.EvaluateLowSampleCountPercentile,
    ...(window.window !== undefined ? { evaluationWindow: window.window } : {}),
    ...(window.offsetMs !== undefined ? { wallClockOffsetMs: window.offsetMs } : {}),
    ...(warmUp !== undefined ? { warmUp } : {}),
    ...(actionConfiguration !== undefined ? { actionConfiguration } : {}),
  };
  if (input.Metrics !== undefined && input.Metrics.length > 0) {
    const singleMetricFields = [
      'MetricName',
      'Namespace',
      'Dimensions',
      'Period',
      'Unit',
      'Statistic',
      'ExtendedStatistic',
    ] as const;
    const given = singleMetricFields.filter(
      (f) => input[f] !== undefined && !(f === 'Dimensions' && input.Dimensions?.length === 0),
    );
    if (given.length > 0) {
      throw invalidCombination(
        `The parameters Metrics and ${given.join(', ')} are mutually exclusive and you have specified both.`,
      );
    }
    if (input.Metrics.length > 10)
      throw validation('The collection Metrics must not contain more than 10 items.');
    const queries = validateQueries(input.Metrics, 'Metrics', accountId);
    if (input.Metrics.filter((q) => q.ReturnData !== false).length !== 1) {
      throw validation('Exactly one element of the metrics list should return data.');
    }
    const periods = new Set(
      queries.filter((q) => 'period' in q).map((q) => (q as { period: number }).period),
    );
    if (periods.size > 1) throw validation('All metrics in an alarm must have the same period.');
    const period = [...periods][0] ?? 60;
    checkAlarmPeriod(period, evaluationPeriods);
    config.metrics = input.Metrics.map((q) => structuredClone(q));
    return config;
  }
  if (input.MetricName === undefined) throw validation('MetricName must not be null');
  if (input.Namespace === undefined) throw validation('Namespace must not be null');
  checkLength(input.MetricName, 'metricName', 1, 255);
  checkLength(input.Namespace, 'namespace', 1, 255);
  if (input.Period === undefined) throw validation('Period must not be null');
  if (input.Statistic === undefined && input.ExtendedStatistic === undefined) {
    throw invalidCombination('Must specify either Statistic or ExtendedStatistic.');
  }
  if (input.Statistic !== undefined && input.ExtendedStatistic !== undefined) {
    throw invalidCombination(
      'Statistic and ExtendedStatistic are mutually exclusive and you have specified both.',
    );
  }
  if (input.Statistic !== undefined && !isSimpleStatistic(input.Statistic)) {
    throw validation(
      `1 validation error detected: Value '${input.Statistic}' at 'statistic' failed to satisfy constraint: ` +
        'Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]',
    );
  }
  if (input.ExtendedStatistic !== undefined && percentileOf(input.ExtendedStatistic) === undefined) {
    throw invalidValue(
      `The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is invalid` +
        ' (the local emulator supports percentiles, pNN or pNN.NN).',
    );
  }
  if (input.Unit !== undefined && !UNITS.has(input.Unit)) {
    throw invalidValue(`The value ${input.Unit} for parameter Unit is invalid.`);
  }
  checkAlarmPeriod(checkPeriod(input.Period, 'Period'), evaluationPeriods);
  return {
    ...config,
    metricName: input.MetricName,
    namespace: input.Namespace,
    statistic: input.Statistic,
    extendedStatistic: input.ExtendedStatistic,
    dimensions: dimensionsOf(input.Dimensions, 'Dimensions'),
    period: input.Period,
    unit: input.Unit,
  };
}

/** AWS: an alarm evaluates 10, 20, 30 seconds or multiples of 60, over at most 7 days. */
function checkAlarmPeriod(period: number, evaluationPeriods: number): void {
  if (period < 60 && ![10, 20, 30].includes(period)) {
    throw invalidValue('The parameter Period must be 10, 20, 30 or a multiple of 60.');
  }
  if (period * evaluationPeriods > 7 * 86_400) {
    throw validation('The evaluation period (Period * EvaluationPeriods) must not exceed 7 days.');
  }
}

/** EvaluationWindow as stored and returned, and a WallClockWindow's UTC offset. */
function evaluationWindowOf(window: EvaluationWindow | undefined): {
  window?: EvaluationWindow;
  offsetMs?: number;
} {
  if (window === undefined || window === null) return {};
  const w = window as { WallClockWindow?: { Timezone?: string }; SlidingWindow?: object };
  const given = [w.WallClockWindow, w.SlidingWindow].filter((m) => m !== undefined && m !== null);
  if (given.length !== 1) {
    throw validation('EvaluationWindow must set exactly one of SlidingWindow and WallClockWindow.');
  }
  // AWS's default: the range ends at the evaluation, as the emulator has always evaluated
  if (w.SlidingWindow !== undefined && w.SlidingWindow !== null) return { window: { SlidingWindow: {} } };
  const timezone = w.WallClockWindow?.Timezone;
  if (timezone === undefined || timezone === null) return { window: { WallClockWindow: {} }, offsetMs: 0 };
  checkLength(timezone, 'evaluationWindow.wallClockWindow.timezone', 1, 64);
  return { window: { WallClockWindow: { Timezone: timezone } }, offsetMs: utcOffsetOf(timezone) };
}

/** UTC, `+05:30` or `UTC+05:30`, in ms; IANA zone names (daylight saving) are refused by name. */
function utcOffsetOf(timezone: string): number {
  if (timezone === 'UTC' || timezone === 'GMT' || timezone === 'Etc/UTC') return 0;
  // linear: anchored, fixed width after the optional prefix
  const match = /^(?:UTC)?([+-])(\d{2}):(\d{2})$/.exec(timezone);
  if (!match) {
    throw unsupported(
      `EvaluationWindow.WallClockWindow.Timezone ${timezone}`,
      'use UTC or a fixed offset such as +05:30 (time zone names are not emulated)',
    );
  }
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  if (Number(match[3]) >= 60 || minutes > MAX_UTC_OFFSET_MINUTES || minutes % 5 !== 0) {
    throw invalidValue(
      `The value ${timezone} for parameter EvaluationWindow.WallClockWindow.Timezone is invalid: ` +
        'the offset must be a multiple of 5 minutes within 14 hours of UTC.',
    );
  }
  return (match[1] === '-' ? -1 : 1) * minutes * 60_000;
}

/** Wall clock windows are aligned to boundaries of the period within a day (AWS also aligns weeks). */
function checkWallClockPeriod(period: number): void {
  if (86_400 % period !== 0) {
    throw unsupported(
      `EvaluationWindow.WallClockWindow with a period of ${period} seconds`,
      'the local emulator aligns wall clock windows for periods that divide a day',
    );
  }
}

function warmUpOf(warmUp: WarmUpConfiguration | undefined): WarmUpConfiguration | undefined {
  if (warmUp === undefined || warmUp === null) return undefined;
  const minutes = warmUp.WarmUpPeriodDurationInMinutes;
  const field = 'warmUpConfiguration.warmUpPeriodDurationInMinutes';
  if (minutes === undefined || minutes === null) throw notNull(field);
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw validation(
      `1 validation error detected: Value '${minutes}' at '${field}' failed to satisfy constraint: ` +
        'Member must have value greater than or equal to 1',
    );
  }
  const only = warmUp.OnlyStartEvaluatingAfterWarmUpPeriodEnds;
  return {
    WarmUpPeriodDurationInMinutes: minutes,
    ...(only !== undefined && only !== null ? { OnlyStartEvaluatingAfterWarmUpPeriodEnds: only } : {}),
  };
}

function actionConfigurationOf(
  configuration: ActionConfiguration | undefined,
): ActionConfiguration | undefined {
  if (configuration === undefined || configuration === null) return undefined;
  const propagation = configuration.AlarmTagsPropagation;
  if (propagation === undefined || propagation === null) return {};
  const field = 'actionConfiguration.alarmTagsPropagation';
  if (propagation.Enabled === undefined || propagation.Enabled === null) throw notNull(`${field}.enabled`);
  const keys = (list: string[] | undefined, name: string): string[] | undefined => {
    if (list === undefined || list === null) return undefined;
    if (list.length < 1 || list.length > 50) {
      throw validation(
        `1 validation error detected: Value at '${field}.${name}' failed to satisfy constraint: ` +
          'Member must have length between 1 and 50',
      );
    }
    list.forEach((key, i) => checkLength(key, `${field}.${name}.${i + 1}.member`, 1, TAG_KEY_MAX));
    return [...list];
  };
  const included = keys(propagation.IncludedTagKeys, 'includedTagKeys');
  const excluded = keys(propagation.ExcludedTagKeys, 'excludedTagKeys');
  if (included !== undefined && excluded !== undefined) {
    throw invalidCombination('IncludedTagKeys and ExcludedTagKeys cannot be specified together.');
  }
  if (propagation.Enabled) {
    throw unsupported(
      'ActionConfiguration.AlarmTagsPropagation with Enabled true',
      "the emulator's alarm notifications do not carry the alarm's tags",
    );
  }
  return {
    AlarmTagsPropagation: {
      Enabled: false,
      ...(included !== undefined ? { IncludedTagKeys: included } : {}),
      ...(excluded !== undefined ? { ExcludedTagKeys: excluded } : {}),
    },
  };
}

/** The period the alarm evaluates: its own, or its metrics' (Metrics alarms). */
export function alarmPeriod(c: AlarmConfig): number {
  if (c.period !== undefined) return c.period;
  const stat = (c.metrics ?? []).find((q) => q.MetricStat?.Period !== undefined);
  return stat?.MetricStat?.Period ?? 60;
}
