/**
 * The readiness checks of a spot account (Binance through CCXT) over hand-built inputs: the funds
 * in decimal at the exact edge, a sale's base asset, the key's answer, the pair's status, the clock
 * to the millisecond against Binance's window for signed requests, and what does not apply.
 */
import { describe, expect, it } from 'vitest';
import type { SpotAccountAnswer } from '../brokers/broker';
import { ccxtCapabilities } from '../brokers/ccxt/ccxt-account';
import { BINANCE } from '../brokers/ccxt/ccxt-venues';
import { createTradingCalendar } from '../scheduler/trading-calendar';
import { clockCheck, dayTradesCheck } from './account-checks';
import { marketOpenCheck } from './market-checks';
import type { ReadinessInputs } from './readiness-inputs';
import { runChecks } from './readiness-checks';
import { assetAmount, spotFundsCheck, spotOrdersAllowedCheck, spotSessionCheck } from './spot-checks';

const NOW = Date.parse('2026-12-06T02:50:00Z');
const answered = (free: Record<string, string>, canTrade = true): SpotAccountAnswer => ({ kind: 'answered', free, canTrade });

/** 0.0015 BTC/USDT, BUY 03:00, SELL 03:01 UTC on Sunday 2026-12-06, checked at 02:50 with BTC last at 60 000. */
function binance(over: Partial<ReadinessInputs> = {}, spot: SpotAccountAnswer = answered({ USDT: '10000.00000000' }), time = { date: NOW, sentAt: NOW, receivedAt: NOW + 40 }): ReadinessInputs {
  return {
    now: NOW,
    brokerName: 'Binance',
    capabilities: ccxtCapabilities(BINANCE),
    symbol: 'BTC/USDT',
    exchange: 'CRYPTO',
    side: 'buy',
    qty: 0.0015,
    timezone: 'UTC',
    entryAt: Date.parse('2026-12-06T03:00:00Z'),
    exitAt: Date.parse('2026-12-06T03:01:00Z'),
    session: null,
    account: { kind: 'answered', snapshot: { buyingPower: null, dayTrading: null, brokerTime: { ...time, resolutionMs: 1 }, spot } },
    pair: { kind: 'answered', facts: { status: 'TRADING', trading: true, baseAsset: 'BTC', quoteAsset: 'USDT' } },
    feed: { state: 'up', detail: null, lastPrice: { price: 60_000, at: NOW - 2_000 }, streamStale: false },
    orders: { lastIpRefusalAt: null, lastTakenAt: null },
    calendar: createTradingCalendar(),
    ...over,
  };
}

describe('funds', () => {
  it('compares the free quote in decimal with quantity × last price plus the 0.1 % taker fee: the exact cost passes, a cent less fails', () => {
    // 0.0015 × 60 000 × 1.001 = 90.09 exactly; in floats 0.0015 * 60000 * 1.001 is 90.08999999999999.
    expect(spotFundsCheck(binance(), answered({ USDT: '90.09000000' }))).toEqual({ check: 'funds', status: 'ok', message: '90.09 USDT free covers the entry, about 90.09 USDT (0.0015 × last price 60000, plus 0.1 % for the highest taker fee).' });
    expect(spotFundsCheck(binance(), answered({ USDT: '90.08999999' }))).toMatchObject({ status: 'fail', message: expect.stringMatching(/^90\.08999999 USDT free does not cover the entry, about 90\.09 USDT .*: add USDT or lower the quantity/) });
  });

  it('an asset the account does not hold is none free; a sale needs the base asset', () => {
    expect(spotFundsCheck(binance(), answered({ BTC: '1' }))).toMatchObject({ status: 'fail', message: expect.stringMatching(/^0 USDT free does not cover/) });
    expect(spotFundsCheck(binance({ side: 'sell' }), answered({ BTC: '0.00149' }))).toEqual({ check: 'funds', status: 'fail', message: "0.00149 BTC free does not cover the entry's sale of 0.0015 BTC: add BTC or lower the quantity before the entry." });
  });

  it('unknown, naming why, without a price, without the pair, or without the account', () => {
    expect(spotFundsCheck(binance({ feed: { state: 'up', detail: null, lastPrice: null, streamStale: false } }), answered({ USDT: '10000' }))).toMatchObject({ status: 'unknown', message: expect.stringContaining('10,000 USDT free, but no price of BTC/USDT has arrived yet') });
    expect(spotFundsCheck(binance({ pair: { kind: 'failed', reason: 'no answer within 10 s' } }), answered({ USDT: '10000' }))).toMatchObject({ status: 'unknown', message: expect.stringContaining('no answer within 10 s') });
    expect(spotFundsCheck(binance(), { kind: 'failed', reason: 'Binance spot answered -1021 "Timestamp for this request is outside of the recvWindow."' })).toMatchObject({ status: 'unknown', message: expect.stringContaining('-1021') });
  });

  it('shows amounts rounded up to 8 places, grouped', () => {
    expect(assetAmount('12345.678900001')).toBe('12,345.67890001');
    expect(assetAmount('0.00000000')).toBe('0');
  });
});

describe('the key, orders from this machine, and what does not apply', () => {
  it('a signed answer passes the login and the orders checks; canTrade false fails orders; a refused key fails the login', () => {
    expect(spotSessionCheck(binance(), answered({}))).toMatchObject({ status: 'ok', message: expect.stringContaining('its keys do not expire daily') });
    expect(spotOrdersAllowedCheck(binance(), answered({}))).toMatchObject({ status: 'ok' });
    expect(spotOrdersAllowedCheck(binance(), answered({}, false))).toMatchObject({ status: 'fail', message: expect.stringContaining('canTrade is false') });
    const refused: SpotAccountAnswer = { kind: 'refused', reason: 'Binance spot answered -2015 "Invalid API-key, IP, or permissions for action."' };
    expect(spotSessionCheck(binance(), refused)).toMatchObject({ status: 'fail', message: expect.stringContaining('-2015') });
    expect(spotOrdersAllowedCheck(binance(), refused).status).toBe('unknown');
    expect(spotSessionCheck(binance(), { kind: 'failed', reason: 'x' }).status).toBe('unknown');
  });

  it('the day-trade rule does not apply, and says so', () => {
    expect(dayTradesCheck(binance(), true)).toEqual({ check: 'day_trades', status: 'ok', message: 'Binance has no pattern-day-trader limit.' });
  });

  it('runChecks answers the login, orders and funds from the signed answer', () => {
    expect(runChecks(binance()).map((c) => `${c.check} ${c.status}`)).toEqual(['session ok', 'orders_allowed ok', 'funds ok', 'day_trades ok', 'market_open ok', 'price_feed ok', 'clock ok']);
  });
});

describe('market open: the pair as Binance lists it', () => {
  it('HALT or BREAK fails naming the status; TRADING passes; an unreadable status is unknown', () => {
    const listed = (status: string) => binance({ pair: { kind: 'answered', facts: { status, trading: status === 'TRADING', baseAsset: 'BTC', quoteAsset: 'USDT' } } });
    expect(marketOpenCheck(listed('BREAK'))).toMatchObject({ status: 'fail', message: expect.stringMatching(/^Binance lists BTC\/USDT as BREAK, not TRADING/) });
    expect(marketOpenCheck(listed('TRADING'))).toEqual({ check: 'market_open', status: 'ok', message: 'CRYPTO trades at every hour, and Binance lists BTC/USDT as TRADING.' });
    expect(marketOpenCheck(binance({ pair: { kind: 'failed', reason: 'HTTP 503' } }))).toMatchObject({ status: 'unknown', message: expect.stringContaining('HTTP 503') });
  });
});

describe('clock to the millisecond (GET /api/v3/time)', () => {
  const at = (sentAt: number, receivedAt: number) => clockCheck(binance({}, answered({}), { date: NOW, sentAt, receivedAt }));

  it("within 1 s ahead and 2 s behind passes, naming the skew in ms", () => {
    expect(at(NOW + 990, NOW + 1_000)).toMatchObject({ status: 'ok', message: expect.stringMatching(/^This machine's clock agrees with Binance's to about 995 ms/) });
    expect(at(NOW - 1_990, NOW - 1_980).status).toBe('ok');
  });

  it("1 s or more ahead is refused by Binance (-1021's rule), though inside the 2 s bound", () => {
    expect(at(NOW + 1_100, NOW + 1_110)).toMatchObject({ status: 'fail', message: expect.stringMatching(/^This machine's clock is 1,105 ms ahead of Binance's: Binance refuses every signed request stamped 1,000 ms or more ahead/) });
  });

  it('more than 2 s behind fails; more than the 10 s recvWindow behind names the window', () => {
    expect(at(NOW - 3_000, NOW - 2_990)).toMatchObject({ status: 'fail', message: expect.stringMatching(/^This machine's clock is 2,995 ms behind Binance's: orders would go out 2,995 ms late/) });
    expect(at(NOW - 12_000, NOW - 11_990)).toMatchObject({ status: 'fail', message: expect.stringContaining('stamped more than 10,000 ms behind its clock') });
  });
});
