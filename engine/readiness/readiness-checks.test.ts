/**
 * Each readiness check over hand-built inputs: the sentence it answers and the status that would be
 * wrong if the rule were. Times are real instants (an NYSE Monday, an NSE Monday) so the market
 * hours and the login's 06:00 IST cut-off meet them as they would in use.
 */
import { describe, expect, it } from 'vitest';
import { ALPACA_CAPABILITIES } from '../brokers/alpaca/alpaca-broker';
import { KITE_CAPABILITIES } from '../brokers/kite/kite-broker';
import { PAPER_CAPABILITIES } from '../brokers/paper/paper-broker';
import { createTradingCalendar } from '../scheduler/trading-calendar';
import { kiteTokenExpiry } from '../brokers/kite/token-expiry';
import { worstStatus } from '../core/readiness';
import { clockCheck, dayTradesCheck, fundsCheck, ordersAllowedCheck, sessionCheck } from './account-checks';
import { marketOpenCheck, priceFeedCheck } from './market-checks';
import type { ReadinessInputs } from './readiness-inputs';
import { runChecks } from './readiness-checks';

const calendar = createTradingCalendar();
const ny = (iso: string) => Date.parse(iso);

/** An Alpaca strategy: 10 AAPL, BUY 09:30, SELL 15:55 New York on Monday 2026-12-07, checked at 09:25. */
function alpaca(over: Partial<ReadinessInputs> = {}): ReadinessInputs {
  return {
    now: ny('2026-12-07T14:25:00Z'),
    brokerName: 'Alpaca',
    capabilities: ALPACA_CAPABILITIES,
    symbol: 'AAPL',
    exchange: 'NYSE',
    side: 'buy',
    qty: 10,
    timezone: 'America/New_York',
    entryAt: ny('2026-12-07T14:30:00Z'),
    exitAt: ny('2026-12-07T20:55:00Z'),
    session: null,
    account: { kind: 'answered', snapshot: { buyingPower: 50_000, dayTrading: { patternDayTrader: false, dayTradeCount: 0, equity: 50_000 }, brokerTime: { date: ny('2026-12-07T14:25:00Z'), sentAt: ny('2026-12-07T14:25:00.200Z'), receivedAt: ny('2026-12-07T14:25:00.240Z'), resolutionMs: 1_000 } } },
    pair: { kind: 'none' },
    assets: { kind: 'none' },
    feed: { state: 'up', detail: null, lastPrice: { price: 187.2, at: ny('2026-12-07T14:24:58Z') }, streamStale: false },
    orders: { lastIpRefusalAt: null, lastTakenAt: null },
    calendar,
    ...over,
  };
}

/** A Kite strategy: BUY 09:20, square-off 15:15 IST on Monday 2026-12-07. */
function kite(over: Partial<ReadinessInputs> = {}): ReadinessInputs {
  return alpaca({ brokerName: 'Kite', capabilities: KITE_CAPABILITIES, symbol: 'INFY', exchange: 'NSE', timezone: 'Asia/Kolkata', now: ny('2026-12-07T03:45:00Z'), entryAt: ny('2026-12-07T03:50:00Z'), exitAt: ny('2026-12-07T09:45:00Z'), ...over });
}

const snapshot = (over: Partial<{ buyingPower: number; equity: number; dayTradeCount: number; patternDayTrader: boolean }>) => {
  const o = { buyingPower: 50_000, equity: 50_000, dayTradeCount: 0, patternDayTrader: false, ...over };
  return { kind: 'answered' as const, snapshot: { buyingPower: o.buyingPower, dayTrading: { patternDayTrader: o.patternDayTrader, dayTradeCount: o.dayTradeCount, equity: o.equity }, brokerTime: null } };
};

describe('session', () => {
  it('a broker without a daily login is fine', () => {
    expect(sessionCheck(alpaca())).toMatchObject({ status: 'ok', message: 'Alpaca keys do not expire daily: nothing to renew before the exit.' });
  });

  it("a Kite token that dies at 06:00 IST before the run's exit fails, saying when and what to do", () => {
    // Logged in yesterday at 10:00 IST: the token dies today at 06:00, and the check runs at 05:50 for a 09:20 entry.
    const expiresAt = kiteTokenExpiry(ny('2026-12-06T04:30:00Z'));
    expect(expiresAt).toBe(ny('2026-12-07T00:30:00Z'));
    const c = sessionCheck(kite({ now: ny('2026-12-07T00:20:00Z'), session: { state: 'valid', checkedAt: null, expiresAt, message: 'valid' } }));
    expect(c.status).toBe('fail');
    expect(c.message).toBe('The Kite login runs out at Mon 7 Dec 06:00:00 Kolkata, before the exit at 15:15:00 Kolkata: log in again after it runs out and before the entry, or the exit cannot be placed.');
  });

  it("today's login (valid until tomorrow 06:00) carries the exit; no token or an expired one fails", () => {
    const expiresAt = kiteTokenExpiry(ny('2026-12-07T03:00:00Z'));
    expect(sessionCheck(kite({ session: { state: 'valid', checkedAt: null, expiresAt, message: '' } }))).toMatchObject({ status: 'ok', message: expect.stringContaining('valid until Tue 8 Dec 06:00:00 Kolkata, past the exit at 15:15:00 Kolkata') });
    expect(sessionCheck(kite({ session: { state: 'no_token', checkedAt: null, expiresAt: null, message: '' } }))).toMatchObject({ status: 'fail', message: expect.stringContaining('log in to Kite from Tradeclock before the entry at 09:20:00 Kolkata') });
    expect(sessionCheck(kite({ session: { state: 'expired', checkedAt: null, expiresAt: null, message: '' } })).status).toBe('fail');
  });
});

describe('orders allowed (the static-IP rule)', () => {
  it('a broker without the rule is fine', () => {
    expect(ordersAllowedCheck(alpaca()).status).toBe('ok');
  });

  it('without a refusal it cannot be known: unknown, saying where the IP is registered', () => {
    const c = ordersAllowedCheck(kite());
    expect(c.status).toBe('unknown');
    expect(c.message).toContain('cannot be asked whether it takes orders from this machine without placing one');
    expect(c.message).toContain('IP Whitelist on developers.kite.trade');
  });

  it('a refusal for the IP after the last order taken fails; an order taken since clears it', () => {
    const refused = ny('2026-12-04T03:50:00Z');
    expect(ordersAllowedCheck(kite({ orders: { lastIpRefusalAt: refused, lastTakenAt: refused - 86_400_000 } }))).toMatchObject({ status: 'fail', message: expect.stringContaining('refused an order at Fri 4 Dec 09:20:00 Kolkata because it did not come from the static IP') });
    expect(ordersAllowedCheck(kite({ orders: { lastIpRefusalAt: refused, lastTakenAt: refused + 60_000 } })).status).toBe('unknown');
  });
});

describe('funds', () => {
  it('covers the entry at the last price × quantity: ok; short of it: fail with the numbers and the fix', () => {
    expect(fundsCheck(alpaca({ account: snapshot({ buyingPower: 1_872 }) }))).toMatchObject({ status: 'ok', message: '1,872.00 available covers the entry, about 1,872.00 (10 × last price 187.2).' });
    expect(fundsCheck(alpaca({ account: snapshot({ buyingPower: 1_871.99 }) }))).toMatchObject({ status: 'fail', message: '1,871.99 available does not cover the entry, about 1,872.00 (10 × last price 187.2): add funds or lower the quantity before the entry.' });
  });

  it('an intraday product (Kite MIS) short of the full value only warns: its margin is a fraction', () => {
    expect(fundsCheck(kite({ account: snapshot({ buyingPower: 500 }) })).status).toBe('warn');
  });

  it('paper is always covered; no price yet or no answer is unknown, naming why', () => {
    expect(fundsCheck(alpaca({ capabilities: PAPER_CAPABILITIES, brokerName: 'Paper', account: { kind: 'none' } })).status).toBe('ok');
    expect(fundsCheck(alpaca({ feed: { state: 'up', detail: null, lastPrice: null, streamStale: false } }))).toMatchObject({ status: 'unknown', message: expect.stringContaining('no price of AAPL has arrived yet') });
    expect(fundsCheck(alpaca({ account: { kind: 'failed', reason: 'Alpaca did not answer GET /v2/account: no answer within 10000 ms' } }))).toMatchObject({ status: 'unknown', message: 'The funds could not be checked: Alpaca did not answer GET /v2/account: no answer within 10000 ms.' });
  });
});

describe("Alpaca's pattern-day-trader rule", () => {
  it('under 25 000 of equity: 3 day trades used fails, 2 warns, fewer is fine; a flagged account fails', () => {
    expect(dayTradesCheck(alpaca({ account: snapshot({ equity: 20_000, dayTradeCount: 3 }) }), true)).toMatchObject({ status: 'fail', message: expect.stringContaining('refuses a 4th, so this run\'s same-day exit would be refused') });
    expect(dayTradesCheck(alpaca({ account: snapshot({ equity: 20_000, dayTradeCount: 2 }) }), true).status).toBe('warn');
    expect(dayTradesCheck(alpaca({ account: snapshot({ equity: 20_000, dayTradeCount: 1 }) }), true).status).toBe('ok');
    expect(dayTradesCheck(alpaca({ account: snapshot({ equity: 20_000, patternDayTrader: true }) }), true)).toMatchObject({ status: 'fail', message: expect.stringContaining('flagged a pattern day trader') });
  });

  it('25 000 or more, or an exit on a later day, is not limited; a broker without the rule is fine', () => {
    expect(dayTradesCheck(alpaca({ account: snapshot({ equity: 25_000, dayTradeCount: 3, patternDayTrader: true }) }), true).status).toBe('ok');
    expect(dayTradesCheck(alpaca({ account: snapshot({ equity: 20_000, dayTradeCount: 3 }) }), false).status).toBe('ok');
    expect(dayTradesCheck(kite({ account: { kind: 'answered', snapshot: { buyingPower: 1, dayTrading: null, brokerTime: null } } }), true)).toMatchObject({ status: 'ok', message: 'Kite has no pattern-day-trader limit.' });
    // Without the rule there is nothing to count, even when the account could not be read; with it, that is unknown.
    expect(dayTradesCheck(kite({ account: { kind: 'failed', reason: 'Kite did not answer' } }), true)).toMatchObject({ status: 'ok', message: 'Kite has no pattern-day-trader limit.' });
    expect(dayTradesCheck(alpaca({ account: { kind: 'failed', reason: 'Alpaca did not answer' } }), true)).toMatchObject({ status: 'unknown', message: 'The day-trade count could not be checked: Alpaca did not answer.' });
  });
});

describe('market open', () => {
  it('a holiday fails, naming it', () => {
    const c = marketOpenCheck(alpaca({ entryAt: ny('2026-12-25T14:30:00Z'), exitAt: ny('2026-12-25T20:55:00Z') }));
    expect(c).toMatchObject({ status: 'fail', message: expect.stringContaining('NYSE is closed on 2026-12-25 (Christmas Day)') });
  });

  it("an exit after an early close (the day after Thanksgiving, 13:00) fails: the position would stay open", () => {
    const c = marketOpenCheck(alpaca({ entryAt: ny('2026-11-27T14:30:00Z'), exitAt: ny('2026-11-27T20:55:00Z') }));
    expect(c.status).toBe('fail');
    expect(c.message).toContain('09:30–13:00 America/New_York: it closes early that day');
    expect(marketOpenCheck(alpaca({ entryAt: ny('2026-11-27T14:30:00Z'), exitAt: ny('2026-11-27T17:55:00Z') })).status).toBe('ok');
  });

  it('an entry before the open fails; inside the hours is fine; paper and crypto trade at any hour', () => {
    expect(marketOpenCheck(alpaca({ entryAt: ny('2026-12-07T14:00:00Z') }))).toMatchObject({ status: 'fail', message: expect.stringContaining("The entry at 09:00:00 New York is outside NYSE's hours") });
    expect(marketOpenCheck(alpaca())).toMatchObject({ status: 'ok', message: 'NYSE is open 09:30–16:00 America/New_York on 2026-12-07: the entry and the exit fall inside.' });
    expect(marketOpenCheck(kite()).status).toBe('ok');
    expect(marketOpenCheck(alpaca({ capabilities: PAPER_CAPABILITIES, entryAt: ny('2026-12-25T03:00:00Z') })).status).toBe('ok');
    expect(marketOpenCheck(alpaca({ exchange: 'CRYPTO', entryAt: ny('2026-12-25T03:00:00Z') })).status).toBe('ok');
  });
});

describe('price feed', () => {
  const now = ny('2026-12-07T14:25:00Z');
  it('down fails, stale warns, up is fine; never reported is unknown unless prices arrive', () => {
    expect(priceFeedCheck({ state: 'down', detail: 'socket closed', lastPrice: null, streamStale: false }, now, 'AAPL')).toMatchObject({ status: 'fail', message: expect.stringContaining('The price feed is down: socket closed') });
    expect(priceFeedCheck({ state: 'stale', detail: null, lastPrice: { price: 1, at: now - 90_000 }, streamStale: false }, now, 'AAPL')).toMatchObject({ status: 'warn', message: expect.stringContaining('the last AAPL price came 1 min 30 s ago') });
    expect(priceFeedCheck({ state: 'up', detail: null, lastPrice: null, streamStale: false }, now, 'AAPL').status).toBe('ok');
    expect(priceFeedCheck({ state: undefined, detail: null, lastPrice: null, streamStale: false }, now, 'AAPL').status).toBe('unknown');
    expect(priceFeedCheck({ state: undefined, detail: null, lastPrice: { price: 1, at: now - 5_000 }, streamStale: false }, now, 'AAPL').status).toBe('ok');
  });

  it('a feed that reads up while the stale-price watch found the stream behind a REST quote warns, with the stream price\'s age', () => {
    expect(priceFeedCheck({ state: 'up', detail: null, lastPrice: { price: 1, at: now - 40_000 }, streamStale: true }, now, 'AAPL')).toEqual({
      check: 'price_feed',
      status: 'warn',
      message: 'The stream has given no AAPL price (the last AAPL price came 40 s ago) while a REST quote shows a newer one: the stop-loss acts on REST quotes until the stream is back. Check the network and the broker account.',
    });
  });
});

describe('clock', () => {
  const at = ny('2026-12-07T14:25:00Z');
  const withTime = (date: number, sentAt: number, receivedAt: number) => alpaca({ account: { kind: 'answered', snapshot: { buyingPower: 1, dayTrading: null, brokerTime: { date, sentAt, receivedAt, resolutionMs: 1_000 } } } });

  it("agrees within 2 s beyond the header's whole second: ok", () => {
    // The broker's second began up to 999 ms before its Date: a reply at .990 of our clock is not skew.
    expect(clockCheck(withTime(at, at + 990, at + 1_010)).status).toBe('ok');
    expect(clockCheck(withTime(at, at + 2_900, at + 2_950)).status).toBe('ok');
  });

  it('3 s ahead or behind fails, saying which way and how to fix it', () => {
    expect(clockCheck(withTime(at, at + 4_000, at + 4_050))).toMatchObject({ status: 'fail', message: expect.stringMatching(/^This machine's clock is 3\.0 s ahead of Alpaca's: orders would go out 3\.0 s early\. Turn on automatic time sync/) });
    expect(clockCheck(withTime(at, at - 3_050, at - 3_000))).toMatchObject({ status: 'fail', message: expect.stringContaining('3.0 s behind') });
  });

  it('no Date header, no answer, or paper', () => {
    expect(clockCheck(alpaca({ account: snapshot({}) })).status).toBe('unknown');
    expect(clockCheck(alpaca({ account: { kind: 'failed', reason: 'x' } })).status).toBe('unknown');
    expect(clockCheck(alpaca({ capabilities: PAPER_CAPABILITIES, account: { kind: 'none' } })).status).toBe('ok');
  });
});

describe('runChecks', () => {
  it('answers every check in order; all fine for a ready Alpaca strategy', () => {
    const checks = runChecks(alpaca());
    expect(checks.map((c) => c.check)).toEqual(['session', 'orders_allowed', 'funds', 'day_trades', 'market_open', 'price_feed', 'clock']);
    expect(checks.map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(worstStatus(runChecks(alpaca({ account: snapshot({ buyingPower: 10, equity: 20_000, dayTradeCount: 2 }) })))).toBe('fail');
  });
});
