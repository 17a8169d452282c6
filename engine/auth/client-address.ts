/**
 * Which client an address belongs to, for counting attempts per client. The kernel answers on
 * every address of 127.0.0.0/8 (and on ::1), so a local process can pick a fresh loopback source
 * address for each request: counted per address, it would get a fresh budget each time. Every
 * loopback address is therefore one client, and an IPv4 client seen through a dual-stack socket
 * (`::ffff:1.2.3.4`) is the same client as 1.2.3.4.
 */

/** The key every loopback address shares. */
export const LOOPBACK_CLIENT = 'loopback';

/**
 * @example clientKey('127.0.0.1') === clientKey('127.8.9.10') === clientKey('::1') === clientKey('::ffff:127.0.0.2') // 'loopback'
 * @example clientKey('::ffff:192.0.2.7') // '192.0.2.7'
 */
export function clientKey(address: string): string {
  const a = address.trim().toLowerCase();
  const v4 = ipv4Of(a);
  if (v4 !== null) return v4.startsWith('127.') ? LOOPBACK_CLIENT : v4;
  if (a === '::1' || /^(?:0{1,4}:){7}0{0,3}1$/.test(a)) return LOOPBACK_CLIENT;
  return a;
}

/** The dotted IPv4 address of `a` (plain, or IPv4-mapped IPv6 in dotted or hex form), else null. */
function ipv4Of(a: string): string | null {
  const dotted = /^(?:(?:0{1,4}:){5}ffff:|::ffff:)?(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(a)?.[1];
  if (dotted) return dotted;
  const hex = /^(?:(?:0{1,4}:){5}ffff:|::ffff:)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (!hex) return null;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}
