/**
 * CloudWatch Logs filter patterns (FilterLogEvents' `filterPattern`): terms, quoted phrases, `?term` alternatives,
 * `-term` exclusions, and JSON patterns `{ $.field = value }` with = != < > <= >=, IS NULL/TRUE/FALSE, NOT EXISTS,
 * && and || and parentheses. Parsed by hand and matched without regular expressions: a pattern is at most 1,024
 * characters, nesting is bounded, and a `*` wildcard is matched in one pass per star.
 *
 * Not emulated (refused by name): space-delimited patterns `[ip, user, ...]` and regular expressions `%...%`.
 */
import { AwsError } from '../errors';

/** AWS: filterPattern is at most 1,024 characters. */
export const MAX_FILTER_PATTERN_LENGTH = 1024;
/** Deeper than any useful pattern nests; bounds the parser's recursion. */
const MAX_NESTING = 32;

type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=';

type JsonValue =
  { readonly kind: 'string'; readonly text: string } | { readonly kind: 'number'; readonly value: number };

type JsonExpression =
  | { readonly kind: 'and'; readonly left: JsonExpression; readonly right: JsonExpression }
  | { readonly kind: 'or'; readonly left: JsonExpression; readonly right: JsonExpression }
  | {
      readonly kind: 'compare';
      readonly path: readonly (string | number)[];
      readonly op: Comparison;
      readonly value: JsonValue;
    }
  | {
      readonly kind: 'test';
      readonly path: readonly (string | number)[];
      readonly test: 'null' | 'true' | 'false' | 'absent';
    };

/** A parsed pattern: test each event's message with {@link matchesMessage}. */
export type FilterPattern =
  | { readonly kind: 'all' }
  | {
      readonly kind: 'terms';
      readonly required: readonly string[];
      readonly alternatives: readonly string[];
      readonly excluded: readonly string[];
    }
  | { readonly kind: 'json'; readonly expression: JsonExpression };

function invalid(detail: string): AwsError {
  return new AwsError('InvalidParameterException', `Invalid filter pattern: ${detail}`);
}

function unsupported(what: string): AwsError {
  return new AwsError(
    'InvalidParameterException',
    `${what} filter patterns are not supported by the local emulator (use terms, "phrases", ?alternatives, -exclusions or JSON { $.field = value } patterns).`,
  );
}

/** Parses a filterPattern; an empty or blank one matches every event. */
export function parseFilterPattern(text: string): FilterPattern {
  if (text.length > MAX_FILTER_PATTERN_LENGTH) {
    throw new AwsError(
      'InvalidParameterException',
      `1 validation error detected: Value at 'filterPattern' failed to satisfy constraint: Member must have length less than or equal to ${MAX_FILTER_PATTERN_LENGTH}`,
    );
  }
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'all' };
  if (trimmed.startsWith('{')) return { kind: 'json', expression: new JsonPatternParser(trimmed).parse() };
  if (trimmed.startsWith('[')) throw unsupported('Space-delimited ([field, ...])');
  if (trimmed.startsWith('%')) throw unsupported('Regular expression (%...%)');
  return parseTerms(trimmed);
}

/** `ERROR "two words" ?WARN -DEBUG`: every plain term, one of the ?terms (if any), none of the -terms. */
function parseTerms(text: string): FilterPattern {
  const required: string[] = [];
  const alternatives: string[] = [];
  const excluded: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (isSpace(text[i])) {
      i++;
      continue;
    }
    let target = required;
    if (text[i] === '?') [target, i] = [alternatives, i + 1];
    else if (text[i] === '-' && i + 1 < text.length && !isSpace(text[i + 1])) [target, i] = [excluded, i + 1];
    let term: string;
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw invalid(`unterminated quoted term at position ${i}`);
      term = text.slice(i + 1, end);
      i = end + 1;
    } else {
      const start = i;
      while (i < text.length && !isSpace(text[i])) {
        if (text[i] === '"' || text[i] === '{' || text[i] === '}') {
          throw invalid(`character '${text[i]}' in an unquoted term (quote terms with special characters)`);
        }
        i++;
      }
      term = text.slice(start, i);
    }
    if (term === '') throw invalid(`empty term at position ${i}`);
    target.push(term);
  }
  return { kind: 'terms', required, alternatives, excluded };
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** `{ $.a.b[0] = "x*" && ($.n > 5 || $.flag IS TRUE) }` by recursive descent, nesting bounded. */
class JsonPatternParser {
  private i = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parse(): JsonExpression {
    this.expect('{');
    const expression = this.or();
    this.expect('}');
    this.skipSpaces();
    if (this.i < this.text.length) throw invalid(`unexpected '${this.text[this.i]}' after the closing brace`);
    return expression;
  }

  private or(): JsonExpression {
    let left = this.and();
    while (this.accept('||')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): JsonExpression {
    let left = this.primary();
    while (this.accept('&&')) left = { kind: 'and', left, right: this.primary() };
    return left;
  }

  private primary(): JsonExpression {
    this.skipSpaces();
    if (this.text[this.i] === '(') {
      if (++this.depth > MAX_NESTING) throw invalid(`parentheses nest deeper than ${MAX_NESTING}`);
      this.i++;
      const inner = this.or();
      this.expect(')');
      this.depth--;
      return inner;
    }
    const path = this.selector();
    this.skipSpaces();
    for (const [words, test] of [
      ['IS NULL', 'null'],
      ['IS TRUE', 'true'],
      ['IS FALSE', 'false'],
      ['NOT EXISTS', 'absent'],
    ] as const) {
      if (this.acceptWords(words)) return { kind: 'test', path, test };
    }
    const op = (['!=', '<=', '>=', '=', '<', '>'] as const).find((o) => this.accept(o));
    if (!op) throw invalid(`expected a comparison (= != < <= > >=) at position ${this.i}`);
    const value = this.value();
    if (value.kind === 'string' && op !== '=' && op !== '!=') {
      throw invalid(`${op} compares numbers, got "${value.text}"`);
    }
    return { kind: 'compare', path, op, value };
  }

  /** `$.a.b[2].c`: keys and array indexes. */
  private selector(): (string | number)[] {
    this.skipSpaces();
    if (!this.text.startsWith('$', this.i))
      throw invalid(`expected a selector ($.field) at position ${this.i}`);
    this.i++;
    const path: (string | number)[] = [];
    for (;;) {
      const c = this.text[this.i];
      if (c === '.') {
        this.i++;
        const start = this.i;
        while (this.i < this.text.length && /[A-Za-z0-9_\-@:]/.test(this.text[this.i])) this.i++;
        if (this.i === start) throw invalid(`expected a field name at position ${start}`);
        path.push(this.text.slice(start, this.i));
      } else if (c === '[') {
        const end = this.text.indexOf(']', this.i);
        const index = end < 0 ? '' : this.text.slice(this.i + 1, end);
        if (index === '*') throw unsupported('Array wildcard ($.list[*])');
        if (!/^\d{1,6}$/.test(index)) throw invalid(`expected an array index at position ${this.i}`);
        path.push(Number(index));
        this.i = end + 1;
      } else break;
    }
    if (path.length === 0) throw invalid('a selector names a field: $.field');
    return path;
  }

  private value(): JsonValue {
    this.skipSpaces();
    if (this.text[this.i] === '"') {
      const end = this.text.indexOf('"', this.i + 1);
      if (end < 0) throw invalid(`unterminated string at position ${this.i}`);
      const text = this.text.slice(this.i + 1, end);
      this.i = end + 1;
      return { kind: 'string', text };
    }
    const start = this.i;
    while (this.i < this.text.length && /[A-Za-z0-9_.+\-*:/]/.test(this.text[this.i])) this.i++;
    const word = this.text.slice(start, this.i);
    if (word === '') throw invalid(`expected a value at position ${start}`);
    const number = Number(word);
    return /^[-+]?\d/.test(word) && Number.isFinite(number)
      ? { kind: 'number', value: number }
      : { kind: 'string', text: word };
  }

  private skipSpaces(): void {
    while (this.i < this.text.length && isSpace(this.text[this.i])) this.i++;
  }

  private accept(token: string): boolean {
    this.skipSpaces();
    if (!this.text.startsWith(token, this.i)) return false;
    this.i += token.length;
    return true;
  }

  /** `IS NULL` with any spacing between the words, case-insensitive as AWS reads them. */
  private acceptWords(words: string): boolean {
    const start = this.i;
    for (const word of words.split(' ')) {
      this.skipSpaces();
      if (this.text.slice(this.i, this.i + word.length).toUpperCase() !== word) {
        this.i = start;
        return false;
      }
      this.i += word.length;
    }
    return true;
  }

  private expect(token: string): void {
    if (!this.accept(token)) throw invalid(`expected '${token}' at position ${this.i}`);
  }
}

/** Whether an event's message matches a parsed pattern. */
export function matchesMessage(pattern: FilterPattern, message: string): boolean {
  switch (pattern.kind) {
    case 'all':
      return true;
    case 'terms':
      return (
        pattern.required.every((t) => message.includes(t)) &&
        (pattern.alternatives.length === 0 || pattern.alternatives.some((t) => message.includes(t))) &&
        !pattern.excluded.some((t) => message.includes(t))
      );
    case 'json': {
      // AWS: a JSON pattern matches only events whose message is a JSON object
      const start = message.trimStart();
      if (!start.startsWith('{')) return false;
      let document: unknown;
      try {
        document = JSON.parse(message);
      } catch {
        return false;
      }
      return evaluate(pattern.expression, document);
    }
  }
}

/** Recursion depth is bounded: a 1,024-character pattern chains at most a few hundred && and ||. */
function evaluate(expression: JsonExpression, document: unknown): boolean {
  if (expression.kind === 'and' || expression.kind === 'or') {
    const left = evaluate(expression.left, document);
    return expression.kind === 'and'
      ? left && evaluate(expression.right, document)
      : left || evaluate(expression.right, document);
  }
  const found = lookup(document, expression.path);
  if (expression.kind === 'test') {
    switch (expression.test) {
      case 'absent':
        return !found.present;
      case 'null':
        return found.present && found.value === null;
      case 'true':
        return found.value === true;
      case 'false':
        return found.value === false;
    }
  }
  if (!found.present) return false;
  const { op, value } = expression;
  if (value.kind === 'number') {
    if (typeof found.value !== 'number') return op === '!=';
    return compareNumbers(found.value, op, value.value);
  }
  const actual =
    typeof found.value === 'string'
      ? found.value
      : typeof found.value === 'boolean' || found.value === null
        ? String(found.value)
        : undefined;
  const equal = actual !== undefined && wildcardMatch(value.text, actual);
  return op === '=' ? equal : !equal;
}

function compareNumbers(actual: number, op: Comparison, expected: number): boolean {
  switch (op) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
  }
}

function lookup(
  document: unknown,
  path: readonly (string | number)[],
): { present: boolean; value?: unknown } {
  let current = document;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) return { present: false };
      current = current[step];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current))
        return { present: false };
      if (!Object.hasOwn(current, step)) return { present: false };
      current = (current as Record<string, unknown>)[step];
    }
  }
  return { present: true, value: current };
}

/**
 * `*` matches any run of characters; everything else literally. Greedy by segments: each literal part is found
 * with indexOf after the previous one, so the cost is linear in the text per part (no backtracking).
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  if (!pattern.includes('*')) return pattern === text;
  const parts = pattern.split('*');
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!text.startsWith(first)) return false;
  let position = first.length;
  for (const part of parts.slice(1, -1)) {
    if (part === '') continue;
    const found = text.indexOf(part, position);
    if (found < 0) return false;
    position = found + part.length;
  }
  return text.length - last.length >= position && text.endsWith(last);
}
