/**
 * A Redis URL fit for an error message or a log line: the password, in the user info or in a
 * `?password=` query parameter (ioredis reads both), is replaced by `***`.
 */

const MASK = '***';

/**
 * @example redactRedisUrl('redis://app:s3cret@db:6379/0') === 'redis://app:***@db:6379/0'
 */
export function redactRedisUrl(url: string): string {
  // ioredis reads "host:port" and "//host" as redis:// URLs and "/path" as a socket path.
  if (url.startsWith('/') && !url.startsWith('//')) return redactQuery(url);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : url.startsWith('//') ? `redis:${url}` : `redis://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    // Unparseable: ioredis will refuse it too. Show nothing that could be a secret.
    return url.includes('@') || url.includes('?') ? '(unparseable Redis URL)' : url;
  }
  if (parsed.password) parsed.password = MASK;
  if (parsed.searchParams.has('password')) parsed.searchParams.set('password', MASK);
  return parsed.toString();
}

/**
 * `text` with every occurrence of a password in `url` masked: a last guard for messages that
 * come from a driver or a server and might echo it.
 */
export function redactPasswordsIn(text: string, url: string): string {
  let out = text;
  for (const secret of passwordsIn(url)) out = out.split(secret).join(MASK);
  return out;
}

function passwordsIn(url: string): string[] {
  const found: string[] = [];
  const query = url.indexOf('?');
  if (query !== -1) found.push(new URLSearchParams(url.slice(query + 1)).get('password') ?? '');
  // The user info ends at the last "@" before the path, as URL parsers read it.
  const authority = /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#]*)@/i.exec(url) ?? /^([^/?#]*)@/.exec(url);
  const userInfo = authority?.[1];
  if (userInfo !== undefined && userInfo.includes(':')) {
    const raw = userInfo.slice(userInfo.indexOf(':') + 1);
    found.push(raw, safeDecode(raw));
  }
  return found.filter((secret) => secret.length > 0);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function redactQuery(path: string): string {
  const q = path.indexOf('?');
  if (q === -1) return path;
  const params = new URLSearchParams(path.slice(q + 1));
  if (!params.has('password')) return path;
  params.set('password', MASK);
  return `${path.slice(0, q)}?${params.toString()}`;
}
