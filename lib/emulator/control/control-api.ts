/**
 * The control API under `/_emulator/` (not AWS: the emulator's own): read and move the clock, reset every
 * service, list the queues with their counts and peek at a queue's messages without receiving them. JSON in and
 * out; errors are `{"error":{"code","message"}}` with a 4xx. A state-changing call is a POST whose content type
 * is `application/json`, which a web page of another site cannot send without a CORS preflight the emulator
 * never grants (the request guard has already refused foreign origins and hosts).
 */
import type { Emulator } from '../emulator';
import type { LocalRoute, WireRequest, WireResponse } from '../protocol/router';
import { header } from '../protocol/router';
import { isMovableClock } from '../clock';
import { advanceSettled, readClock, waitForClock } from './clock-control';
import { MAX_ADVANCE_MS, parseDuration } from './duration';
import { MAX_PEEK, peekMessages, queueNamed, queueSummaries } from './queue-inspection';

export const CONTROL_PREFIX = '/_emulator/';

/** A control request body is a few dozen bytes; anything near this is not one. */
const MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_PEEK = 10;

class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The `/_emulator/` route of an emulator (read lazily: the route is registered before the emulator exists). */
export function controlRoute(emulator: () => Emulator): LocalRoute {
  // one state change at a time: an advance and a reset never interleave
  let changes: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const result = changes.then(work, work);
    changes = result.catch(() => undefined);
    return result;
  };
  return {
    prefix: CONTROL_PREFIX,
    async handle(request) {
      // the request log names the call like an AWS operation: `emulator AdvanceClock - 200 3ms`
      const summary = { service: 'emulator', operation: operationOf(request) };
      try {
        return { ...(await route(emulator(), request, serialized)), summary };
      } catch (error) {
        if (error instanceof ControlError)
          return { ...errorResponse(error), summary: { ...summary, errorCode: error.code } };
        throw error;
      }
    },
  };
}

async function route(
  emulator: Emulator,
  request: WireRequest,
  serialized: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<WireResponse> {
  const path = request.path.slice(CONTROL_PREFIX.length);
  const parts = path.split('/');
  if (path === 'clock') {
    if (request.method === 'GET') {
      allowQuery(request, []);
      return json(200, readClock(emulator.clock));
    }
    allowMethods(request, ['GET', 'POST']);
    const body = jsonBody(request, ['advance']);
    const text = body.advance;
    if (text === undefined)
      throw badRequest('MissingParameter', 'The request must name \'advance\', e.g. {"advance":"10m"}.');
    if (typeof text !== 'string')
      throw badRequest('InvalidParameterValue', '\'advance\' is a duration string like "10m".');
    const ms = parseDuration(text);
    if (typeof ms !== 'number') throw badRequest('InvalidParameterValue', ms.problem);
    if (!isMovableClock(emulator.clock)) {
      throw new ControlError(
        409,
        'ClockNotMovable',
        'The emulator runs on the real clock (--clock real), which cannot be moved. Start it with --clock manual ' +
          '(time moves only when told) or --clock fast:N (N times real time) to advance it.',
      );
    }
    await serialized(() => advanceSettled(emulator, ms));
    return json(200, readClock(emulator.clock));
  }
  if (path === 'clock/wait') {
    allowMethods(request, ['GET']);
    allowQuery(request, ['until']);
    const until = request.query.get('until');
    const untilMs = until === null || !/^\d{1,15}$/.test(until) ? Number.NaN : Number(until);
    if (Number.isNaN(untilMs)) {
      throw badRequest(
        'InvalidParameterValue',
        "'until' is the emulator time to wait for, in epoch milliseconds.",
      );
    }
    await waitForClock(
      emulator.clock,
      Math.min(untilMs, emulator.clock.now() + MAX_ADVANCE_MS),
      request.signal,
    );
    return json(200, readClock(emulator.clock));
  }
  if (path === 'reset') {
    allowMethods(request, ['POST']);
    jsonBody(request, []);
    await serialized(() => emulator.reset());
    return json(200, { reset: true });
  }
  if (path === 'queues') {
    allowMethods(request, ['GET']);
    allowQuery(request, []);
    return json(200, { queues: queueSummaries(emulator.sqs) });
  }
  if (parts.length === 3 && parts[0] === 'queues' && parts[2] === 'messages') {
    allowMethods(request, ['GET']);
    allowQuery(request, ['max']);
    const name = decoded(parts[1]);
    const maxText = request.query.get('max');
    const max = maxText === null ? DEFAULT_PEEK : /^\d{1,3}$/.test(maxText) ? Number(maxText) : Number.NaN;
    if (!(max >= 1 && max <= MAX_PEEK)) {
      throw badRequest(
        'InvalidParameterValue',
        `'max' is a whole number from 1 to ${MAX_PEEK}, got '${(maxText ?? '').slice(0, 16)}'.`,
      );
    }
    const queue = name === undefined ? undefined : queueNamed(emulator.sqs, name);
    if (queue === undefined) {
      throw new ControlError(
        404,
        'QueueDoesNotExist',
        `The specified queue ${(name ?? parts[1]).slice(0, 80)} does not exist (GET /_emulator/queues lists them).`,
      );
    }
    return json(200, { queue: queue.name, messages: peekMessages(emulator.sqs, queue, max) });
  }
  throw new ControlError(
    404,
    'NotFound',
    `No control endpoint at ${request.path.slice(0, 100)}: the control API serves /_emulator/health, clock, ` +
      'clock/wait, reset, queues and queues/NAME/messages (docs/emulator.md, "Control API").',
  );
}

/** What the request log calls a control request. */
function operationOf(request: WireRequest): string | undefined {
  const path = request.path.slice(CONTROL_PREFIX.length);
  if (path === 'clock') return request.method === 'POST' ? 'AdvanceClock' : 'ReadClock';
  if (path === 'clock/wait') return 'WaitForClock';
  if (path === 'reset') return 'Reset';
  if (path === 'queues') return 'ListQueues';
  if (path.startsWith('queues/') && path.endsWith('/messages')) return 'PeekMessages';
  return undefined;
}

function allowMethods(request: WireRequest, methods: readonly string[]): void {
  if (!methods.includes(request.method)) {
    throw new ControlError(
      405,
      'MethodNotAllowed',
      `${request.method.slice(0, 10)} is not allowed here: use ${methods.join(' or ')}.`,
    );
  }
}

function allowQuery(request: WireRequest, names: readonly string[]): void {
  for (const name of request.query.keys()) {
    if (!names.includes(name)) {
      throw badRequest(
        'InvalidParameter',
        `The query parameter '${name.slice(0, 32)}' is not supported here.`,
      );
    }
  }
}

/** The POST body as a JSON object holding only `members`; 415 for another content type. */
function jsonBody(request: WireRequest, members: readonly string[]): Record<string, unknown> {
  const type = (header(request, 'content-type') ?? '').split(';', 1)[0].trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ControlError(
      415,
      'UnsupportedMediaType',
      "A control API POST must have 'content-type: application/json' (a web page of another site cannot send one).",
    );
  }
  if (request.body.length > MAX_BODY_BYTES || request.spilled !== undefined) {
    throw new ControlError(413, 'RequestTooLarge', 'A control API request body is a small JSON object.');
  }
  let body: unknown;
  try {
    body = request.body.length === 0 ? {} : JSON.parse(request.body.toString('utf8'));
  } catch {
    throw badRequest('InvalidJson', 'The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('InvalidJson', 'The request body must be a JSON object.');
  }
  for (const name of Object.keys(body)) {
    if (!members.includes(name)) {
      throw badRequest(
        'InvalidParameter',
        `'${name.slice(0, 32)}' is not supported here${members.length ? ` (only ${members.join(', ')})` : ' (send {})'}.`,
      );
    }
  }
  return body as Record<string, unknown>;
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function badRequest(code: string, message: string): ControlError {
  return new ControlError(400, code, message);
}

function errorResponse(error: ControlError): WireResponse {
  return json(error.status, { error: { code: error.code, message: error.message } });
}

function json(status: number, body: unknown): WireResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
