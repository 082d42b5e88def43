/**
 * Event filter patterns, the engine SNS subscription filter policies and Lambda event source FilterCriteria share:
 * parsed and validated once (each service words the errors and sets the rules), then matched against a JSON body
 * or the values a service looks up by key path (SNS message attributes).
 *
 * Hostile input stays cheap: a pattern is size- and depth-checked before anything recurses over it, and matching a
 * body walks only the pattern's key paths, without recursion, so it never throws and never takes more than a few
 * passes over the body.
 */
import { BlockList, isIP } from 'node:net';
import type { AwsError } from '../errors';
import { isObject } from './guards';
import { valueNestsDeeperThan } from './json-nesting';

export type Scalar = string | number | boolean | null;

type Condition =
  | { kind: 'equals'; value: Scalar }
  | { kind: 'prefix' | 'suffix' | 'equalsIgnoreCase'; value: string }
  | { kind: 'anythingBut'; values: ReadonlySet<Scalar> }
  | { kind: 'anythingButPrefix' | 'anythingButSuffix'; value: string }
  | { kind: 'anythingButIgnoreCase'; values: ReadonlySet<string> }
  | { kind: 'numeric'; bounds: [NumericOperator, number][] }
  | { kind: 'exists'; value: boolean }
  | { kind: 'cidr'; network: BlockList };

type NumericOperator = '=' | '<' | '<=' | '>' | '>=';

/** A key of a pattern: an attribute name, or the path of nested keys in a body. */
interface KeyConditions {
  readonly path: readonly string[];
  readonly conditions: Condition[];
}

/** One alternative of a pattern (a pattern with `$or` has several): every key must match one of its conditions. */
type Branch = Map<string, KeyConditions>;

/** A parsed pattern: it matches when one of its branches does. */
export interface FilterPattern {
  readonly branches: readonly Branch[];
}

/** What differs between the services that use patterns: their error texts, and whether keys may nest. */
export interface PatternRules {
  /** The error for an invalid pattern, given AWS's reason (`Empty arrays are not allowed`, …). */
  readonly invalid: (reason: string) => AwsError;
  /** When set, keys may not nest (SNS's MessageAttributes scope), and this is the error for a nested key. */
  readonly refuseNestedKeys?: () => AwsError;
}

/** AWS (SNS's documented limits, applied to Lambda's patterns too): at most 5 keys and 150 value combinations, 256 KB, 5 levels of nested keys. */
const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;
const MAX_POLICY_BYTES = 256 * 1024;
const MAX_KEY_NESTING = 5;
/** Any JSON nesting (operands, `$or`) beyond this is refused before the recursive checks below walk it. */
const MAX_JSON_NESTING = 32;

/** Parses and validates a pattern, reporting the first problem as `rules` words it. */
export function parseFilterPattern(text: string, rules: PatternRules): FilterPattern {
  const { invalid } = rules;
  if (text.length > MAX_POLICY_BYTES || Buffer.byteLength(text) > MAX_POLICY_BYTES) {
    throw invalid('Filter policy is too long');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(`failed to parse JSON. ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw invalid('Filter policy must be a JSON object');
  if (Object.keys(parsed).length > MAX_KEYS) throw invalid('Filter policy can not have more than 5 keys');
  checkNesting(parsed, rules);
  const combinations = countCombinations(parsed, 1, 1, rules);
  if (combinations > MAX_COMBINATIONS) throw invalid('Filter policy is too complex');
  const branches = flatten(parsed, [], [new Map()], (rule) => compileRule(rule, invalid));
  return { branches };
}

/**
 * Refuses deep patterns before anything recurses over them (a pattern nested 10,000 deep overflowed the stack):
 * nested keys where `rules` refuse them, more than 5 levels of keys, or JSON nested deeper than any valid
 * policy. Iterative, so the depth of the input does not matter.
 */
function checkNesting(policy: Record<string, unknown>, rules: PatternRules): void {
  const stack: [Record<string, unknown>, number][] = [[policy, 1]];
  while (stack.length > 0) {
    const [node, level] = stack.pop() as [Record<string, unknown>, number];
    if (level > 1 && rules.refuseNestedKeys) throw rules.refuseNestedKeys();
    if (level > MAX_KEY_NESTING) throw rules.invalid('Filter policy is too complex');
    for (const [key, value] of Object.entries(node)) {
      if (isObject(value)) stack.push([value, level + 1]);
      else if (key === '$or' && Array.isArray(value)) {
        for (const alternative of value) if (isObject(alternative)) stack.push([alternative, level]);
      }
    }
  }
  if (valueNestsDeeperThan(policy, MAX_JSON_NESTING)) throw rules.invalid('Filter policy is too complex');
}

/** AWS's complexity measure: the product of each key's value count, weighted by nesting depth; `$or` adds up. */
function countCombinations(
  policy: Record<string, unknown>,
  depth: number,
  combinations: number,
  rules: PatternRules,
): number {
  let total = combinations;
  for (const [key, value] of Object.entries(policy)) {
    if (isObject(value)) {
      total = countCombinations(value, depth + 1, total, rules);
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw rules.invalid('Empty arrays are not allowed');
      if (key === '$or') {
        let sum = 0;
        for (const alternative of value) {
          if (!isObject(alternative)) throw rules.invalid('"$or" must be an array of objects');
          sum += countCombinations(alternative, depth, total, rules);
        }
        total = sum;
      } else {
        total = total * value.length * depth;
      }
    } else {
      throw rules.invalid(`"${key}" must be an object or an array`);
    }
  }
  if (rules.refuseNestedKeys && depth > 1) throw rules.refuseNestedKeys();
  return total;
}

/** Flattens nesting into key paths and `$or` into alternative branches. */
function flatten(
  policy: Record<string, unknown>,
  parent: readonly string[],
  branches: Branch[],
  compile: (rule: unknown) => Condition,
): Branch[] {
  let current = branches;
  for (const [key, value] of Object.entries(policy)) {
    if (key === '$or' && Array.isArray(value)) {
      current = value.flatMap((alternative) =>
        flatten(
          alternative as Record<string, unknown>,
          parent,
          current.map((b) => new Map(b)),
          compile,
        ),
      );
      continue;
    }
    const path = [...parent, key];
    if (isObject(value)) {
      current = flatten(value, path, current, compile);
    } else {
      const conditions = (value as unknown[]).map(compile);
      const id = JSON.stringify(path);
      current = current.map((branch) => {
        const next = new Map(branch);
        next.set(id, { path, conditions: [...(next.get(id)?.conditions ?? []), ...conditions] });
        return next;
      });
    }
  }
  return current;
}

function compileRule(rule: unknown, invalid: (reason: string) => AwsError): Condition {
  if (rule === null || typeof rule === 'string' || typeof rule === 'boolean')
    return { kind: 'equals', value: rule };
  if (typeof rule === 'number') return { kind: 'equals', value: rule };
  if (!isObject(rule)) throw invalid('Match value must be String, number, true, false, or null');
  const entries = Object.entries(rule);
  if (entries.length !== 1) throw invalid('Only one key allowed in match expression');
  const [operator, operand] = entries[0];
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw invalid(`${operator} match pattern must be a string`);
      return {
        kind: operator === 'equals-ignore-case' ? 'equalsIgnoreCase' : operator,
        value: operand,
      };
    case 'anything-but':
      return compileAnythingBut(operand, invalid);
    case 'exists':
      if (typeof operand !== 'boolean') {
        throw invalid('exists match pattern must be either true or false.');
      }
      return { kind: 'exists', value: operand };
    case 'numeric':
      return { kind: 'numeric', bounds: compileNumeric(operand, invalid) };
    case 'cidr':
      return { kind: 'cidr', network: compileCidr(operand, invalid) };
    default:
      throw invalid(`Unrecognized match type ${operator}`);
  }
}

function compileAnythingBut(operand: unknown, invalid: (reason: string) => AwsError): Condition {
  if (typeof operand === 'string' || typeof operand === 'number')
    return { kind: 'anythingBut', values: new Set([operand]) };
  if (Array.isArray(operand)) {
    if (operand.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
      throw invalid('Inside anything but list, start|null|boolean is not supported.');
    }
    // a set: a list of 50,000 values against a body array of 50,000 must not compare every pair
    return { kind: 'anythingBut', values: new Set(operand as Scalar[]) };
  }
  if (isObject(operand)) {
    const entries = Object.entries(operand);
    if (entries.length !== 1) throw invalid('Only one key allowed in match expression');
    const [inner, value] = entries[0];
    if (inner === 'prefix' || inner === 'suffix') {
      if (typeof value !== 'string') throw invalid(`${inner} match pattern must be a string`);
      return { kind: inner === 'prefix' ? 'anythingButPrefix' : 'anythingButSuffix', value };
    }
    if (inner === 'equals-ignore-case') {
      const values = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) {
        throw invalid('equals-ignore-case match pattern must be a string');
      }
      return {
        kind: 'anythingButIgnoreCase',
        values: new Set((values as string[]).map((v) => v.toLowerCase())),
      };
    }
    throw invalid(`Unsupported anything-but pattern: ${inner}`);
  }
  throw invalid('Value of anything-but must be an array or single string/number value.');
}

const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

function compileNumeric(
  operand: unknown,
  invalid: (reason: string) => AwsError,
): [NumericOperator, number][] {
  if (!Array.isArray(operand) || operand.length === 0) {
    throw invalid('Invalid member in numeric match: ]');
  }
  const [op1, v1, op2, v2, ...rest] = operand as unknown[];
  if (typeof op1 !== 'string') throw invalid(`Invalid member in numeric match: ${String(op1)}`);
  if (!NUMERIC_OPERATORS.has(op1)) throw invalid(`Unrecognized numeric range operator: ${op1}`);
  if (typeof v1 !== 'number') throw invalid(`Value of ${op1 === '=' ? 'equals' : op1} must be numeric`);
  const bounds: [NumericOperator, number][] = [[op1 as NumericOperator, v1]];
  if (operand.length === 2) return bounds;
  if (op1 !== '>' && op1 !== '>=') throw invalid('Too many elements in numeric expression');
  if (typeof op2 !== 'string') throw invalid(`Bad value in numeric range: ${String(op2)}`);
  if (op2 !== '<' && op2 !== '<=') throw invalid(`Bad numeric range operator: ${op2}`);
  if (typeof v2 !== 'number') throw invalid(`Value of ${op2} must be numeric`);
  if (v2 <= v1) throw invalid('Bottom must be less than top');
  if (rest.length > 0) throw invalid('Too many terms in numeric range expression');
  bounds.push([op2, v2]);
  return bounds;
}

function compileCidr(operand: unknown, invalid: (reason: string) => AwsError): BlockList {
  // AWS: a non-string cidr operand is reported with the prefix message
  if (typeof operand !== 'string') throw invalid('prefix match pattern must be a string');
  const parts = operand.split('/');
  if (parts.length !== 2) throw invalid("Malformed CIDR, one '/' required");
  const [address, mask] = parts;
  if (!/^\d+$/.test(mask)) throw invalid('Malformed CIDR, mask bits must be an integer');
  const family = isIP(address);
  const bits = Number(mask);
  if (family === 0 || bits > (family === 4 ? 32 : 128)) {
    throw invalid(`Nonstandard IP address: ${address}`);
  }
  const network = new BlockList();
  network.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
  return network;
}

// ----- matching ---------------------------------------------------------------------------------------------

/** Values of one key: absent (undefined) or the scalars found there (arrays contribute each element). */
export type Lookup = (path: readonly string[]) => Scalar[] | undefined;

/** A body (an SNS message, a Lambda event record) parsed once for all the patterns it meets: its JSON object, if any. */
export interface ParsedBody {
  readonly root: Readonly<Record<string, unknown>> | undefined;
}

export function parseBody(body: string): ParsedBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { root: undefined };
  }
  return { root: isObject(parsed) ? parsed : undefined };
}

/** AWS: a pattern on a body matches only a body that is a JSON object. */
export function matchesBody(pattern: FilterPattern, body: string | ParsedBody): boolean {
  const { root } = typeof body === 'string' ? parseBody(body) : body;
  if (root === undefined) return false;
  const seen = new Map<string, Scalar[] | undefined>();
  return matchesLookup(pattern, (path) => {
    const id = JSON.stringify(path);
    if (!seen.has(id)) seen.set(id, valuesAt(root, path));
    return seen.get(id);
  });
}

/** Whether `pattern` matches the values `lookup` finds for each key path. */
export function matchesLookup(pattern: FilterPattern, lookup: Lookup): boolean {
  return pattern.branches.some((branch) => {
    for (const { path, conditions } of branch.values()) {
      const values = lookup(path);
      if (!conditions.some((condition) => conditionMatches(condition, values))) return false;
    }
    return true;
  });
}

/**
 * The scalars at `path` in a body: each key step looks into objects, and arrays on the way (nested or not)
 * contribute each element, so `{"items":[{"sku":"A"},{"sku":"B"}]}` has `items.sku` = A, B. Undefined when no
 * object on the way has the key, or the key only holds objects (AWS matches leaves). Walks only the nodes on the
 * path, with an explicit stack: a body nested 100,000 deep is no harder than a flat one.
 */
function valuesAt(root: Readonly<Record<string, unknown>>, path: readonly string[]): Scalar[] | undefined {
  let nodes: unknown[] = [root];
  for (const key of path) {
    const next: unknown[] = [];
    for (const node of flattenArrays(nodes)) {
      if (isObject(node) && Object.hasOwn(node, key)) next.push(node[key]);
    }
    if (next.length === 0) return undefined;
    nodes = next;
  }
  // an array at the leaf makes the key exist even when empty; objects there are not values
  const found = nodes.some((node) => !isObject(node));
  if (!found) return undefined;
  return flattenArrays(nodes).filter((node): node is Scalar => !isObject(node));
}

/** The objects and scalars among `nodes`, arrays (at any nesting) replaced by their elements; order does not matter. */
function flattenArrays(nodes: unknown[]): unknown[] {
  const out: unknown[] = [];
  const stack = [...nodes];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) for (const item of node) stack.push(item);
    else out.push(node);
  }
  return out;
}

function conditionMatches(condition: Condition, values: Scalar[] | undefined): boolean {
  if (condition.kind === 'exists') return condition.value === (values !== undefined);
  if (values === undefined) return false;
  return values.some((value) => valueMatches(condition, value));
}

function valueMatches(condition: Condition, value: Scalar): boolean {
  switch (condition.kind) {
    case 'equals':
      return value === condition.value;
    case 'prefix':
      return typeof value === 'string' && value.startsWith(condition.value);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(condition.value);
    case 'equalsIgnoreCase':
      return typeof value === 'string' && value.toLowerCase() === condition.value.toLowerCase();
    case 'anythingBut':
      return !condition.values.has(value);
    case 'anythingButPrefix':
      return typeof value === 'string' && !value.startsWith(condition.value);
    case 'anythingButSuffix':
      return typeof value === 'string' && !value.endsWith(condition.value);
    case 'anythingButIgnoreCase':
      return typeof value === 'string' && !condition.values.has(value.toLowerCase());
    case 'numeric':
      return typeof value === 'number' && condition.bounds.every(([op, bound]) => compare(op, value, bound));
    case 'cidr': {
      if (typeof value !== 'string') return false;
      const family = isIP(value);
      return family !== 0 && condition.network.check(value, family === 4 ? 'ipv4' : 'ipv6');
    }
    case 'exists':
      return false;
  }
}

function compare(op: NumericOperator, value: number, bound: number): boolean {
  switch (op) {
    case '=':
      return value === bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}
