/**
 * The data key in the OS keychain (macOS Keychain, Windows Credential Manager, Linux Secret
 * Service) through @napi-rs/keyring, created on first use.
 *
 * On Linux the entry is pinned to the Secret Service. Unpinned, @napi-rs/keyring silently falls
 * back to the kernel keyutils store, which lives in kernel memory and is gone after a reboot:
 * the key would be lost and every saved broker credential with it. Pinned, a missing Secret
 * Service is an error we can see and fall back from on purpose.
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../core/errors';
import { DATA_KEY_BYTES, scrubbedMessage, type KeyProvider } from './key-provider';

export const KEYCHAIN_SERVICE = 'tradeclock';

/** The two calls we need from a keyring entry; @napi-rs/keyring's AsyncEntry has them. */
export interface KeychainEntry {
  getPassword(signal?: AbortSignal): Promise<string | null>;
  setPassword(password: string, signal?: AbortSignal): Promise<void>;
}

export type OpenKeychainEntry = (service: string, account: string) => Promise<KeychainEntry>;

/**
 * Opens the real OS keychain entry. The add-on is imported here, lazily, so a platform where it
 * cannot load is a keychain that is unavailable, not a daemon that cannot start.
 */
export const openOsKeychainEntry: OpenKeychainEntry = async (service, account) => {
  const { AsyncEntry } = await import('@napi-rs/keyring');
  // `linux.store` is ignored on macOS and Windows. On Linux the constructor throws when no
  // Secret Service is reachable (no D-Bus session) instead of falling back to keyutils.
  return new AsyncEntry(service, account, { linux: { store: 'secret-service' } });
};

export interface KeychainKeyProviderOptions {
  /** The keychain account name: install-specific, e.g. `data-key-${installId}`. */
  readonly account: string;
  /** Aborts a keychain call that waits too long (a desktop unlock prompt nobody answers). */
  readonly signal?: AbortSignal;
  /** For tests; defaults to the OS keychain. */
  readonly openEntry?: OpenKeychainEntry;
  /**
   * Create the key when the keychain has none (default true). False where a key must already
   * exist (credentials were sealed with it): a missing item is then an error that says so,
   * instead of a fresh key that opens nothing.
   */
  readonly createIfMissing?: boolean;
}

/**
 * A provider whose key lives in the OS keychain under service 'tradeclock' and the given
 * account, stored base64. The first `getKey` creates it when absent. A failed call is not
 * cached, so a keyring unlocked later can still be used.
 *
 * @example
 *   const provider = keychainKeyProvider({ account: `data-key-${installId}` });
 *   const key = await provider.getKey(); // 32 bytes; created and stored on first use
 */
export function keychainKeyProvider(options: KeychainKeyProviderOptions): KeyProvider {
  const { account, signal } = options;
  if (!/^[\w.@-]{1,128}$/.test(account)) throw new Error('keychain account must be 1-128 of [A-Za-z0-9_.@-]');
  const openEntry = options.openEntry ?? openOsKeychainEntry;
  const where = `${KEYCHAIN_SERVICE}/${account}`;
  let key: Promise<Buffer> | undefined;

  async function load(): Promise<Buffer> {
    let stored: string | null = null;
    let fresh: string | undefined;
    try {
      const entry = await openEntry(KEYCHAIN_SERVICE, account);
      stored = await entry.getPassword(signal);
      if (stored === null && options.createIfMissing !== false) {
        fresh = randomBytes(DATA_KEY_BYTES).toString('base64');
        await entry.setPassword(fresh, signal);
        // Read it back: a keyring that accepts a write but keeps nothing must not hand out a key
        // that encrypts credentials nobody can ever decrypt again.
        stored = await entry.getPassword(signal);
        if (stored !== fresh) throw new Error('the keychain did not return the key it was just given');
      }
    } catch (err) {
      throw new DomainError('unavailable', `OS keychain unavailable for ${where}: ${scrubbedMessage(err, [stored ?? '', fresh ?? ''])}`);
    }
    if (stored === null) {
      throw new DomainError('unavailable', `The OS keychain has no key at ${where}: the item was removed or this is another user's keychain.`);
    }
    const bytes = Buffer.from(stored, 'base64');
    if (bytes.length !== DATA_KEY_BYTES || bytes.toString('base64') !== stored) {
      // Never overwrite: it may be the only copy of the key to existing ciphertexts.
      throw new DomainError(
        'internal',
        `The keychain item ${where} does not hold a ${DATA_KEY_BYTES}-byte base64 key. It was left untouched; ` +
          'remove it only if no broker credentials were saved with it.',
      );
    }
    return bytes;
  }

  return {
    kind: 'keychain',
    description: `OS keychain (${where})`,
    getKey() {
      key ??= load().catch((err: unknown) => {
        key = undefined;
        throw err;
      });
      return key.then((k) => Buffer.from(k));
    },
  };
}
