/**
 * Where HTTP/S subscriptions may deliver. The emulator runs on a developer's machine, inside their network: an
 * HTTP subscription would let anyone who can reach it make it POST anywhere (the cloud metadata service, the
 * office intranet, other people's servers). So it posts only to loopback (127.0.0.0/8, ::1, `localhost`) unless
 * started with `--allow-outbound HOST` (EmulatorOptions.allowOutbound).
 *
 * Checked twice: at Subscribe on the URL's host, and before each POST on the address the host resolves to right
 * then (a name can resolve elsewhere later); the connection then goes to exactly that address.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** One address a host name resolves to. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** What a delivery may connect to: the host as it resolves (allowed by name), one checked address, or nothing. */
export type OutboundVerdict =
  | { readonly kind: 'connect'; readonly pinned?: ResolvedAddress }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'unresolved' };

export class OutboundPolicy {
  private readonly allowed: ReadonlySet<string>;

  /** `allow`: extra host names or IP addresses, beyond loopback. */
  constructor(allow: readonly string[] = []) {
    this.allowed = new Set(allow.map(normalizeHost).filter((host) => host !== ''));
  }

  /** The host of an endpoint URL, normalized (lowercase, no brackets or trailing dot), or undefined. */
  static hostOf(url: string): string | undefined {
    try {
      return normalizeHost(new URL(url).hostname);
    } catch {
      return undefined;
    }
  }

  /** Subscribe time: whether the URL names loopback, `localhost`, or an allowed host. */
  permits(url: string): boolean {
    const host = OutboundPolicy.hostOf(url);
    if (host === undefined) return false;
    return this.allowed.has(host) || host === 'localhost' || isLoopback(host);
  }

  /**
   * Delivery time: resolves the URL's host now and says where to connect. A host allowed by name connects as it
   * resolves; any other must resolve to a loopback (or allowed) address, and the connection is pinned to it.
   */
  async check(url: string): Promise<OutboundVerdict> {
    const host = OutboundPolicy.hostOf(url);
    if (host === undefined) return { kind: 'refused', reason: 'the endpoint is not a valid URL' };
    if (this.allowed.has(host)) return { kind: 'connect' };
    const family = isIP(host);
    if (family !== 0) {
      return isLoopback(host)
        ? { kind: 'connect', pinned: { address: host, family } }
        : { kind: 'refused', reason: `${host} is not a loopback address` };
    }
    let addresses: ResolvedAddress[];
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      return { kind: 'unresolved' };
    }
    const pinned = chooseAddress(addresses, (address) => this.allowed.has(normalizeHost(address)));
    return pinned
      ? { kind: 'connect', pinned }
      : {
          kind: 'refused',
          reason: `${host} resolves to ${addresses.map((a) => a.address).join(', ')}, not a loopback address`,
        };
  }
}

/** Whether `address` is an IP address in 127.0.0.0/8 or ::1 (IPv4-mapped loopback included). */
export function isLoopback(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The first resolved address a delivery may connect to: a loopback one, or one `allowed` names. */
export function chooseAddress(
  addresses: readonly ResolvedAddress[],
  allowed: (address: string) => boolean = () => false,
): ResolvedAddress | undefined {
  return addresses.find((a) => isLoopback(a.address) || allowed(a.address));
}

/** One spelling per host, as the URL parser writes it: lowercase, punycode, `::ffff:7f00:1`, no brackets or final dot. */
function normalizeHost(text: string): string {
  let host = text.trim();
  if (isIP(host) === 6) host = `[${host}]`;
  try {
    host = new URL(`http://${host}/`).hostname;
  } catch {
    return host.toLowerCase();
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}
