/**
 * `broker_login_required` warnings: the engine found, before a run's next order, that the broker
 * login will not carry it. They stay on screen until the trader dismisses them or logs in again;
 * a newer warning for the same strategy replaces the older one.
 */
import { create } from 'zustand';
import type { BrokerSession, WireEventOf } from '../../lib/api-types';

export type LoginRequiredMessage = WireEventOf<'broker_login_required'>;

export interface LoginWarning {
  readonly brokerAccountId: number;
  readonly strategyId: number;
  readonly state: BrokerSession['state'];
  /** Epoch ms of the run's next order (its BUY while armed, else its SELL). */
  readonly firstOrderAt: number;
  readonly message: string;
}

interface LoginWarningsStore {
  readonly warnings: readonly LoginWarning[];
  add(message: LoginRequiredMessage): void;
  dismiss(strategyId: number): void;
  /** The account's login is valid again: warnings that asked for a login are settled. */
  loggedIn(brokerAccountId: number): void;
  reset(): void;
}

export const useLoginWarnings = create<LoginWarningsStore>()((set) => ({
  warnings: [],
  add: (m) =>
    set((s) => ({
      warnings: [
        ...s.warnings.filter((w) => w.strategyId !== m.strategy_id),
        { brokerAccountId: m.broker_account_id, strategyId: m.strategy_id, state: m.state, firstOrderAt: m.first_order_at, message: m.message },
      ],
    })),
  dismiss: (strategyId) => set((s) => ({ warnings: s.warnings.filter((w) => w.strategyId !== strategyId) })),
  // A warning raised while the login was valid (it runs out before the SELL) is not settled by a login.
  loggedIn: (brokerAccountId) => set((s) => ({ warnings: s.warnings.filter((w) => w.brokerAccountId !== brokerAccountId || w.state === 'valid') })),
  reset: () => set({ warnings: [] }),
}));
