/**
 * Where the vault's 32-byte data key comes from. Providers never put key material in an error
 * message, a log line or their own enumerable fields.
 */
import type { Logger } from 'pino';
import { DomainError } from '../core/errors';

export const DATA_KEY_BYTES = 32;

export type KeyProviderKind = 'keychain' | 'passphrase' | 'unavailable';

export interface KeyProvider {
  readonly kind: KeyProviderKind;
  /** Where the key lives, for logs and the settings screen. Never contains key material. */
  readonly description: string;
  /**
   * Why a preferred source was passed over for this one (the OS keychain's scrubbed error), for
   * messages that must say which key sources were tried. Never contains key material.
   */
  readonly passedOver?: string;
  /** The data key. Rejects with a DomainError that says how to fix the setup. */
  getKey(): Promise<Buffer>;
}

/** What the secrets code logs through; a pino logger fits. */
export type SecretsLogger = Pick<Logger, 'info' | 'warn'>;

/**
 * The provider used when there is neither a keychain nor a passphrase: every `getKey` rejects
 * with the reason and the two ways to fix it, so the failure is actionable where it surfaces
 * (broker setup, daemon start) instead of a crash at import time.
 *
 * @example
 *   await unavailableKeyProvider('no D-Bus session').getKey()
 *   // DomainError unavailable: "No key to protect broker credentials: ..."
 */
export function unavailableKeyProvider(reason: string): KeyProvider {
  const message =
    `No key to protect broker credentials: ${reason}. ` +
    'Either run Tradeclock inside a desktop session with an unlocked keyring ' +
    '(GNOME Keyring, KWallet or another Secret Service; on macOS and Windows the system keychain), ' +
    'or set TRADECLOCK_PASSPHRASE to a passphrase of at least 12 characters ' +
    '(it is needed on every start: losing it makes saved broker credentials unreadable).';
  return {
    kind: 'unavailable',
    description: 'none (no OS keychain, no TRADECLOCK_PASSPHRASE)',
    getKey: () => Promise.reject(new DomainError('unavailable', message)),
  };
}

/**
 * The message of an error from a lower layer (the keyring, the OS), cut to one short line and
 * with secrets removed, so it can go into our own messages and logs. Given secrets are removed
 * exactly; on top, anything shaped like key material is removed too, because a lower layer can
 * quote a value we never saw (a keyring failing to decode an item prints its bytes).
 *
 * @example scrubbedMessage(new Error('bad item c2VjcmV0'), ['c2VjcmV0']) === 'bad item [redacted]'
 * @example scrubbedMessage(new Error('DBus error: Failed to connect to socket /run/user/1000/bus')) // unchanged
 */
export function scrubbedMessage(err: unknown, secrets: readonly string[] = []): string {
  let text = err instanceof Error ? err.message : typeof err === 'string' ? err : 'unknown error';
  for (const s of secrets) if (s.length >= 4) text = text.split(s).join('[redacted]');
  text = text
    // base64/base64url runs mixing upper case, lower case and digits (paths and NAMES do not)
    .replace(/[A-Za-z0-9+/=_-]{16,}/g, (run) => (/[A-Z]/.test(run) && /[a-z]/.test(run) && /\d/.test(run) ? '[redacted]' : run))
    // hex keys, and byte arrays as Rust's Debug prints them: [12, 250, 7, ...]
    .replace(/\b[0-9a-fA-F]{32,}\b/g, '[redacted]')
    .replace(/\[\s*\d{1,3}(?:\s*,\s*\d{1,3}){7,}\s*,?\s*\]/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
