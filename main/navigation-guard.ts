/**
 * Where the window may go, what may open, who may call the bridge, which permissions are granted.
 * Every decision compares parsed origins (never `startsWith`, which would let
 * `http://127.0.0.1:5000.evil.example` through: security checklist items 13, 14, 17).
 */

/** The origin of `url`, or null for anything unparsable or opaque (`data:`, `about:blank`). */
export function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** True when `url` is the app's own UI. */
export function isAppUrl(url: string, appOrigin: string): boolean {
  return originOf(url) === appOrigin;
}

/** `will-navigate` / `will-frame-navigate` / `will-redirect`: stay on the app's origin or stay put. */
export function mayNavigate(url: string, appOrigin: string): boolean {
  return isAppUrl(url, appOrigin);
}

export type WindowOpenDecision =
  /** No window opens; `external` (if set) is handed to the system browser. */
  { readonly action: 'deny'; readonly external: string | null };

/**
 * `setWindowOpenHandler`: the app never opens a second Electron window. A plain https link
 * (broker documentation, a help page) goes to the system browser; anything else (file:, smb:,
 * custom schemes that could launch programs, links with credentials) goes nowhere
 * (checklist item 15: openExternal with untrusted input can run commands).
 */
export function decideWindowOpen(url: string): WindowOpenDecision {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { action: 'deny', external: null };
  }
  const safe = parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && parsed.hostname !== '';
  return { action: 'deny', external: safe ? parsed.href : null };
}

/** IPC: a call is answered only when it comes from a frame showing the app's own UI. */
export function isTrustedSender(frameUrl: string | null | undefined, appOrigin: string): boolean {
  return frameUrl != null && isAppUrl(frameUrl, appOrigin);
}

/**
 * Permission requests and checks (camera, geolocation, notifications, midi, …): all denied,
 * except writing to the clipboard from the app's own page (copy buttons for ids and CSV).
 * Electron grants everything unless a handler says otherwise (checklist item 5).
 */
export function isPermissionGranted(permission: string, requestingUrl: string | null | undefined, appOrigin: string): boolean {
  return permission === 'clipboard-sanitized-write' && requestingUrl != null && isAppUrl(requestingUrl, appOrigin);
}
