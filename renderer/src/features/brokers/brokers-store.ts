/**
 * The user's broker accounts as GET /broker returns them, with feed states kept live by events,
 * and the broker kinds the engine offers (GET /broker/kinds) for the connect form.
 */
import { create } from 'zustand';
import { api, ApiError, errorText } from '../../lib/api-client';
import type { ApiRoutes, BrokerAccountDto, BrokerKindDto, BrokerLoginStartDto, BrokerSessionResultDto, FeedState } from '../../lib/api-types';

interface BrokersStore {
  readonly accounts: readonly BrokerAccountDto[];
  readonly loaded: boolean;
  readonly loadError: string | null;
  /** null until GET /broker/kinds answered. */
  readonly kinds: readonly BrokerKindDto[] | null;
  readonly kindsError: string | null;
  load(): Promise<void>;
  loadKinds(): Promise<void>;
  /** Refetches one account; drops it when it is gone. */
  refresh(id: number): Promise<void>;
  connect(body: ApiRoutes['POST /broker/connect']['body']): Promise<BrokerAccountDto>;
  remove(id: number): Promise<void>;
  /** A daily login's URL at the broker (single use, until `expires_at`). */
  startLogin(id: number): Promise<BrokerLoginStartDto>;
  /** Finishes a daily login with a pasted redirect URL or request token. */
  completeLogin(id: number, redirect: string): Promise<BrokerSessionResultDto>;
  setFeed(brokerAccountId: number, state: FeedState): void;
  reset(): void;
}

export const useBrokers = create<BrokersStore>()((set) => {
  const put = (account: BrokerAccountDto) =>
    set((s) => ({
      accounts: s.accounts.some((a) => a.id === account.id) ? s.accounts.map((a) => (a.id === account.id ? account : a)) : [...s.accounts, account],
    }));

  return {
    accounts: [],
    loaded: false,
    loadError: null,
    kinds: null,
    kindsError: null,

    async load() {
      try {
        const { accounts } = await api('GET /broker');
        set({ accounts, loaded: true, loadError: null });
      } catch (err) {
        set({ loadError: errorText(err) });
      }
    },

    async loadKinds() {
      try {
        const { kinds } = await api('GET /broker/kinds');
        set({ kinds, kindsError: null });
      } catch (err) {
        set({ kindsError: errorText(err) });
      }
    },

    async refresh(id) {
      try {
        put(await api('GET /broker/:id', undefined, { id }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) set((s) => ({ accounts: s.accounts.filter((a) => a.id !== id) }));
      }
    },

    async connect(body) {
      const account = await api('POST /broker/connect', body);
      put(account);
      return account;
    },

    async remove(id) {
      await api('DELETE /broker/:id', undefined, { id });
      set((s) => ({ accounts: s.accounts.filter((a) => a.id !== id) }));
    },

    startLogin: (id) => api('POST /broker/:id/login', {}, { id }),

    async completeLogin(id, redirect) {
      const result = await api('POST /broker/:id/session', { redirect }, { id });
      put(result.account);
      return result;
    },

    setFeed(brokerAccountId, state) {
      set((s) => ({ accounts: s.accounts.map((a) => (a.id === brokerAccountId ? { ...a, feed_state: state } : a)) }));
    },

    // Kinds belong to the engine, not the user: they survive a sign-out.
    reset: () => set({ accounts: [], loaded: false, loadError: null }),
  };
});
