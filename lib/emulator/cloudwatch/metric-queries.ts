/**
 * Runs a set of metric data queries (GetMetricData, metric math alarms) against the store: MetricStat queries
 * aggregate stored data into periods, expressions combine the other queries' results. Pure, input already
 * validated; an expression that cannot be evaluated throws a QueryError naming its query. The work is bounded by
 * the data stored and by a budget of datapoints, never by the length of the time range.
 */
import {
  evaluateExpression,
  type Expression,
  MAX_DATAPOINTS,
  type MathContext,
  MathError,
  type MathValue,
  parseExpression,
  referencedIds,
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
  /** The expression already parsed (validation parses it), so that a request parses each expression once. */
  readonly parsed?: Expression;
  /** The ids it refers to, when validation found them already. */
  readonly refs?: readonly string[];
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

/** How to run a request's queries. */
export interface RunOptions {
  /** At most this many datapoints in a series FILL creates (default MAX_DATAPOINTS). */
  readonly maxDatapoints?: number;
  /** Which end of the range to keep when a series has to be cut: the oldest periods, or (default) the newest. */
  readonly oldestFirst?: boolean;
  /** How many datapoints the request's expressions may walk or create in all (default MATH_DATAPOINT_BUDGET). */
  readonly budget?: number;
}

export interface QueryResults {
  /** Every query's value, by id. */
  readonly values: Map<string, MathValue>;
  /** The ids whose value was cut to `maxDatapoints`, or computed from one that was (PartialData). */
  readonly partial: Set<string>;
}

/**
 * What the expressions of one request may cost, in datapoints walked or created: twenty series of AWS's 100,800
 * datapoints. A request of 500 expressions of 2048 characters could otherwise run for minutes.
 */
export const MATH_DATAPOINT_BUDGET = 20 * MAX_DATAPOINTS;

/**
 * Evaluates every query (expressions may refer to each other in any order); results by id. The MetricStat queries
 * first, then the expressions in dependency order, found without recursion: a chain of expressions each naming the
 * next must not deepen the stack.
 */
export function runQueries(
  store: MetricStore,
  queries: readonly MetricQuery[],
  start: number,
  end: number,
  options: RunOptions = {},
): QueryResults {
  const values = new Map<string, MathValue>();
  const partial = new Set<string>();
  const metricIds = queries.filter((q) => 'metric' in q).map((q) => q.id);
  for (const query of queries) {
    if ('metric' in query) {
      values.set(query.id, { kind: 'series', series: statSeries(store, query, start, end) });
    }
  }
  const budget = options.budget ?? MATH_DATAPOINT_BUDGET;
  let spent = 0;
  const spend = (datapoints: number) => {
    spent += datapoints;
    if (spent > budget) {
      throw new MathError(
        `The expressions of this request need more than ${budget.toLocaleString('en-US')} datapoints, the local ` +
          "emulator's limit: reduce the time range or the number of expressions",
      );
    }
  };
  for (const { query, expression, refs } of dependencyOrder(queries)) {
    const context: MathContext = {
      start,
      end,
      resolve: (id) => values.get(id),
      metricIds: () => metricIds,
      maxDatapoints: options.maxDatapoints,
      oldestFirst: options.oldestFirst,
      truncated: () => partial.add(query.id),
      spend,
    };
    try {
      values.set(query.id, evaluateExpression(expression, context));
    } catch (error) {
      if (error instanceof MathError) throw new QueryError(query.id, error.message);
      throw error;
    }
    // a value computed from a cut one is incomplete too
    if (refs.some((id) => partial.has(id))) partial.add(query.id);
  }
  return { values, partial };
}

interface OrderedExpression {
  readonly query: ExpressionQuery;
  readonly expression: Expression;
  /** The ids it refers to. */
  readonly refs: readonly string[];
}

/** The expression queries, parsed, each after the expressions it refers to (Kahn's algorithm). */
function dependencyOrder(queries: readonly MetricQuery[]): OrderedExpression[] {
  const expressions = new Map<string, OrderedExpression & { needs: Set<string> }>();
  for (const query of queries) {
    if ('metric' in query) continue;
    let expression: Expression;
    try {
      expression = query.parsed ?? parseExpression(query.expression);
    } catch (error) {
      if (error instanceof MathError) throw new QueryError(query.id, error.message);
      throw error;
    }
    const refs = query.refs ?? referencedIds(expression);
    expressions.set(query.id, { query, expression, refs, needs: new Set() });
  }
  const neededBy = new Map<string, string[]>();
  for (const [id, entry] of expressions) {
    for (const ref of entry.refs) {
      if (!expressions.has(ref) || entry.needs.has(ref)) continue;
      entry.needs.add(ref);
      const dependents = neededBy.get(ref);
      if (dependents) dependents.push(id);
      else neededBy.set(ref, [id]);
    }
  }
  const ready = [...expressions.values()].filter((e) => e.needs.size === 0);
  const order: OrderedExpression[] = [];
  for (let next = 0; next < ready.length; next++) {
    const entry = ready[next];
    order.push(entry);
    for (const dependent of neededBy.get(entry.query.id) ?? []) {
      const waiting = expressions.get(dependent) as (typeof ready)[number];
      waiting.needs.delete(entry.query.id);
      if (waiting.needs.size === 0) ready.push(waiting);
    }
  }
  if (order.length < expressions.size) {
    const stuck = [...expressions.values()].find((e) => e.needs.size > 0) as (typeof ready)[number];
    throw new QueryError(stuck.query.id, 'Circular dependency between expressions');
  }
  return order;
}

/** One series of a query's result, datapoints by index in ascending time. */
export interface ResultSeries {
  readonly count: number;
  time(i: number): number;
  value(i: number): number;
  /** Whether periods of the range were left out to stay within `maxDatapoints`. */
  readonly cut: boolean;
}

/**
 * A query result as series of datapoints: a scalar becomes one datapoint per period of the range, computed by index
 * rather than enumerated (the range may span centuries), at most `maxDatapoints` of them: the newest, or the oldest.
 */
export function resultSeries(
  value: MathValue,
  start: number,
  end: number,
  period: number,
  maxDatapoints = MAX_DATAPOINTS,
  oldestFirst = false,
): ResultSeries[] {
  const ofSeries = (s: Series): ResultSeries => ({
    count: s.times.length,
    time: (i) => s.times[i],
    value: (i) => s.values[i],
    cut: false,
  });
  switch (value.kind) {
    case 'series':
      return [ofSeries(value.series)];
    case 'array':
      return value.items.map(ofSeries);
    case 'scalar': {
      if (!Number.isFinite(value.value)) return [{ count: 0, time: () => start, value: () => 0, cut: false }];
      const step = period * 1000;
      const periods = Math.ceil((end - start) / step);
      const count = Math.min(periods, maxDatapoints);
      const first = oldestFirst ? start : start + (periods - count) * step;
      return [{ count, time: (i) => first + i * step, value: () => value.value, cut: count < periods }];
    }
  }
}
