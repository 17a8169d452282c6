/** The vault for broker credentials; see resolve-key-provider.ts for how the key is chosen. */
export { DATA_KEY_BYTES, unavailableKeyProvider, type KeyProvider, type KeyProviderKind, type SecretsLogger } from './key-provider';
export { KEYCHAIN_SERVICE, keychainKeyProvider, sharingReads, type KeychainEntry, type OpenKeychainEntry } from './keychain-key-provider';
export { newPassphraseSalt, passphraseKeyProvider, PASSPHRASE_MIN_CHARS } from './passphrase-key-provider';
export { resolveKeyProvider, type ResolveKeyProviderOptions } from './resolve-key-provider';
export { maskSecret } from './mask-secret';
export { Vault } from './vault';
export { createVaultOpener, KEYCHAIN_TIMEOUT_MS, type VaultOpener, type VaultOpenerOptions } from './vault-opener';
