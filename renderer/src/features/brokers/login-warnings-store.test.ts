import { beforeEach, describe, expect, it } from 'vitest';
import { useLoginWarnings, type LoginRequiredMessage } from './login-warnings-store';

// Ids are branded numbers on the wire type; plain numbers are what the socket carries.
const warning = (over: Record<string, unknown> = {}): LoginRequiredMessage =>
  ({
  type: 'broker_login_required',
  broker_account_id: 1,
  strategy_id: 3,
  state: 'no_token',
  first_order_at: 1_000,
  message: 'Kite login needed.',
  at: 0,
    ...over,
  }) as unknown as LoginRequiredMessage;

describe('login warnings', () => {
  beforeEach(() => useLoginWarnings.getState().reset());

  it('keeps one per strategy, the newest', () => {
    const s = useLoginWarnings.getState();
    s.add(warning());
    s.add(warning({ strategy_id: 4 }));
    s.add(warning({ first_order_at: 2_000 }));
    expect(useLoginWarnings.getState().warnings.map((w) => [w.strategyId, w.firstOrderAt])).toEqual([
      [4, 1_000],
      [3, 2_000],
    ]);
  });

  it('goes when dismissed, or when the account logs in unless the login itself runs out too soon', () => {
    const s = useLoginWarnings.getState();
    s.add(warning());
    s.add(warning({ strategy_id: 4, state: 'valid' }));
    s.add(warning({ strategy_id: 5, broker_account_id: 2 }));
    s.loggedIn(1);
    expect(useLoginWarnings.getState().warnings.map((w) => w.strategyId)).toEqual([4, 5]);
    s.dismiss(5);
    expect(useLoginWarnings.getState().warnings.map((w) => w.strategyId)).toEqual([4]);
  });
});
