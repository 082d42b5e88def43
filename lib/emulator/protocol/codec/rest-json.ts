/**
 * AWS REST-JSON (restJson1), both directions: the HTTP bindings (http-bindings.ts) for the path, query, headers
 * and status, and for the rest a JSON body written and read as AWS JSON does it (json.ts: `jsonName`, timestamps
 * as epoch seconds, blobs as base64, documents as they are), or the raw body when a member is the `httpPayload`.
 * Errors carry their code in `x-amzn-errortype`, the HTTP status of the model's error shape, and a body with the
 * message under the error shape's own member name (Lambda's `Message` or `message`, as the service sends it).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { NormalizedSchema } from '@smithy/core/schema';
import { AwsError } from '../../errors';
import { decodeJsonInput, encodeJsonOutput } from './json';
import {
  type BindingErrors,
  isBodyMember,
  payloadMemberOf,
  readBoundInput,
  writeBoundOutput,
} from './http-bindings';
import type { OperationModel, ServiceModel } from './service-model';

export interface RestJsonRequest {
  /** The path's labels, from `HttpRouteTable.match`. */
  readonly labels: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface RestJsonDecodeOptions extends BindingErrors {
  /** The service's error for a body that is not JSON (default: AWS's `SerializationException`). */
  readonly invalidJson?: (detail: string) => AwsError;
}

export interface RestJsonReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

/** The operation's input, shaped as the SDK's input object: bound members, then the body's or the payload. */
export function decodeRestJsonInput(
  operation: OperationModel,
  request: RestJsonRequest,
  options: RestJsonDecodeOptions,
): Record<string, unknown> {
  const input = readBoundInput(operation, request.labels, request.query, request.headers, options);
  const payload = payloadMemberOf(operation.input);
  if (payload) {
    const [name, member] = payload;
    const value = readPayload(operation, member, request.body, options);
    if (value !== undefined) input[name] = value;
    return input;
  }
  if (request.body.length === 0 || !hasBodyMembers(operation.input)) return input;
  const body = decodeJsonInput(operation, parseJson(request.body, options));
  // a member bound elsewhere is read from there only, even when a client also puts it in the body
  for (const [name, member] of operation.input.structIterator()) {
    if (isBodyMember(member) && body[name] !== undefined) input[name] = body[name];
  }
  return input;
}

function readPayload(
  operation: OperationModel,
  member: NormalizedSchema,
  body: Buffer,
  options: RestJsonDecodeOptions,
): unknown {
  if (body.length === 0) return undefined;
  if (member.isBlobSchema()) return body;
  if (member.isStringSchema()) return body.toString('utf8');
  const json = parseJson(body, options);
  if (member.isDocumentSchema()) return json;
  return decodeJsonInput(asOperation(operation, member), json);
}

function parseJson(body: Buffer, options: RestJsonDecodeOptions): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    const detail = (error as Error).message;
    throw options.invalidJson?.(detail) ?? new AwsError('SerializationException', detail);
  }
}

/** A reply's status, headers and body; `output` holds the members as the SDK's output object does. */
export function encodeRestJsonOutput(
  operation: OperationModel,
  output: Readonly<Record<string, unknown>>,
): RestJsonReply {
  const { status, headers } = writeBoundOutput(operation, output);
  const payload = payloadMemberOf(operation.output);
  if (payload) {
    const [name, member] = payload;
    const value = output[name];
    if (value === undefined || value === null) return { status, headers, body: '' };
    if (member.isBlobSchema()) {
      headers['content-type'] ??= mediaTypeOf(member) ?? 'application/octet-stream';
      return { status, headers, body: Buffer.from(value as Uint8Array) };
    }
    if (member.isStringSchema()) {
      headers['content-type'] ??= mediaTypeOf(member) ?? 'text/plain';
      return { status, headers, body: String(value) };
    }
    headers['content-type'] ??= 'application/json';
    const body = member.isDocumentSchema()
      ? JSON.stringify(value)
      : encodeJsonOutput(asOperation(operation, member), value);
    return { status, headers, body };
  }
  if (!hasBodyMembers(operation.output)) return { status, headers, body: '' };
  const body: Record<string, unknown> = {};
  for (const [name, member] of operation.output.structIterator()) {
    if (isBodyMember(member) && output[name] !== undefined) body[name] = output[name];
  }
  headers['content-type'] ??= 'application/json';
  return { status, headers, body: encodeJsonOutput(operation, body) };
}

export interface RestJsonErrorOptions {
  /** A member every error body carries naming who is to blame, e.g. Lambda's `Type` (`User` or `Service`). */
  readonly faultMember?: string;
}

/**
 * An error reply: the status of the model's error shape for the code (else the error's own), the code in
 * `x-amzn-errortype`, and the message under the shape's message member (`message` for codes the model lacks).
 */
export function encodeRestJsonError(
  error: AwsError,
  model: ServiceModel,
  options: RestJsonErrorOptions = {},
): RestJsonReply {
  const shape = model.errors.get(error.code);
  const body: Record<string, unknown> = {};
  if (options.faultMember !== undefined)
    body[options.faultMember] = error.fault === 'Sender' ? 'User' : 'Service';
  body[messageMemberOf(shape?.schema) ?? 'message'] = error.message;
  return {
    status: shape?.httpStatus ?? error.httpStatus,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
    body: JSON.stringify(body),
  };
}

function messageMemberOf(schema: NormalizedSchema | undefined): string | undefined {
  if (!schema) return undefined;
  for (const [name] of schema.structIterator()) if (name.toLowerCase() === 'message') return name;
  return undefined;
}

function hasBodyMembers(schema: NormalizedSchema): boolean {
  if (schema.isUnitSchema()) return false;
  for (const [, member] of schema.structIterator()) if (isBodyMember(member)) return true;
  return false;
}

function mediaTypeOf(member: NormalizedSchema): string | undefined {
  return (member.getMergedTraits() as { mediaType?: string }).mediaType;
}

/** json.ts reads and writes whole operation inputs and outputs: a structure payload is handed over as one. */
function asOperation(operation: OperationModel, payload: NormalizedSchema): OperationModel {
  return { ...operation, input: payload, output: payload };
}
