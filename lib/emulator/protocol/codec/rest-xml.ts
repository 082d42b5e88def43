/**
 * The REST-XML protocol (S3), both directions, driven by the operation's schema: the operation from the model's
 * `http` routes, input members from the HTTP bindings (http-bindings.ts) plus the XML or raw payload, output
 * status and headers from the bindings plus an XML body (xml-shape.ts) under the output's `xmlName`. Errors are
 * S3's unwrapped `<Error>` (REST-XML's `noErrorWrapping`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { NormalizedSchema } from '@smithy/core/schema';
import { escapeXml } from '../xml';
import {
  type BindingErrors,
  isBodyMember,
  payloadMemberOf,
  readBoundInput,
  type RouteMatch,
  writeBoundOutput,
} from './http-bindings';
import type { OperationModel } from './service-model';
import { type InvalidXml, parseXmlBody, readXmlStructure, writeXmlDocument } from './xml-shape';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export interface RestXmlRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

export interface RestXmlReply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface RestXmlInputOptions {
  readonly errors: BindingErrors;
  /** The service's error for a body that is not well-formed or does not fit the schema (S3: MalformedXML). */
  readonly invalidXml: InvalidXml;
  /** Tags a body may hold before it is parsed. */
  readonly maxTags: number;
}

interface MemberTraits {
  readonly xmlName?: string;
}

// ----- input --------------------------------------------------------------------------------------------------

/**
 * The operation's input shaped as the SDK's input object: bound members, then the payload (a blob or string as
 * the raw body, a structure from the XML document named by its `xmlName`) or the body members.
 */
export function readRestXmlInput(
  { operation, labels }: RouteMatch,
  request: RestXmlRequest & { readonly body: Buffer },
  options: RestXmlInputOptions,
): Record<string, unknown> {
  const { body } = request;
  const input = readBoundInput(operation, labels, request.query, request.headers, options.errors);
  const payload = payloadMemberOf(operation.input);
  if (payload) {
    const [name, member] = payload;
    if (member.isBlobSchema()) input[name] = body;
    else if (member.isStringSchema()) {
      if (body.length > 0) input[name] = body.toString('utf8');
    } else if (body.length > 0) {
      const root = parseXmlBody(body, options.maxTags, options.invalidXml);
      const expected = rootNameOf(member);
      if (root.name !== expected) throw options.invalidXml(`the root element is not ${expected}`);
      input[name] = readXmlStructure(member, root, options.invalidXml);
    }
    return input;
  }
  if (body.length > 0 && [...operation.input.structIterator()].some(([, m]) => isBodyMember(m))) {
    const root = parseXmlBody(body, options.maxTags, options.invalidXml);
    const read = readXmlStructure(operation.input, root, options.invalidXml);
    for (const [name, member] of operation.input.structIterator()) {
      if (isBodyMember(member) && read[name] !== undefined) input[name] = read[name];
    }
  }
  return input;
}

// ----- output -------------------------------------------------------------------------------------------------

/** A reply: status and headers from the bindings, the payload or body members as the body. */
export function writeRestXmlOutput(
  operation: OperationModel,
  output: Readonly<Record<string, unknown>>,
  xmlns: string,
): RestXmlReply {
  const { status, headers } = writeBoundOutput(operation, output);
  for (const [name, value] of Object.entries(headers)) headers[name] = headerSafe(value);
  if (operation.output.isUnitSchema()) return { status, headers, body: '' };
  const payload = payloadMemberOf(operation.output);
  if (payload) return { status, ...payloadBody(payload[1], output[payload[0]], headers, xmlns) };
  const members = [...operation.output.structIterator()].filter(([, m]) => isBodyMember(m));
  if (members.length === 0) return { status, headers, body: '' };
  // S3: the output's xmlName, else `<OperationResult>`, unless the output is a named shape (NotificationConfiguration)
  const shape = operation.output.getName();
  const root = rootNameOf(
    operation.output,
    shape === `${operation.name}Output` ? `${operation.name}Result` : shape,
  );
  // AWS: a structure of one member named as the root is that member's text (GetBucketLocation's LocationConstraint)
  if (members.length === 1 && members[0][0] === root && !members[0][1].isStructSchema()) {
    const value = output[root];
    const text = value === undefined || value === null ? '' : escapeXml(String(value));
    return xmlReply(status, headers, `${XML_DECLARATION}<${root} xmlns="${xmlns}">${text}</${root}>`);
  }
  const body: Record<string, unknown> = {};
  for (const [name] of members) body[name] = output[name];
  return xmlReply(status, headers, writeXmlDocument(operation.output, body, root, xmlns));
}

/** The body of an output bound to one member: raw bytes, text, or that structure's XML document. */
function payloadBody(
  member: NormalizedSchema,
  value: unknown,
  headers: Record<string, string>,
  xmlns: string,
): Omit<RestXmlReply, 'status'> {
  if (value === undefined || value === null) return { headers, body: '' };
  // an object's bytes go out as they are stored, not copied
  if (member.isBlobSchema())
    return { headers, body: Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array) };
  if (member.isStringSchema()) return { headers, body: String(value) };
  const body = writeXmlDocument(member, value, rootNameOf(member), xmlns);
  return { headers: { ...headers, 'content-type': 'application/xml' }, body };
}

function xmlReply(status: number, headers: Record<string, string>, body: string): RestXmlReply {
  return { status, headers: { ...headers, 'content-type': 'application/xml' }, body };
}

/** A structure's element name: its `xmlName` (the member's first), else its shape name. */
function rootNameOf(schema: NormalizedSchema, fallback?: string): string {
  const traits = schema.getMergedTraits() as MemberTraits;
  return traits.xmlName ?? fallback ?? schema.getName() ?? 'Result';
}

/** Header values must be Latin-1 without controls; AWS sends other values RFC 2047-encoded. */
export function headerSafe(value: string): string {
  return /^[\x20-\x7e\t]*$/.test(value)
    ? value
    : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

// ----- errors -------------------------------------------------------------------------------------------------

/**
 * S3's error document: `<Error>` unwrapped, the code and message, the error's own elements (BucketName, Key,
 * ArgumentName, …) in AWS's order, then the request and host ids.
 */
export function encodeRestXmlError(
  code: string,
  message: string,
  details: readonly (readonly [string, string])[],
  requestId: string,
  hostId: string,
): string {
  const extra = details.map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`).join('');
  return (
    `${XML_DECLARATION}<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>` +
    `${extra}<RequestId>${escapeXml(requestId)}</RequestId><HostId>${escapeXml(hostId)}</HostId></Error>`
  );
}
