/**
 * The readiness checks of a spot account (Binance through CCXT) over hand-built inputs: the funds
 * in decimal at the exact edge, the key's answer and its own trading permission, the pair's status
 * and permission sets, the clock to the millisecond against Binance's window for signed requests,
 * what does not apply, and unknown (never the generic answers) when the account could not be read.
 */
import { describe, expect, it } from 'vitest';
import type { SpotAccountAnswer, SpotKeyAnswer } from '../brokers/broker';
import { ccxtCapabilities } from '../brokers/ccxt/ccxt-account';
import { BINANCE } from '../brokers/ccxt/ccxt-venues';
import { createTradingCalendar } from '../scheduler/trading-calendar';
import { clockCheck, dayTradesCheck } from './account-checks';
import { marketOpenCheck } from './market-checks';
import type { ReadinessInputs } from './readiness-inputs';
import { runChecks } from './readiness-checks';
import { assetAmount, spotFundsCheck, spotOrdersAllowedCheck, spotSessionCheck } from './spot-checks';

const NOW = Date.parse('2026-12-06T02:50:00Z');
const EXIT = Date.parse('2026-12-06T03:01:00Z');
const TRADING_KEY: SpotKeyAnswer = { kind: 'answered', spotTrading: true, ipRestricted: true, tradingExpiresAt: null };
const answered = (free: Record<string, string>, canTrade = true, key: SpotKeyAnswer = TRADING_KEY, permissions: string[] = ['SPOT']): SpotAccountAnswer => ({ kind: 'answered', free, canTrade, permissions, key });
const listedAs = (status: string, permissionSets: string[][] = [['SPOT']]): ReadinessInputs['pair'] => ({ kind: 'answered', facts: { status, trading: status === 'TRADING', permissionSets } });

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
    exitAt: EXIT,
    session: null,
    account: { kind: 'answered', snapshot: { buyingPower: null, dayTrading: null, brokerTime: { ...time, resolutionMs: 1 }, spot } },
    pair: listedAs('TRADING'),
    assets: { kind: 'answered', assets: { baseAsset: 'BTC', quoteAsset: 'USDT' } },
    feed: { state: 'up', detail: null, lastPrice: { price: 60_000, at: NOW - 2_000 }, streamStale: false },
    orders: { lastIpRefusalAt: null, lastTakenAt: null },
    calendar: createTradingCalendar(),
    ...over,
  };
}

describe('funds', () => {
  it('compares the free quote in decimal with quantity × last price plus a 0.1 % margin for the price moving: the exact cost passes, a cent less fails', () => {
    // 0.0015 × 60 000 × 1.001 = 90.09 exactly; in floats 0.0015 * 60000 * 1.001 is 90.08999999999999.
    expect(spotFundsCheck(binance(), answered({ USDT: '90.09000000' }))).toEqual({ check: 'funds', status: 'ok', message: '90.09 USDT free covers the entry, about 90.09 USDT (0.0015 × last price 60,000, plus 0.1 % for the price moving before it fills).' });
    expect(spotFundsCheck(binance(), answered({ USDT: '90.08999999' }))).toMatchObject({ status: 'fail', message: expect.stringMatching(/^90\.08999999 USDT free does not cover the entry, about 90\.09 USDT .*: add USDT or lower the quantity/) });
  });

  it('an asset the account does not hold is none free', () => {
    expect(spotFundsCheck(binance(), answered({ BTC: '1' }))).toMatchObject({ status: 'fail', message: expect.stringMatching(/^0 USDT free does not cover/) });
  });

  it("reads the pair's assets from the loaded markets: a failed pair status does not hide the funds", () => {
    expect(spotFundsCheck(binance({ pair: { kind: 'failed', reason: 'no answer within 10 s' } }), answered({ USDT: '10000' }))).toMatchObject({ status: 'ok', message: expect.stringMatching(/^10,000 USDT free covers the entry/) });
  });

  it('unknown, naming why, without a price, without the assets, or without the account', () => {
    expect(spotFundsCheck(binance({ feed: { state: 'up', detail: null, lastPrice: null, streamStale: false } }), answered({ USDT: '10000' }))).toMatchObject({ status: 'unknown', message: expect.stringContaining('10,000 USDT free, but no price of BTC/USDT has arrived yet') });
    expect(spotFundsCheck(binance({ assets: { kind: 'failed', reason: 'Binance spot lists no assets for BTC/USDT' } }), answered({ USDT: '10000' }))).toMatchObject({ status: 'unknown', message: expect.stringContaining('lists no assets') });
    expect(spotFundsCheck(binance(), { kind: 'failed', reason: 'Binance spot answered -1021 "Timestamp for this request is outside of the recvWindow."' })).toMatchObject({ status: 'unknown', message: expect.stringContaining('-1021') });
  });

  it('shows a free amount rounded down and a cost rounded up to 8 places, grouped; the price grouped too', () => {
    expect(assetAmount('12345.678900001', 'up')).toBe('12,345.67890001');
    expect(assetAmount('12345.678900009', 'down')).toBe('12,345.6789');
    expect(assetAmount('0.00000000', 'down')).toBe('0');
    expect(spotFundsCheck(binance({ feed: { state: 'up', detail: null, lastPrice: { price: 61_234.567_89, at: NOW }, streamStale: false } }), answered({ USDT: '0.000000019' })).message).toContain('0.00000001 USDT free does not cover the entry, about 91.94370369 USDT (0.0015 × last price 61,234.56789,');
  });
});

describe('the key, orders from this machine, and what does not apply', () => {
  it('a signed answer passes the login; canTrade false fails orders; a refused key fails the login', () => {
    expect(spotSessionCheck(binance(), answered({}))).toMatchObject({ status: 'ok', message: expect.stringContaining('its keys do not expire daily') });
    expect(spotOrdersAllowedCheck(binance(), answered({}, false))).toMatchObject({ status: 'fail', message: expect.stringContaining('canTrade is false') });
    const refused: SpotAccountAnswer = { kind: 'refused', reason: 'Binance spot answered -2015 "Invalid API-key, IP, or permissions for action."' };
    expect(spotSessionCheck(binance(), refused)).toMatchObject({ status: 'fail', message: expect.stringContaining('-2015') });
    expect(spotOrdersAllowedCheck(binance(), refused).status).toBe('unknown');
    expect(spotSessionCheck(binance(), { kind: 'failed', reason: 'x' }).status).toBe('unknown');
  });

  it("orders pass only when the key itself may trade past the exit (a read-only key reads the account too)", () => {
    expect(spotOrdersAllowedCheck(binance(), answered({}))).toEqual({ check: 'orders_allowed', status: 'ok', message: 'Binance answered a signed request from this machine (its IP restriction lets this machine through), says the account may trade, and its API key may trade spot.' });
    const key = (k: Partial<Extract<SpotKeyAnswer, { kind: 'answered' }>>) => answered({}, true, { ...TRADING_KEY, ...k });
    expect(spotOrdersAllowedCheck(binance(), key({ spotTrading: false, ipRestricted: false }))).toMatchObject({ status: 'fail', message: expect.stringMatching(/^Binance says the account's API key may not trade spot \(its "Enable Spot & Margin Trading" is off\).*after 30 days/) });
    expect(spotOrdersAllowedCheck(binance(), key({ ipRestricted: false, tradingExpiresAt: EXIT }))).toMatchObject({ status: 'fail', message: expect.stringMatching(/^The API key's spot trading permission runs out at Sun 6 Dec 03:01:00 UTC, before the exit/) });
    expect(spotOrdersAllowedCheck(binance(), key({ ipRestricted: false, tradingExpiresAt: EXIT + 1 }))).toMatchObject({ status: 'ok', message: expect.stringContaining('it has no IP restriction') });
    // Binance's testnet serves no /sapi: not ok, and says why.
    expect(spotOrdersAllowedCheck(binance(), answered({}, true, { kind: 'unknown', reason: "Binance spot's testnet does not serve GET /sapi/v1/account/apiRestrictions" }))).toMatchObject({ status: 'unknown', message: expect.stringContaining("testnet does not serve GET /sapi/v1/account/apiRestrictions") });
  });

  it("a pair whose permission sets the account's permissions do not meet fails orders (-2010 'This symbol is not permitted for this account.')", () => {
    const barred = spotOrdersAllowedCheck(binance({ pair: listedAs('TRADING', [['SPOT'], ['TRD_GRP_002', 'TRD_GRP_003']]) }), answered({}));
    expect(barred).toMatchObject({ status: 'fail', message: expect.stringMatching(/^Binance trades BTC\/USDT only for an account with one of TRD_GRP_002, TRD_GRP_003; this account has SPOT/) });
    expect(spotOrdersAllowedCheck(binance({ pair: listedAs('TRADING', [['SPOT'], ['TRD_GRP_002', 'TRD_GRP_003']]) }), answered({}, true, TRADING_KEY, ['SPOT', 'TRD_GRP_003'])).status).toBe('ok');
  });

  it('the day-trade rule does not apply, and says so', () => {
    expect(dayTradesCheck(binance(), true)).toEqual({ check: 'day_trades', status: 'ok', message: 'Binance has no pattern-day-trader limit.' });
  });

  it('runChecks answers the login, orders and funds from the signed answer, with the messages of that path', () => {
    const c = runChecks(binance());
    expect(c.map((x) => `${x.check} ${x.status}`)).toEqual(['session ok', 'orders_allowed ok', 'funds ok', 'day_trades ok', 'market_open ok', 'price_feed ok', 'clock ok']);
    expect(c[0]!.message).toMatch(/^Binance answered a signed request with the account's API key just now/);
    expect(c[1]!.message).toMatch(/^Binance answered a signed request from this machine/);
  });

  it("an account that could not be read leaves the login and orders unknown, naming why, never the generic answers", () => {
    const c = runChecks(binance({ account: { kind: 'failed', reason: 'no answer to the account request within 10 s' } }));
    expect(c.slice(0, 3)).toEqual([
      { check: 'session', status: 'unknown', message: "Whether Binance takes the account's API key could not be checked: no answer to the account request within 10 s." },
      { check: 'orders_allowed', status: 'unknown', message: 'Whether Binance takes orders from this machine could not be checked: no answer to the account request within 10 s.' },
      { check: 'funds', status: 'unknown', message: 'The funds could not be checked: no answer to the account request within 10 s.' },
    ]);
  });
});

describe('market open: the pair as Binance lists it', () => {
  it('BREAK (as HALT, END_OF_DAY) fails naming the status; TRADING passes; an unreadable status is unknown', () => {
    expect(marketOpenCheck(binance({ pair: listedAs('BREAK') }))).toMatchObject({ status: 'fail', message: expect.stringMatching(/^Binance lists BTC\/USDT as BREAK, not TRADING/) });
    expect(marketOpenCheck(binance())).toEqual({ check: 'market_open', status: 'ok', message: 'CRYPTO trades at every hour, and Binance lists BTC/USDT as TRADING.' });
    expect(marketOpenCheck(binance({ pair: { kind: 'failed', reason: 'HTTP 503' } }))).toMatchObject({ status: 'unknown', message: expect.stringContaining('HTTP 503') });
  });

  it("on an exchange with hours, an unreadable pair status is not dropped, and the sentence names the hours, not every hour", () => {
    const nyse = { exchange: 'NYSE' as const, timezone: 'America/New_York', entryAt: Date.parse('2026-12-07T15:00:00Z'), exitAt: Date.parse('2026-12-07T15:01:00Z'), now: Date.parse('2026-12-07T14:50:00Z') };
    expect(marketOpenCheck(binance({ ...nyse, pair: { kind: 'failed', reason: 'HTTP 503' } }))).toEqual({
      check: 'market_open',
      status: 'unknown',
      message: 'NYSE is open 09:30–16:00 America/New_York on 2026-12-07: the entry and the exit fall inside, but whether Binance takes orders for BTC/USDT now could not be checked: HTTP 503.',
    });
  });
});

describe('clock to the millisecond (GET /api/v3/time)', () => {
  const at = (sentAt: number, receivedAt: number) => clockCheck(binance({}, answered({}), { date: NOW, sentAt, receivedAt }));

  it('within 1 s ahead and 2 s behind passes, naming the skew in ms', () => {
    expect(at(NOW + 980, NOW + 990)).toMatchObject({ status: 'ok', message: expect.stringMatching(/^This machine's clock agrees with Binance's to about 985 ms/) });
    expect(at(NOW - 1_990, NOW - 1_980).status).toBe('ok');
  });

  it('1,000 ms ahead, exactly, is refused by Binance (timestamp ≥ serverTime + 1000)', () => {
    expect(at(NOW + 1_000, NOW + 1_010)).toMatchObject({ status: 'fail', message: expect.stringMatching(/^This machine's clock is 1,005 ms ahead of Binance's: Binance refuses every signed request stamped 1,000 ms or more ahead of its clock \(-1021\)\. Tradeclock learns the difference/) });
    expect(at(NOW + 1_100, NOW + 1_110).status).toBe('fail');
  });

  it('a window whose far bound reaches 1,000 ms ahead warns, naming both bounds', () => {
    expect(at(NOW + 900, NOW + 1_400)).toMatchObject({ status: 'warn', message: expect.stringMatching(/^This machine's clock is between 900 ms and 1,400 ms ahead of Binance's \(its answer took 500 ms\): Binance refuses a signed request stamped 1,000 ms or more ahead of its clock \(-1021\), so orders may be refused/) });
    expect(at(NOW + 900, NOW + 999).status).toBe('ok');
  });

  it('more than 2 s behind fails; more than the 10 s recvWindow behind names the window', () => {
    expect(at(NOW - 3_000, NOW - 2_990)).toMatchObject({ status: 'fail', message: expect.stringMatching(/^This machine's clock is 2,995 ms behind Binance's: orders would go out 2,995 ms late/) });
    expect(at(NOW - 12_000, NOW - 11_990)).toMatchObject({ status: 'fail', message: expect.stringContaining('stamped more than 10,000 ms behind its clock') });
  });

  it("a time endpoint that failed is named as such, not as a missing Date header", () => {
    const failed = binance({ account: { kind: 'answered', snapshot: { buyingPower: null, dayTrading: null, brokerTime: null, brokerTimeFailure: 'Binance spot\'s time (GET /api/v3/time) could not be read: Binance spot answered -1001 "Internal error"', spot: answered({}) } } });
    expect(clockCheck(failed)).toEqual({ check: 'clock', status: 'unknown', message: 'The clock could not be compared with Binance\'s: Binance spot\'s time (GET /api/v3/time) could not be read: Binance spot answered -1001 "Internal error". Make sure this machine sets its clock automatically.' });
  });
});
