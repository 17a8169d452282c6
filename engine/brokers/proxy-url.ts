/**
 * The proxy a broker account's REST calls go through (proxy.ts): its URL names the proxy only,
 * scheme, host and port. Its user name and password are credentials, kept in the vault and never
 * in the URL, so the URL can be stored with the account's options and shown. Kept apart from
 * proxy.ts so that parsing an account's options does not load undici.
 */
import { z } from 'zod';

const PROXY_PROTOCOLS = ['http:', 'https:', 'socks5:'] as const;

/**
 * The proxy's URL: a scheme of PROXY_PROTOCOLS, a host and a port, nothing else.
 *
 * @example proxyUrlSchema.parse('socks5://203.0.113.7:1080')
 */
export const proxyUrlSchema = z
  .string({ error: 'must be a URL' })
  .trim()
  .max(2048, { error: 'must be at most 2048 characters' })
  .superRefine((s, ctx) => {
    if (!URL.canParse(s)) return void ctx.addIssue({ code: 'custom', message: 'must be a URL such as http://203.0.113.7:3128 or socks5://203.0.113.7:1080' });
    const u = new URL(s);
    if (!(PROXY_PROTOCOLS as readonly string[]).includes(u.protocol)) return void ctx.addIssue({ code: 'custom', message: `must start with http://, https:// or socks5://, not ${u.protocol}//` });
    if (u.username !== '' || u.password !== '') return void ctx.addIssue({ code: 'custom', message: 'must not hold a user name or password: put them in credentials.proxy_username and credentials.proxy_password (kept in the vault)' });
    if (u.hostname === '') return void ctx.addIssue({ code: 'custom', message: 'must name the proxy host' });
    // undici's SOCKS5 agent dials the host with its brackets on: an IPv6 literal can never connect.
    if (u.protocol === 'socks5:' && u.hostname.startsWith('[')) return void ctx.addIssue({ code: 'custom', message: 'a SOCKS5 proxy must be named by an IPv4 address or a host name, not an IPv6 address' });
    // http and https have default ports (the URL drops them when spelt); SOCKS5 has none.
    if (u.port === '' && u.protocol === 'socks5:') return void ctx.addIssue({ code: 'custom', message: 'must name the SOCKS5 port (e.g. socks5://203.0.113.7:1080)' });
    if ((u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.hash !== '') ctx.addIssue({ code: 'custom', message: 'must be the proxy alone: scheme, host and port, without a path, query or fragment' });
  });

/** The proxy as the trader may see it: scheme, host and port (the URL holds nothing else). */
export function proxyLabel(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}
