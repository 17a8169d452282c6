/**
 * The vault's key check: a known text sealed with the data key and stored in settings beside the
 * name of the key's source. It lets the daemon tell "this is not the key the credentials were
 * sealed with" (a wrong TRADECLOCK_PASSPHRASE, a replaced keychain item) from damage to one
 * credential row, and name the source that sealed them, before any broker account is opened.
 *
 * The check adds nothing for someone guessing the passphrase offline: any sealed credential row
 * already tells a right guess from a wrong one, and each guess costs a full scrypt.
 */
import type { Vault } from './vault';

export const KEY_CHECK_SETTING = 'vault_key_check';
const KEY_CHECK_AAD = 'vault-key-check';
const KEY_CHECK_TEXT = 'tradeclock vault key check v1';

/** The key sources that can seal credentials. */
export type SealingSource = 'keychain' | 'passphrase';

export interface KeyCheck {
  readonly source: SealingSource;
  readonly sealed: Buffer;
}

/** The settings value recording that `vault`'s key, from `source`, seals this install's credentials. */
export function makeKeyCheck(vault: Vault, source: SealingSource): string {
  return JSON.stringify({ source, sealed: vault.encrypt(KEY_CHECK_TEXT, KEY_CHECK_AAD).toString('base64') });
}

/** The stored check, or null when absent or unreadable (then the credentials themselves decide). */
export function parseKeyCheck(value: string | undefined): KeyCheck | null {
  if (value === undefined) return null;
  try {
    const parsed = JSON.parse(value) as { source?: unknown; sealed?: unknown };
    if ((parsed.source !== 'keychain' && parsed.source !== 'passphrase') || typeof parsed.sealed !== 'string') return null;
    return { source: parsed.source, sealed: Buffer.from(parsed.sealed, 'base64') };
  } catch {
    return null;
  }
}

/** True when `vault` holds the key the check was sealed with. */
export function keyCheckMatches(vault: Vault, check: KeyCheck): boolean {
  try {
    return vault.decrypt(check.sealed, KEY_CHECK_AAD) === KEY_CHECK_TEXT;
  } catch {
    return false;
  }
}
