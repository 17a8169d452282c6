/**
 * ccxtAccountInfo over a stand-in CCXT instance (the requests' own protocol is tested against the
 * Binance fake in tests/integration/readiness-binance.test.ts): what it makes of answers the fake
 * does not give — a pair answer naming another symbol, a failed time endpoint beside a readable
 * account, every request skipped for the budget's reserve.
 */
import type { Exchange as CcxtExchange } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import type { CcxtExecution } from './ccxt-execution';
import { BudgetReservedError } from './ccxt-fetch';
import { ccxtAccountInfo } from './ccxt-readiness';
import { BINANCE } from './ccxt-venues';

const T0 = Date.parse('2026-12-06T02:50:00Z');
const ACCOUNT = { canTrade: true, permissions: ['SPOT'], balances: [{ asset: 'USDT', free: '95.00000000' }] };

function info(ex: Record<string, unknown>, testnet = false) {
  const execution: Pick<CcxtExecution, 'request'> = { request: (fn) => fn(ex as unknown as CcxtExchange) };
  return ccxtAccountInfo({ venue: BINANCE, clock: new FakeClock(T0), execution, testnet });
}

describe('ccxtAccountInfo', () => {
  it('refuses a pair answer that lists another symbol than the one asked; reads the assets from the loaded market', async () => {
    const a = info({
      market: () => ({ id: 'BTCUSDT', base: 'BTC', quote: 'USDT' }),
      publicGetExchangeInfo: async () => ({ symbols: [{ symbol: 'ETHUSDT', status: 'TRADING', permissionSets: [['SPOT']] }] }),
    });
    await expect(a.pair('BTC/USDT')).rejects.toThrow("Binance spot's GET /api/v3/exchangeInfo answer for BTC/USDT (BTCUSDT) lists ETHUSDT instead");
    expect(await a.assets('BTC/USDT')).toEqual({ baseAsset: 'BTC', quoteAsset: 'USDT' });
  });

  it('a failed time endpoint is carried on its own; the account and the key still answer', async () => {
    const a = info({
      fetchTime: async () => {
        throw new Error('binance {"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}');
      },
      privateGetAccount: async () => ACCOUNT,
      sapiGetAccountApiRestrictions: async () => ({ ipRestrict: false, enableSpotAndMarginTrading: true, tradingAuthorityExpirationTime: T0 + 86_400_000 }),
    });
    expect(await a.snapshot()).toEqual({
      buyingPower: null,
      dayTrading: null,
      brokerTime: null,
      brokerTimeFailure: 'Binance spot\'s time (GET /api/v3/time) could not be read: Binance spot answered -1001 "Internal error; unable to process your request. Please try again."',
      spot: { kind: 'answered', free: { USDT: '95.00000000' }, canTrade: true, permissions: ['SPOT'], key: { kind: 'answered', spotTrading: true, ipRestricted: false, tradingExpiresAt: T0 + 86_400_000 } },
    });
  });

  it('every request skipped for the reserve: the snapshot still answers, each part saying why', async () => {
    const skipped = async () => {
      throw new BudgetReservedError();
    };
    const s = await info({ fetchTime: skipped, privateGetAccount: skipped, sapiGetAccountApiRestrictions: skipped }).snapshot();
    expect(s.brokerTimeFailure).toContain("the request budget's last tokens are kept for orders");
    expect(s.spot).toEqual({ kind: 'failed', reason: "skipped: the request budget's last tokens are kept for orders" });
  });

  it('on the testnet the key is not asked (no /sapi there): unknown, saying so', async () => {
    let asked = false;
    const s = await info({ fetchTime: async () => T0, privateGetAccount: async () => ACCOUNT, sapiGetAccountApiRestrictions: async () => (asked = true) }, true).snapshot();
    expect(asked).toBe(false);
    expect(s.spot).toMatchObject({ kind: 'answered', key: { kind: 'unknown', reason: "Binance spot's testnet does not serve GET /sapi/v1/account/apiRestrictions, where the key's own trading permission is stated" } });
  });
});
