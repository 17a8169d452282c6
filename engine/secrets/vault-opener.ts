/**
 * The daemon's vault: opened on first use, and checked at start against the stored broker
 * credentials. A daemon whose key cannot unseal them (a wrong TRADECLOCK_PASSPHRASE, a replaced
 * or unreachable keychain item) would serve the UI and accept STOP while no exit could reach the
 * broker, so it refuses to start instead, naming the key sources it tried and never a secret.
 *
 * The OS keychain gets a minute to answer each time the vault is opened (KEYCHAIN_TIMEOUT_MS). It
 * can wait on the desktop for good: a macOS "allow access" prompt (every app update changes the
 * signature it asks about), a locked GNOME keyring. Unbounded, the check at start waited before
 * recovery and before the API: no run recovered, no kill switch served, nothing said. Bounded, the
 * start is refused after the minute with the same clear message, naming the keychain item and the
 * prompt that may be waiting; a broker connect fails the same way instead of hanging.
 *
 * Why the check stays before recovery rather than after it: every stored credential is sealed
 * with the one vault key, so while the key cannot be read no live broker account can be reached,
 * and a daemon started anyway could exit none of their positions. It would recover paper runs
 * only, and serve a STOP that answers 200 while the exits of live positions wait on a prompt: the
 * state issue 16 refused to start in. A start refused with the reason is the signal the trader
 * can act on (answer the prompt, unlock the keyring, start again), and recovery on that next start
 * exits at once what is past its SELL (invariant 3). The wait costs nothing when no credentials are
 * stored (a paper-only install): there is no check then.
 *
 * Which source a key comes from is recorded with the key check (key-check.ts). Once credentials
 * are sealed with the passphrase's key, later starts use the passphrase even if an OS keychain
 * has appeared since; sealed with the keychain's key, the keychain is required and never
 * silently replaced by a fresh key.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock';
import type { SealedCredentials } from '../../db/repos/sealed-credentials';
import type { SettingsRepo } from '../../db/repos/settings';
import { DomainError } from '../core/errors';
import { KEY_CHECK_SETTING, keyCheckMatches, makeKeyCheck, parseKeyCheck, type KeyCheck, type SealingSource } from './key-check';
import { scrubbedMessage, type KeyProvider } from './key-provider';
import { keychainKeyProvider, openOsKeychainEntry, sharingReads, type OpenKeychainEntry } from './keychain-key-provider';
import { newPassphraseSalt, passphraseKeyProvider } from './passphrase-key-provider';
import { resolveKeyProvider } from './resolve-key-provider';
import { Vault } from './vault';

export const VAULT_SALT_SETTING = 'vault_salt';
/** How long each opening of the vault waits for the OS keychain. */
export const KEYCHAIN_TIMEOUT_MS = 60_000;

export interface VaultOpenerOptions {
  /** Install-specific keychain account name, e.g. `data-key-${installId}`. */
  readonly keychainAccount: string;
  /** TRADECLOCK_PASSPHRASE; an empty string counts as unset. */
  readonly passphrase?: string | undefined;
  readonly settings: Pick<SettingsRepo, 'get' | 'set' | 'getOrCreate'>;
  /** Every stored credentials envelope (db/repos/sealed-credentials.ts). */
  readonly sealedCredentials: () => readonly SealedCredentials[];
  readonly logger?: Pick<Logger, 'info' | 'warn' | 'error'> | undefined;
  /** Times the keychain's answer. */
  readonly clock: Pick<Clock, 'setTimer'>;
  /** Default KEYCHAIN_TIMEOUT_MS. */
  readonly keychainTimeoutMs?: number | undefined;
  /** For tests; defaults to the OS keychain. */
  readonly openKeychainEntry?: OpenKeychainEntry | undefined;
}

export interface VaultOpener {
  /**
   * At daemon start, before anything trades: when broker credentials are stored, opens the vault
   * and proves its key unseals them; rejects with a DomainError that says why not and which key
   * sources were tried, within the keychain's minute at most. Costs nothing when none are stored
   * (a fresh install, paper only).
   */
  checkAtStart(): Promise<void>;
  /** The vault (once opened, the same one); rejects with an actionable DomainError, the keychain's wait bounded as at start. */
  open(): Promise<Vault>;
}

/**
 * @example
 *   const vaults = createVaultOpener({ keychainAccount: `data-key-${installId}`, passphrase, settings: repos.settings,
 *     sealedCredentials: () => listSealedCredentials(db.orm), logger, clock });
 *   await vaults.checkAtStart(); // refuses to start on a key that cannot unseal what is stored
 *   const vault = await vaults.open();
 */
export function createVaultOpener(input: VaultOpenerOptions): VaultOpener {
  // One read of the keychain item at a time, however many openings time out waiting for it.
  const options = { ...input, openKeychainEntry: sharingReads(input.openKeychainEntry ?? openOsKeychainEntry) };
  let opening: Promise<Vault> | null = null;
  // `sealed`: the envelopes the caller has just read, so that the check at start reads them once.
  const open = (sealed?: readonly SealedCredentials[]): Promise<Vault> =>
    (opening ??= withKeychainDeadline(options, (signal) => openVerified(options, sealed ?? options.sealedCredentials(), signal))).catch((err: unknown) => {
      opening = null; // a keyring unlocked later, or a passphrase set, is picked up on the next try
      throw err;
    });

  return {
    open: () => open(),
    async checkAtStart() {
      const sealed = options.sealedCredentials();
      if (sealed.length === 0) return;
      options.logger?.info({ accounts: sealed.length }, 'checking that the vault key unseals the saved broker credentials (an OS keychain may ask to be unlocked; waiting at most a minute)');
      let vault: Vault;
      try {
        vault = await open(sealed);
      } catch (err) {
        const detail = err instanceof DomainError ? err.message : scrubbedMessage(err, options.passphrase ? [options.passphrase] : []);
        const message =
          `Tradeclock will not start: ${sealed.length === 1 ? '1 broker account has' : `${sealed.length} broker accounts have`} saved credentials that cannot be unsealed, ` +
          `and without them no exit of an open position could reach the broker. ${detail}`;
        options.logger?.error({ accounts: sealed.length }, message);
        throw new DomainError('unavailable', message);
      }
      const unreadable = sealed.filter((c) => !unseals(vault, c)).map((c) => c.accountId);
      if (unreadable.length > 0) {
        // The key is right (it opened the check or another row): these rows were altered. Their
        // accounts fail on their own, with a message; the others trade.
        options.logger?.warn({ accounts: unreadable }, 'saved credentials of these broker accounts do not unseal with the right key (the rows were altered): connect them again');
      }
    },
  };
}

/** `open` with a signal that aborts after the keychain's time; the timer ends with it. */
async function withKeychainDeadline<T>(o: VaultOpenerOptions, open: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ms = o.keychainTimeoutMs ?? KEYCHAIN_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = o.clock.setTimer(ms, () =>
    controller.abort(
      new Error(
        `it did not answer within ${Math.round(ms / 1000)} s. A prompt to allow Tradeclock access to the keychain, or to unlock the keyring, ` +
          'may be waiting on the desktop: answer it, then try again.',
      ),
    ),
  );
  try {
    return await open(controller.signal);
  } finally {
    timer.cancel();
  }
}

async function openVerified(o: VaultOpenerOptions, sealed: readonly SealedCredentials[], signal: AbortSignal): Promise<Vault> {
  const check = parseKeyCheck(o.settings.get(KEY_CHECK_SETTING));
  // The recorded source binds only while something sealed with its key is stored.
  const provider = await providerFor(o, sealed.length > 0 ? check : null, signal);
  const vault = await Vault.open(provider);
  if (check && keyCheckMatches(vault, check)) return vault;
  if (check && sealed.length > 0) throw wrongKey(provider, check.source);
  if (check) {
    o.logger?.warn({ keyProvider: provider.kind, sealedWith: check.source }, 'the vault key changed; no broker credentials are stored, so nothing sealed with the old key is lost');
  } else if (sealed.length > 0 && !sealed.some((c) => unseals(vault, c))) {
    // Credentials saved before the key check existed: they are the check.
    throw wrongKey(provider, null);
  }
  o.settings.set(KEY_CHECK_SETTING, makeKeyCheck(vault, sourceOf(provider)));
  return vault;
}

async function providerFor(o: VaultOpenerOptions, check: KeyCheck | null, signal: AbortSignal): Promise<KeyProvider> {
  const passphrase = o.passphrase || undefined;
  const salt = () => o.settings.getOrCreate(VAULT_SALT_SETTING, newPassphraseSalt);
  if (check?.source === 'passphrase') {
    if (!passphrase) {
      return refusing(
        'They were sealed with a key derived from TRADECLOCK_PASSPHRASE, and TRADECLOCK_PASSPHRASE is not set: start Tradeclock with the passphrase used before. ' +
          'Key source tried: none (the OS keychain is not used for credentials sealed with the passphrase).',
      );
    }
    try {
      return passphraseKeyProvider({ passphrase, salt: salt() });
    } catch (err) {
      if (err instanceof DomainError) return refusing(`${err.message} Key source tried: TRADECLOCK_PASSPHRASE.`);
      throw err;
    }
  }
  if (check?.source === 'keychain') {
    const keychain = keychainKeyProvider({ account: o.keychainAccount, createIfMissing: false, signal, ...(o.openKeychainEntry ? { openEntry: o.openKeychainEntry } : {}) });
    return {
      ...keychain,
      getKey: () =>
        keychain.getKey().catch((err: unknown) => {
          const why = err instanceof DomainError ? err.message : scrubbedMessage(err);
          throw new DomainError(
            'unavailable',
            `They were sealed with the key in the ${keychain.description}, which cannot be read: ${why} ` +
              'Start Tradeclock where that keychain is unlocked (the desktop session of the user who saved them); TRADECLOCK_PASSPHRASE cannot open them. ' +
              `Key source tried: the ${keychain.description}.`,
          );
        }),
    };
  }
  return resolveKeyProvider({ keychainAccount: o.keychainAccount, passphrase, salt: salt(), logger: o.logger, signal, openKeychainEntry: o.openKeychainEntry });
}

function wrongKey(provider: KeyProvider, sealedWith: SealingSource | null): DomainError {
  let why: string;
  if (provider.kind === 'passphrase' && sealedWith === 'passphrase') {
    why = 'TRADECLOCK_PASSPHRASE is not the passphrase they were sealed with (wrong passphrase). Start Tradeclock with the passphrase used before.';
  } else if (provider.kind === 'keychain' && sealedWith === 'keychain') {
    why = `the key in the ${provider.description} is not the one they were sealed with: the keychain item was replaced. Put the original item back.`;
  } else if (provider.kind === 'passphrase') {
    why = 'either TRADECLOCK_PASSPHRASE is not the passphrase they were sealed with, or they were sealed with an OS keychain key that cannot be read now.';
  } else {
    why = 'the key in the OS keychain is not the one they were sealed with: they were sealed with TRADECLOCK_PASSPHRASE (start without a keychain, with that passphrase), or the keychain item was replaced.';
  }
  return new DomainError('unavailable', `Wrong key: ${why} Key source tried: ${sourcesTried(provider)}.`);
}

function sourcesTried(provider: KeyProvider): string {
  if (provider.kind === 'keychain') return `the ${provider.description}`;
  if (provider.passedOver) return `the OS keychain (not available: ${provider.passedOver}), then TRADECLOCK_PASSPHRASE`;
  return 'TRADECLOCK_PASSPHRASE (the credentials were sealed with it, so the OS keychain is not tried)';
}

function sourceOf(provider: KeyProvider): SealingSource {
  if (provider.kind === 'unavailable') throw new Error('an unavailable key provider gave a key');
  return provider.kind;
}

function refusing(message: string): KeyProvider {
  return {
    kind: 'unavailable',
    description: 'none',
    getKey: () => Promise.reject(new DomainError('unavailable', message)),
  };
}

function unseals(vault: Vault, c: SealedCredentials): boolean {
  try {
    vault.decrypt(c.ciphertext, String(c.accountId));
    return true;
  } catch {
    return false;
  }
}
