/** The user's broker accounts as GET /broker returns them, with feed states kept live by events. */
import { create } from 'zustand';
import { api } from '../../lib/api-client';
import type { ApiRoutes, BrokerAccountDto, FeedState } from '../../lib/api-types';

interface BrokersStore {
  readonly accounts: readonly BrokerAccountDto[];
  readonly loaded: boolean;
  readonly loadError: string | null;
  load(): Promise<void>;
  connect(body: ApiRoutes['POST /broker/connect']['body']): Promise<BrokerAccountDto>;
  remove(id: number): Promise<void>;
  setFeed(brokerAccountId: number, state: FeedState): void;
  reset(): void;
}

export const useBrokers = create<BrokersStore>()((set) => ({
  accounts: [],
  loaded: false,
  loadError: null,

  async load() {
    try {
      const { accounts } = await api('GET /broker');
      set({ accounts, loaded: true, loadError: null });
    } catch (err) {
      set({ loadError: err instanceof Error ? err.message : String(err) });
    }
  },

  async connect(body) {
    const account = await api('POST /broker/connect', body);
    set((s) => ({ accounts: [...s.accounts.filter((a) => a.id !== account.id), account] }));
    return account;
  },

  async remove(id) {
    await api('DELETE /broker/:id', undefined, { id });
    set((s) => ({ accounts: s.accounts.filter((a) => a.id !== id) }));
  },

  setFeed(brokerAccountId, state) {
    set((s) => ({ accounts: s.accounts.map((a) => (a.id === brokerAccountId ? { ...a, feed_state: state } : a)) }));
  },

  reset: () => set({ accounts: [], loaded: false, loadError: null }),
}));
