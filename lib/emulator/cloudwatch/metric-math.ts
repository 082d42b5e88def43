/**
 * CloudWatch metric math: parses an expression (`m1 / m2 * 100`, `SUM([m1, m2])`, `FILL(m1, 0)`,
 * `IF(m1 > 10, 1, 0)`) and evaluates it over time series. Pure: the caller resolves query ids to series.
 *
 * Semantics follow AWS's: arithmetic between two series keeps the timestamps both have; a scalar applies to every
 * datapoint; SUM/AVG/MIN/MAX/STDDEV of one series is a scalar and of an array of series is a series (missing
 * datapoints skipped); FILL fills every period of the query's range; division by zero drops the datapoint.
 *
 * Bounded for hostile input: an expression is at most 2048 characters (AWS's limit) and nests at most
 * MAX_EXPRESSION_NESTING levels, so neither parsing nor evaluation can overflow the stack (a long chain such as
 * `m1 + m1 + …` is folded in a loop); FILL creates at most `maxDatapoints` datapoints whatever the time range; and
 * `spend` is told the size of every series the evaluation walks or creates, so the caller can cap the total.
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
  /** At most this many datapoints in a series FILL creates; default MAX_DATAPOINTS. */
  readonly maxDatapoints?: number;
  /** Which end of the range FILL keeps when it has to cut: the oldest periods, or (default) the newest. */
  readonly oldestFirst?: boolean;
  /** Told that a result was cut to `maxDatapoints` (GetMetricData reports it as PartialData). */
  truncated?(): void;
  /** Told how many datapoints each step walks or creates; throws (a MathError) to stop a too costly request. */
  spend?(datapoints: number): void;
}

/** AWS: GetMetricData returns at most 100,800 datapoints per call. */
export const MAX_DATAPOINTS = 100_800;
/** AWS: an expression is at most 2048 characters. */
export const MAX_EXPRESSION_LENGTH = 2048;
/** Parentheses, brackets, calls, unary operators and powers nested deeper than this are refused (the stack's bound). */
export const MAX_EXPRESSION_NESTING = 100;

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
  /** The operator the token is: its text for an operator, `&&`/`||` for the names AND/OR, else undefined. */
  op?: string;
}

const TWO_CHARACTER_OPERATORS = new Set(['<=', '>=', '==', '!=', '&&', '||']);
const ONE_CHARACTER_OPERATORS = new Set(['+', '-', '*', '/', '^', '<', '>', '(', ')', '[', ']', ',']);
const WHITESPACE = /\s/;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNamePart = (c: number) => isNameStart(c) || isDigit(c);

/** Splits an expression into tokens in one pass, character by character (no regular expression, no backtracking). */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13) || (c > 127 && WHITESPACE.test(text[i]))) {
      i++;
      continue;
    }
    // numbers: 12, 1.5, 1., .5, with an optional exponent (1e3, 2.5E-4)
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let j = i;
      while (isDigit(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === 46) {
        j++;
        while (isDigit(text.charCodeAt(j))) j++;
      }
      if (text[j] === 'e' || text[j] === 'E') {
        let k = j + 1;
        if (text[k] === '+' || text[k] === '-') k++;
        if (isDigit(text.charCodeAt(k))) {
          while (isDigit(text.charCodeAt(k))) k++;
          j = k;
        }
      }
      tokens.push({ kind: 'number', text: text.slice(i, j) });
      i = j;
      continue;
    }
    if (isNameStart(c)) {
      let j = i + 1;
      while (isNamePart(text.charCodeAt(j))) j++;
      const name = text.slice(i, j);
      tokens.push({ kind: 'name', text: name, op: Object.hasOwn(LOGICAL, name) ? LOGICAL[name] : undefined });
      i = j;
      continue;
    }
    if (c === 34 || c === 39) {
      const close = text.indexOf(text[i], i + 1);
      if (close < 0) throw new MathError('Invalid syntax');
      tokens.push({ kind: 'string', text: text.slice(i + 1, close) });
      i = close + 1;
      continue;
    }
    const two = text.slice(i, i + 2);
    const op = TWO_CHARACTER_OPERATORS.has(two) ? two : text[i];
    if (!TWO_CHARACTER_OPERATORS.has(op) && !ONE_CHARACTER_OPERATORS.has(op))
      throw new MathError('Invalid syntax');
    tokens.push({ kind: 'op', text: op, op });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

const KEYWORDS = new Set(['REPEAT', 'LINEAR']);
const LOGICAL: Record<string, string> = { AND: '&&', OR: '||' };

/**
 * Parses an expression; throws MathError with AWS's "Invalid syntax" wording when it is malformed. Recursive descent,
 * with every recursion that can repeat (parentheses, brackets, call arguments, unary operators, powers) counted
 * against MAX_EXPRESSION_NESTING; chains of binary operators are parsed in a loop.
 */
export function parseExpression(text: string): Expression {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new MathError(`The expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  const tokens = tokenize(text);
  let pos = 0;
  let depth = 0;
  const peek = () => tokens[pos];
  const isOp = (op: string) => tokens[pos].op === op;
  const next = () => tokens[pos++];
  const expect = (op: string) => {
    if (!isOp(op)) throw new MathError('Invalid syntax');
    next();
  };
  const nested = <T>(parse: () => T): T => {
    if (++depth > MAX_EXPRESSION_NESTING) {
      throw new MathError(`The expression nests more than ${MAX_EXPRESSION_NESTING} levels deep`);
    }
    try {
      return parse();
    } finally {
      depth--;
    }
  };

  const binaryLevel =
    (ops: ReadonlySet<string>, inner: () => Node): (() => Node) =>
    () => {
      let left = inner();
      for (let op = tokens[pos].op; op !== undefined && ops.has(op); op = tokens[pos].op) {
        next();
        left = { type: 'binary', op, left, right: inner() };
      }
      return left;
    };

  const primary = (): Node => {
    const t = next();
    if (t.kind === 'number') return { type: 'number', value: Number(t.text) };
    if (t.kind === 'string') return { type: 'string', value: t.text };
    if (t.kind === 'op' && t.text === '(') {
      const inner = nested(expression);
      expect(')');
      return inner;
    }
    if (t.kind === 'op' && t.text === '[') {
      return nested(() => {
        const items = [expression()];
        while (isOp(',')) {
          next();
          items.push(expression());
        }
        expect(']');
        return { type: 'array', items };
      });
    }
    if (t.kind === 'name') {
      if (isOp('(')) {
        next();
        return nested(() => {
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
        });
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
      return { type: 'binary', op: '^', left: base, right: nested(unary) };
    }
    return base;
  };
  const unary = (): Node => {
    if (isOp('-')) {
      next();
      return { type: 'unary', op: '-', operand: nested(unary) };
    }
    if (peek().kind === 'name' && peek().text === 'NOT' && tokens[pos + 1]?.text !== '(') {
      next();
      return { type: 'unary', op: '!', operand: nested(unary) };
    }
    return power();
  };
  const product = binaryLevel(new Set(['*', '/']), unary);
  const sum = binaryLevel(new Set(['+', '-']), product);
  const comparison = binaryLevel(new Set(['<', '>', '<=', '>=', '==', '!=']), sum);
  const conjunction = binaryLevel(new Set(['&&']), comparison);
  const expression = binaryLevel(new Set(['||']), conjunction);

  const root = expression();
  if (peek().kind !== 'end') throw new MathError('Invalid syntax');
  return root;
}

/** The query ids an expression refers to (METRICS() refers to every MetricStat query), found without recursion. */
export function referencedIds(root: Expression): string[] {
  const ids: string[] = [];
  const pending: Node[] = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    switch (node.type) {
      case 'id':
        ids.push(node.name);
        break;
      // children pushed last first, so that ids come out left to right
      case 'array':
        for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i]);
        break;
      case 'unary':
        pending.push(node.operand);
        break;
      case 'binary':
        pending.push(node.right, node.left);
        break;
      case 'call':
        for (let i = node.args.length - 1; i >= 0; i--) pending.push(node.args[i]);
        break;
      default:
        break;
    }
  }
  return ids;
}

// ----- evaluation -----------------------------------------------------------------------------------------------

type BinaryNode = Extract<Node, { type: 'binary' }>;

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
      return node.op === '-'
        ? mapValue(operand, (v) => -v, context)
        : mapValue(operand, (v) => (v === 0 ? 1 : 0), context);
    }
    case 'binary': {
      // a chain leaning left (m1 + m2 - m3 * 2 …) is walked down its left spine in a loop: a chain is as long as the
      // expression allows, not bounded by its nesting
      const spine: BinaryNode[] = [];
      let left: Node = node;
      while (left.type === 'binary') {
        spine.push(left);
        left = left.left;
      }
      let value = evaluateExpression(left, context);
      for (let i = spine.length - 1; i >= 0; i--) {
        value = binary(spine[i].op, value, evaluateExpression(spine[i].right, context), context);
      }
      return value;
    }
    case 'call':
      return call(node.name, node.args, context);
  }
}

function spend(context: MathContext, datapoints: number): void {
  context.spend?.(datapoints);
}

function scalar(value: number): MathValue {
  return { kind: 'scalar', value };
}

function seriesValue(series: Series): MathValue {
  return { kind: 'series', series };
}

/** Applies `f` to every datapoint, dropping results that are not finite numbers. */
function mapSeries(series: Series, f: (v: number, t: number) => number, context: MathContext): Series {
  spend(context, series.times.length);
  const times: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < series.times.length; i++) {
    const t = series.times[i];
    const v = f(series.values[i], t);
    if (Number.isFinite(v)) {
      times.push(t);
      values.push(v);
    }
  }
  return { period: series.period, times, values };
}

function mapValue(value: MathValue, f: (v: number) => number, context: MathContext): MathValue {
  switch (value.kind) {
    case 'scalar':
      return scalar(f(value.value));
    case 'series':
      return seriesValue(mapSeries(value.series, f, context));
    case 'array':
      return { kind: 'array', items: value.items.map((s) => mapSeries(s, f, context)) };
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
function zipSeries(a: Series, b: Series, f: (x: number, y: number) => number, context: MathContext): Series {
  spend(context, a.times.length + b.times.length);
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

function binary(op: string, left: MathValue, right: MathValue, context: MathContext): MathValue {
  const f = BINARY[op];
  if (left.kind === 'scalar' && right.kind === 'scalar') return scalar(f(left.value, right.value));
  if (left.kind === 'scalar') return mapValue(right, (v) => f(left.value, v), context);
  if (right.kind === 'scalar') return mapValue(left, (v) => f(v, right.value), context);
  if (left.kind === 'series' && right.kind === 'series')
    return seriesValue(zipSeries(left.series, right.series, f, context));
  if (left.kind === 'array' && right.kind === 'series') {
    return { kind: 'array', items: left.items.map((s) => zipSeries(s, right.series, f, context)) };
  }
  if (left.kind === 'series' && right.kind === 'array') {
    return { kind: 'array', items: right.items.map((s) => zipSeries(left.series, s, f, context)) };
  }
  throw new MathError('Operations between two arrays of time series are not supported');
}

type Reducer = (values: readonly number[]) => number;

function total(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum;
}

// loops, not Math.min(...values): spreading a long series as arguments overflows the stack
const REDUCERS: Record<string, Reducer> = {
  SUM: total,
  AVG: (v) => total(v) / v.length,
  MIN: (v) => {
    let min = Infinity;
    for (const x of v) if (x < min) min = x;
    return min;
  },
  MAX: (v) => {
    let max = -Infinity;
    for (const x of v) if (x > max) max = x;
    return max;
  },
  STDDEV: (v) => {
    const mean = total(v) / v.length;
    let squares = 0;
    for (const x of v) squares += (x - mean) ** 2;
    return Math.sqrt(squares / v.length);
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
      spend(context, value.series.values.length);
      return value.series.values.length === 0 ? scalar(NaN) : scalar(reducer(value.series.values));
    }
    return seriesValue(acrossSeries(value.items, reducer, context));
  }
  switch (name) {
    case 'ABS':
    case 'CEIL':
    case 'FLOOR': {
      arity(1);
      const f = name === 'ABS' ? Math.abs : name === 'CEIL' ? Math.ceil : Math.floor;
      return mapValue(arg(0), f, context);
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
      const byTime = (v: MathValue | undefined) => {
        if (v?.kind !== 'series') return undefined;
        spend(context, v.series.times.length);
        return new Map(v.series.times.map((t, i) => [t, v.series.values[i]] as const));
      };
      const thenAt = byTime(then);
      const otherwiseAt = byTime(otherwise);
      const pick = (v: MathValue | undefined, at: Map<number, number> | undefined, t: number): number => {
        if (v === undefined) return NaN;
        if (v.kind === 'scalar') return v.value;
        if (v.kind === 'series') return at?.get(t) ?? NaN;
        throw new MathError('IF expects time series or scalars');
      };
      return seriesValue(
        mapSeries(
          condition.series,
          (c, t) => (c !== 0 ? pick(then, thenAt, t) : pick(otherwise, otherwiseAt, t)),
          context,
        ),
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
      const apply = (s: Series) => sequential(s, name, context);
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

/**
 * The periods FILL fills: the series' own start alignment continued across [start, end), at most `maxDatapoints`
 * of them (the newest, or the oldest when the caller scans oldest first). Computed, never enumerated: the range may
 * span centuries.
 */
function grid(series: Series, context: MathContext): { first: number; step: number; count: number } {
  const step = series.period * 1000;
  const anchor = series.times.length > 0 ? series.times[0] : context.start;
  let first = anchor - Math.floor((anchor - context.start) / step) * step;
  if (first < context.start) first += step;
  let count = first < context.end ? Math.ceil((context.end - first) / step) : 0;
  const cap = context.maxDatapoints ?? MAX_DATAPOINTS;
  if (count > cap) {
    context.truncated?.();
    if (!context.oldestFirst) first += (count - cap) * step;
    count = cap;
  }
  return { first, step, count };
}

function fillSeries(series: Series, context: MathContext, how: number | string): Series {
  const { first, step, count } = grid(series, context);
  const { times: known, values: knownValues } = series;
  spend(context, count + known.length);
  const times: number[] = [];
  const values: number[] = [];
  // j: the first datapoint at or after t (both walk forward, so the whole fill is one pass)
  let j = 0;
  for (let k = 0; k < count; k++) {
    const t = first + k * step;
    while (j < known.length && known[j] < t) j++;
    let filled: number | undefined;
    if (j < known.length && known[j] === t) filled = knownValues[j];
    else if (typeof how === 'number') filled = how;
    else {
      // known[j - 1] is the last datapoint before t, known[j] the first after it
      const before = j > 0 ? j - 1 : undefined;
      const after = j < known.length ? j : undefined;
      if (how === 'REPEAT') {
        const from = before ?? after;
        filled = from === undefined ? undefined : knownValues[from];
      } else if (before !== undefined && after !== undefined) {
        filled =
          knownValues[before] +
          ((knownValues[after] - knownValues[before]) * (t - known[before])) / (known[after] - known[before]);
      }
    }
    if (filled !== undefined) {
      times.push(t);
      values.push(filled);
    }
  }
  return { period: series.period, times, values };
}

/** One series whose datapoint at each timestamp reduces the datapoints the series have there. */
function acrossSeries(items: readonly Series[], reducer: Reducer, context: MathContext): Series {
  const byTime = new Map<number, number[]>();
  for (const s of items) {
    spend(context, s.times.length);
    for (let i = 0; i < s.times.length; i++) {
      const t = s.times[i];
      const list = byTime.get(t);
      if (list) list.push(s.values[i]);
      else byTime.set(t, [s.values[i]]);
    }
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  return {
    period: items[0]?.period ?? 60,
    times,
    values: times.map((t) => reducer(byTime.get(t) as number[])),
  };
}

function sequential(series: Series, name: string, context: MathContext): Series {
  spend(context, series.times.length);
  const times: number[] = [];
  const values: number[] = [];
  let running = 0;
  for (let i = 0; i < series.times.length; i++) {
    const t = series.times[i];
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
  }
  return { period: series.period, times, values };
}
