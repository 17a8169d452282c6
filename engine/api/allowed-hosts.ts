/**
 * Which `Host` values the local server answers to, and which URLs it can be reached at.
 *
 * DNS rebinding is defeated by answering only to names the server knows are its own: the loopback
 * literals and `localhost` always; the address it is bound to when that is not loopback; for a
 * wildcard bind (`0.0.0.0`, `::`) the machine's interface addresses as they are at the moment of the
 * request (a laptop changes networks); and names the owner declared with `--public-host`. A page on
 * evil.example that re-resolves its name to one of these addresses still sends `Host: evil.example`.
 */
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/** The machine's interfaces (os.networkInterfaces by default; tests pass their own). */
export type Interfaces = () => NodeJS.Dict<NetworkInterfaceInfo[]>;

export const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** True for an address that only this machine can reach. */
export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

const isWildcard = (address: string) => address === '0.0.0.0' || address === '::';

/** An address as it appears in a Host header or URL: IPv6 in brackets, names lower-case. */
export function hostForm(address: string): string {
  return isIP(address) === 6 ? `[${address.toLowerCase()}]` : address.toLowerCase();
}

/**
 * The machine's addresses a client could use for a server bound to `bound`: every interface's
 * IPv4 address for `0.0.0.0`, IPv4 and IPv6 for `::` (dual stack). IPv6 link-local addresses are
 * left out: they need a zone id, which browsers do not take in a URL.
 */
export function interfaceAddresses(bound: string, interfaces: Interfaces = networkInterfaces): string[] {
  const out: string[] = [];
  for (const list of Object.values(interfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv6' && (bound !== '::' || /^fe[89ab]/i.test(a.address))) continue;
      out.push(a.address);
    }
  }
  return out;
}

/**
 * Host names (without the port) a server bound to `bound` answers to.
 *
 * @example
 *   hostNames('0.0.0.0', ['tradeclock.lan']) // ['127.0.0.1', 'localhost', '[::1]', '192.168.1.20', 'tradeclock.lan']
 */
export function hostNames(bound: string | null, publicHosts: readonly string[], interfaces: Interfaces = networkInterfaces): string[] {
  const names = new Set<string>(LOOPBACK_NAMES);
  if (bound !== null && isWildcard(bound)) for (const a of interfaceAddresses(bound, interfaces)) names.add(hostForm(a));
  else if (bound !== null) names.add(hostForm(bound));
  for (const h of publicHosts) names.add(hostForm(h));
  return [...names];
}

/** True when `host` (a Host header value: name or [v6], then :port) names one of `names` on `port`. */
export function hostMatches(host: string, port: number, names: readonly string[]): boolean {
  const value = host.toLowerCase();
  const colon = value.lastIndexOf(':');
  const hasPort = colon > value.lastIndexOf(']');
  // A browser leaves the port out of Host only for the scheme's default.
  if (!hasPort) return port === 80 && names.includes(value);
  return value.slice(colon + 1) === String(port) && names.includes(value.slice(0, colon));
}

/**
 * The URLs the daemon can be reached at once listening on `bound`:`port`, the one to use on this
 * machine first. Loopback ones are http://; the others `lanScheme` (https:// when the daemon serves
 * HTTPS, dual-protocol-server.ts). For a wildcard bind, one per interface address (loopback first), never
 * `http://0.0.0.0:PORT`, which no browser can open.
 */
export function listenUrls(bound: string, port: number, publicHosts: readonly string[] = [], interfaces: Interfaces = networkInterfaces, lanScheme: 'http' | 'https' = 'http'): string[] {
  const hosts = isWildcard(bound)
    ? ['127.0.0.1', ...interfaceAddresses(bound, interfaces).filter((a) => !isLoopback(a))]
    : [bound];
  return [...new Set([...hosts, ...publicHosts].map((h) => `${isLoopback(h) ? 'http' : lanScheme}://${hostForm(h)}:${port}`))];
}

/**
 * Parses a `--public-host` value: a DNS name or an IP address, without scheme or port.
 * Returns the name in the form a Host header carries it, or throws an Error saying what is wrong.
 */
export function parsePublicHost(value: string): string {
  const v = value.trim().toLowerCase();
  const bare = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
  if (isIP(bare) !== 0) return bare;
  if (v.includes('://') || v.includes('/')) throw new Error(`"${value}": give a host name, not a URL`);
  if (v.includes(':')) throw new Error(`"${value}": give the host name without a port (the daemon adds its own)`);
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/.test(v)) {
    throw new Error(`"${value}" is not a host name`);
  }
  return v.endsWith('.') ? v.slice(0, -1) : v;
}
