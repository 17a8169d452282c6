/**
 * The service worker's one routing rule (service-worker.ts): which requests it may answer from
 * its cache. Only the app shell the build listed is ever cached; an API answer, the event
 * WebSocket and anything carrying a token always go to the network, untouched.
 */

/** First path segments the daemon's API owns (engine/api/static-files.ts, the same list). */
export const API_ROOTS: readonly string[] = ['auth', 'broker', 'strategy', 'runs', 'install-settings', 'notify', 'backtest', 'devices', 'events', 'health'];

export interface SwRequest {
  readonly method: string;
  /** Absolute URL. */
  readonly url: string;
  /** Request.mode: 'navigate' for a page load. */
  readonly mode: string;
  readonly hasAuthorization: boolean;
}

/**
 * - `shell`: a file of the built shell, answered from the cache (the network if missing).
 * - `page`: a page load, the network first and the cached index.html when offline (never stored).
 * - `network`: not touched by the worker.
 */
export type SwRoute = 'shell' | 'page' | 'network';

/**
 * @param scope the worker's scope URL, e.g. "http://127.0.0.1:7420/"
 * @param shell the shell's paths relative to the scope, e.g. ["", "index.html", "assets/index-x1.js"]
 *
 * @example
 *   swRoute({ method: 'GET', url: 'http://h/assets/a.js', mode: 'cors', hasAuthorization: false }, 'http://h/', ['assets/a.js']) // 'shell'
 *   swRoute({ method: 'GET', url: 'http://h/strategy', mode: 'cors', hasAuthorization: true }, 'http://h/', []) // 'network'
 */
export function swRoute(request: SwRequest, scope: string, shell: readonly string[]): SwRoute {
  if (request.method !== 'GET' || request.hasAuthorization) return 'network';
  const url = new URL(request.url);
  const base = new URL(scope);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return 'network';
  const path = url.pathname.slice(base.pathname.length);
  if (API_ROOTS.includes(path.split('/', 1)[0] ?? '')) return 'network';
  // The page itself comes from the daemon whenever it answers, so an updated daemon never starts
  // under the last build's shell.
  if (request.mode === 'navigate') return 'page';
  // A query string may carry a token (a login callback's request_token): never a cache key.
  return url.search === '' && shell.includes(path) ? 'shell' : 'network';
}
