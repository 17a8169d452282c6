/**
 * Which client an address belongs to, for counting attempts per client. A client is what one
 * party can cheaply vary its source address within:
 *
 * - The kernel answers on every address of 127.0.0.0/8 (and on ::1), so a local process can pick
 *   a fresh loopback source address for each request: counted per address, it would get a fresh
 *   budget each time. Every loopback address is therefore one client.
 * - An IPv6 host picks its own interface identifier (privacy addresses, or any of 2^64 at will),
 *   so an attacker on the LAN rotates through its /64 for free. An IPv6 client is its /64.
 * - An IPv4 client seen through a dual-stack socket (`::ffff:1.2.3.4`) is the same client as
 *   1.2.3.4; other IPv4 addresses are one client each.
 *
 * Addresses are checked with node:net and IPv6 ones expanded with ipaddr.js (what Fastify's
 * proxy-addr uses), not by hand.
 */
import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

/** The key every loopback address shares. */
export const LOOPBACK_CLIENT = 'loopback';

/**
 * @example clientKey('127.0.0.1') === clientKey('127.8.9.10') === clientKey('::1') === clientKey('::ffff:127.0.0.2') // 'loopback'
 * @example clientKey('::ffff:192.0.2.7') // '192.0.2.7'
 * @example clientKey('2001:db8:1:2:aaaa::1') === clientKey('2001:db8:1:2:bbbb::9') // '2001:db8:1:2::/64'
 */
export function clientKey(address: string): string {
  const a = address.trim();
  if (isIPv4(a)) return a.startsWith('127.') ? LOOPBACK_CLIENT : a;
  if (!isIPv6(a)) return a.toLowerCase(); // not an IP address (a test's fake, a unix socket): counted as itself
  // The zone (`%eth0`) names our interface, not the client; ipaddr.js knows only some spellings of it.
  const ip = ipaddr.IPv6.parse(a.replace(/%.*$/, ''));
  if (ip.isIPv4MappedAddress()) return clientKey(ip.toIPv4Address().toString());
  if (ip.range() === 'loopback') return LOOPBACK_CLIENT;
  return `${new ipaddr.IPv6([...ip.parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}
