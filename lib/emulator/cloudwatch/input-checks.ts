/**
 * CloudWatch's parameter checks, shared by its operations and alarm validation: AWS's error codes and messages for
 * missing, malformed and out-of-range members, dimensions, metric data queries and tags.
 */
import type { MetricDataQuery, Tag } from '@aws-sdk/client-cloudwatch';
import { AwsError } from '../errors';
import type { AlarmState } from './alarm-evaluation';
import { MathError, MAX_EXPRESSION_LENGTH, parseExpression, referencedIds } from './metric-math';
import {
  type MetricQuery,
  QueryError,
  type QueryResults,
  type RunOptions,
  runQueries,
} from './metric-queries';
import type { MetricDimension, MetricSample, MetricStore } from './metric-store';
import { isSupportedStatistic } from './statistics';

export const ALARM_NAME_MAX = 255;
export const TAG_KEY_MAX = 128;
const TAG_VALUE_MAX = 256;
const STATES: readonly AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
export const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);
/** Linear: one character class, anchored; ids longer than 255 characters are refused before it runs. */
const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;

export function invalidValue(message: string): AwsError {
  return new AwsError('InvalidParameterValue', message);
}

export function invalidCombination(message: string): AwsError {
  return new AwsError('InvalidParameterCombination', message);
}

export function validation(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

/** A member the emulator does not honour: refused by name (ValidationError), never silently dropped. */
export function unsupported(member: string, why: string): AwsError {
  return validation(`${member} is not supported by the local emulator: ${why}.`);
}

export function missing(name: string): AwsError {
  return new AwsError('MissingParameter', `The parameter ${name} is required.`);
}

export function requireString(value: unknown, name: string): string {
  if (value === undefined || value === null || value === '') throw missing(name);
  if (typeof value !== 'string') throw invalidValue(`The value for parameter ${name} is invalid.`);
  return value;
}

export function lowerFirst(name: string): string {
  return `${name[0].toLowerCase()}${name.slice(1)}`;
}

export function notNull(field: string): AwsError {
  return validation(
    `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
  );
}

/** AWS's length constraint; the value is not echoed back, it may be megabytes long. */
export function checkLength(value: unknown, field: string, min: number, max: number): void {
  if (typeof value !== 'string')
    throw validation(`1 validation error detected: Value at '${field}' is not a string`);
  if (value.length < min) {
    throw validation(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: ` +
        `Member must have length greater than or equal to ${min}`,
    );
  }
  if (value.length > max) {
    throw validation(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: ` +
        `Member must have length less than or equal to ${max}`,
    );
  }
}

/** Checks every tag (AWS: keys of 1 to 128 characters, values up to 256) before any is applied. */
export function tagsOf(tags: readonly Tag[]): [string, string][] {
  if (!Array.isArray(tags)) throw invalidValue('The value for parameter Tags is invalid.');
  return tags.map((tag, i): [string, string] => {
    const field = `tags.${i + 1}.member`;
    if (tag?.Key === undefined || tag.Key === null) throw notNull(`${field}.key`);
    checkLength(tag.Key, `${field}.key`, 1, TAG_KEY_MAX);
    const value = tag.Value ?? '';
    checkLength(value, `${field}.value`, 0, TAG_VALUE_MAX);
    return [tag.Key, value];
  });
}

export function requireAlarmName(value: unknown): string {
  if (value === undefined || value === null) {
    throw validation(
      "1 validation error detected: Value null at 'alarmName' failed to satisfy constraint: Member must not be null",
    );
  }
  const name = String(value);
  if (name.length < 1 || name.length > ALARM_NAME_MAX) {
    throw validation(
      `1 validation error detected: Value '${name}' at 'alarmName' failed to satisfy constraint: ` +
        'Member must have length less than or equal to 255',
    );
  }
  return name;
}

export function checkState(value: unknown, field: string): AlarmState {
  if (!(STATES as readonly unknown[]).includes(value)) {
    throw validation(
      `1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${field}' ` +
        `failed to satisfy constraint: ${value === undefined ? 'Member must not be null' : 'Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]'}`,
    );
  }
  return value as AlarmState;
}

/** AWS: periods of 1, 5, 10, 20, 30 seconds (high resolution) or a multiple of 60. */
export function checkPeriod(value: unknown, name: string): number {
  const period = Number(value);
  if (
    !Number.isInteger(period) ||
    period < 1 ||
    (period < 60 ? ![1, 5, 10, 20, 30].includes(period) : period % 60 !== 0)
  ) {
    throw invalidValue(`The parameter ${name} must be a multiple of 60 or one of 1, 5, 10, 20, 30.`);
  }
  return period;
}

export function timeOf(value: unknown, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isFinite(ms)) throw invalidValue(`The parameter ${name} is not a valid timestamp.`);
  return ms;
}

export function dimensionsOf(value: unknown, param: string): MetricDimension[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidValue(`The value for parameter ${param} is invalid.`);
  if (value.length > 30) throw invalidValue(`The collection ${param} must not contain more than 30 items.`);
  const seen = new Set<string>();
  return value.map((d: { Name?: unknown; Value?: unknown }, i) => {
    const p = `${param}.member.${i + 1}`;
    const name = requireString(d?.Name, `${p}.Name`);
    const v = requireString(d?.Value, `${p}.Value`);
    if (name.length > 255) throw invalidValue(`The value ${name} for parameter ${p}.Name is invalid.`);
    if (v.length > 1024) throw invalidValue(`The value ${v} for parameter ${p}.Value is invalid.`);
    if (seen.has(name)) throw invalidValue(`No metric may have duplicate dimension names: ${name}.`);
    seen.add(name);
    return { Name: name, Value: v };
  });
}

export function sampleOf(
  datum: {
    Value?: number;
    StatisticValues?: { SampleCount?: number; Sum?: number; Minimum?: number; Maximum?: number };
    Values?: number[];
    Counts?: number[];
  },
  p: string,
): MetricSample {
  const given = [
    datum.Value !== undefined ? `${p}.Value` : undefined,
    datum.StatisticValues !== undefined ? `${p}.StatisticValues` : undefined,
    datum.Values !== undefined ? `${p}.Values` : undefined,
  ].filter((x): x is string => x !== undefined);
  if (given.length > 1) {
    throw invalidCombination(
      `The parameters ${given[0]} and ${given[1]} are mutually exclusive and you have specified both.`,
    );
  }
  const checkNumber = (v: unknown, name: string): number => {
    // AWS: values must lie within ±2^360 (or be 0); NaN and infinities are refused
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      (v !== 0 && (Math.abs(v) > 2 ** 360 || Math.abs(v) < 2 ** -260))
    ) {
      throw invalidValue(`The value ${String(v)} for parameter ${name} is invalid.`);
    }
    return v;
  };
  if (datum.StatisticValues !== undefined) {
    const s = datum.StatisticValues;
    const sampleCount = checkNumber(s.SampleCount, `${p}.StatisticValues.SampleCount`);
    const sum = checkNumber(s.Sum, `${p}.StatisticValues.Sum`);
    const minimum = checkNumber(s.Minimum, `${p}.StatisticValues.Minimum`);
    const maximum = checkNumber(s.Maximum, `${p}.StatisticValues.Maximum`);
    if (sampleCount <= 0)
      throw invalidValue(
        `The value ${sampleCount} for parameter ${p}.StatisticValues.SampleCount is invalid.`,
      );
    if (minimum > maximum) {
      throw invalidValue(
        `The parameter ${p}.StatisticValues.Maximum must be greater than ${p}.StatisticValues.Minimum.`,
      );
    }
    return { sampleCount, sum, minimum, maximum };
  }
  if (datum.Values !== undefined) {
    if (datum.Values.length > 150)
      throw invalidValue(`The collection ${p}.Values must not contain more than 150 items.`);
    const values = datum.Values.map((v, i) => checkNumber(v, `${p}.Values.member.${i + 1}`));
    const counts = datum.Counts;
    if (counts !== undefined && counts.length !== values.length) {
      throw invalidValue(`The parameters ${p}.Values and ${p}.Counts must be of the same size.`);
    }
    counts?.forEach((c, i) => checkNumber(c, `${p}.Counts.member.${i + 1}`));
    return { values, counts };
  }
  if (datum.Value === undefined) {
    throw invalidCombination(
      `At least one of the parameters ${p}.Value, ${p}.StatisticValues or ${p}.Values must be specified.`,
    );
  }
  return { values: [checkNumber(datum.Value, `${p}.Value`)] };
}

/** Validates metric data queries (GetMetricData, alarm Metrics) into what the query runner takes. */
export function validateQueries(
  raw: readonly MetricDataQuery[],
  param: string,
  accountId: string,
): MetricQuery[] {
  const ids = new Set<string>();
  const queries = raw.map((q, i): MetricQuery => {
    const p = `${param}.member.${i + 1}`;
    // the member's path as AWS's validation messages spell it: metricDataQueries.1.member
    const member = `${lowerFirst(param)}.${i + 1}.member`;
    const id = q?.Id;
    if (id === undefined || id === null) throw missing(`${p}.Id`);
    if (id.length > 255) {
      throw validation(
        `1 validation error detected: Value at '${member}.id' failed to satisfy constraint: ` +
          'Member must have length less than or equal to 255',
      );
    }
    if (!QUERY_ID.test(id)) {
      throw validation(
        `The value ${id} for parameter ${p}.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`,
      );
    }
    if (ids.has(id)) throw validation(`The value ${id} for parameter ${p}.Id is not unique.`);
    ids.add(id);
    if (q.AccountId !== undefined) {
      checkLength(q.AccountId, `${member}.accountId`, 1, 255);
      // the emulator is a single account: cross-account observability has no source accounts to read
      if (q.AccountId !== accountId) {
        throw unsupported(`${p}.AccountId ${q.AccountId}`, `it holds only account ${accountId}`);
      }
    }
    if (q.MetricStat !== undefined && q.Expression !== undefined) {
      throw validation(
        `The parameters ${p}.MetricStat and ${p}.Expression are mutually exclusive and you have specified both.`,
      );
    }
    if (q.Expression !== undefined) {
      // AWS: checked before anything reads the expression (the value is not echoed: it may be megabytes long)
      if (q.Expression.length > MAX_EXPRESSION_LENGTH) {
        throw validation(
          `1 validation error detected: Value at '${member}.expression' failed to satisfy constraint: ` +
            `Member must have length less than or equal to ${MAX_EXPRESSION_LENGTH}`,
        );
      }
      try {
        const parsed = parseExpression(q.Expression);
        return { id, expression: q.Expression, parsed, refs: referencedIds(parsed) };
      } catch (error) {
        if (error instanceof MathError) throw validation(`Error in expression ${id} [${error.message}]`);
        throw error;
      }
    }
    const stat = q.MetricStat;
    if (stat === undefined) throw validation(`The parameter ${p}.MetricStat is required.\n`);
    const metric = stat.Metric;
    const namespace = requireString(metric?.Namespace, `${p}.MetricStat.Metric.Namespace`);
    const metricName = requireString(metric?.MetricName, `${p}.MetricStat.Metric.MetricName`);
    if (stat.Period === undefined) throw missing(`${p}.MetricStat.Period`);
    const period = checkPeriod(stat.Period, `${p}.MetricStat.Period`);
    const statName = requireString(stat.Stat, `${p}.MetricStat.Stat`);
    if (!isSupportedStatistic(statName)) {
      throw invalidValue(`The value ${statName} for parameter ${p}.MetricStat.Stat is invalid.`);
    }
    if (stat.Unit !== undefined && !UNITS.has(stat.Unit)) {
      throw invalidValue(`The value ${stat.Unit} for parameter ${p}.MetricStat.Unit is invalid.`);
    }
    return {
      id,
      metric: {
        namespace,
        metricName,
        dimensions: dimensionsOf(metric?.Dimensions, `${p}.MetricStat.Metric.Dimensions`),
      },
      period,
      stat: statName,
      unit: stat.Unit,
    };
  });
  for (const q of queries) {
    if ('expression' in q) {
      for (const ref of q.refs ?? referencedIds(q.parsed ?? parseExpression(q.expression))) {
        if (!ids.has(ref)) throw validation(`Error in expression ${q.id} [Unrecognized metric ID ${ref}]`);
      }
    }
  }
  raw.forEach((q, i) => {
    if (q.Period === undefined) return;
    const p = `${param}.member.${i + 1}.Period`;
    const period = checkPeriod(q.Period, p);
    const q2 = queries[i];
    const used = 'period' in q2 ? q2.period : periodOfExpressions(queries);
    // AWS: the granularity of the returned datapoints; the emulator computes expressions at their metrics' period
    if (period !== used) {
      throw unsupported(`${p} ${period}`, `this query's datapoints have the period of its metrics (${used})`);
    }
  });
  return queries;
}

/** The period of an expression's result: the smallest period among the request's metrics. */
export function periodOfExpressions(queries: readonly MetricQuery[]): number {
  const periods = queries.filter((q) => 'period' in q).map((q) => (q as { period: number }).period);
  return periods.length > 0 ? Math.min(...periods) : 60;
}
/** Runs validated queries; an expression that fails on the data is AWS's ValidationError naming it. */
export function runValidated(
  store: MetricStore,
  queries: MetricQuery[],
  start: number,
  end: number,
  options: RunOptions = {},
): QueryResults {
  try {
    return runQueries(store, queries, start, end, options);
  } catch (error) {
    if (error instanceof QueryError) throw validation(`Error in expression ${error.id} [${error.message}]`);
    throw error;
  }
}
