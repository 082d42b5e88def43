/**
 * SNS subscription filter policies: parsed and validated once (on Subscribe and SetSubscriptionAttributes, with
 * AWS's messages), then matched against each published message's attributes or JSON body.
 */
import { BlockList, isIP } from 'node:net';
import { AwsError } from '../errors';

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

type Scalar = string | number | boolean | null;

type Condition =
  | { kind: 'equals'; value: Scalar }
  | { kind: 'prefix' | 'suffix' | 'equalsIgnoreCase'; value: string }
  | { kind: 'anythingBut'; values: Scalar[] }
  | { kind: 'anythingButPrefix' | 'anythingButSuffix'; value: string }
  | { kind: 'anythingButIgnoreCase'; values: string[] }
  | { kind: 'numeric'; bounds: [NumericOperator, number][] }
  | { kind: 'exists'; value: boolean }
  | { kind: 'cidr'; network: BlockList };

type NumericOperator = '=' | '<' | '<=' | '>' | '>=';

/** One alternative of a policy (a policy with `$or` has several): every key must match one of its conditions. */
type Branch = Map<string, Condition[]>;

export interface FilterPolicy {
  readonly scope: FilterPolicyScope;
  readonly branches: readonly Branch[];
}

/** A message attribute as SNS carries it. */
export interface FilterableAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
}

/** AWS: at most 5 keys and 150 value combinations per policy. */
const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;

/**
 * Parses and validates a filter policy. `context` selects AWS's message prefix: Subscribe reports
 * `Invalid parameter: Attributes Reason: FilterPolicy: …`, SetSubscriptionAttributes `Invalid parameter: FilterPolicy: …`.
 */
export function parseFilterPolicy(
  text: string,
  scope: FilterPolicyScope,
  context: 'Subscribe' | 'SetSubscriptionAttributes',
): FilterPolicy {
  const prefix = context === 'Subscribe' ? 'Invalid parameter: Attributes Reason: ' : 'Invalid parameter: ';
  const fail = (message: string) => new AwsError('InvalidParameter', `${prefix}${message}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw fail(`FilterPolicy: failed to parse JSON. ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw fail('FilterPolicy: Filter policy must be a JSON object');
  if (Object.keys(parsed).length > MAX_KEYS)
    throw fail('FilterPolicy: Filter policy can not have more than 5 keys');
  const combinations = countCombinations(parsed, 1, 1, scope, fail);
  if (combinations > MAX_COMBINATIONS) throw fail('FilterPolicy: Filter policy is too complex');
  const branches = flatten(parsed, '', [new Map()], (rule) => compileRule(rule, fail));
  return { scope, branches };
}

/** AWS's complexity measure: the product of each key's value count, weighted by nesting depth; `$or` adds up. */
function countCombinations(
  policy: Record<string, unknown>,
  depth: number,
  combinations: number,
  scope: FilterPolicyScope,
  fail: (m: string) => AwsError,
): number {
  let total = combinations;
  for (const [key, value] of Object.entries(policy)) {
    if (isObject(value)) {
      total = countCombinations(value, depth + 1, total, scope, fail);
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw fail('FilterPolicy: Empty arrays are not allowed');
      if (key === '$or') {
        let sum = 0;
        for (const alternative of value) {
          if (!isObject(alternative)) throw fail('FilterPolicy: "$or" must be an array of objects');
          sum += countCombinations(alternative, depth, total, scope, fail);
        }
        total = sum;
      } else {
        total = total * value.length * depth;
      }
    } else {
      throw fail(`FilterPolicy: "${key}" must be an object or an array`);
    }
  }
  if (scope === 'MessageAttributes' && depth > 1) {
    throw fail('Filter policy scope MessageAttributes does not support nested filter policy');
  }
  return total;
}

/** Flattens nesting into dotted keys and `$or` into alternative branches. */
function flatten(
  policy: Record<string, unknown>,
  parent: string,
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
    const path = parent ? `${parent}.${key}` : key;
    if (isObject(value)) {
      current = flatten(value, path, current, compile);
    } else {
      const conditions = (value as unknown[]).map(compile);
      current = current.map((branch) => {
        const next = new Map(branch);
        next.set(path, [...(next.get(path) ?? []), ...conditions]);
        return next;
      });
    }
  }
  return current;
}

function compileRule(rule: unknown, fail: (m: string) => AwsError): Condition {
  if (rule === null || typeof rule === 'string' || typeof rule === 'boolean')
    return { kind: 'equals', value: rule };
  if (typeof rule === 'number') return { kind: 'equals', value: rule };
  if (!isObject(rule)) throw fail('FilterPolicy: Match value must be String, number, true, false, or null');
  const entries = Object.entries(rule);
  if (entries.length !== 1) throw fail('FilterPolicy: Only one key allowed in match expression');
  const [operator, operand] = entries[0];
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw fail(`FilterPolicy: ${operator} match pattern must be a string`);
      return {
        kind: operator === 'equals-ignore-case' ? 'equalsIgnoreCase' : operator,
        value: operand,
      };
    case 'anything-but':
      return compileAnythingBut(operand, fail);
    case 'exists':
      if (typeof operand !== 'boolean') {
        throw fail('FilterPolicy: exists match pattern must be either true or false.');
      }
      return { kind: 'exists', value: operand };
    case 'numeric':
      return { kind: 'numeric', bounds: compileNumeric(operand, fail) };
    case 'cidr':
      return { kind: 'cidr', network: compileCidr(operand, fail) };
    default:
      throw fail(`FilterPolicy: Unrecognized match type ${operator}`);
  }
}

function compileAnythingBut(operand: unknown, fail: (m: string) => AwsError): Condition {
  if (typeof operand === 'string' || typeof operand === 'number')
    return { kind: 'anythingBut', values: [operand] };
  if (Array.isArray(operand)) {
    if (operand.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
      throw fail('FilterPolicy: Inside anything but list, start|null|boolean is not supported.');
    }
    return { kind: 'anythingBut', values: operand as Scalar[] };
  }
  if (isObject(operand)) {
    const entries = Object.entries(operand);
    if (entries.length !== 1) throw fail('FilterPolicy: Only one key allowed in match expression');
    const [inner, value] = entries[0];
    if (inner === 'prefix' || inner === 'suffix') {
      if (typeof value !== 'string') throw fail(`FilterPolicy: ${inner} match pattern must be a string`);
      return { kind: inner === 'prefix' ? 'anythingButPrefix' : 'anythingButSuffix', value };
    }
    if (inner === 'equals-ignore-case') {
      const values = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) {
        throw fail('FilterPolicy: equals-ignore-case match pattern must be a string');
      }
      return { kind: 'anythingButIgnoreCase', values: (values as string[]).map((v) => v.toLowerCase()) };
    }
    throw fail(`FilterPolicy: Unsupported anything-but pattern: ${inner}`);
  }
  throw fail('FilterPolicy: Value of anything-but must be an array or single string/number value.');
}

const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

function compileNumeric(operand: unknown, fail: (m: string) => AwsError): [NumericOperator, number][] {
  if (!Array.isArray(operand) || operand.length === 0) {
    throw fail('FilterPolicy: Invalid member in numeric match: ]');
  }
  const [op1, v1, op2, v2, ...rest] = operand as unknown[];
  if (typeof op1 !== 'string') throw fail(`FilterPolicy: Invalid member in numeric match: ${String(op1)}`);
  if (!NUMERIC_OPERATORS.has(op1)) throw fail(`FilterPolicy: Unrecognized numeric range operator: ${op1}`);
  if (typeof v1 !== 'number')
    throw fail(`FilterPolicy: Value of ${op1 === '=' ? 'equals' : op1} must be numeric`);
  const bounds: [NumericOperator, number][] = [[op1 as NumericOperator, v1]];
  if (operand.length === 2) return bounds;
  if (op1 !== '>' && op1 !== '>=') throw fail('FilterPolicy: Too many elements in numeric expression');
  if (typeof op2 !== 'string') throw fail(`FilterPolicy: Bad value in numeric range: ${String(op2)}`);
  if (op2 !== '<' && op2 !== '<=') throw fail(`FilterPolicy: Bad numeric range operator: ${op2}`);
  if (typeof v2 !== 'number') throw fail(`FilterPolicy: Value of ${op2} must be numeric`);
  if (v2 <= v1) throw fail('FilterPolicy: Bottom must be less than top');
  if (rest.length > 0) throw fail('FilterPolicy: Too many terms in numeric range expression');
  bounds.push([op2, v2]);
  return bounds;
}

function compileCidr(operand: unknown, fail: (m: string) => AwsError): BlockList {
  // AWS: a non-string cidr operand is reported with the prefix message
  if (typeof operand !== 'string') throw fail('FilterPolicy: prefix match pattern must be a string');
  const parts = operand.split('/');
  if (parts.length !== 2) throw fail("FilterPolicy: Malformed CIDR, one '/' required");
  const [address, mask] = parts;
  if (!/^\d+$/.test(mask)) throw fail('FilterPolicy: Malformed CIDR, mask bits must be an integer');
  const family = isIP(address);
  const bits = Number(mask);
  if (family === 0 || bits > (family === 4 ? 32 : 128)) {
    throw fail(`FilterPolicy: Nonstandard IP address: ${address}`);
  }
  const network = new BlockList();
  network.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
  return network;
}

// ----- matching ---------------------------------------------------------------------------------------------

/** Values of one key: absent (undefined) or the scalars found there (arrays contribute each element). */
type Lookup = (key: string) => Scalar[] | undefined;

export function matchesAttributes(
  policy: FilterPolicy,
  attributes: Readonly<Record<string, FilterableAttribute>>,
): boolean {
  return matches(policy, (key) => {
    if (!Object.hasOwn(attributes, key)) return undefined;
    return attributeValues(attributes[key]);
  });
}

/** AWS: a MessageBody policy matches only a message that is a JSON object. */
export function matchesBody(policy: FilterPolicy, body: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  if (!isObject(parsed)) return false;
  const flat = new Map<string, Scalar[]>();
  collect(parsed, '', flat);
  return matches(policy, (key) => flat.get(key));
}

function matches(policy: FilterPolicy, lookup: Lookup): boolean {
  return policy.branches.some((branch) => {
    for (const [key, conditions] of branch) {
      const values = lookup(key);
      if (!conditions.some((condition) => conditionMatches(condition, values))) return false;
    }
    return true;
  });
}

function attributeValues(attribute: FilterableAttribute): Scalar[] {
  const type = attribute.DataType.split('.', 1)[0];
  const text = attribute.StringValue;
  if (type === 'Binary' || text === undefined) return [];
  if (attribute.DataType === 'String.Array') {
    try {
      const array: unknown = JSON.parse(text);
      if (!Array.isArray(array)) return [];
      return array.filter((v): v is Scalar => v === null || typeof v !== 'object');
    } catch {
      return [];
    }
  }
  if (type === 'Number') {
    const n = Number(text);
    return Number.isFinite(n) ? [n] : [];
  }
  return [text];
}

function collect(value: unknown, path: string, out: Map<string, Scalar[]>): void {
  if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) collect(child, path ? `${path}.${key}` : key, out);
  } else if (Array.isArray(value)) {
    if (!out.has(path)) out.set(path, []);
    for (const item of value) collect(item, path, out);
  } else {
    const list = out.get(path);
    if (list) list.push(value as Scalar);
    else out.set(path, [value as Scalar]);
  }
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
      return !condition.values.includes(value);
    case 'anythingButPrefix':
      return typeof value === 'string' && !value.startsWith(condition.value);
    case 'anythingButSuffix':
      return typeof value === 'string' && !value.endsWith(condition.value);
    case 'anythingButIgnoreCase':
      return typeof value === 'string' && !condition.values.includes(value.toLowerCase());
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

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
