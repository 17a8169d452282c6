/**
 * CCXT writes the signed URL (query and `signature`) and the request body into its error
 * messages (`base/Exchange.js` `fetch`: "binance GET <url> fetch failed"), and a venue may echo
 * the key. Every text that leaves the adapter (a refusal's reason, a thrown error, a log line)
 * goes through `scrub` first (invariant 6).
 */

const SIGNATURE = /([?&]|\b)(signature|sign|apiKey|api_key|X-MBX-APIKEY)=([^&\s"']+)/gi;

/**
 * The text with every secret and every signature replaced by `[redacted]`.
 * @example scrub('GET http://x/api/v3/order?symbol=BTCUSDT&signature=ab12', ['key', 'secret']) // 'GET http://x/api/v3/order?symbol=BTCUSDT&signature=[redacted]'
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text.replace(SIGNATURE, (_m, lead: string, name: string) => `${lead}${name}=[redacted]`);
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** An Error whose message is scrubbed, keeping the CCXT class's name (the classification reads it). */
export class ScrubbedError extends Error {
  constructor(
    message: string,
    /** CCXT's class and its ancestors, nearest first ('InsufficientFunds', 'ExchangeError', …). */
    readonly kinds: readonly string[],
  ) {
    super(message);
    this.name = kinds[0] ?? 'Error';
  }
}

/** The names of an error's class and its ancestors, nearest first. */
export function errorKinds(err: unknown): string[] {
  const kinds: string[] = [];
  if (err instanceof ScrubbedError) return [...err.kinds];
  let proto: unknown = err !== null && typeof err === 'object' ? Object.getPrototypeOf(err) : null;
  while (proto && proto !== Object.prototype) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name !== '' && !kinds.includes(name)) kinds.push(name);
    proto = Object.getPrototypeOf(proto);
  }
  return kinds;
}

/** `err` as a ScrubbedError: its message with the secrets out, its CCXT class kept. */
export function scrubError(err: unknown, secrets: readonly string[]): ScrubbedError {
  if (err instanceof ScrubbedError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ScrubbedError(scrub(message, secrets), errorKinds(err));
}
