/**
 * Who may talk to the emulator. It serves AWS clients (SDKs, CLIs), which send neither `Origin` nor
 * `Sec-Fetch-*` and name the endpoint they were given in `Host`. A web page in the developer's browser can
 * reach loopback too: a form post or a `text/plain` fetch needs no preflight, and DNS rebinding puts a
 * hostile name in `Host`. Those requests are refused before any service sees them.
 */
import { isIP } from 'node:net';
import { networkInterfaces, hostname } from 'node:os';

export interface RequestGuardOptions {
  /** The interface the server listens on (`--host`). */
  readonly listenHost: string;
  /** Extra names the emulator may be addressed by in `Host` (`--allow-host`), e.g. a container's name. */
  readonly allowHosts?: readonly string[];
  /** Browser origins allowed to call it (`--allow-origin`), answered with CORS headers. */
  readonly allowOrigins?: readonly string[];
}

/** A refusal: the HTTP status and a message that says why and how to allow it. */
export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]']);

/** Lower-cased host name without brackets or port, or undefined when the value is not a host[:port]. */
export function hostNameOf(hostHeader: string): string | undefined {
  const value = hostHeader.trim().toLowerCase();
  if (value.length === 0 || value.length > 255) return undefined;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return undefined;
    const rest = value.slice(end + 1);
    if (rest !== '' && !isPortSuffix(rest)) return undefined;
    return value.slice(1, end);
  }
  const colon = value.indexOf(':');
  if (colon < 0) return value;
  if (!isPortSuffix(value.slice(colon))) return undefined;
  return value.slice(0, colon);
}

function isPortSuffix(text: string): boolean {
  if (text.length < 2 || text.length > 6 || text[0] !== ':') return false;
  for (let i = 1; i < text.length; i++) if (text[i] < '0' || text[i] > '9') return false;
  return true;
}

/** Loopback by address or by a name that can only mean this machine (`localhost`, `*.localhost`). */
export function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  if (name.startsWith('::ffff:')) return isLoopbackName(name.slice(7));
  return isIP(name) === 4 && name.startsWith('127.');
}

export class RequestGuard {
  private readonly hosts = new Set<string>();
  private readonly origins: ReadonlySet<string>;
  /** The names this guard answers to beyond loopback, for the refusal message and the start-up line. */
  readonly servedNames: readonly string[];

  constructor(options: RequestGuardOptions) {
    const listen = options.listenHost.toLowerCase().replace(/^\[|\]$/g, '');
    if (WILDCARD_HOSTS.has(listen)) {
      // bound to every interface: the machine's own addresses and name are how others reach it
      for (const addresses of Object.values(networkInterfaces()))
        for (const address of addresses ?? []) this.hosts.add(address.address.toLowerCase());
      this.hosts.add(hostname().toLowerCase());
    } else {
      this.hosts.add(listen);
    }
    for (const name of options.allowHosts ?? []) this.hosts.add(name.toLowerCase());
    this.servedNames = [...this.hosts].filter((name) => !isLoopbackName(name));
    this.origins = new Set((options.allowOrigins ?? []).map((origin) => origin.toLowerCase()));
  }

  /** Undefined when the request may be served; otherwise why not. */
  check(headers: Readonly<Record<string, string | string[] | undefined>>): Refusal | undefined {
    const host = single(headers.host);
    const name = host === undefined ? undefined : hostNameOf(host);
    if (name === undefined || !(isLoopbackName(name) || this.hosts.has(name))) {
      return {
        status: 403,
        code: 'Forbidden',
        message:
          `The emulator does not answer to Host '${truncate(host ?? '')}': it serves only loopback names` +
          `${this.servedNames.length ? ` and ${this.servedNames.join(', ')}` : ''}, so that a web page cannot ` +
          `reach it through DNS rebinding. To address it by another name, start it with --allow-host NAME.`,
      };
    }
    const origin = single(headers.origin);
    if (origin !== undefined) {
      const own = origin.toLowerCase() === `http://${host!.trim().toLowerCase()}`;
      if (!own && !this.origins.has(origin.toLowerCase())) {
        return {
          status: 403,
          code: 'Forbidden',
          message:
            `The emulator refuses requests from web pages (Origin '${truncate(origin)}'): AWS SDKs and CLIs ` +
            `send no Origin, so a page in your browser cannot drive it. To let a browser app of yours call it, ` +
            `start it with --allow-origin ${truncate(origin)}.`,
        };
      }
      return undefined;
    }
    const site = single(headers['sec-fetch-site']);
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return {
        status: 403,
        code: 'Forbidden',
        message:
          `The emulator refuses requests a browser sends on behalf of another site (Sec-Fetch-Site: ` +
          `${truncate(site)}): only AWS clients and the emulator's own console may call it.`,
      };
    }
    return undefined;
  }

  /** CORS headers for an allowed cross-origin caller (`--allow-origin`), none otherwise. */
  corsHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
    const origin = single(headers.origin);
    if (origin === undefined || !this.origins.has(origin.toLowerCase())) return {};
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': EXPOSED_HEADERS,
      vary: 'Origin',
    };
  }

  /** The answer to a CORS preflight from an allowed origin, or undefined when it is not one. */
  preflight(
    method: string,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): Record<string, string> | undefined {
    if (method !== 'OPTIONS' || single(headers['access-control-request-method']) === undefined)
      return undefined;
    const cors = this.corsHeaders(headers);
    if (!('access-control-allow-origin' in cors)) return undefined;
    return {
      ...cors,
      'access-control-allow-methods': 'GET, PUT, POST, DELETE, HEAD',
      'access-control-allow-headers': single(headers['access-control-request-headers']) ?? '*',
      'access-control-max-age': '600',
    };
  }
}

const EXPOSED_HEADERS = [
  'etag',
  'x-amz-request-id',
  'x-amzn-requestid',
  'x-amz-version-id',
  'x-amz-id-2',
  'x-amzn-errortype',
  'x-amz-function-error',
  'x-amz-log-result',
  'x-amz-executed-version',
].join(', ');

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Echoes at most a short prefix of what the client sent. */
function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
