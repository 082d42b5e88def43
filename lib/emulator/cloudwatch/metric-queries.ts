/**
 * Runs a set of metric data queries (GetMetricData, metric math alarms) against the store: MetricStat queries
 * aggregate stored data into periods, expressions combine the other queries' results. Pure, input already
 * validated; an expression that cannot be evaluated throws a MathError naming its query.
 */
import {
  evaluateExpression,
  type Expression,
  MathError,
  type MathValue,
  parseExpression,
  type Series,
} from './metric-math';
import type { MetricDimension, MetricStore } from './metric-store';
import { statisticValue } from './statistics';

export interface StatQuery {
  readonly id: string;
  readonly metric: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: readonly MetricDimension[];
  };
  readonly period: number;
  readonly stat: string;
  readonly unit?: string;
}

export interface ExpressionQuery {
  readonly id: string;
  readonly expression: string;
}

export type MetricQuery = StatQuery | ExpressionQuery;

/** A query's expression failed: `id` names it, as AWS's "Error in expression e1 [...]" does. */
export class QueryError extends Error {
  constructor(
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

/** The series of one MetricStat query over [start, end). */
export function statSeries(store: MetricStore, query: StatQuery, start: number, end: number): Series {
  const times: number[] = [];
  const values: number[] = [];
  for (const aggregate of store.aggregate(
    query.metric.namespace,
    query.metric.metricName,
    query.metric.dimensions,
    start,
    end,
    query.period,
    query.unit,
  )) {
    const value = statisticValue(aggregate, query.stat);
    if (value === undefined) continue;
    times.push(aggregate.timestamp);
    values.push(value);
  }
  return { period: query.period, times, values };
}

/** Evaluates every query (expressions may refer to each other in any order); results by id. */
export function runQueries(
  store: MetricStore,
  queries: readonly MetricQuery[],
  start: number,
  end: number,
): Map<string, MathValue> {
  const byId = new Map(queries.map((q) => [q.id, q] as const));
  const results = new Map<string, MathValue>();
  const parsed = new Map<string, Expression>();
  const visiting = new Set<string>();
  const metricIds = queries.filter((q) => 'metric' in q).map((q) => q.id);

  const resolve = (id: string): MathValue | undefined => {
    const done = results.get(id);
    if (done) return done;
    const query = byId.get(id);
    if (query === undefined) return undefined;
    let value: MathValue;
    if ('metric' in query) {
      value = { kind: 'series', series: statSeries(store, query, start, end) };
    } else {
      if (visiting.has(id)) throw new QueryError(id, 'Circular dependency between expressions');
      visiting.add(id);
      try {
        let expression = parsed.get(id);
        if (expression === undefined) {
          expression = parseExpression(query.expression);
          parsed.set(id, expression);
        }
        value = evaluateExpression(expression, { start, end, resolve, metricIds: () => metricIds });
      } catch (error) {
        if (error instanceof MathError) throw new QueryError(id, error.message);
        throw error;
      } finally {
        visiting.delete(id);
      }
    }
    results.set(id, value);
    return value;
  };
  for (const query of queries) resolve(query.id);
  return results;
}

/** A query result as datapoints: a scalar becomes one datapoint per period of the range. */
export function asSeries(value: MathValue, start: number, end: number, period: number): Series[] {
  switch (value.kind) {
    case 'series':
      return [value.series];
    case 'array':
      return [...value.items];
    case 'scalar': {
      if (!Number.isFinite(value.value)) return [{ period, times: [], values: [] }];
      const times: number[] = [];
      for (let t = start; t < end; t += period * 1000) times.push(t);
      return [{ period, times, values: times.map(() => value.value) }];
    }
  }
}
