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

/**
 * `open`, with each item's read shared while it is under way: a second read of the same item
 * waits for the first instead of starting another. A read can wait on the desktop for good (a
 * macOS "allow access" prompt, a locked GNOME keyring), and no signal can stop it once it runs:
 * it holds one of libuv's four pool threads until it returns. Without sharing, each retry after a
 * time-out (a second broker connect, a second start check) would hold one more, and a second
 * prompt would be shown.
 *
 * @example const open = sharingReads(openOsKeychainEntry); // one per vault opener
 */
export function sharingReads(open: OpenKeychainEntry): OpenKeychainEntry {
  const reading = new Map<string, Promise<string | null>>();
  return async (service, account) => {
    const entry = await open(service, account);
    const id = `${service}/${account}`;
    return {
      // Not given the caller's signal: it would cancel the read for every caller sharing it. The
      // caller's wait is bounded by racing its own signal (keychainKeyProvider's `signal`).
      getPassword: () => {
        let read = reading.get(id);
        if (!read) {
          read = entry.getPassword();
          reading.set(id, read);
          const done = () => void reading.delete(id);
          read.then(done, done);
        }
        return read;
      },
      setPassword: (password, signal) => entry.setPassword(password, signal),
    };
  };
}

export interface KeychainKeyProviderOptions {
  /** The keychain account name: install-specific, e.g. `data-key-${installId}`. */
  readonly account: string;
  /**
   * Bounds every keychain call (a desktop prompt nobody answers): once aborted, `getKey` rejects
   * with the signal's reason at once, whether or not the native call can be stopped (a call still
   * queued is cancelled; one already waiting on the OS runs on, unwaited).
   */
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
      const entry = await untilAborted(openEntry(KEYCHAIN_SERVICE, account), signal);
      stored = await untilAborted(entry.getPassword(signal), signal);
      if (stored === null && options.createIfMissing !== false) {
        fresh = randomBytes(DATA_KEY_BYTES).toString('base64');
        await untilAborted(entry.setPassword(fresh, signal), signal);
        // Read it back: a keyring that accepts a write but keeps nothing must not hand out a key
        // that encrypts credentials nobody can ever decrypt again.
        stored = await untilAborted(entry.getPassword(signal), signal);
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

/** `work`, or the signal's reason as soon as it aborts (the work itself is left to finish unwatched). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(err);
      },
    );
  });
}
