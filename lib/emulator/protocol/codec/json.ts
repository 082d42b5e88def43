/**
 * AWS JSON 1.0 and 1.1, both directions, driven by the operation's schema: a JSON body in (type-checked member by
 * member as AWS's front end does, answering `SerializationException` with the path), a JSON body out (timestamps as
 * epoch seconds, blobs as base64), and errors as `__type` plus, for query-compatible services (SQS, CloudWatch), the
 * `x-amzn-query-error` header that gives SDKs the query protocol's code.
 *
 * Each schema is compiled once into a plain plan (member lists, kinds): walking NormalizedSchema per request costs
 * several times more than the JSON itself, and SQS's send/receive loop is the emulator's hot path.
 */
import type { NormalizedSchema } from '@smithy/core/schema';
import { AwsError } from '../../errors';
import { isObject } from '../../kit/guards';
import { isBase64 } from '../query-form';
import type { OperationModel, ServiceModel } from './service-model';

type Plan =
  | {
      readonly kind: 'struct';
      readonly members: MemberPlan[];
      /** By wire key: a structure is read by the keys it holds, so `{}` costs nothing however many members. */
      readonly byKey: Map<string, MemberPlan>;
      readonly union: boolean;
    }
  | { readonly kind: 'list'; item: Plan }
  | { readonly kind: 'map'; value: Plan }
  | { readonly kind: 'timestamp'; readonly format: 'epoch-seconds' | 'date-time' | 'http-date' }
  | { readonly kind: 'string' | 'number' | 'boolean' | 'blob' | 'document' };

interface MemberPlan {
  readonly name: string;
  /** The member's key on the wire (`jsonName`, else its name). */
  readonly key: string;
  plan: Plan;
}

const plans = new WeakMap<object, Plan>();
const SCALARS = new Map<unknown, Plan>();

/** The plan of a schema, compiled on first use; recursive shapes share one plan object. */
function planOf(schema: NormalizedSchema): Plan {
  const raw = schema.getSchema() as unknown;
  const key = typeof raw === 'object' && raw !== null ? raw : undefined;
  const known = key ? plans.get(key) : SCALARS.get(raw);
  if (known) return known;
  let plan: Plan;
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    const members: MemberPlan[] = [];
    const byKey = new Map<string, MemberPlan>();
    plan = { kind: 'struct', members, byKey, union: schema.isUnionSchema() };
    if (key) plans.set(key, plan);
    for (const [name, member] of schema.structIterator()) {
      const traits = member.getMergedTraits() as { jsonName?: string };
      const memberPlan = { name, key: traits.jsonName ?? name, plan: planOf(member) };
      members.push(memberPlan);
      byKey.set(memberPlan.key, memberPlan);
    }
    return plan;
  }
  if (schema.isListSchema()) {
    const list: { kind: 'list'; item: Plan } = { kind: 'list', item: { kind: 'document' } };
    if (key) plans.set(key, list);
    list.item = planOf(schema.getValueSchema());
    return list;
  }
  if (schema.isMapSchema()) {
    const map: { kind: 'map'; value: Plan } = { kind: 'map', value: { kind: 'document' } };
    if (key) plans.set(key, map);
    map.value = planOf(schema.getValueSchema());
    return map;
  }
  if (schema.isTimestampSchema()) {
    // Smithy's schema codes: 5 date-time, 6 http-date, 7 epoch-seconds; 4 is the protocol's default (seconds)
    const format = raw === 5 ? 'date-time' : raw === 6 ? 'http-date' : 'epoch-seconds';
    plan = { kind: 'timestamp', format };
  } else if (schema.isBlobSchema()) plan = { kind: 'blob' };
  else if (schema.isBooleanSchema()) plan = { kind: 'boolean' };
  else if (schema.isNumericSchema()) plan = { kind: 'number' };
  else if (schema.isDocumentSchema()) plan = { kind: 'document' };
  else plan = { kind: 'string' };
  if (key) plans.set(key, plan);
  else SCALARS.set(raw, plan);
  return plan;
}

// ----- JSON in ------------------------------------------------------------------------------------------------

function serializationError(path: string, expected: string): AwsError {
  return new AwsError(
    'SerializationException',
    `Unexpected value at ${path || 'the top level'}: expected ${expected}.`,
  );
}

/**
 * The operation's input from a parsed JSON body, shaped as the SDK's input object (timestamps as Date, blobs as
 * Buffer). Members the model does not know are ignored, as AWS's front end ignores them; null members are absent.
 */
export function decodeJsonInput(operation: OperationModel, body: unknown): Record<string, unknown> {
  if (!isObject(body))
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  return readStruct(planOf(operation.input) as StructPlan, body, '');
}

type StructPlan = Extract<Plan, { kind: 'struct' }>;

/**
 * Where a value sits, for error messages: `path`, or its item `index` when not negative. Built only when needed
 * (an error, a member below): a 16 MiB body of `{}` holds 5.6 million list items, and a string each doubled
 * the time to read them.
 */
function pathOf(path: string, index: number): string {
  return index < 0 ? path : `${path}[${index}]`;
}

function readStruct(
  plan: StructPlan,
  raw: Record<string, unknown>,
  path: string,
  index = -1,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let base: string | undefined;
  for (const key in raw) {
    const member = plan.byKey.get(key);
    const value = raw[key];
    if (member === undefined || value === undefined || value === null) continue;
    base ??= pathOf(path, index);
    out[member.name] = read(member.plan, value, base === '' ? member.key : `${base}.${member.key}`);
  }
  if (plan.union && Object.keys(out).length > 1)
    throw serializationError(pathOf(path, index), 'exactly one member of a union');
  return out;
}

function read(plan: Plan, value: unknown, path: string, index = -1): unknown {
  switch (plan.kind) {
    case 'struct':
      if (!isObject(value)) throw serializationError(pathOf(path, index), 'a structure');
      return readStruct(plan, value, path, index);
    case 'list': {
      const at = pathOf(path, index);
      if (!Array.isArray(value)) throw serializationError(at, 'a list');
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        if (value[i] !== null) out.push(read(plan.item, value[i], at, i));
      }
      return out;
    }
    case 'map': {
      const at = pathOf(path, index);
      if (!isObject(value)) throw serializationError(at, 'a map');
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        if (value[key] !== null) out[key] = read(plan.value, value[key], `${at}.${key}`);
      }
      return out;
    }
    case 'string':
      if (typeof value !== 'string') throw serializationError(pathOf(path, index), 'a string');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw serializationError(pathOf(path, index), 'a boolean');
      return value;
    case 'number':
      if (typeof value === 'number') return value;
      // AWS JSON: floats that are not finite travel as these strings
      if (value === 'NaN') return Number.NaN;
      if (value === 'Infinity') return Number.POSITIVE_INFINITY;
      if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
      throw serializationError(pathOf(path, index), 'a number');
    case 'blob':
      // the CBOR form (cbor.ts) carries blobs as byte strings
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (typeof value !== 'string' || !isBase64(value) || value.length % 4 === 1) {
        throw serializationError(pathOf(path, index), 'base64-encoded binary data');
      }
      return Buffer.from(value, 'base64');
    case 'timestamp': {
      // AWS JSON: epoch seconds (fractions allowed); ISO 8601 strings are accepted too; CBOR's tag 1 is a Date
      const ms =
        value instanceof Date
          ? value.getTime()
          : typeof value === 'number'
            ? value * 1000
            : typeof value === 'string' && value.length <= 64
              ? Date.parse(value)
              : Number.NaN;
      if (!Number.isFinite(ms)) throw serializationError(pathOf(path, index), 'a timestamp');
      return new Date(ms);
    }
    case 'document':
      return value;
  }
}

// ----- JSON out -----------------------------------------------------------------------------------------------

/** A successful reply's body: the output's members as the model names them; `{}` for a unit output. */
export function encodeJsonOutput(operation: OperationModel, output: unknown): string {
  if (operation.output.isUnitSchema() || !isObject(output)) return '{}';
  return JSON.stringify(writeStruct(planOf(operation.output) as StructPlan, output, false));
}

/**
 * A successful reply for the CBOR form (cbor.ts): the JSON shape with blobs left as bytes and timestamps as Dates,
 * which the CBOR encoder writes as byte strings and tag 1.
 */
export function binaryJsonOutput(operation: OperationModel, output: unknown): Record<string, unknown> {
  if (operation.output.isUnitSchema() || !isObject(output)) return {};
  return writeStruct(planOf(operation.output) as StructPlan, output, true);
}

function writeStruct(
  plan: StructPlan,
  value: Record<string, unknown>,
  binary: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of plan.members) {
    const v = value[member.name];
    if (v !== undefined && v !== null) out[member.key] = write(member.plan, v, binary);
  }
  return out;
}

function write(plan: Plan, value: unknown, binary: boolean): unknown {
  switch (plan.kind) {
    case 'struct':
      return isObject(value) ? writeStruct(plan, value, binary) : {};
    case 'list': {
      if (!Array.isArray(value)) return [];
      const out: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) out[i] = write(plan.item, value[i], binary);
      return out;
    }
    case 'map': {
      if (!isObject(value)) return {};
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) out[key] = write(plan.value, value[key], binary);
      return out;
    }
    case 'blob':
      if (binary) return value instanceof Uint8Array ? value : Buffer.from(String(value), 'utf8');
      return value instanceof Uint8Array
        ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
        : Buffer.from(String(value), 'utf8').toString('base64');
    case 'timestamp': {
      // services hold a Date, epoch milliseconds or the ISO text
      const ms =
        value instanceof Date
          ? value.getTime()
          : typeof value === 'number'
            ? value
            : Date.parse(String(value));
      if (binary) return new Date(ms);
      if (plan.format === 'date-time') return new Date(ms).toISOString();
      if (plan.format === 'http-date') return new Date(ms).toUTCString();
      return ms / 1000;
    }
    case 'number':
      return !binary && typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
    default:
      return value;
  }
}

// ----- errors -------------------------------------------------------------------------------------------------

/** Errors raised by AWS's front end rather than the service: `com.amazon.coral.service#…`, no query code. */
const FRONT_END_ERRORS = new Set(['SerializationException', 'UnknownOperationException', 'InternalFailure']);

export interface JsonErrorOptions {
  /** The service's Smithy namespace, e.g. `com.amazonaws.sqs`. */
  readonly namespace: string;
  /** Whether the service is `awsQueryCompatible` (its SDKs read the query code from `x-amzn-query-error`). */
  readonly queryCompatible: boolean;
  /** `__type` for codes the model has no error shape for (AWS's own, e.g. coral's ValidationException). */
  readonly extraTypes?: Readonly<Record<string, string>>;
}

/** An error reply's headers and body; `__type` is the model's error shape for the code. */
export function encodeJsonError(
  error: AwsError,
  model: ServiceModel,
  options: JsonErrorOptions,
): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {};
  let type: string;
  if (FRONT_END_ERRORS.has(error.code)) {
    type = `com.amazon.coral.service#${error.code}`;
  } else {
    type =
      options.extraTypes?.[error.code] ??
      `${options.namespace}#${model.errors.get(error.code)?.shape ?? error.code}`;
    if (options.queryCompatible) headers['x-amzn-query-error'] = `${error.code};${error.fault}`;
  }
  return { headers, body: JSON.stringify({ __type: type, message: error.message }) };
}
