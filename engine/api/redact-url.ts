/**
 * Request URLs as the API logs them: the value of every query parameter whose name is a secret's
 * is replaced, whatever way the client spelled the name. A server decodes names before it reads
 * them (`%72equest_token` is `request_token` to it), so a pattern over the raw text misses what
 * the route sees; names are compared here after decoding, the way a server would decode them
 * (and again, so a doubly encoded name is caught too).
 */
import { redactPaths } from '../logger';

/** The logger's secret keys (its plain paths), and the Kite login's single-use nonce. */
const SECRET_NAMES: ReadonlySet<string> = new Set([...redactPaths.filter((p) => !p.includes('.')), 'tc_nonce'].map((k) => k.toLowerCase()));

export const REDACTED = '[redacted]';

/**
 * @example redactUrl('/broker/login/callback?%72equest_token=abc&status=success')
 *   // '/broker/login/callback?%72equest_token=[redacted]&status=success'
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      return isSecretName(name) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q + 1)}${redacted}${hash === -1 ? '' : url.slice(hash)}`;
}

function isSecretName(raw: string): boolean {
  let name = raw;
  for (let i = 0; i < 3; i++) {
    if (SECRET_NAMES.has(name.trim().toLowerCase())) return true;
    const next = decode(name);
    if (next === name) break;
    name = next;
  }
  // A name that still names a secret once brackets are dropped (`token[]`, `token[0]`).
  return SECRET_NAMES.has(name.replace(/\[[^\]]*\]/g, '').trim().toLowerCase());
}

/** One round of form decoding (`+` is a space); an invalid escape decodes what it can. */
function decode(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}
