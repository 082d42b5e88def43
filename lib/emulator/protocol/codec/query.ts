/**
 * The AWS query protocol, both directions, driven by the operation's schema: a form (`Action=Op&A.member.1=…`) in,
 * an XML `<OpResponse><OpResult>…</OpResult><ResponseMetadata/></OpResponse>` out. Member names, `xmlName`,
 * flattened lists and maps follow the traits in the SDK's model (service-model.ts), as the SDK's own
 * QueryShapeSerializer writes them and its XML parser reads them.
 */
import type { NormalizedSchema } from '@smithy/core/schema';
import type { AwsError } from '../../errors';
import { type FormParameters, isBase64 } from '../query-form';
import { escapeXml } from '../xml';
import type { OperationModel } from './service-model';
import { writeMembers } from './xml-shape';

/** AWS: no query-protocol list or map is longer than this; reading stops there whatever the form holds. */
const MAX_ITEMS = 1000;
/** Deeper than any AWS input shape nests. */
const MAX_DEPTH = 20;
/** A decimal number as the SDK writes one (`String(n)`), not `0x10` or ` 5` that `Number()` also takes. */
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface QueryDecodeOptions {
  /**
   * The service's error for a value of the wrong type, e.g. SNS `InvalidParameter`, Auto Scaling `ValidationError`;
   * `text` is the value as sent, when there was one (some services quote it).
   */
  readonly invalidValue: (member: string, message: string, text?: string) => AwsError;
  /** The service's error for a blob that is not base64; `get` reads the form (a message attribute's name). */
  readonly invalidBlob?: (key: string, get: (name: string) => string | null) => AwsError;
}

/** A form's parameters with the prefixes under which anything is set, for presence checks in O(1). */
export class IndexedForm {
  private readonly prefixes = new Set<string>();

  constructor(private readonly form: FormParameters & { keys(): Iterable<string> }) {
    for (const key of form.keys()) {
      for (let dot = key.indexOf('.'); dot > 0; dot = key.indexOf('.', dot + 1))
        this.prefixes.add(key.slice(0, dot));
    }
  }

  get(name: string): string | null {
    return this.form.get(name);
  }

  /** Whether `name` is set, or anything below it (`name.…`). */
  holds(name: string): boolean {
    return this.form.get(name) !== null || this.prefixes.has(name);
  }
}

/** The operation's input read from the form, shaped as the SDK's input object (`{ TopicArn, Tags: [{ Key, Value }] }`). */
export function decodeQueryInput(
  operation: OperationModel,
  form: IndexedForm,
  options: QueryDecodeOptions,
): Record<string, unknown> {
  return (readStruct(operation.input, form, '', options, 0) ?? {}) as Record<string, unknown>;
}

function memberKey(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function readStruct(
  schema: NormalizedSchema,
  form: IndexedForm,
  prefix: string,
  options: QueryDecodeOptions,
  depth: number,
): Record<string, unknown> | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (prefix !== '' && !form.holds(prefix)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, member] of schema.structIterator()) {
    const traits = member.getMergedTraits() as { xmlName?: string };
    const value = read(member, form, memberKey(prefix, traits.xmlName ?? name), options, depth + 1);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function read(
  schema: NormalizedSchema,
  form: IndexedForm,
  key: string,
  options: QueryDecodeOptions,
  depth: number,
): unknown {
  if (schema.isStructSchema() || schema.isUnionSchema()) return readStruct(schema, form, key, options, depth);
  if (schema.isListSchema()) {
    if (!form.holds(key)) return undefined;
    if (form.get(key) === '') return []; // the SDK's empty list: `Name=`
    const item = schema.getValueSchema();
    const flat = (schema.getMergedTraits() as { xmlFlattened?: number }).xmlFlattened;
    const itemName = (item.getMergedTraits() as { xmlName?: string }).xmlName ?? 'member';
    const base = flat ? key : `${key}.${itemName}`;
    const out: unknown[] = [];
    for (let i = 1; i <= MAX_ITEMS; i++) {
      const value = read(item, form, `${base}.${i}`, options, depth + 1);
      if (value === undefined) break;
      out.push(value);
    }
    return out;
  }
  if (schema.isMapSchema()) {
    if (!form.holds(key)) return undefined;
    const flat = (schema.getMergedTraits() as { xmlFlattened?: number }).xmlFlattened;
    const keyName = (schema.getKeySchema().getMergedTraits() as { xmlName?: string }).xmlName ?? 'key';
    const valueName = (schema.getValueSchema().getMergedTraits() as { xmlName?: string }).xmlName ?? 'value';
    const base = flat ? key : `${key}.entry`;
    const out: Record<string, unknown> = {};
    for (let i = 1; i <= MAX_ITEMS; i++) {
      const name = form.get(`${base}.${i}.${keyName}`);
      if (name === null) break;
      const value = read(schema.getValueSchema(), form, `${base}.${i}.${valueName}`, options, depth + 1);
      out[name] = value ?? '';
    }
    return out;
  }
  const text = form.get(key);
  if (text === null) return undefined;
  if (schema.isBlobSchema()) {
    if (isBase64(text)) return Buffer.from(text, 'base64');
    throw (
      options.invalidBlob?.(key, (name) => form.get(name)) ??
      options.invalidValue(key, `Value for parameter ${key} is invalid: not base64.`)
    );
  }
  return scalar(schema, text, key, options);
}

function scalar(schema: NormalizedSchema, text: string, key: string, options: QueryDecodeOptions): unknown {
  if (schema.isBooleanSchema()) {
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
    throw options.invalidValue(key, `Value for parameter ${key} is invalid: must be true or false.`, text);
  }
  if (schema.isNumericSchema()) {
    const value = text.length <= 40 && DECIMAL.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(value)) {
      throw options.invalidValue(key, `Value for parameter ${key} is invalid: must be a number.`, text);
    }
    return value;
  }
  if (schema.isTimestampSchema()) {
    const numeric = text.length <= 40 ? Number(text) : NaN;
    const ms = Number.isFinite(numeric) ? numeric * 1000 : text.length <= 64 ? Date.parse(text) : NaN;
    if (!Number.isFinite(ms)) {
      throw options.invalidValue(key, `Value for parameter ${key} is invalid: must be a timestamp.`);
    }
    return new Date(ms);
  }
  if (schema.isBlobSchema()) {
    if (!isBase64(text))
      throw options.invalidValue(key, `Value for parameter ${key} is invalid: not base64.`);
    return Buffer.from(text, 'base64');
  }
  return text;
}

// ----- XML out ------------------------------------------------------------------------------------------------

/** A successful reply: the Result element is always there (empty when there is nothing to say), as AWS sends it. */
export function encodeQueryResponse(
  operation: OperationModel,
  output: unknown,
  xmlns: string,
  requestId: string,
): string {
  const result = operation.output.isUnitSchema()
    ? ''
    : `<${operation.name}Result>${writeMembers(operation.output, output)}</${operation.name}Result>`;
  return (
    `<?xml version="1.0"?>\n<${operation.name}Response xmlns="${xmlns}">${result}` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${operation.name}Response>`
  );
}

/** An error reply in the query protocol's shape. */
export function encodeQueryError(error: AwsError, xmlns: string, requestId: string): string {
  return (
    `<?xml version="1.0"?>\n<ErrorResponse xmlns="${xmlns}"><Error><Type>${error.fault}</Type>` +
    `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}

/** Refuses a member the emulator does not honour, naming it, instead of dropping it silently. */
export function refuseUnsupported(
  input: Record<string, unknown>,
  unsupported: readonly string[] | undefined,
  options: QueryDecodeOptions,
): void {
  for (const member of unsupported ?? []) {
    if (input[member] !== undefined) {
      throw options.invalidValue(member, `${member} is not supported by the local emulator.`);
    }
  }
}
