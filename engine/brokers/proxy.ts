/**
 * A broker account's REST calls through a proxy the trader runs. Kite takes orders only from a
 * registered static IP since April 2026 and most home connections have none: a small server with a
 * static IP, running an HTTP CONNECT or SOCKS5 proxy, gives the PC one (issue 19).
 *
 * - `http://host:port` or `https://host:port`: an HTTP proxy, asked to `CONNECT` to the broker for
 *   every call (a tunnel even to a plain-HTTP endpoint, so the proxy never reads a request),
 *   credentials as `Proxy-Authorization: Basic` (undici's ProxyAgent).
 * - `socks5://host:port`: SOCKS5 (RFC 1928), user name and password by RFC 1929 when given
 *   (undici's Socks5ProxyAgent, which undici calls experimental and Node says so once on stderr).
 *
 * The URL's rules are in proxy-url.ts. Calls go through undici's own `fetch` (Node's global fetch
 * does not take another undici copy's dispatcher), loaded on the first call: an install without a
 * proxy never loads undici.
 */
import type { Dispatcher } from 'undici';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ProxySetting {
  /** Scheme, host and port (proxy-url.ts). */
  readonly url: string;
  /** Both or neither (the credentials' schema says so). */
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
  let loaded: Promise<{ dispatcher: Dispatcher; fetch: typeof import('undici').fetch }> | null = null;
  const load = () =>
    (loaded ??= import('undici').then((undici) => {
      const url = new URL(setting.url);
      const auth = setting.username === undefined ? null : { username: setting.username, password: setting.password ?? '' };
      const dispatcher: Dispatcher =
        url.protocol === 'socks5:'
          ? new undici.Socks5ProxyAgent(url.toString(), auth ?? {})
          : new undici.ProxyAgent({ uri: url.toString(), proxyTunnel: true, ...(auth ? { token: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {}) });
      return { dispatcher, fetch: undici.fetch };
    }));
  return {
    fetch: async (target, init) => {
      const { dispatcher, fetch } = await load();
      return fetch(target, { ...(init as Parameters<typeof fetch>[1]), dispatcher }) as unknown as Promise<Response>;
    },
    close: async () => {
      if (loaded) await (await loaded).dispatcher.close();
    },
  };
}
