/**
 * The Content-Security-Policy the shell enforces on the UI, on top of the one the API server
 * already sends. Two policies are both enforced (the intersection wins), so the shell's copy only
 * ever tightens: if a future server change dropped or loosened its header, the desktop window
 * would still run no inline or remote script.
 */

/**
 * The policy for a UI served from `appOrigin` (`http://127.0.0.1:PORT`).
 * Scripts only from the app's own origin (no inline, no eval); network only to the app's own
 * origin and its WebSocket; no frames, plugins, forms posting elsewhere or <base> tricks.
 * `style-src 'unsafe-inline'` matches the server's policy: React and chart libraries set inline
 * styles, and styles cannot run code.
 *
 * @example
 * buildCsp('http://127.0.0.1:5000')
 * // "default-src 'self'; script-src 'self'; connect-src 'self' ws://127.0.0.1:5000; …"
 */
export function buildCsp(appOrigin: string): string {
  const { host, protocol } = new URL(appOrigin);
  const ws = `${protocol === 'https:' ? 'wss' : 'ws'}://${host}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    `connect-src 'self' ${ws}`,
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "worker-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export type ResponseHeaders = Record<string, string[]>;

/**
 * Response headers with the shell's policy added, for a response from `url`. Only responses from
 * the app's origin get it (nothing else loads in the window: navigation is blocked). An existing
 * policy is kept: both are enforced.
 */
export function withCsp(url: string, headers: ResponseHeaders | undefined, appOrigin: string, policy: string): ResponseHeaders {
  const out: ResponseHeaders = { ...(headers ?? {}) };
  if (!sameOrigin(url, appOrigin)) return out;
  const key = Object.keys(out).find((k) => k.toLowerCase() === 'content-security-policy') ?? 'Content-Security-Policy';
  const existing = out[key] ?? [];
  out[key] = existing.includes(policy) ? existing : [...existing, policy];
  return out;
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
