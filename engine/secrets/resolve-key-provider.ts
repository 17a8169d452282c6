/**
 * Picks the vault's key provider for this machine: the OS keychain when one works, else a key
 * derived from TRADECLOCK_PASSPHRASE, else a provider that explains how to get either.
 */
import { DomainError } from '../core/errors';
import { keychainKeyProvider, type OpenKeychainEntry } from './keychain-key-provider';
import { scrubbedMessage, unavailableKeyProvider, type KeyProvider, type SecretsLogger } from './key-provider';
import { passphraseKeyProvider } from './passphrase-key-provider';

export interface ResolveKeyProviderOptions {
  /** Install-specific keychain account name, e.g. `data-key-${installId}`. */
  readonly keychainAccount: string;
  /** TRADECLOCK_PASSPHRASE; an empty string counts as unset. */
  readonly passphrase?: string | undefined;
  /** The install's stored salt from `newPassphraseSalt()`; used only with a passphrase. */
  readonly salt: string;
  readonly logger?: SecretsLogger | undefined;
  /** Bounds the keychain probe (a desktop unlock prompt can wait for the user). */
  readonly signal?: AbortSignal | undefined;
  /** For tests; defaults to the OS keychain. */
  readonly openKeychainEntry?: OpenKeychainEntry | undefined;
}

/**
 * Rejects only for a malformed `keychainAccount` (a bug). The keychain is probed by fetching (or, the first time, creating) the key, so
 * "available" means a key was really read back; a keychain that is missing, locked or refuses
 * the write falls through to the passphrase. Setup problems surface from `getKey()` of the
 * returned provider as a DomainError that says what to do; call it at start to fail fast.
 *
 * Keychain first means: once an install has stored credentials under one provider, switching
 * (for example installing a keyring on a server that used a passphrase) gives a different key,
 * and those credentials no longer decrypt; they must be entered again.
 *
 * @example
 *   const provider = await resolveKeyProvider({
 *     keychainAccount: `data-key-${installId}`,
 *     passphrase: process.env.TRADECLOCK_PASSPHRASE,
 *     salt: settings.get('vault.salt'),
 *     logger,
 *   });
 *   const vault = await Vault.open(provider);
 */
export async function resolveKeyProvider(options: ResolveKeyProviderOptions): Promise<KeyProvider> {
  const { logger } = options;
  // Outside the try: a malformed account name is a bug to surface, not a reason to fall back.
  const keychain = keychainKeyProvider({
    account: options.keychainAccount,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.openKeychainEntry ? { openEntry: options.openKeychainEntry } : {}),
  });
  let keychainProblem: string;
  try {
    (await keychain.getKey()).fill(0);
    logger?.info({ keyProvider: keychain.kind, where: keychain.description }, 'vault key from the OS keychain');
    return keychain;
  } catch (err) {
    // The keychain provider's DomainErrors are already scrubbed of key material.
    keychainProblem = err instanceof DomainError ? err.message : scrubbedMessage(err);
  }

  if (options.passphrase === undefined || options.passphrase === '') {
    logger?.warn({ keyProvider: 'unavailable', reason: keychainProblem }, 'no OS keychain and no TRADECLOCK_PASSPHRASE: broker credentials cannot be saved');
    return unavailableKeyProvider(`no OS keychain (${keychainProblem}) and TRADECLOCK_PASSPHRASE is not set`);
  }
  try {
    const provider = passphraseKeyProvider({ passphrase: options.passphrase, salt: options.salt });
    logger?.info({ keyProvider: provider.kind, reason: keychainProblem }, 'no OS keychain: vault key derived from TRADECLOCK_PASSPHRASE');
    return { ...provider, passedOver: keychainProblem };
  } catch (err) {
    const problem = err instanceof DomainError ? err.message : scrubbedMessage(err, [options.passphrase]);
    logger?.warn({ keyProvider: 'unavailable', reason: problem }, 'TRADECLOCK_PASSPHRASE cannot be used: broker credentials cannot be saved');
    return unavailableKeyProvider(`no OS keychain (${keychainProblem}) and ${problem.replace(/\.$/, '')}`);
  }
}
