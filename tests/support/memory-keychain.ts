/**
 * What the tests of a daemon's start with a vault use in place of the OS keychain and a real
 * broker that needs a secret: an in-memory keychain whose reads can answer, hang for good (a
 * prompt nobody answers), or wait for the test; and a paper broker whose credentials the vault seals.
 */
import { z } from 'zod';
import type { BrokerKind } from '../../engine/brokers/broker-kinds';
import { createPaperBroker } from '../../engine/brokers/paper/paper-broker';
import { paperBrokerOptionsSchema } from '../../engine/brokers/paper/paper-config';
import type { KeychainEntry, OpenKeychainEntry } from '../../engine/secrets/keychain-key-provider';

/** A broker that needs a secret (so the vault seals a row), trading on the paper market. */
export const vaultedPaperKind: BrokerKind = {
  title: 'Vaulted test broker',
  credentialsSchema: z.strictObject({ api_key: z.string().min(8), api_secret: z.string().min(8) }),
  optionsSchema: paperBrokerOptionsSchema,
  needsSecret: true,
  create: ({ clock, options }) => createPaperBroker({ clock, ...options }),
};

/** How the keychain's reads go: answered at once, never answered, or held until `answer()`. */
export type KeychainReads = 'answer' | 'hang' | 'hold';

export interface MemoryKeychain {
  readonly open: OpenKeychainEntry;
  /** Stored passwords by "service/account". */
  readonly items: Map<string, string>;
  readonly state: { reads: KeychainReads; count: number };
  /** Reads held (state.reads = 'hold') and not answered yet. */
  readonly waiting: ReadonlyArray<() => void>;
  /** Answers every held read, and later reads at once. */
  answer(): void;
}

export function memoryKeychain(): MemoryKeychain {
  const items = new Map<string, string>();
  const waiting: Array<() => void> = [];
  const state: MemoryKeychain['state'] = { reads: 'answer', count: 0 };
  const open: OpenKeychainEntry = async (service, account) => {
    const id = `${service}/${account}`;
    const entry: KeychainEntry = {
      getPassword: () => {
        state.count++;
        if (state.reads === 'hang') return new Promise<never>(() => undefined);
        if (state.reads === 'hold') return new Promise((resolve) => waiting.push(() => resolve(items.get(id) ?? null)));
        return Promise.resolve(items.get(id) ?? null);
      },
      setPassword: async (pw) => void items.set(id, pw),
    };
    return entry;
  };
  return {
    open,
    items,
    state,
    waiting,
    answer() {
      state.reads = 'answer';
      for (const w of waiting.splice(0)) w();
    },
  };
}

