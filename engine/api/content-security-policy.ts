/**
 * The Content-Security-Policy of every response. The UI's own WebSocket (/events on the page's
 * host and port) must be allowed wherever the page can be served from: loopback v4 or v6,
 * `localhost`, a LAN address, a `--public-host` name, or behind a TLS proxy (wss).
 *
 * CSP level 3 lets `'self'` match ws: and wss: on the page's own host and port, and that is what
 * carries the socket in current browsers, IPv6 included. Host-source entries are kept for the names
 * that can be written as one (older engines read only those), but never an IPv6 literal: the CSP
 * grammar has no bracketed host, so Chromium reports `ws://[::1]:port` as an invalid source on
 * every page load and ignores it anyway.
 *
 * The installable app needs its manifest and its service worker from the page's own origin
 * (`manifest-src 'self'`, `worker-src 'self'`), and nothing else: no blob: or data: worker.
 */

/** True when `host` ("name:port" or "[v6]:port") can be written as a CSP host-source. */
const isCspHost = (host: string): boolean => /^[a-z0-9.-]+(:\d+)?$/i.test(host);

/**
 * The policy for a page served at `host` (an already-checked Host header, or null), with `hosts`
 * the loopback names of the bound port.
 *
 * @example
 *   contentSecurityPolicy(['127.0.0.1:8787', 'localhost:8787', '[::1]:8787'], 'tradeclock.lan:8787')
 *   // "default-src 'self'; connect-src 'self' ws://127.0.0.1:8787 ws://localhost:8787 ws://tradeclock.lan:8787; ..."
 */
export function contentSecurityPolicy(hosts: readonly string[], host: string | null): string {
  const sockets = [...new Set([...hosts, ...(host === null ? [] : [host])])].filter(isCspHost).map((h) => ` ws://${h}`).join('');
  return (
    `default-src 'self'; connect-src 'self'${sockets}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; ` +
    `worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'`
  );
}
