/**
 * Every stored credentials envelope, for the vault's check at daemon start: it must prove that
 * the key it has opens them before anything trades. Engine-internal (no user filter), and only
 * for the vault: the ciphertext never leaves the secrets code.
 */
import { asc, isNotNull } from 'drizzle-orm';
import { asBrokerAccountId, type BrokerAccountId } from '../../engine/core/ids';
import type { Orm } from '../client';
import { brokerAccounts } from '../schema';

export interface SealedCredentials {
  readonly accountId: BrokerAccountId;
  /** The vault envelope, sealed with the account id as associated data. */
  readonly ciphertext: Buffer;
}

/** The accounts that hold sealed credentials, oldest first. Cheap: one indexed scan of a small table. */
export function listSealedCredentials(orm: Orm): SealedCredentials[] {
  return orm
    .select({ id: brokerAccounts.id, c: brokerAccounts.credentialsCiphertext })
    .from(brokerAccounts)
    .where(isNotNull(brokerAccounts.credentialsCiphertext))
    .orderBy(asc(brokerAccounts.id))
    .all()
    .flatMap((r) => (r.c ? [{ accountId: asBrokerAccountId(r.id), ciphertext: r.c }] : []));
}
