/**
 * CloudWatch metric math: parses an expression (`m1 / m2 * 100`, `SUM([m1, m2])`, `FILL(m1, 0)`,
 * `IF(m1 > 10, 1, 0)`) and evaluates it over time series. Pure: the caller resolves query ids to series.
 *
 * Semantics follow AWS's: arithmetic between two series keeps the timestamps both have; a scalar applies to every
 * datapoint; SUM/AVG/MIN/MAX/STDDEV of one series is a scalar and of an array of series is a series (missing
 * datapoints skipped); FILL fills every period of the query's range; division by zero drops the datapoint.
 */

/** A time series: ascending timestamps (epoch ms) of datapoints `period` seconds apart, no gaps filled. */
export interface Series {
  readonly period: number;
  readonly times: readonly number[];
  readonly values: readonly number[];
}

export type MathValue =
  | { readonly kind: 'scalar'; readonly value: number }
  | { readonly kind: 'series'; readonly series: Series }
  | { readonly kind: 'array'; readonly items: readonly Series[] };

export interface MathContext {
  /** The query's time range, epoch ms (FILL fills it). */
  readonly start: number;
  readonly end: number;
  /** The value of another query of the request, by id; undefined when there is no such id. */
  resolve(id: string): MathValue | undefined;
  /** Ids of the request's MetricStat queries, for METRICS(). */
  metricIds(): string[];
}

/** An expression the emulator cannot parse or evaluate; the service reports it as a ValidationError. */
export class MathError extends Error {}

type Node =
  | { type: 'number'; value: number }
  | { type: 'string'; value: string }
  | { type: 'id'; name: string }
  | { type: 'keyword'; name: string }
  | { type: 'array'; items: Node[] }
  | { type: 'unary'; op: '-' | '!'; operand: Node }
  | { type: 'binary'; op: string; left: Node; right: Node }
  | { type: 'call'; name: string; args: Node[] };

export type Expression = Node;

// ----- parsing --------------------------------------------------------------------------------------------------

interface Token {
  kind: 'number' | 'string' | 'name' | 'op' | 'end';
  text: string;
}

const OPERATORS = [
  '<=',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
  '+',
  '-',
  '*',
  '/',
  '^',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  ',',
];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (number) {
      tokens.push({ kind: 'number', text: number[0] });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0] });
      i += name[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) throw new MathError('Invalid syntax');
      tokens.push({ kind: 'string', text: text.slice(i + 1, close) });
      i = close + 1;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw new MathError('Invalid syntax');
    tokens.push({ kind: 'op', text: op });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

const KEYWORDS = new Set(['REPEAT', 'LINEAR']);
const LOGICAL: Record<string, string> = { AND: '&&', OR: '||' };

/** Parses an expression; throws MathError with AWS's "Invalid syntax" wording when it is malformed. */
export function parseExpression(text: string): Expression {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (...ops: string[]) => {
    const t = peek();
    if (t.kind === 'op' && ops.includes(t.text)) return true;
    return t.kind === 'name' && LOGICAL[t.text] !== undefined && ops.includes(LOGICAL[t.text]);
  };
  const next = () => tokens[pos++];
  const expect = (op: string) => {
    if (!isOp(op)) throw new MathError('Invalid syntax');
    next();
  };
  const opText = (t: Token) => (t.kind === 'name' ? LOGICAL[t.text] : t.text);

  const binaryLevel =
    (ops: string[], inner: () => Node): (() => Node) =>
    () => {
      let left = inner();
      while (isOp(...ops)) {
        const op = opText(next());
        left = { type: 'binary', op, left, right: inner() };
      }
      return left;
    };

  const primary = (): Node => {
    const t = next();
    if (t.kind === 'number') return { type: 'number', value: Number(t.text) };
    if (t.kind === 'string') return { type: 'string', value: t.text };
    if (t.kind === 'op' && t.text === '(') {
      const inner = expression();
      expect(')');
      return inner;
    }
    if (t.kind === 'op' && t.text === '[') {
      const items = [expression()];
      while (isOp(',')) {
        next();
        items.push(expression());
      }
      expect(']');
      return { type: 'array', items };
    }
    if (t.kind === 'name') {
      if (isOp('(')) {
        next();
        const args: Node[] = [];
        if (!isOp(')')) {
          args.push(expression());
          while (isOp(',')) {
            next();
            args.push(expression());
          }
        }
        expect(')');
        return { type: 'call', name: t.text.toUpperCase(), args };
      }
      if (KEYWORDS.has(t.text)) return { type: 'keyword', name: t.text };
      return { type: 'id', name: t.text };
    }
    throw new MathError('Invalid syntax');
  };
  const power = (): Node => {
    const base = primary();
    if (isOp('^')) {
      next();
      return { type: 'binary', op: '^', left: base, right: unary() };
    }
    return base;
  };
  const unary = (): Node => {
    if (isOp('-')) {
      next();
      return { type: 'unary', op: '-', operand: unary() };
    }
    if (peek().kind === 'name' && peek().text === 'NOT' && tokens[pos + 1]?.text !== '(') {
      next();
      return { type: 'unary', op: '!', operand: unary() };
    }
    return power();
  };
  const product = binaryLevel(['*', '/'], unary);
  const sum = binaryLevel(['+', '-'], product);
  const comparison = binaryLevel(['<', '>', '<=', '>=', '==', '!='], sum);
  const conjunction = binaryLevel(['&&'], comparison);
  const expression = binaryLevel(['||'], conjunction);

  const root = expression();
  if (peek().kind !== 'end') throw new MathError('Invalid syntax');
  return root;
}

/** The query ids an expression refers to (METRICS() refers to every MetricStat query). */
export function referencedIds(node: Expression): string[] {
  switch (node.type) {
    case 'id':
      return [node.name];
    case 'array':
      return node.items.flatMap(referencedIds);
    case 'unary':
      return referencedIds(node.operand);
    case 'binary':
      return [...referencedIds(node.left), ...referencedIds(node.right)];
    case 'call':
      return node.args.flatMap(referencedIds);
    default:
      return [];
  }
}

// ----- evaluation -----------------------------------------------------------------------------------------------

export function evaluateExpression(node: Expression, context: MathContext): MathValue {
  switch (node.type) {
    case 'number':
      return scalar(node.value);
    case 'string':
    case 'keyword':
      throw new MathError('Invalid syntax');
    case 'id': {
      const value = context.resolve(node.name);
      if (value === undefined) throw new MathError(`Unrecognized metric ID ${node.name}`);
      return value;
    }
    case 'array': {
      const items: Series[] = [];
      for (const item of node.items) {
        const value = evaluateExpression(item, context);
        if (value.kind === 'scalar') throw new MathError('An array can only hold time series');
        if (value.kind === 'series') items.push(value.series);
        else items.push(...value.items);
      }
      return { kind: 'array', items };
    }
    case 'unary': {
      const operand = evaluateExpression(node.operand, context);
      return node.op === '-' ? mapValue(operand, (v) => -v) : mapValue(operand, (v) => (v === 0 ? 1 : 0));
    }
    case 'binary':
      return binary(node.op, evaluateExpression(node.left, context), evaluateExpression(node.right, context));
    case 'call':
      return call(node.name, node.args, context);
  }
}

function scalar(value: number): MathValue {
  return { kind: 'scalar', value };
}

function seriesValue(series: Series): MathValue {
  return { kind: 'series', series };
}

/** Applies `f` to every datapoint, dropping results that are not finite numbers. */
function mapSeries(series: Series, f: (v: number, t: number) => number): Series {
  const times: number[] = [];
  const values: number[] = [];
  series.times.forEach((t, i) => {
    const v = f(series.values[i], t);
    if (Number.isFinite(v)) {
      times.push(t);
      values.push(v);
    }
  });
  return { period: series.period, times, values };
}

function mapValue(value: MathValue, f: (v: number) => number): MathValue {
  switch (value.kind) {
    case 'scalar':
      return scalar(f(value.value));
    case 'series':
      return seriesValue(mapSeries(value.series, f));
    case 'array':
      return { kind: 'array', items: value.items.map((s) => mapSeries(s, f)) };
  }
}

const BINARY: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '^': (a, b) => a ** b,
  '<': (a, b) => Number(a < b),
  '>': (a, b) => Number(a > b),
  '<=': (a, b) => Number(a <= b),
  '>=': (a, b) => Number(a >= b),
  '==': (a, b) => Number(a === b),
  '!=': (a, b) => Number(a !== b),
  '&&': (a, b) => Number(a !== 0 && b !== 0),
  '||': (a, b) => Number(a !== 0 || b !== 0),
};

/** Pairs two series by timestamp: a datapoint exists where both have one. */
function zipSeries(a: Series, b: Series, f: (x: number, y: number) => number): Series {
  const times: number[] = [];
  const values: number[] = [];
  let j = 0;
  for (let i = 0; i < a.times.length; i++) {
    while (j < b.times.length && b.times[j] < a.times[i]) j++;
    if (j < b.times.length && b.times[j] === a.times[i]) {
      const v = f(a.values[i], b.values[j]);
      if (Number.isFinite(v)) {
        times.push(a.times[i]);
        values.push(v);
      }
    }
  }
  return { period: a.period, times, values };
}

function binary(op: string, left: MathValue, right: MathValue): MathValue {
  const f = BINARY[op];
  if (left.kind === 'scalar' && right.kind === 'scalar') return scalar(f(left.value, right.value));
  if (left.kind === 'scalar') return mapValue(right, (v) => f(left.value, v));
  if (right.kind === 'scalar') return mapValue(left, (v) => f(v, right.value));
  if (left.kind === 'series' && right.kind === 'series')
    return seriesValue(zipSeries(left.series, right.series, f));
  if (left.kind === 'array' && right.kind === 'series') {
    return { kind: 'array', items: left.items.map((s) => zipSeries(s, right.series, f)) };
  }
  if (left.kind === 'series' && right.kind === 'array') {
    return { kind: 'array', items: right.items.map((s) => zipSeries(left.series, s, f)) };
  }
  throw new MathError('Operations between two arrays of time series are not supported');
}

type Reducer = (values: number[]) => number;
const REDUCERS: Record<string, Reducer> = {
  SUM: (v) => v.reduce((a, b) => a + b, 0),
  AVG: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  MIN: (v) => Math.min(...v),
  MAX: (v) => Math.max(...v),
  STDDEV: (v) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  },
};

function call(name: string, args: Node[], context: MathContext): MathValue {
  const arg = (i: number) => {
    if (args[i] === undefined) throw new MathError(`${name} expects more arguments`);
    return evaluateExpression(args[i], context);
  };
  const arity = (min: number, max = min) => {
    if (args.length < min || args.length > max)
      throw new MathError(`Invalid number of arguments for ${name}`);
  };
  const reducer = REDUCERS[name];
  if (reducer) {
    arity(1);
    const value = arg(0);
    if (value.kind === 'scalar') return value;
    if (value.kind === 'series') {
      const values = [...value.series.values];
      return values.length === 0 ? scalar(NaN) : scalar(reducer(values));
    }
    return seriesValue(acrossSeries(value.items, reducer));
  }
  switch (name) {
    case 'ABS':
    case 'CEIL':
    case 'FLOOR': {
      arity(1);
      const f = name === 'ABS' ? Math.abs : name === 'CEIL' ? Math.ceil : Math.floor;
      return mapValue(arg(0), f);
    }
    case 'FILL': {
      arity(2);
      const target = arg(0);
      const how = args[1];
      const fill = (s: Series) =>
        how.type === 'keyword'
          ? fillSeries(s, context, how.name)
          : fillSeries(s, context, fillValue(how, context));
      if (target.kind === 'series') return seriesValue(fill(target.series));
      if (target.kind === 'array') return { kind: 'array', items: target.items.map(fill) };
      throw new MathError('FILL expects a time series');
    }
    case 'IF': {
      arity(2, 3);
      const condition = arg(0);
      const then = arg(1);
      const otherwise = args.length === 3 ? arg(2) : undefined;
      if (condition.kind !== 'series') throw new MathError('IF expects a time series as its condition');
      const pick = (v: MathValue | undefined, t: number): number => {
        if (v === undefined) return NaN;
        if (v.kind === 'scalar') return v.value;
        if (v.kind === 'series') {
          const i = v.series.times.indexOf(t);
          return i < 0 ? NaN : v.series.values[i];
        }
        throw new MathError('IF expects time series or scalars');
      };
      return seriesValue(
        mapSeries(condition.series, (c, t) => (c !== 0 ? pick(then, t) : pick(otherwise, t))),
      );
    }
    case 'METRICS': {
      arity(0, 1);
      const filter = args[0];
      if (filter !== undefined && filter.type !== 'string') throw new MathError('METRICS expects a string');
      const items: Series[] = [];
      for (const id of context.metricIds()) {
        if (filter !== undefined && !id.includes(filter.value)) continue;
        const value = context.resolve(id);
        if (value?.kind === 'series') items.push(value.series);
      }
      return { kind: 'array', items };
    }
    case 'PERIOD': {
      arity(1);
      const value = arg(0);
      if (value.kind === 'series') return scalar(value.series.period);
      if (value.kind === 'array' && value.items.length > 0) return scalar(value.items[0].period);
      throw new MathError('PERIOD expects a time series');
    }
    case 'DIFF':
    case 'RATE':
    case 'RUNNING_SUM': {
      arity(1);
      const value = arg(0);
      const apply = (s: Series) => sequential(s, name);
      if (value.kind === 'series') return seriesValue(apply(value.series));
      if (value.kind === 'array') return { kind: 'array', items: value.items.map(apply) };
      throw new MathError(`${name} expects a time series`);
    }
    default:
      throw new MathError(`Unrecognized function ${name}`);
  }
}

function fillValue(node: Node, context: MathContext): number {
  const value = evaluateExpression(node, context);
  if (value.kind !== 'scalar') throw new MathError('FILL expects a number, REPEAT or LINEAR');
  return value.value;
}

/** Every period of the range: the series' own start alignment continued across [start, end). */
function grid(series: Series, context: MathContext): number[] {
  const step = series.period * 1000;
  const anchor = series.times.length > 0 ? series.times[0] : context.start;
  let first = anchor - Math.floor((anchor - context.start) / step) * step;
  if (first < context.start) first += step;
  const out: number[] = [];
  for (let t = first; t < context.end; t += step) out.push(t);
  return out;
}

function fillSeries(series: Series, context: MathContext, how: number | string): Series {
  const times = grid(series, context);
  const known = new Map(series.times.map((t, i) => [t, series.values[i]] as const));
  const values: number[] = [];
  const outTimes: number[] = [];
  times.forEach((t) => {
    const v = known.get(t);
    if (v !== undefined) {
      outTimes.push(t);
      values.push(v);
      return;
    }
    let filled: number | undefined;
    if (typeof how === 'number') filled = how;
    else {
      const before = lastAtOrBefore(series, t);
      const after = firstAfter(series, t);
      if (how === 'REPEAT') filled = before?.[1] ?? after?.[1];
      else if (before && after) {
        filled = before[1] + ((after[1] - before[1]) * (t - before[0])) / (after[0] - before[0]);
      }
    }
    if (filled !== undefined) {
      outTimes.push(t);
      values.push(filled);
    }
  });
  return { period: series.period, times: outTimes, values };
}

function lastAtOrBefore(series: Series, t: number): [number, number] | undefined {
  for (let i = series.times.length - 1; i >= 0; i--) {
    if (series.times[i] <= t) return [series.times[i], series.values[i]];
  }
  return undefined;
}

function firstAfter(series: Series, t: number): [number, number] | undefined {
  const i = series.times.findIndex((x) => x > t);
  return i < 0 ? undefined : [series.times[i], series.values[i]];
}

/** One series whose datapoint at each timestamp reduces the datapoints the series have there. */
function acrossSeries(items: readonly Series[], reducer: Reducer): Series {
  const byTime = new Map<number, number[]>();
  for (const s of items) {
    s.times.forEach((t, i) => {
      const list = byTime.get(t);
      if (list) list.push(s.values[i]);
      else byTime.set(t, [s.values[i]]);
    });
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  return {
    period: items[0]?.period ?? 60,
    times,
    values: times.map((t) => reducer(byTime.get(t) as number[])),
  };
}

function sequential(series: Series, name: string): Series {
  const times: number[] = [];
  const values: number[] = [];
  let running = 0;
  series.times.forEach((t, i) => {
    const v = series.values[i];
    if (name === 'RUNNING_SUM') {
      running += v;
      times.push(t);
      values.push(running);
    } else if (i > 0) {
      const diff = v - series.values[i - 1];
      times.push(t);
      values.push(name === 'DIFF' ? diff : diff / ((t - series.times[i - 1]) / 1000));
    }
  });
  return { period: series.period, times, values };
}
