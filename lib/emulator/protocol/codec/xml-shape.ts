/**
 * XML to and from the SDK's Smithy schemas, shared by the query and REST-XML codecs: element names from
 * `xmlName` (else the member name), flattened lists and maps from `xmlFlattened`, list items named by the item's
 * `xmlName` (else `member`), map entries `<entry><key/><value/></entry>`, timestamps ISO 8601, blobs base64. The
 * reader works on xml-reader.ts's tree (bounded depth, no DTDs, no backtracking).
 */
import type { NormalizedSchema } from '@smithy/core/schema';
import { escapeXml } from '../xml';
import { child, children, parseXml, type XmlElement, XmlSyntaxError } from '../xml-reader';

interface XmlTraits {
  readonly xmlName?: string;
  readonly xmlFlattened?: number;
  /** A member written as an attribute of its structure's element (S3's Grantee `xsi:type`). */
  readonly xmlAttribute?: number;
  /** `[prefix, uri]` (or a default namespace uri) declared on the member's element. */
  readonly xmlNamespace?: string | readonly [string, string];
}

function traitsOf(schema: NormalizedSchema): XmlTraits {
  return schema.getMergedTraits() as XmlTraits;
}

// ----- writing ------------------------------------------------------------------------------------------------

/** The members of a structure as XML elements, in the schema's order; absent members write nothing. */
export function writeMembers(schema: NormalizedSchema, value: unknown): string {
  if (value === null || typeof value !== 'object') return '';
  let out = '';
  for (const [name, member] of schema.structIterator()) {
    const v = (value as Record<string, unknown>)[name];
    if (v === undefined || v === null) continue;
    const traits = traitsOf(member);
    if (traits.xmlAttribute) continue;
    const element = traits.xmlName ?? name;
    if (member.isListSchema() && traits.xmlFlattened) {
      for (const item of Array.isArray(v) ? v : []) out += writeValue(member.getValueSchema(), item, element);
    } else {
      out += writeValue(member, v, element);
    }
  }
  return out;
}

/** One value as `<element>…</element>`. */
export function writeValue(schema: NormalizedSchema, value: unknown, element: string): string {
  if (value === undefined || value === null) return '';
  let content: string;
  let attributes = namespaceOf(traitsOf(schema).xmlNamespace);
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    content = writeMembers(schema, value);
    attributes += attributesOf(schema, value);
  } else if (schema.isListSchema()) {
    const item = schema.getValueSchema();
    const itemName = traitsOf(item).xmlName ?? 'member';
    content = (Array.isArray(value) ? value : []).map((v) => writeValue(item, v, itemName)).join('');
  } else if (schema.isMapSchema()) {
    const keyName = traitsOf(schema.getKeySchema()).xmlName ?? 'key';
    const valueName = traitsOf(schema.getValueSchema()).xmlName ?? 'value';
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) =>
        `<${keyName}>${escapeXml(k)}</${keyName}>${writeValue(schema.getValueSchema(), v, valueName)}`,
    );
    if (traitsOf(schema).xmlFlattened)
      return entries.map((entry) => `<${element}>${entry}</${element}>`).join('');
    content = entries.map((entry) => `<entry>${entry}</entry>`).join('');
  } else if (schema.isTimestampSchema()) {
    content = escapeXml(timestampText(value));
  } else if (schema.isBlobSchema()) {
    content = Buffer.from(value as Uint8Array).toString('base64');
  } else {
    content = escapeXml(String(value));
  }
  return `<${element}${attributes}>${content}</${element}>`;
}

function namespaceOf(namespace: XmlTraits['xmlNamespace']): string {
  if (namespace === undefined) return '';
  if (typeof namespace === 'string') return ` xmlns="${escapeXml(namespace)}"`;
  return ` xmlns:${namespace[0]}="${escapeXml(namespace[1])}"`;
}

/** A structure's `xmlAttribute` members as ` name="value"`. */
function attributesOf(schema: NormalizedSchema, value: unknown): string {
  if (value === null || typeof value !== 'object') return '';
  let out = '';
  for (const [name, member] of schema.structIterator()) {
    const traits = traitsOf(member);
    const v = (value as Record<string, unknown>)[name];
    if (traits.xmlAttribute && v !== undefined && v !== null)
      out += ` ${traits.xmlName ?? name}="${escapeXml(String(v))}"`;
  }
  return out;
}

/** XML timestamps are ISO 8601 (AWS's date-time); services may hold a Date, epoch milliseconds or the text. */
export function timestampText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  return String(value);
}

/** A whole document: `root` (with `xmlns` when given) holding the structure's members. */
export function writeXmlDocument(
  schema: NormalizedSchema,
  value: unknown,
  root: string,
  xmlns?: string,
): string {
  const namespace = xmlns === undefined ? '' : ` xmlns="${xmlns}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${namespace}>${writeMembers(schema, value)}</${root}>`;
}

// ----- reading ------------------------------------------------------------------------------------------------

/** What a body that is not well-formed, or does not fit the schema, becomes (S3: MalformedXML). */
export type InvalidXml = (detail: string) => Error;

/**
 * Parses a request body, counting its tags first: past `maxTags` the parse would only build a large tree for
 * the service to refuse.
 */
export function parseXmlBody(body: Buffer, maxTags: number, invalid: InvalidXml): XmlElement {
  let tags = 0;
  for (let at = body.indexOf(0x3c); at >= 0; at = body.indexOf(0x3c, at + 1)) {
    if (++tags > maxTags) throw invalid('too many elements');
  }
  try {
    return parseXml(body.toString('utf8'));
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw invalid(error.message);
    throw error;
  }
}

/** The structure an element holds, shaped as the SDK's objects (`{ Objects: [{ Key }], Quiet: true }`). */
export function readXmlStructure(
  schema: NormalizedSchema,
  element: XmlElement,
  invalid: InvalidXml,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of schema.structIterator()) {
    const traits = traitsOf(member);
    const elementName = traits.xmlName ?? name;
    if (traits.xmlAttribute) {
      // attributes are kept by local name (`xsi:type` is `type`)
      const attribute = element.attributes?.[elementName.slice(elementName.indexOf(':') + 1)];
      if (attribute !== undefined) out[name] = readScalar(member, attribute, elementName, invalid);
      continue;
    }
    if ((member.isListSchema() || member.isMapSchema()) && traits.xmlFlattened) {
      const found = children(element, elementName);
      if (found.length > 0) out[name] = readCollection(member, found, invalid);
      continue;
    }
    const found = child(element, elementName);
    if (found !== undefined) out[name] = readXmlValue(member, found, invalid);
  }
  return out;
}

/** The value one element holds under `schema`. */
export function readXmlValue(schema: NormalizedSchema, element: XmlElement, invalid: InvalidXml): unknown {
  if (schema.isStructSchema() || schema.isUnionSchema()) return readXmlStructure(schema, element, invalid);
  if (schema.isListSchema()) {
    const itemName = traitsOf(schema.getValueSchema()).xmlName ?? 'member';
    return readCollection(schema, children(element, itemName), invalid);
  }
  if (schema.isMapSchema()) return readCollection(schema, children(element, 'entry'), invalid);
  return readScalar(schema, element.text, element.name, invalid);
}

/** List items or map entries, already picked out (flattened: the member's elements; wrapped: the wrapper's). */
function readCollection(schema: NormalizedSchema, items: XmlElement[], invalid: InvalidXml): unknown {
  const value = schema.getValueSchema();
  if (schema.isListSchema()) return items.map((item) => readXmlValue(value, item, invalid));
  const keyName = traitsOf(schema.getKeySchema()).xmlName ?? 'key';
  const valueName = traitsOf(value).xmlName ?? 'value';
  const out: Record<string, unknown> = {};
  for (const entry of items) {
    const key = child(entry, keyName);
    const content = child(entry, valueName);
    if (key === undefined) throw invalid(`an entry without ${keyName}`);
    out[key.text] = content === undefined ? '' : readXmlValue(value, content, invalid);
  }
  return out;
}

function readScalar(schema: NormalizedSchema, text: string, name: string, invalid: InvalidXml): unknown {
  if (schema.isBooleanSchema()) {
    const lower = text.trim().toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
    throw invalid(`${name} must be true or false`);
  }
  if (schema.isNumericSchema()) {
    const trimmed = text.trim();
    const value = trimmed.length <= 40 ? Number(trimmed) : NaN;
    if (trimmed === '' || !Number.isFinite(value)) throw invalid(`${name} must be a number`);
    return value;
  }
  if (schema.isTimestampSchema()) {
    const ms = text.length <= 64 ? Date.parse(text.trim()) : NaN;
    if (!Number.isFinite(ms)) throw invalid(`${name} must be a timestamp`);
    return new Date(ms);
  }
  if (schema.isBlobSchema()) return Buffer.from(text.trim(), 'base64');
  return text;
}
