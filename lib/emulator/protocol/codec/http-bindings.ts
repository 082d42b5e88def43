/**
 * The HTTP bindings of the REST protocols (REST-JSON, REST-XML), driven by the operation schemas of the SDK's
 * model: which operation a method and path are (the `http` trait's URI pattern), and the members bound to the
 * path, the query string and the headers in, and to the status and headers out. The body is the protocol codec's.
 * Formats follow Smithy's HTTP binding rules as the SDK's HttpBindingProtocol writes and reads them.
 */
// API settled
import type { IncomingHttpHeaders } from 'node:http';
import {
  _parseEpochTimestamp,
  _parseRfc3339DateTimeWithOffset,
  _parseRfc7231DateTime,
  dateToUtcString,
  quoteHeader,
  splitHeader,
} from '@smithy/core/serde';
import type { NormalizedSchema } from '@smithy/core/schema';
import type { AwsError } from '../../errors';
import { isBase64 } from '../query-form';
import type { OperationModel, ServiceModel } from './service-model';

/** The `http` trait of an operation: `[method, uriPattern, statusCode]`. */
export type HttpTrait = readonly [method: string, uri: string, status: number];

export interface RouteMatch {
  readonly operation: OperationModel;
  /** The path's labels by member name, percent-decoded (a greedy label's segments joined with `/`). */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Whether the request carries every required member the route binds to the query or a header. S3 tells the
   * operations sharing a route apart by them (`uploadId`), so there a request without them is none of them.
   */
  readonly carriesRequired?: boolean;
}

export interface BindingErrors {
  /**
   * The service's error for a bound value of the wrong type (e.g. Lambda's `InvalidParameterValueException`,
   * S3's `InvalidArgument`): `member` is the input member's name, `value` the text on the wire, `expected` what the
   * schema wanted there.
   */
  readonly invalidValue: (
    member: string,
    message: string,
    value: string,
    expected: BoundValueKind,
  ) => AwsError;
}

export type BoundValueKind = 'number' | 'boolean' | 'timestamp' | 'base64';

export interface BoundOutput {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Record<string, string>;
}

/** The operation's `http` trait; undefined for an operation of a protocol without one (query, AWS JSON). */
export function httpTraitOf(operation: OperationModel): HttpTrait | undefined {
  const http = operation.traits.http;
  return Array.isArray(http) && http.length >= 2 ? (http as unknown as HttpTrait) : undefined;
}

// ----- routing ------------------------------------------------------------------------------------------------

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'label'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

interface Route {
  readonly operation: OperationModel;
  readonly method: string;
  readonly segments: readonly Segment[];
  /** The index of the greedy label (the segments after it match from the end of the path), or -1. */
  readonly greedyAt: number;
  /** Literal query requirements: a key that must be there, with this value when not undefined. */
  readonly query: readonly (readonly [key: string, value: string | undefined])[];
  /** Higher wins among several matches: more literal segments, then more literal query keys, then no greedy. */
  readonly rank: number;
  /** The query keys and (lower-case) headers of the required members bound to them, to choose among equal ranks. */
  readonly requiredQuery: readonly string[];
  readonly requiredHeaders: readonly string[];
  /** The operation the SDK names in the URI (`?x-id=PutObject`), if the pattern has one. */
  readonly xId: string | undefined;
}

/** Whether the request carries every required member the route binds to the query or a header. */
function carriesRequired(route: Route, query: URLSearchParams, headers: IncomingHttpHeaders): boolean {
  return (
    route.requiredQuery.every((key) => query.has(key)) &&
    route.requiredHeaders.every((key) => headers[key] !== undefined)
  );
}

/**
 * How well a request fits a route beyond its pattern: the SDK's `x-id` naming the route's operation decides; else
 * each required bound member missing costs more than any gain.
 */
function fitOf(route: Route, query: URLSearchParams, headers: IncomingHttpHeaders): number {
  let fit = route.xId !== undefined && query.get('x-id') === route.xId ? 1_000_000 : 0;
  for (const key of route.requiredQuery) fit += query.has(key) ? 1 : -1000;
  for (const key of route.requiredHeaders) fit += headers[key] !== undefined ? 1 : -1000;
  return fit;
}

/**
 * The routes of a service, compiled once from its model: `match` tries each route against the path split once
 * into segments, comparing literals and binding labels, so its cost is linear in the path and the table.
 */
export class HttpRouteTable {
  private readonly routes: Route[] = [];

  /** `operations`: the subset to route (all of the model's operations with an `http` trait by default). */
  constructor(model: ServiceModel, operations?: readonly string[]) {
    for (const name of operations ?? model.operations.keys()) {
      const operation = model.operations.get(name);
      const http = operation && httpTraitOf(operation);
      if (http) this.routes.push(compileRoute(operation, http));
      else if (operations) throw new Error(`${name} is not a REST operation of the model`);
    }
  }

  /**
   * The operation a request is, with its path labels; undefined when no route matches (method, path and query).
   * The SDK-only `x-id` key of URI patterns (`?x-id=GetObject`) is not required: other clients do not send it.
   * Among routes of the same pattern (S3's PutObject, CopyObject and UploadPart are all `PUT /{Key+}`), the one the
   * request's `x-id` names wins; else the one whose required query and header members the request carries, then
   * the one that binds most of them; then the one listed first.
   */
  match(
    method: string,
    path: string,
    query: URLSearchParams,
    headers?: IncomingHttpHeaders,
  ): RouteMatch | undefined {
    const parts = path.split('/').slice(1);
    let best: { route: Route; labels: Record<string, string>; fit: number } | undefined;
    for (const route of this.routes) {
      if (route.method !== method || (best && best.route.rank > route.rank)) continue;
      if (
        !route.query.every(([key, value]) =>
          value === undefined ? query.has(key) : query.get(key) === value,
        )
      )
        continue;
      const labels = matchPath(route, parts);
      if (!labels) continue;
      const fit = fitOf(route, query, headers ?? {});
      if (!best || best.route.rank < route.rank || best.fit < fit) best = { route, labels, fit };
    }
    return (
      best && {
        operation: best.route.operation,
        labels: best.labels,
        carriesRequired: carriesRequired(best.route, query, headers ?? {}),
      }
    );
  }

  /** Whether some route has this path whatever the method (so a caller may answer "method not allowed"). */
  matchesPath(path: string): boolean {
    const parts = path.split('/').slice(1);
    return this.routes.some((route) => matchPath(route, parts) !== undefined);
  }
}

function compileRoute(operation: OperationModel, [method, uri]: HttpTrait): Route {
  const queryAt = uri.indexOf('?');
  const pathPattern = queryAt < 0 ? uri : uri.slice(0, queryAt);
  const query: [string, string | undefined][] = [];
  let xId: string | undefined;
  if (queryAt >= 0) {
    for (const pair of uri.slice(queryAt + 1).split('&')) {
      const equals = pair.indexOf('=');
      const key = equals < 0 ? pair : pair.slice(0, equals);
      if (key === 'x-id') xId = equals < 0 ? undefined : pair.slice(equals + 1);
      else if (key !== '') query.push([key, equals < 0 ? undefined : pair.slice(equals + 1)]);
    }
  }
  const segments: Segment[] = pathPattern
    .split('/')
    .slice(1)
    .filter((text, i, all) => !(text === '' && i === all.length - 1)) // `/` alone, or a trailing slash
    .map((text) => {
      if (!text.startsWith('{') || !text.endsWith('}')) return { kind: 'literal', text };
      const name = text.slice(1, -1);
      return name.endsWith('+') ? { kind: 'greedy', name: name.slice(0, -1) } : { kind: 'label', name };
    });
  const greedyAt = segments.findIndex((s) => s.kind === 'greedy');
  const literals = segments.filter((s) => s.kind === 'literal').length;
  const requiredQuery: string[] = [];
  const requiredHeaders: string[] = [];
  for (const [, member] of requiredMembers(operation.input)) {
    const traits = member.getMergedTraits() as MemberTraits;
    if (traits.httpQuery !== undefined) requiredQuery.push(traits.httpQuery);
    if (traits.httpHeader !== undefined) requiredHeaders.push(traits.httpHeader.toLowerCase());
  }
  return {
    operation,
    requiredQuery,
    requiredHeaders,
    xId,
    method,
    segments,
    greedyAt,
    query,
    rank: literals * 10_000 + query.length * 10 + (greedyAt < 0 ? 1 : 0),
  };
}

/** The labels of `parts` (the path split at `/`) under the route's pattern, or undefined when it does not fit. */
function matchPath(route: Route, parts: readonly string[]): Record<string, string> | undefined {
  const { segments, greedyAt } = route;
  // a trailing slash is no segment, except inside a greedy label (an S3 key `dir/`)
  const n =
    greedyAt < 0 && parts.length > 0 && parts[parts.length - 1] === '' ? parts.length - 1 : parts.length;
  if (greedyAt < 0 ? n !== segments.length : n < segments.length) return undefined;
  const labels: Record<string, string> = {};
  const after = segments.length - greedyAt - 1;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.kind === 'greedy') {
      const text = parts
        .slice(i, n - after)
        .map(decodeSegment)
        .join('/');
      if (text === '') return undefined;
      labels[segment.name] = text;
      continue;
    }
    const part = greedyAt >= 0 && i > greedyAt ? parts[n - (segments.length - i)] : parts[i];
    if (segment.kind === 'literal') {
      if (part !== segment.text && decodeSegment(part) !== segment.text) return undefined;
    } else {
      if (part === '') return undefined; // Smithy: a label is never empty
      labels[segment.name] = decodeSegment(part);
    }
  }
  return labels;
}

/** The structure's required members: the schema lists them first and holds their count at index 6. */
function requiredMembers(schema: NormalizedSchema): [string, NormalizedSchema][] {
  if (schema.isUnitSchema()) return [];
  const count = Number((schema.getSchema() as unknown as unknown[])[6] ?? 0);
  return [...schema.structIterator()].slice(0, count);
}

/** A percent-decoded path segment; a `%` that starts no escape stays as it is, for the service's checks to refuse. */
function decodeSegment(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// ----- input --------------------------------------------------------------------------------------------------

interface MemberTraits {
  httpLabel?: unknown;
  httpQuery?: string;
  httpQueryParams?: unknown;
  httpHeader?: string;
  httpPrefixHeaders?: string;
  httpPayload?: unknown;
  httpResponseCode?: unknown;
}

/** Smithy timestamp formats as the schemas number them. */
const DATE_TIME = 5;
const HTTP_DATE = 6;
const EPOCH_SECONDS = 7;
/** A decimal number as the SDK writes one (`String(n)`), not `0x10` or `''` that `Number()` also takes; unambiguous. */
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Longer than any number or timestamp on the wire: longer text is refused before it is parsed. */
const MAX_SCALAR_TEXT = 64;

/**
 * The input members bound to the path (`labels` from `match`), the query string and the headers, typed as the
 * schema says (numbers, booleans, timestamps, blobs; lists from repeated query keys or comma-separated headers).
 * Body and payload members are left to the protocol codec.
 */
export function readBoundInput(
  operation: OperationModel,
  labels: Readonly<Record<string, string>>,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  errors: BindingErrors,
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const boundQueryKeys = new Set<string>();
  let queryParams: [string, NormalizedSchema] | undefined;
  for (const [name, member] of operation.input.structIterator()) {
    const traits = member.getMergedTraits() as MemberTraits;
    if (traits.httpLabel) {
      const text = Object.hasOwn(labels, name) ? labels[name] : undefined;
      if (text !== undefined) input[name] = scalar(member, text, name, DATE_TIME, errors);
    } else if (traits.httpQuery !== undefined) {
      boundQueryKeys.add(traits.httpQuery);
      const value = queryValue(member, query, traits.httpQuery, name, errors);
      if (value !== undefined) input[name] = value;
    } else if (traits.httpQueryParams) {
      queryParams = [name, member];
    } else if (traits.httpHeader !== undefined) {
      const text = headerText(headers, traits.httpHeader.toLowerCase());
      if (text !== undefined) input[name] = headerValue(member, text, name, errors);
    } else if (traits.httpPrefixHeaders !== undefined) {
      const prefix = traits.httpPrefixHeaders.toLowerCase();
      const map: Record<string, unknown> = {};
      let any = false;
      for (const key of Object.keys(headers)) {
        const text = key.startsWith(prefix) ? headerText(headers, key) : undefined;
        if (text === undefined) continue;
        map[key.slice(prefix.length)] = headerValue(member.getValueSchema(), text, name, errors);
        any = true;
      }
      if (any) input[name] = map;
    }
  }
  if (queryParams) {
    // Smithy: httpQueryParams takes the keys no httpQuery member binds
    const [name, member] = queryParams;
    const map: Record<string, unknown> = {};
    const value = member.getValueSchema();
    for (const key of new Set(query.keys())) {
      if (boundQueryKeys.has(key)) continue;
      map[key] = value.isListSchema() ? query.getAll(key) : query.get(key);
    }
    if (Object.keys(map).length > 0) input[name] = map;
  }
  return input;
}

function queryValue(
  member: NormalizedSchema,
  query: URLSearchParams,
  key: string,
  name: string,
  errors: BindingErrors,
): unknown {
  if (member.isListSchema()) {
    const texts = query.getAll(key);
    if (texts.length === 0) return undefined;
    return texts.map((text) => scalar(member.getValueSchema(), text, name, DATE_TIME, errors));
  }
  const text = query.get(key);
  return text === null ? undefined : scalar(member, text, name, DATE_TIME, errors);
}

function headerText(headers: IncomingHttpHeaders, key: string): string | undefined {
  const value = headers[key];
  return Array.isArray(value) ? value.join(', ') : value;
}

function headerValue(member: NormalizedSchema, text: string, name: string, errors: BindingErrors): unknown {
  if (!member.isListSchema()) return scalar(member, text.trim(), name, HTTP_DATE, errors);
  const item = member.getValueSchema();
  const parts = splitHeader(text);
  // an http-date holds a comma (`Mon, 01 Jan …`): a list of them is split at every other comma
  if (item.isTimestampSchema() && timestampFormat(item, HTTP_DATE) === HTTP_DATE) {
    const dates: string[] = [];
    for (let i = 0; i < parts.length; i += 2) dates.push(`${parts[i]}, ${parts[i + 1] ?? ''}`);
    return dates.map((date) => scalar(item, date, name, HTTP_DATE, errors));
  }
  return parts.map((part) => scalar(item, part, name, HTTP_DATE, errors));
}

function timestampFormat(schema: NormalizedSchema, locationDefault: number): number {
  const format = schema.getSchema();
  return format === DATE_TIME || format === HTTP_DATE || format === EPOCH_SECONDS ? format : locationDefault;
}

/** One bound value from its text; `timestampDefault` is the location's format when the member names none. */
function scalar(
  schema: NormalizedSchema,
  text: string,
  name: string,
  timestampDefault: number,
  errors: BindingErrors,
): unknown {
  if (schema.isBooleanSchema()) {
    if (text === 'true' || text === 'false') return text === 'true';
    throw errors.invalidValue(name, `Value for ${name} is invalid: must be true or false.`, text, 'boolean');
  }
  if (schema.isNumericSchema()) {
    const value = text.length <= MAX_SCALAR_TEXT && DECIMAL.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(value))
      throw errors.invalidValue(name, `Value for ${name} is invalid: must be a number.`, text, 'number');
    return value;
  }
  if (schema.isTimestampSchema()) {
    const date =
      text.length <= MAX_SCALAR_TEXT
        ? parseTimestamp(text, timestampFormat(schema, timestampDefault))
        : undefined;
    if (!date)
      throw errors.invalidValue(
        name,
        `Value for ${name} is invalid: must be a timestamp.`,
        text,
        'timestamp',
      );
    return date;
  }
  if (schema.isBlobSchema()) {
    if (!isBase64(text) || text.length % 4 === 1)
      throw errors.invalidValue(name, `Value for ${name} is invalid: not base64.`, text, 'base64');
    return Buffer.from(text, 'base64');
  }
  return text;
}

function parseTimestamp(text: string, format: number): Date | undefined {
  try {
    const date =
      format === HTTP_DATE
        ? _parseRfc7231DateTime(text)
        : format === EPOCH_SECONDS
          ? _parseEpochTimestamp(text)
          : _parseRfc3339DateTimeWithOffset(text);
    return date instanceof Date && Number.isFinite(date.getTime()) ? date : undefined;
  } catch {
    return undefined; // the SDK's parsers throw on text that is no date of their format
  }
}

// ----- output -------------------------------------------------------------------------------------------------

/**
 * The status and headers of a reply from the output members bound to them (`httpResponseCode`, `httpHeader`,
 * `httpPrefixHeaders`); the status is the `http` trait's otherwise. The other members are the body's.
 */
export function writeBoundOutput(
  operation: OperationModel,
  output: Readonly<Record<string, unknown>>,
): BoundOutput {
  let status = httpTraitOf(operation)?.[2] ?? 200;
  const headers: Record<string, string> = {};
  if (operation.output.isUnitSchema()) return { status, headers };
  for (const [name, member] of operation.output.structIterator()) {
    const value = output[name];
    if (value === undefined || value === null) continue;
    const traits = member.getMergedTraits() as MemberTraits;
    if (traits.httpResponseCode) {
      status = Number(value);
    } else if (traits.httpHeader !== undefined) {
      headers[traits.httpHeader.toLowerCase()] = headerValueText(member, value);
    } else if (traits.httpPrefixHeaders !== undefined && typeof value === 'object') {
      const prefix = traits.httpPrefixHeaders.toLowerCase();
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (item !== undefined && item !== null)
          headers[`${prefix}${key}`.toLowerCase()] = headerValueText(member.getValueSchema(), item);
      }
    }
  }
  return { status, headers };
}

/** The text of one header value: lists comma-separated (items quoted when they hold a comma or a quote). */
function headerValueText(schema: NormalizedSchema, value: unknown): string {
  if (schema.isListSchema() && Array.isArray(value)) {
    const item = schema.getValueSchema();
    const texts = value.map((v) => headerValueText(item, v));
    return (item.isTimestampSchema() ? texts : texts.map(quoteHeader)).join(', ');
  }
  if (schema.isTimestampSchema()) {
    const date = value instanceof Date ? value : new Date(value as number | string);
    const format = timestampFormat(schema, HTTP_DATE);
    if (format === EPOCH_SECONDS) return String(date.getTime() / 1000);
    if (format === DATE_TIME) return date.toISOString().replace('.000Z', 'Z');
    return dateToUtcString(date);
  }
  if (schema.isBlobSchema()) return Buffer.from(value as Uint8Array).toString('base64');
  return String(value);
}

// ----- what is left for the body ------------------------------------------------------------------------------

/** The member bound to the whole body (`httpPayload`), if the structure has one. */
export function payloadMemberOf(schema: NormalizedSchema): readonly [string, NormalizedSchema] | undefined {
  if (schema.isUnitSchema()) return undefined;
  for (const [name, member] of schema.structIterator()) {
    if ((member.getMergedTraits() as MemberTraits).httpPayload) return [name, member];
  }
  return undefined;
}

/** Whether a member travels in the body (bound to no label, query key, header or status). */
export function isBodyMember(member: NormalizedSchema): boolean {
  const traits = member.getMergedTraits() as MemberTraits;
  return !(
    traits.httpLabel ||
    traits.httpQuery !== undefined ||
    traits.httpQueryParams ||
    traits.httpHeader !== undefined ||
    traits.httpPrefixHeaders !== undefined ||
    traits.httpPayload ||
    traits.httpResponseCode
  );
}
