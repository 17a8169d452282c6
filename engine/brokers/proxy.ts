/**
 * A broker account's REST calls through a proxy the trader runs. Kite takes orders only from a
 * registered static IP since April 2026 and most home connections have none: a small server with a
 * static IP, running an HTTP CONNECT or SOCKS5 proxy, gives the PC one (issue 19).
 *
 * - `http://host:port` or `https://host:port`: an HTTP proxy, asked to `CONNECT` to the broker for
 *   every call (a tunnel even to a plain-HTTP endpoint, so the proxy never reads a request),
 *   credentials as `Proxy-Authorization: Basic` (undici's ProxyAgent).
 * - `socks5://host:port`: SOCKS5 (RFC 1928), user name and password by RFC 1929 when given
 *   (undici's Socks5ProxyAgent).
 *
 * The URL names the proxy only: its user name and password are credentials, kept in the vault and
 * never in the URL, so the URL can be stored with the account's options and shown. Calls go
 * through undici's own `fetch`: Node's global fetch does not take another undici copy's dispatcher.
 */
import { z } from 'zod';
import { fetch as undiciFetch, ProxyAgent, Socks5ProxyAgent, type Dispatcher } from 'undici';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

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
    // http and https have default ports (the URL drops them when spelt); SOCKS5 has none.
    if (u.port === '' && u.protocol === 'socks5:') return void ctx.addIssue({ code: 'custom', message: 'must name the SOCKS5 port (e.g. socks5://203.0.113.7:1080)' });
    if ((u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.hash !== '') ctx.addIssue({ code: 'custom', message: 'must be the proxy alone: scheme, host and port, without a path, query or fragment' });
  });

export interface ProxySetting {
  /** Scheme, host and port (proxyUrlSchema). */
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

export interface ProxiedFetch {
  readonly fetch: FetchLike;
  /** Closes the proxy's connections (the account is closed or replaced). */
  close(): Promise<void>;
}

/**
 * A fetch whose every request goes through the proxy.
 *
 * @example
 *   const proxied = proxiedFetch({ url: 'socks5://203.0.113.7:1080', username: 'me', password: 'pw' });
 *   await proxied.fetch('https://api.kite.trade/orders', { method: 'GET' });
 */
export function proxiedFetch(setting: ProxySetting): ProxiedFetch {
  const url = new URL(setting.url);
  const dispatcher: Dispatcher =
    url.protocol === 'socks5:'
      ? new Socks5ProxyAgent(url.toString(), { ...(setting.username ? { username: setting.username, password: setting.password ?? '' } : {}) })
      : new ProxyAgent({
          uri: url.toString(),
          proxyTunnel: true,
          ...(setting.username ? { token: `Basic ${Buffer.from(`${setting.username}:${setting.password ?? ''}`).toString('base64')}` } : {}),
        });
  return {
    fetch: (target, init) => undiciFetch(target, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher }) as unknown as Promise<Response>,
    close: () => dispatcher.close(),
  };
}

/** The proxy as the trader may see it: scheme, host and port (the URL holds nothing else). */
export function proxyLabel(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}
