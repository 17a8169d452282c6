/**
 * The install's VAPID key pair (RFC 8292), made once per install when first needed (the UI asks
 * for the public key to subscribe a device); not at start, which would open the vault, and so the
 * OS keychain, on an install that stores no secret (tests/integration/vault-key-at-start.test.ts).
 * The public key is the
 * `applicationServerKey` a browser subscribes with (served to the UI); the private key signs each
 * push message's JWT, so a push service takes messages for this install's subscriptions from this
 * install only. The private key is sealed in the vault like the channels' secrets (associated data
 * `vapid-private-key`); the settings table holds the public key and that envelope.
 */
import webpush from 'web-push';
import type { Repos } from '../../db/repos';
import { DomainError } from '../core/errors';
import type { Vault } from '../secrets/vault';

/** Both keys as base64url: the public one an uncompressed P-256 point, the private one its 32-byte scalar. */
export interface VapidKeyPair {
  readonly publicKey: string;
  readonly privateKey: string;
}

export interface VapidKeysDeps {
  readonly repos: Pick<Repos, 'settings' | 'transaction'>;
  readonly vault: () => Promise<Vault>;
  /** Default web-push's generateVAPIDKeys (a P-256 pair from node:crypto). */
  readonly generate?: () => VapidKeyPair;
}

const PUBLIC_KEY = 'vapid_public_key';
const SEALED_PRIVATE_KEY = 'vapid_private_key_sealed';
const AAD = 'vapid-private-key';

export class VapidKeys {
  #pair: Promise<VapidKeyPair> | null = null;

  constructor(private readonly deps: VapidKeysDeps) {}

  /**
   * The pair, made and stored on the first call. Both keys are
   * written in one transaction and the first pair written is kept for good.
   * @throws DomainError when the vault cannot be opened (tried again on the next call), or the
   *   sealed key cannot be opened with this vault's key.
   */
  pair(): Promise<VapidKeyPair> {
    this.#pair ??= this.load().catch((err: unknown) => {
      this.#pair = null;
      throw err;
    });
    return this.#pair;
  }

  /** The public key, from the settings once it exists (no vault needed then). */
  async publicKey(): Promise<string> {
    return this.deps.repos.settings.get(PUBLIC_KEY) ?? (await this.pair()).publicKey;
  }

  private async load(): Promise<VapidKeyPair> {
    const vault = await this.deps.vault();
    const { settings, transaction } = this.deps.repos;
    const stored = () => {
      const publicKey = settings.get(PUBLIC_KEY);
      const sealed = settings.get(SEALED_PRIVATE_KEY);
      return publicKey && sealed ? { publicKey, sealed } : null;
    };
    let found = stored();
    if (!found) {
      const made = (this.deps.generate ?? webpush.generateVAPIDKeys)();
      transaction(() => {
        if (stored()) return;
        settings.set(SEALED_PRIVATE_KEY, vault.encrypt(JSON.stringify({ private_key: made.privateKey }), AAD).toString('base64'));
        settings.set(PUBLIC_KEY, made.publicKey);
      });
      found = stored()!;
    }
    try {
      const { private_key: privateKey } = JSON.parse(vault.decrypt(Buffer.from(found.sealed, 'base64'), AAD)) as { private_key: string };
      return { publicKey: found.publicKey, privateKey };
    } catch {
      throw new DomainError(
        'unavailable',
        "the install's Web Push key could not be unsealed (the vault key changed, or it was altered): remove the stored key (settings vapid_public_key and vapid_private_key_sealed) to make a new one, then turn on \"Notify this device\" again on each device",
      );
    }
  }
}

/**
 * TRADECLOCK_VAPID_SUBJECT when it is a mailto: or https: URL (RFC 8292 section 2.1), else
 * undefined (the default subject); a value of another shape is refused, with the reason, by `warn`.
 * @example vapidSubjectFrom({ TRADECLOCK_VAPID_SUBJECT: 'mailto:me@example.com' }, console.warn) === 'mailto:me@example.com'
 */
export function vapidSubjectFrom(env: Readonly<Record<string, string | undefined>>, warn: (message: string) => void): string | undefined {
  const value = env.TRADECLOCK_VAPID_SUBJECT?.trim();
  if (!value) return undefined;
  if (/^mailto:[^@\s]+@[^@\s]+$/.test(value) || /^https:\/\/[^\s]+$/.test(value)) return value;
  warn('TRADECLOCK_VAPID_SUBJECT must be a mailto: or https: URL; the default subject is used');
  return undefined;
}
