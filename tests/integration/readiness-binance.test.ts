/**
 * The readiness check of a strategy on Binance spot (through the real CCXT adapter), against the
 * loopback fake speaking Binance's documented REST API: the machine's clock against GET
 * /api/v3/time (5 s off either way; 1 s ahead is already refused -1021 by "Timing security"), the
 * free USDT of GET /api/v3/account against the entry, the pair's exchangeInfo status (HALT takes no
 * orders), and the key (a signed request answered, or refused -2015). What does not apply (the
 * pattern-day-trader count, a daily login, a registered IP) says so.
 *
 * Sunday 2026-12-06, UTC, checked at 02:50 for the harness's 0.0015 BTC/USDT BUY at 03:00, last price 60 000.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StrategyId } from '../../engine/core/ids';
import { startCcxtTestEngine, type CcxtTestEngine } from '../fakes/binance/ccxt-engine-harness';
import { DOCS_SECRET_KEY, type FakeBinanceOptions } from '../fakes/binance/fake-binance';
import { eventually } from '../fakes/alpaca/eventually';

let t: CcxtTestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function started(fake: FakeBinanceOptions = {}, clockSkewMs = 0): Promise<StrategyId> {
  t = await startCcxtTestEngine({ at: '2026-12-06T02:50:00Z', fake, clockSkewMs });
  const s = await t.create({});
  await t.start(s.id);
  await eventually(() => t!.fake.streamSubscriptions().flat().includes('btcusdt@trade'), { what: 'the trade stream' });
  t.fake.setPrice('BTCUSDT', '60000');
  await eventually(() => t!.engine.market.lastPrice(t!.account.id, 'CRYPTO:BTC/USDT') !== undefined, { what: 'a price' });
  return s.id;
}

const byCheck = (checks: readonly { check: string; status: string; message: string }[]) => Object.fromEntries(checks.map((c) => [c.check, c]));

describe('readiness on Binance spot', () => {
  it('a good account passes every check, each saying what it read; what does not apply says so', async () => {
    const id = await started();
    const report = await t!.engine.readiness.check(id, 'start');
    const c = byCheck(report!.checks);
    expect(c.funds).toEqual({ check: 'funds', status: 'ok', message: '10,000 USDT free covers the entry, about 90.09 USDT (0.0015 × last price 60000, plus 0.1 % for the highest taker fee).' });
    expect(c.session).toMatchObject({ status: 'ok', message: expect.stringContaining('Binance answered a signed request with the account\'s API key just now; its keys do not expire daily') });
    expect(c.orders_allowed).toMatchObject({ status: 'ok', message: expect.stringContaining('says the account may trade') });
    expect(c.day_trades).toEqual({ check: 'day_trades', status: 'ok', message: 'Binance has no pattern-day-trader limit.' });
    expect(c.market_open).toEqual({ check: 'market_open', status: 'ok', message: 'CRYPTO trades at every hour, and Binance lists BTC/USDT as TRADING.' });
    expect(c.clock).toMatchObject({ status: 'ok', message: expect.stringMatching(/^This machine's clock agrees with Binance's to about \d+ ms \(its server time\)/) });
    expect(c.price_feed!.status).toBe('ok');
    expect(report!.status).toBe('ok');
    expect(t!.eventsOf('readiness')).toEqual([]);
    // Asked where Binance documents it: the time, the signed account, the pair's exchangeInfo.
    const asked = t!.fake.requests().map((r) => `${r.method} ${r.path}`);
    expect(asked).toEqual(expect.arrayContaining(['GET /api/v3/time', 'GET /api/v3/account', 'GET /api/v3/exchangeInfo']));
    expect(JSON.stringify(report)).not.toContain(DOCS_SECRET_KEY);
  });

  it('too little USDT fails funds, naming both figures; the failure is raised', async () => {
    const id = await started({ balances: { USDT: '90.08' } });
    const report = await t!.engine.readiness.check(id, 'start');
    expect(byCheck(report!.checks).funds).toEqual({
      check: 'funds',
      status: 'fail',
      message: '90.08 USDT free does not cover the entry, about 90.09 USDT (0.0015 × last price 60000, plus 0.1 % for the highest taker fee): add USDT or lower the quantity before the entry.',
    });
    expect(report!.status).toBe('fail');
    expect(t!.eventsOf('readiness')).toMatchObject([{ strategyId: id, status: 'fail', checks: report!.checks }]);
  });

  it("a machine clock 5 s ahead of Binance's fails the clock check naming the skew and -1021's rule; the funds are still read", async () => {
    const id = await started({}, -5_000);
    const report = await t!.engine.readiness.check(id, 'on_demand');
    const c = byCheck(report!.checks);
    expect(c.clock).toMatchObject({ status: 'fail', message: expect.stringMatching(/^This machine's clock is 5,000 ms ahead of Binance's: Binance refuses every signed request stamped 1,000 ms or more ahead of its clock/) });
    expect(c.clock!.message).toContain('Turn on automatic time sync');
    // The account request was refused -1021 once, then asked again after CCXT learnt the difference.
    expect(c.funds!.status).toBe('ok');
    expect(c.session!.status).toBe('ok');
  });

  it("a machine clock 5 s behind Binance's (inside its 10 s recvWindow) fails the clock check: orders would go 5,000 ms late", async () => {
    const id = await started({}, 5_000);
    const report = await t!.engine.readiness.check(id, 'on_demand');
    expect(byCheck(report!.checks).clock).toMatchObject({ status: 'fail', message: expect.stringMatching(/^This machine's clock is 5,000 ms behind Binance's: orders would go out 5,000 ms late\./) });
  });

  it("no answer from GET /api/v3/time: the clock and funds are unknown naming why; the day-trade rule still says it does not apply", async () => {
    const id = await started();
    t!.fake.injectFault({ route: 'GET /api/v3/time', fault: { kind: 'error', status: 503, code: -1001, msg: 'Internal error; unable to process your request. Please try again.' } });
    const c = byCheck((await t!.engine.readiness.check(id, 'on_demand'))!.checks);
    expect(c.clock).toMatchObject({ status: 'unknown', message: expect.stringContaining('-1001') });
    expect(c.funds!.status).toBe('unknown');
    expect(c.day_trades).toEqual({ check: 'day_trades', status: 'ok', message: 'Binance has no pattern-day-trader limit.' });
  });

  it('a pair Binance halts fails market_open naming its status', async () => {
    const id = await started();
    t!.fake.setSymbolStatus('BTCUSDT', 'HALT');
    const report = await t!.engine.readiness.check(id, 'start');
    expect(byCheck(report!.checks).market_open).toMatchObject({ status: 'fail', message: expect.stringMatching(/^Binance lists BTC\/USDT as HALT, not TRADING: it takes no orders for it/) });
    expect(t!.eventsOf('readiness')).toMatchObject([{ strategyId: id, status: 'fail' }]);
  });

  it('a key Binance refuses (-2015) fails the login check with its words; an account that may not trade fails orders_allowed', async () => {
    const id = await started();
    t!.fake.injectFault({ route: 'GET /api/v3/account', fault: { kind: 'error', status: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' } });
    const refused = byCheck((await t!.engine.readiness.check(id, 'on_demand'))!.checks);
    expect(refused.session).toMatchObject({ status: 'fail', message: expect.stringContaining('Binance refused the account\'s API key: Binance spot answered -2015 "Invalid API-key, IP, or permissions for action."') });
    expect(refused.funds!.status).toBe('unknown');
    expect(refused.orders_allowed!.status).toBe('unknown');

    t!.fake.account.canTrade = false;
    // One account answer serves every check of the account for 30 s: the next one is asked after.
    await t!.clock.advance(31_000);
    const barred = byCheck((await t!.engine.readiness.check(id, 'on_demand'))!.checks);
    expect(barred.orders_allowed).toMatchObject({ status: 'fail', message: expect.stringContaining('Binance says this account may not trade (canTrade is false)') });
  });
});
