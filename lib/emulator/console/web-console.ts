/**
 * The local console at `/_console/`: one page (hash-routed), its script and style, the console's JSON API under
 * `/_console/api/`, and the live events as server-sent events. It passes the request guard every AWS call passes
 * (Host check, other sites' pages refused); on top of that a state-changing call must be a POST with
 * `content-type: application/json`, which a cross-site form cannot send without a CORS preflight.
 */
import { PassThrough } from 'node:stream';
import type { Emulator } from '../emulator';
import { header, type LocalRoute, type WireRequest, type WireResponse } from '../protocol/router';
import { consoleAssets } from './assets';
import { ConsoleApi, errorBody } from './console-api';
import { ConsoleObservations, type ObservedEvent } from './observations';

export const CONSOLE_PREFIX = '/_console/';

/** The page may load only its own script, style and API: injected markup could run nothing. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** Events replayed to a new stream (the page's log starts with what just happened). */
const REPLAYED_EVENTS = 100;
/** A comment line this often keeps proxies and the browser from dropping an idle stream. */
const HEARTBEAT_MS = 15_000;

export class WebConsole implements LocalRoute {
  readonly prefix = CONSOLE_PREFIX;
  readonly observations: ConsoleObservations;
  private readonly api: ConsoleApi;
  private readonly streams = new Set<PassThrough>();

  constructor(emulator: () => Emulator) {
    this.observations = new ConsoleObservations(emulator);
    this.api = new ConsoleApi(emulator, this.observations);
  }

  /** Starts remembering events, invocations and fleet samples (done by `npm start`, and on the first visit). */
  observe(): void {
    this.observations.start();
  }

  async handle(request: WireRequest): Promise<WireResponse> {
    this.observe();
    const path = request.path.slice(CONSOLE_PREFIX.length);
    if (path.startsWith('api/')) {
      if (request.method === 'POST' && !isJson(header(request, 'content-type'))) {
        return apiError(
          415,
          'UnsupportedMediaType',
          "The console's actions take content-type application/json (a cross-site form cannot send it).",
        );
      }
      if (request.method !== 'GET' && request.method !== 'POST') {
        return apiError(
          405,
          'MethodNotAllowed',
          `The console API answers GET and POST, not ${request.method.slice(0, 16)}.`,
        );
      }
      if (path === 'api/events' && request.method === 'GET') return this.events(request);
      return this.api.handle(request, path.slice(4));
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return apiError(405, 'MethodNotAllowed', 'The console pages answer GET only.');
    }
    const assets = await consoleAssets();
    switch (path) {
      case '':
      case 'index.html':
        return asset('text/html; charset=utf-8', assets.page);
      case 'console.js':
        return asset('text/javascript; charset=utf-8', assets.script);
      case 'console.css':
        return asset('text/css; charset=utf-8', assets.style);
    }
    return apiError(404, 'NotFound', 'The console has no such page: open /_console/.');
  }

  /** Ends every event stream (the emulator is stopping). */
  close(): void {
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    this.observations.stop();
  }

  /** `GET /_console/api/events`: server-sent events, the recent ones first (after `Last-Event-ID` if given). */
  private events(request: WireRequest): WireResponse {
    const stream = new PassThrough();
    const send = (observed: ObservedEvent) =>
      stream.write(
        `id: ${observed.seq}\nevent: activity\ndata: ${JSON.stringify({ at: observed.at, ...observed.event })}\n\n`,
      );
    const lastId = Number(header(request, 'last-event-id') ?? request.query.get('after') ?? 0);
    const replay = this.observations.eventsAfter(Number.isSafeInteger(lastId) && lastId > 0 ? lastId : 0);
    stream.write('retry: 2000\n\n');
    for (const observed of replay.slice(-REPLAYED_EVENTS)) send(observed);
    const unsubscribe = this.observations.subscribe(send);
    const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    this.streams.add(stream);
    stream.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.streams.delete(stream);
    });
    return {
      status: 200,
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
      body: '',
      // open-ended: sent chunked until the page goes away or the emulator stops
      stream: { content: stream },
    };
  }
}

function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';', 1)[0].trim().toLowerCase() === 'application/json';
}

function asset(contentType: string, body: string): WireResponse {
  return { status: 200, headers: { ...PAGE_HEADERS, 'content-type': contentType }, body };
}

function apiError(status: number, code: string, message: string): WireResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff' },
    body: JSON.stringify(errorBody(code, message)),
  };
}
