/**
 * A client of the emulator's control API under `/_emulator/` (docs/emulator.md): the clock, reset, and the queues'
 * numbers and messages read without changing them. It exists only locally: AWS has no such endpoint.
 */

// the shapes the emulator's control API answers with, shared with it (types only: nothing of it is loaded)
import type { ClockReading } from '../emulator/control/clock-control';
import type { PeekedMessage, QueueSummary } from '../emulator/control/queue-inspection';

export type { PeekedMessage };
/** A queue as `GET /_emulator/queues` lists it: the numbers the console shows too. */
export type ControlQueue = QueueSummary;
export type EmulatorClock = ClockReading;

/** A 4xx of the control API (`{"error":{"code","message"}}`), e.g. `ClockNotMovable`. */
export class ControlApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** What answers at the endpoint: the decoupled emulator, something else (AWS, another emulator), or nothing. */
export type EndpointProbe =
  | { readonly kind: 'emulator'; readonly api: ControlApi }
  | { readonly kind: 'other' }
  | { readonly kind: 'unreachable'; readonly reason: string };

/** How long a local call may take: loopback answers in milliseconds, a hung endpoint should not hang the CLI. */
const CALL_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 5_000;

export class ControlApi {
  constructor(readonly endpoint: string) {}

  /** Asks `GET /_emulator/health`: only the decoupled emulator answers it with `{"status":"running"}`. */
  static async probe(endpoint: string): Promise<EndpointProbe> {
    let response: Response;
    try {
      response = await fetch(new URL('/_emulator/health', endpoint), {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
    } catch (error) {
      return { kind: 'unreachable', reason: unreachableReason(error) };
    }
    const body = (await response.json().catch(() => undefined)) as { status?: unknown } | undefined;
    return response.ok && body?.status === 'running'
      ? { kind: 'emulator', api: new ControlApi(endpoint) }
      : { kind: 'other' };
  }

  clock(): Promise<EmulatorClock> {
    return this.call('GET', 'clock');
  }

  advanceClock(duration: string): Promise<EmulatorClock> {
    return this.call('POST', 'clock', { advance: duration });
  }

  reset(): Promise<{ reset: boolean }> {
    return this.call('POST', 'reset', {});
  }

  async queues(): Promise<ControlQueue[]> {
    return (await this.call<{ queues: ControlQueue[] }>('GET', 'queues')).queues;
  }

  async messages(queueName: string, max: number): Promise<PeekedMessage[]> {
    const path = `queues/${encodeURIComponent(queueName)}/messages?max=${max}`;
    return (await this.call<{ messages: PeekedMessage[] }>('GET', path)).messages;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: object): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(`/_emulator/${path}`, this.endpoint), {
        method,
        // a state-changing call must be JSON: the content type a cross-site page cannot send without a preflight
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch (error) {
      throw new EndpointUnreachableError(this.endpoint, unreachableReason(error));
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      throw new ControlApiError(
        typeof error?.code === 'string' ? error.code : `HTTP ${response.status}`,
        typeof error?.message === 'string'
          ? error.message
          : `${method} /_emulator/${path} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
        response.status,
      );
    }
    if (parsed === undefined) {
      throw new Error(
        `${method} /_emulator/${path} answered something other than JSON: ${text.slice(0, 200)}`,
      );
    }
    return parsed as T;
  }
}

/** Nothing answers at the endpoint: said in one line with the endpoint. */
export class EndpointUnreachableError extends Error {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${endpoint} (${reason}): is npm start (or npm run emulator) running there?`);
  }
}

/** The network reason of a failed fetch or SDK call (`connection refused`), undefined for any other error. */
export function networkReason(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown; name?: unknown } | undefined; e;) {
    switch (e.code) {
      case 'ECONNREFUSED':
        return 'connection refused';
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return 'unknown host';
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return 'host unreachable';
      case 'ECONNRESET':
        return 'connection reset';
      case 'ETIMEDOUT':
      case 'UND_ERR_CONNECT_TIMEOUT':
        return 'timed out';
    }
    if (e.name === 'TimeoutError') return 'timed out';
    e = e.cause as typeof e;
  }
  return undefined;
}

/** fetch says only `fetch failed`: the reason is its cause's (`bad port`, a TLS error). */
function unreachableReason(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } }).cause;
  return (
    networkReason(error) ?? (typeof cause?.message === 'string' ? cause.message : (error as Error).message)
  );
}
