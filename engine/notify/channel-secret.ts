/**
 * A channel's secret in the vault: sealed whole with `notify-channel:<id>` as associated data, and
 * what is shown of it (a mask, or the kind's own hint). Also the parts of `config` an earlier build
 * kept in plaintext that the kind seals now (ChannelKind.sealedFromConfig).
 */
import { maskSecret } from '../secrets/mask-secret';
import type { Vault } from '../secrets/vault';
import type { ChannelKind } from './channel-kinds';

const aad = (id: number) => `notify-channel:${id}`;

/** A secret's display form: the kind's hint where it has one (a webhook URL's scheme and host), else its mask. */
export function masks(kind: ChannelKind, secret: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(secret).map(([k, v]) => [k, (kind.secretHints?.[k] ?? maskSecret)(v)]));
}

/** The secret sealed for channel `id`, and its display form. */
export function seal(kind: ChannelKind, vault: Vault, id: number, secret: Record<string, string>): { ciphertext: Buffer; masked: Record<string, string> } {
  return { ciphertext: vault.encrypt(JSON.stringify(secret), aad(id)), masked: masks(kind, secret) };
}

/** `config` apart from the parts sealed now (`moved`: those an earlier build's row still holds in plaintext, as text). */
export function splitLegacy(kind: ChannelKind, config: Readonly<Record<string, unknown>>): { plain: Record<string, unknown>; moved: Record<string, string> } {
  const keys = new Set(kind.sealedFromConfig ?? []);
  const entries = Object.entries(config);
  return {
    plain: Object.fromEntries(entries.filter(([k]) => !keys.has(k))),
    moved: Object.fromEntries(entries.filter(([k, v]) => keys.has(k) && typeof v === 'string') as [string, string][]),
  };
}

/**
 * The sealed secret opened and checked by its kind, with the plaintext parts of an earlier build's
 * row (`moved`) filled in.
 * @throws when it does not unseal (another key, altered) or does not fit the kind.
 */
export function openSecret(kind: ChannelKind, vault: Vault, id: number, sealed: Buffer, moved: Readonly<Record<string, string>> = {}): Record<string, string> {
  return kind.secretSchema.parse({ ...moved, ...(JSON.parse(vault.decrypt(sealed, aad(id))) as object) });
}
