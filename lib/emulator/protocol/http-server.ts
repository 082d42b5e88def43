/** The emulator's one HTTP server: reads requests, hands them to the routed service protocol, never crashes. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formOf, type ProtocolRouter, type WireRequest, type WireResponse } from './router';
import { errorResponseXml } from './xml';

/** Larger than any valid request (1 MiB messages, base64 binary attributes, JSON escapes), small enough to be safe. */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

export interface ListeningServer {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listen(router: ProtocolRouter, host: string, port: number): Promise<ListeningServer> {
  const server = createServer(
    { keepAliveTimeout: 65_000, headersTimeout: 66_000, requestTimeout: 0 },
    (req, res) => serve(router, req, res),
  );
  // a malformed request line or headers: answer 400 and drop the connection, keep serving everyone else
  server.on('clientError', (_error, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
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

function serve(router: ProtocolRouter, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  const aborter = new AbortController();
  // the client went away before we answered: stop waiting on its behalf (long polls)
  res.on('close', () => {
    if (!res.writableFinished) aborter.abort();
  });
  req.on('error', () => aborter.abort());
  req.on('data', (chunk: Buffer) => {
    if (tooLarge) return;
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) {
      tooLarge = true;
      chunks.length = 0;
      send(res, tooLargeResponse(router, req), true);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooLarge || aborter.signal.aborted) return;
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const request: WireRequest = {
      method: req.method ?? 'GET',
      path: q < 0 ? rawUrl : rawUrl.slice(0, q),
      query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)),
      headers: req.headers,
      body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      signal: aborter.signal,
      requestId: randomUUID(),
    };
    dispatch(router, request).then(
      (response) => send(res, response, false),
      (error: unknown) => {
        console.error('emulator: unhandled error', error);
        send(res, internalError(request.requestId), false);
      },
    );
  });
}

async function dispatch(router: ProtocolRouter, request: WireRequest): Promise<WireResponse> {
  if (request.method === 'GET' && request.path === '/_emulator/health') {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'running', services: router.signingNames }),
    };
  }
  const protocol = router.route(request, formOf(request));
  if (!protocol) {
    return {
      status: 400,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
      body: errorResponseXml(
        'https://emulator.local/doc/',
        'Sender',
        'InvalidAction',
        'The request does not name an operation of a service this emulator provides.',
        request.requestId,
      ),
    };
  }
  return protocol.handle(request);
}

function send(res: ServerResponse, response: WireResponse, close: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = {
    ...response.headers,
    'content-length': Buffer.byteLength(response.body),
  };
  if (close) headers.connection = 'close';
  res.writeHead(response.status, headers);
  res.end(response.body);
}

function tooLargeResponse(router: ProtocolRouter, req: IncomingMessage): WireResponse {
  // a service with its own wording for this (S3's EntityTooLarge) answers it, routed by the headers alone
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const headersOnly: WireRequest = {
    method: req.method ?? 'GET',
    path: q < 0 ? rawUrl : rawUrl.slice(0, q),
    query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)),
    headers: req.headers,
    body: Buffer.alloc(0),
    signal: AbortSignal.abort(),
    requestId: randomUUID(),
  };
  const protocol = router.route(headersOnly, undefined);
  if (protocol?.tooLarge) return protocol.tooLarge(headersOnly, MAX_REQUEST_BYTES);
  return {
    status: 413,
    headers: { 'content-type': 'text/xml' },
    body: errorResponseXml(
      'https://emulator.local/doc/',
      'Sender',
      'RequestEntityTooLarge',
      `Request body is larger than ${MAX_REQUEST_BYTES} bytes.`,
      randomUUID(),
    ),
  };
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
