/**
 * The readiness check of a strategy on Binance spot (through the real CCXT adapter), against the
 * loopback fake speaking Binance's documented REST API: the machine's clock against GET
 * /api/v3/time (5 s off either way; 1 s ahead is already refused -1021 by "Timing security"), the
 * free USDT of GET /api/v3/account against the entry, the key's own trading permission (GET
 * /sapi/v1/account/apiRestrictions, live only: the testnet serves no /sapi), the pair's
 * exchangeInfo status (HALT takes no orders) and permission sets, and the key (a signed request
 * answered, or refused -2015). What does not apply (the pattern-day-trader count, a daily login, a
 * registered IP) says so; what could not be read is unknown, never the generic answers.
 *
 * Sunday 2026-12-06, UTC, checked at 02:50 for the harness's 0.0015 BTC/USDT BUY at 03:00, last price 60 000.
 * "live": the account's testnet option off, CCXT's live URLs moved to the fake.
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

async function started(fake: FakeBinanceOptions = {}, clockSkewMs = 0, testnet = false): Promise<StrategyId> {
  t = await startCcxtTestEngine({ at: '2026-12-06T02:50:00Z', fake, clockSkewMs, testnet });
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
    expect(c.funds).toEqual({ check: 'funds', status: 'ok', message: '10,000 USDT free covers the entry, about 90.09 USDT (0.0015 × last price 60,000, plus 0.1 % for the price moving before it fills).' });
    expect(c.session).toMatchObject({ status: 'ok', message: expect.stringContaining('Binance answered a signed request with the account\'s API key just now; its keys do not expire daily') });
    expect(c.orders_allowed).toEqual({ check: 'orders_allowed', status: 'ok', message: 'Binance answered a signed request from this machine (its IP restriction lets this machine through), says the account may trade, and its API key may trade spot.' });
    expect(c.day_trades).toEqual({ check: 'day_trades', status: 'ok', message: 'Binance has no pattern-day-trader limit.' });
    expect(c.market_open).toEqual({ check: 'market_open', status: 'ok', message: 'CRYPTO trades at every hour, and Binance lists BTC/USDT as TRADING.' });
    expect(c.clock).toMatchObject({ status: 'ok', message: expect.stringMatching(/^This machine's clock agrees with Binance's to about \d+ ms \(its server time\)/) });
    expect(c.price_feed!.status).toBe('ok');
    expect(report!.status).toBe('ok');
    expect(t!.eventsOf('readiness')).toEqual([]);
    // Asked where Binance documents it: the time, the signed account, the key's permissions, the pair's exchangeInfo.
    const asked = t!.fake.requests().map((r) => `${r.method} ${r.path}`);
    expect(asked).toEqual(expect.arrayContaining(['GET /api/v3/time', 'GET /api/v3/account', 'GET /sapi/v1/account/apiRestrictions', 'GET /api/v3/exchangeInfo']));
    expect(JSON.stringify(report)).not.toContain(DOCS_SECRET_KEY);
  });

  it('too little USDT fails funds, naming both figures; the failure is raised', async () => {
    const id = await started({ balances: { USDT: '90.08' } });
    const report = await t!.engine.readiness.check(id, 'start');
    expect(byCheck(report!.checks).funds).toEqual({
      check: 'funds',
      status: 'fail',
      message: '90.08 USDT free does not cover the entry, about 90.09 USDT (0.0015 × last price 60,000, plus 0.1 % for the price moving before it fills): add USDT or lower the quantity before the entry.',
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
    // The key's permissions (signed too) likewise.
    expect(c.orders_allowed).toMatchObject({ status: 'ok', message: expect.stringContaining('its API key may trade spot') });
  });

  it("a machine clock 5 s behind Binance's (inside its 10 s recvWindow) fails the clock check: orders would go 5,000 ms late", async () => {
    const id = await started({}, 5_000);
    const report = await t!.engine.readiness.check(id, 'on_demand');
    expect(byCheck(report!.checks).clock).toMatchObject({ status: 'fail', message: expect.stringMatching(/^This machine's clock is 5,000 ms behind Binance's: orders would go out 5,000 ms late\./) });
  });

  it("no answer from GET /api/v3/time: the clock is unknown naming that endpoint; the account, read apart, still answers the login, orders and funds", async () => {
    const id = await started();
    t!.fake.injectFault({ route: 'GET /api/v3/time', fault: { kind: 'error', status: 503, code: -1001, msg: 'Internal error; unable to process your request. Please try again.' } });
    const c = byCheck((await t!.engine.readiness.check(id, 'on_demand'))!.checks);
    expect(c.clock).toEqual({
      check: 'clock',
      status: 'unknown',
      message: "The clock could not be compared with Binance's: Binance spot's time (GET /api/v3/time) could not be read: Binance spot answered -1001 \"Internal error; unable to process your request. Please try again.\". Make sure this machine sets its clock automatically.",
    });
    expect(c.session).toMatchObject({ status: 'ok', message: expect.stringMatching(/^Binance answered a signed request with the account's API key just now/) });
    expect(c.orders_allowed).toMatchObject({ status: 'ok', message: expect.stringMatching(/^Binance answered a signed request from this machine/) });
    expect(c.funds).toMatchObject({ status: 'ok', message: expect.stringMatching(/^10,000 USDT free covers the entry/) });
    expect(c.day_trades).toEqual({ check: 'day_trades', status: 'ok', message: 'Binance has no pattern-day-trader limit.' });
  });

  it("no answer from Binance at all within 10 s: the login, orders and funds are unknown naming why, never \"keys do not expire\" or \"takes orders from any address\"", async () => {
    const id = await started();
    t!.fake.injectFault({ route: 'GET /api/v3/account', fault: { kind: 'stall' } });
    t!.fake.injectFault({ route: 'GET /api/v3/time', fault: { kind: 'stall' } });
    let done = false;
    const report = t!.engine.readiness.check(id, 'on_demand').finally(() => (done = true));
    // The 10 s bound runs on the engine's clock from when the requests go out: step past it.
    for (let s = 0; s < 30 && !done; s++) await t!.clock.advance(1_000);
    const c = byCheck((await report)!.checks);
    expect(c.session).toEqual({ check: 'session', status: 'unknown', message: "Whether Binance takes the account's API key could not be checked: no answer to the account request within 10 s." });
    expect(c.orders_allowed).toEqual({ check: 'orders_allowed', status: 'unknown', message: 'Whether Binance takes orders from this machine could not be checked: no answer to the account request within 10 s.' });
    expect(c.funds!.status).toBe('unknown');
    expect(c.clock!.status).toBe('unknown');
  });

  it("on the testnet, which serves no /sapi, whether the key may trade is unknown and says why; nothing is sent there", async () => {
    const id = await started({}, 0, true);
    const c = byCheck((await t!.engine.readiness.check(id, 'start'))!.checks);
    expect(c.orders_allowed).toEqual({
      check: 'orders_allowed',
      status: 'unknown',
      message: "Binance says the account may trade, but whether its API key may trade could not be checked: Binance spot's testnet does not serve GET /sapi/v1/account/apiRestrictions, where the key's own trading permission is stated. Make sure the key has spot trading enabled in Binance's API management.",
    });
    expect(t!.fake.requests().filter((r) => r.path.startsWith('/sapi/'))).toEqual([]);
  });

  it("a key whose spot trading is off fails orders_allowed (a read-only key reads the account too); one whose trading runs out before the exit fails it naming when", async () => {
    const id = await started();
    t!.fake.account.key.enableSpotAndMarginTrading = false;
    const off = byCheck((await t!.engine.readiness.check(id, 'on_demand'))!.checks);
    expect(off.session!.status).toBe('ok');
    expect(off.orders_allowed).toMatchObject({ status: 'fail', message: expect.stringMatching(/^Binance says the account's API key may not trade spot \(its "Enable Spot & Margin Trading" is off\): every order would be refused\.$/) });

    t!.fake.account.key = { enableSpotAndMarginTrading: true, ipRestrict: false, tradingAuthorityExpirationTime: Date.parse('2026-12-06T03:00:30Z') };
    await t!.clock.advance(31_000);
    const lapsing = byCheck((await t!.engine.readiness.check(id, 'on_demand'))!.checks);
    expect(lapsing.orders_allowed).toMatchObject({ status: 'fail', message: expect.stringMatching(/^The API key's spot trading permission runs out at Sun 6 Dec 03:00:30 UTC, before the exit at Sun 6 Dec 03:01:00 UTC/) });
  });

  it("an account without a permission the pair trades under fails orders_allowed, as Binance would refuse its order -2010", async () => {
    const id = await started();
    t!.fake.account.permissions = ['TRD_GRP_002'];
    const c = byCheck((await t!.engine.readiness.check(id, 'on_demand'))!.checks);
    expect(c.orders_allowed).toMatchObject({ status: 'fail', message: expect.stringContaining('Binance trades BTC/USDT only for an account with one of SPOT; this account has TRD_GRP_002') });
  });

  it("the pair's status is asked once per 30 s for every check of the account on that pair (exchangeInfo weighs 20)", async () => {
    const id = await started();
    const pairAsks = () => t!.fake.requests().filter((r) => r.path === '/api/v3/exchangeInfo').length;
    await t!.engine.readiness.check(id, 'start');
    const after = pairAsks();
    await t!.engine.readiness.check(id, 'on_demand');
    expect(pairAsks()).toBe(after);
    await t!.clock.advance(31_000);
    await t!.engine.readiness.check(id, 'on_demand');
    expect(pairAsks()).toBe(after + 1);
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
