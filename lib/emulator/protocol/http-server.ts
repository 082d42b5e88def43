/** The emulator's one HTTP server: reads requests, hands them to the routed service protocol, never crashes. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import {
  header,
  operationOf,
  type ProtocolRouter,
  serviceNameOf,
  signingNameOf,
  type LargeBody,
  type SpilledBody,
  type WireRequest,
  type WireResponse,
} from './router';
import type { Refusal, RequestGuard } from './request-guard';
import { RequestBodyCollector } from './request-body';
import type { RequestLog } from './request-log';
import { errorResponseXml, escapeXml } from './xml';

/** The slowest average pace (bytes per millisecond: 1 MiB/s) a large body may arrive at after requestTimeoutMs. */
const MIN_STREAMED_BYTES_PER_MS = (1024 * 1024) / 1000;

/**
 * A body declared at most this long is read into memory without asking its protocol about large bodies; a longer
 * one is asked about, so an S3 upload is kept in the pieces it arrived in (a fresh 1 MiB copy per PutObject cost
 * as much as its MD5).
 */
const SMALL_BODY_BYTES = 64 * 1024;

/** Larger than any valid request (1 MiB messages, base64 binary attributes, JSON escapes), small enough to be safe. */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** How long a client may take, and how many may be connected: a slow or stuck client never holds the server. */
export interface ConnectionLimits {
  /** Milliseconds to receive the request line and headers. @default 10_000 */
  readonly headersTimeoutMs?: number;
  /** Milliseconds a request body may go without a byte arriving. @default 15_000 */
  readonly bodyIdleTimeoutMs?: number;
  /**
   * Milliseconds to receive a whole request (a 16 MiB body at a slow pace fits); a large streamed body (S3 uploads)
   * has this plus a second per MiB received, so it is cut off only if it averages under 1 MiB/s. @default 120_000
   */
  readonly requestTimeoutMs?: number;
  /** Open connections at once; more are dropped on connect. @default 1024 */
  readonly maxConnections?: number;
}

export const DEFAULT_CONNECTION_LIMITS: Required<ConnectionLimits> = {
  headersTimeoutMs: 10_000,
  bodyIdleTimeoutMs: 15_000,
  requestTimeoutMs: 120_000,
  maxConnections: 1024,
};

/** `--state-dir`: an answer is sent only once the changes made so far are durable. */
export interface Durability {
  /** Undefined when nothing is pending (the answer goes at once); rejects if the changes cannot be saved. */
  commit(): Promise<void> | undefined;
}

export interface ListeningServer {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listen(
  router: ProtocolRouter,
  host: string,
  port: number,
  guard: RequestGuard,
  connectionLimits: ConnectionLimits = {},
  requestLog?: RequestLog,
  durability?: Durability,
): Promise<ListeningServer> {
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...connectionLimits };
  const server = createServer(
    {
      keepAliveTimeout: 65_000,
      headersTimeout: limits.headersTimeoutMs,
      // whole-request deadlines are serve()'s: a streamed upload gets more time as long as it keeps coming
      requestTimeout: 0,
      // Node checks the two timeouts above on this period (30 s by default)
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, limits.headersTimeoutMs / 2)),
    },
    (req, res) => serve(router, guard, limits, req, logged(res, req, requestLog), durability),
  );
  server.maxConnections = limits.maxConnections;
  // a malformed request line or headers, or a timeout: answer 4xx and drop the connection, keep serving others
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    host,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Every answer to `req` goes through `send`: with a log, the response is logged as it is sent. */
function logged(res: ServerResponse, req: IncomingMessage, log: RequestLog | undefined): ServerResponse {
  if (!log) return res;
  const startedAt = performance.now();
  loggedCalls.set(res, (response) =>
    // an answer no service gave (a refusal, a timeout) is put down to the service the request is signed for
    log.record(response, startedAt, () => {
      const request = headersOnlyRequestOf(req);
      return { service: signingNameOf(request), operation: operationOf(request) };
    }),
  );
  return res;
}

/** The log of each response being served (weak: a finished response takes its entry with it). */
const loggedCalls = new WeakMap<ServerResponse, (response: WireResponse) => void>();

function serve(
  router: ProtocolRouter,
  guard: RequestGuard,
  limits: Required<ConnectionLimits>,
  req: IncomingMessage,
  res: ServerResponse,
  durability: Durability | undefined,
): void {
  const refusal = guard.check(req.headers);
  if (refusal) {
    // nothing of the request is read or acted on; the connection closes so its body is never waited for
    send(res, refusalResponse(req, refusal), true);
    return;
  }
  const cors = guard.corsHeaders(req.headers);
  const preflight = guard.preflight(req.method ?? 'GET', req.headers);
  if (preflight) {
    send(res, { status: 200, headers: preflight, body: '' }, false);
    req.resume();
    return;
  }
  // S3 uploads may be up to 5 GiB, spilled to disk past a few MiB; every other body is at most 16 MiB in memory
  const declared = Number(req.headers['content-length']);
  // a body declared small stays in memory whatever it is: the hot path (SQS, SNS) skips routing by headers
  const small = declared <= SMALL_BODY_BYTES;
  // neither Content-Length nor Transfer-Encoding: HTTP/1.1 says no body (a GET; routing it would load S3's protocol)
  const bodiless =
    req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined;
  const large = small || bodiless ? undefined : largeBodyOf(router, req);
  const body = new RequestBodyCollector(req, large?.maxBytes ?? MAX_REQUEST_BYTES, large);
  let tooLarge = false;
  const refuseTooLarge = () => {
    tooLarge = true;
    send(res, withHeaders(tooLargeResponse(router, req, body.maxBytes), cors), true);
  };
  // a declared length over the limit is refused before a byte of the body is read
  if (Number(req.headers['content-length']) > body.maxBytes) {
    refuseTooLarge();
    return;
  }
  const started = performance.now();
  let deadline: NodeJS.Timeout | undefined;
  const timeOut = () => {
    clearTimeout(deadline);
    body.discard();
    send(res, requestTimeoutResponse(), true);
    // closed once the answer is out (destroying at once can drop it), or after a second if the client reads nothing
    const close = () => req.destroy();
    res.once('finish', close);
    setTimeout(close, 1_000).unref();
  };
  // a body that stops arriving: answer 408 and close, instead of holding the connection forever
  req.setTimeout(limits.bodyIdleTimeoutMs, timeOut);
  // the whole request has requestTimeoutMs; a large body also as long as it averages MIN_STREAMED_BYTES_PER_MS
  // (a 5 GiB upload at local speed is never cut off, a client trickling bytes to dodge the idle timeout is)
  const checkDeadline = () => {
    const allowed = limits.requestTimeoutMs + (large ? body.received / MIN_STREAMED_BYTES_PER_MS : 0);
    const left = allowed - (performance.now() - started);
    if (left <= 0) timeOut();
    // re-checked when the time left is up (a timer firing a hair early must not make the 408 a second late)
    else deadline = setTimeout(checkDeadline, Math.max(left, 10));
  };
  deadline = setTimeout(checkDeadline, limits.requestTimeoutMs);
  const aborter = new AbortController();
  // the client went away before we answered: stop waiting on its behalf (long polls); a spilled body's file goes
  res.on('close', () => {
    clearTimeout(deadline);
    if (!res.writableFinished) aborter.abort();
    body.discard();
  });
  req.on('error', () => aborter.abort());
  req.on('data', (chunk: Buffer) => {
    if (!tooLarge && !body.add(chunk)) refuseTooLarge();
  });
  req.on('end', () => {
    req.setTimeout(0);
    clearTimeout(deadline);
    if (tooLarge || aborter.signal.aborted) return;
    body.finish().then(
      (collected) => {
        if (aborter.signal.aborted) return;
        const request = wireRequestOf(
          req,
          collected.body,
          aborter.signal,
          collected.spilled,
          collected.chunks,
        );
        serveRead(router, request, res, cors, durability);
      },
      (error: unknown) => {
        if (aborter.signal.aborted) return; // the client went away: its file is gone, nothing to answer
        console.error('emulator: could not write a request body to disk', error);
        send(res, withHeaders(diskError(), cors), true);
      },
    );
  });
}

/** Answers a request read whole (its body in memory or spilled to a file). */
function serveRead(
  router: ProtocolRouter,
  request: WireRequest,
  res: ServerResponse,
  cors: Record<string, string>,
  durability: Durability | undefined,
): void {
  dispatch(router, request).then(
    (response) => {
      // kill -9 after this answer loses nothing it reported: the changes behind it are on disk first
      const durable = durability?.commit();
      if (durable === undefined) send(res, withHeaders(response, cors), false);
      else {
        durable.then(
          () => send(res, withHeaders(response, cors), false),
          () => send(res, withHeaders(notSavedResponse(request.requestId), cors), false),
        );
      }
    },
    (error: unknown) => {
      console.error('emulator: unhandled error', error);
      const summary = { service: signingNameOf(request) ?? '-', operation: operationOf(request) };
      send(res, withHeaders({ ...internalError(request.requestId), summary }, cors), false);
    },
  );
}

async function dispatch(router: ProtocolRouter, request: WireRequest): Promise<WireResponse> {
  if (request.method === 'GET' && request.path === '/_emulator/health') {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'running', services: router.signingNames }),
    };
  }
  const local = router.localRoute(request);
  if (local !== undefined) return local.handle(request);
  const protocol = router.route(request);
  if (!protocol) return unservedResponse(router, request);
  return protocol.handle(router.admission ? router.admission(request) : request);
}

/** 400, not 5xx: the CLIs and SDKs print a 4xx's code and message at once instead of retrying. */
const UNSERVED_STATUS = 400;
const UNSERVED_CODE = 'UnsupportedService';

/**
 * A request for a service no protocol serves (STS, EC2, DynamoDB...), refused in the error shape its own client
 * parses: JSON for X-Amz-Target, EC2's and the query protocol's XML for an Action, REST's bare `<Error>` otherwise.
 */
function unservedResponse(router: ProtocolRouter, request: WireRequest): WireResponse {
  const { requestId } = request;
  const message = unservedMessage(router, request);
  const headers = { 'x-amzn-requestid': requestId, 'x-amzn-errortype': UNSERVED_CODE };
  const summary = {
    service: signingNameOf(request) ?? header(request, 'x-amz-target')?.split('.', 1)[0] ?? '-',
    operation: operationOf(request) ?? request.method,
    errorCode: UNSERVED_CODE,
    unemulated: true,
  };
  const error = (body: string, contentType = 'text/xml'): WireResponse => ({
    status: UNSERVED_STATUS,
    headers: { ...headers, 'content-type': contentType },
    body,
    summary,
  });
  if (header(request, 'x-amz-target') !== undefined) {
    const sent = header(request, 'content-type') ?? '';
    const json11 = sent.startsWith('application/x-amz-json-1.1');
    return error(
      JSON.stringify({ __type: UNSERVED_CODE, message }),
      json11 ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0',
    );
  }
  const fields = `<Code>${UNSERVED_CODE}</Code><Message>${escapeXml(message)}</Message>`;
  if (signingNameOf(request) === 'ec2') {
    return error(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>${fields}</Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    );
  }
  if (operationOf(request) !== undefined) {
    return error(
      errorResponseXml('https://emulator.local/doc/', 'Sender', UNSERVED_CODE, message, requestId),
    );
  }
  return error(
    `<?xml version="1.0" encoding="UTF-8"?><Error>${fields}<RequestId>${requestId}</RequestId></Error>`,
  );
}

/** `The local emulator does not emulate STS (sts GetCallerIdentity). It serves SQS, ... and S3.` */
function unservedMessage(router: ProtocolRouter, request: WireRequest): string {
  const target = header(request, 'x-amz-target');
  const scope = signingNameOf(request);
  // a served scope with a foreign target (`sqs` signing `DynamoDB_20120810.ListTables`): the target names the service
  const named =
    scope !== undefined && !router.signingNames.includes(scope) ? scope : (target?.split('.', 1)[0] ?? scope);
  const service = echoable(named ?? '');
  // REST requests name no operation: the method at least says what was asked
  const operation = echoable(operationOf(request) ?? '') || echoable(request.method);
  const names = router.serviceNames;
  const serves =
    names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? 'nothing');
  return service === ''
    ? `The request does not name a service the local emulator emulates. It serves ${serves}.`
    : `The local emulator does not emulate ${serviceNameOf(service)} (${service} ${operation}). It serves ${serves}.`;
}

/** A client-chosen name fit to echo: at most 64 characters of [A-Za-z0-9._-]. */
function echoable(name: string): string {
  return name
    .slice(0, 256)
    .replace(/[^A-Za-z0-9._-]/g, '')
    .slice(0, 64);
}

function send(res: ServerResponse, response: WireResponse, close: boolean): void {
  const stream = response.stream?.content;
  if (res.headersSent || res.destroyed) {
    stream?.destroy();
    return;
  }
  loggedCalls.get(res)?.(response);
  const headers: Record<string, string | number> = { ...response.headers };
  // a stream of unknown length (server-sent events) goes out chunked
  const length = response.stream ? response.stream.length : Buffer.byteLength(response.body);
  if (length !== undefined) headers['content-length'] = length;
  if (close) headers.connection = 'close';
  res.writeHead(response.status, headers);
  if (!stream) {
    res.end(response.body);
  } else if (res.req.method === 'HEAD') {
    stream.destroy();
    res.end();
  } else {
    // a client that disconnects mid-body: the read stops and its file is let go
    pipeline(stream, res, (error) => {
      if (error) res.destroy();
    });
  }
}

function withHeaders(response: WireResponse, headers: Record<string, string>): WireResponse {
  return Object.keys(headers).length === 0
    ? response
    : { ...response, headers: { ...response.headers, ...headers } };
}

/** A refused request in the error shape its client reads: JSON for JSON protocols, AWS's XML otherwise. */
function refusalResponse(req: IncomingMessage, refusal: Refusal): WireResponse {
  const requestId = randomUUID();
  const type = String(req.headers['content-type'] ?? '');
  if (req.headers['x-amz-target'] !== undefined || type.includes('json')) {
    return {
      status: refusal.status,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
      body: JSON.stringify({ __type: refusal.code, message: refusal.message }),
    };
  }
  return {
    status: refusal.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: errorResponseXml('https://emulator.local/doc/', 'Sender', refusal.code, refusal.message, requestId),
  };
}

function requestTimeoutResponse(): WireResponse {
  const requestId = randomUUID();
  return {
    status: 408,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: errorResponseXml(
      'https://emulator.local/doc/',
      'Sender',
      'RequestTimeout',
      'Your socket connection to the server was not read from or written to within the timeout period.',
      requestId,
    ),
  };
}

/** The request as services see it: path and query apart, the body read whole. */
function wireRequestOf(
  req: IncomingMessage,
  body: Buffer,
  signal: AbortSignal,
  spilled?: SpilledBody,
  bodyChunks?: readonly Buffer[],
): WireRequest {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  return {
    method: req.method ?? 'GET',
    path: q < 0 ? rawUrl : rawUrl.slice(0, q),
    query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)),
    headers: req.headers,
    body,
    spilled,
    bodyChunks,
    signal,
    requestId: randomUUID(),
  };
}

/** The request before its body is read: enough to route it and to name its service and operation. */
function headersOnlyRequestOf(req: IncomingMessage): WireRequest {
  return wireRequestOf(req, Buffer.alloc(0), AbortSignal.abort());
}

/** What the protocol of a request, routed by its headers alone, says about a large body (S3 uploads). */
function largeBodyOf(router: ProtocolRouter, req: IncomingMessage): LargeBody | undefined {
  const headersOnly = headersOnlyRequestOf(req);
  return router.route(headersOnly)?.largeBody?.(headersOnly);
}

/** A body the server could not write to its temp directory (a full disk): the server's trouble, not the client's. */
function diskError(): WireResponse {
  return serviceUnavailable(
    'The emulator could not write the request body to its temp directory (is the disk full?).',
    randomUUID(),
  );
}

/** A 503 in the XML error shape: the emulator's own trouble (its disk), worth a retry by the client. */
function serviceUnavailable(message: string, requestId: string): WireResponse {
  return {
    status: 503,
    headers: { 'content-type': 'text/xml' },
    body: errorResponseXml(
      'https://emulator.local/doc/',
      'Receiver',
      'ServiceUnavailable',
      message,
      requestId,
    ),
  };
}

function tooLargeResponse(router: ProtocolRouter, req: IncomingMessage, limit: number): WireResponse {
  // a service with its own wording for this (S3's EntityTooLarge) answers it, routed by the headers alone
  const headersOnly = headersOnlyRequestOf(req);
  const protocol = router.route(headersOnly);
  if (protocol?.tooLarge) return protocol.tooLarge(headersOnly, limit);
  return {
    status: 413,
    headers: { 'content-type': 'text/xml' },
    body: errorResponseXml(
      'https://emulator.local/doc/',
      'Sender',
      'RequestEntityTooLarge',
      `Request body is larger than ${limit} bytes.`,
      randomUUID(),
    ),
  };
}

/** The call's changes could not be made durable (`--state-dir` unwritable): not a success to report. */
function notSavedResponse(requestId: string): WireResponse {
  return serviceUnavailable(
    'The emulator could not save this change to its --state-dir (is the disk full?).',
    requestId,
  );
}

function internalError(requestId: string): WireResponse {
  return {
    status: 500,
    headers: { 'content-type': 'text/xml' },
    body: errorResponseXml(
      'https://emulator.local/doc/',
      'Receiver',
      'InternalFailure',
      'Internal error.',
      requestId,
    ),
  };
}
