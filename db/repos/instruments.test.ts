import { describe, expect, it } from 'vitest';
import { openTestDb, seedStrategy } from '../test-support';

describe('instruments repo', () => {
  it('saves, overwrites and deletes per (account, exchange, symbol), and goes with its account', () => {
    const t = openTestDb();
    const { user, account } = seedStrategy(t.repos);
    const aapl = { brokerAccountId: account.id, exchange: 'NYSE', symbol: 'AAPL', brokerRef: 'b0b6dd9d', tickSize: 0.01, qtyStep: null, minQty: null, minNotional: null, resolvedAt: 1 };
    t.repos.instruments.saveInternal([aapl, { ...aapl, exchange: 'NASDAQ', brokerRef: 'other' }]);
    expect(t.repos.instruments.findInternal(account.id, 'NYSE', 'AAPL')).toEqual(aapl);
    t.repos.instruments.saveInternal([{ ...aapl, brokerRef: 'renamed', resolvedAt: 2 }]);
    expect(t.repos.instruments.findInternal(account.id, 'NYSE', 'AAPL')).toMatchObject({ brokerRef: 'renamed', resolvedAt: 2 });
    expect(t.repos.instruments.findInternal(account.id, 'NASDAQ', 'AAPL')?.brokerRef).toBe('other');
    expect(t.repos.instruments.listForAccountInternal(account.id).map((r) => `${r.exchange}:${r.symbol}:${r.brokerRef}`).sort()).toEqual(['NASDAQ:AAPL:other', 'NYSE:AAPL:renamed']);
    expect(t.repos.instruments.listForAccountInternal(account.id + 1)).toEqual([]);
    t.repos.instruments.deleteInternal(account.id, 'NASDAQ', 'AAPL');
    expect(t.repos.instruments.findInternal(account.id, 'NASDAQ', 'AAPL')).toBeUndefined();
    // No strategy left on the account: removing it removes what it resolved.
    t.db.sqlite.prepare('DELETE FROM strategies').run();
    t.repos.brokerAccounts.delete(user.id, account.id);
    expect(t.repos.instruments.findInternal(account.id, 'NYSE', 'AAPL')).toBeUndefined();
    t.close();
  });

  it('keeps a crypto pair\'s quantity step, least quantity and least order value, and overwrites them', () => {
    const t = openTestDb();
    const { account } = seedStrategy(t.repos);
    const btc = { brokerAccountId: account.id, exchange: 'CRYPTO', symbol: 'BTC/USDT', brokerRef: 'CRYPTO:BTC/USDT', tickSize: 0.01, qtyStep: 0.00001, minQty: 0.00001, minNotional: 5, resolvedAt: 1 };
    t.repos.instruments.saveInternal([btc]);
    expect(t.repos.instruments.findInternal(account.id, 'CRYPTO', 'BTC/USDT')).toEqual(btc);
    t.repos.instruments.saveInternal([{ ...btc, qtyStep: 0.000001, minNotional: 10, resolvedAt: 2 }]);
    expect(t.repos.instruments.findInternal(account.id, 'CRYPTO', 'BTC/USDT')).toMatchObject({ qtyStep: 0.000001, minQty: 0.00001, minNotional: 10 });
    t.close();
  });
});
