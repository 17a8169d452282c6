/**
 * What an exit at Binance sells when the balance says little or nothing (issue 22, plan §4
 * "Sells"), through the real engine and CCXT adapter against the loopback Binance fake.
 *
 * - `locked` in GET /api/v3/account is what open orders hold (Binance "Account information":
 *   `balances[].locked`); a new sell draws on `free` only, else -2010 "Account has insufficient
 *   balance for requested action." A LIMIT sell the trader rests from the Binance app locks BTC:
 *   an exit attempt reading less free than the fee explains sells what is free at once and leaves
 *   the rest the run's (the balance may lag a cancel: our fake's staleBalanceAfterCancelMs), for
 *   its next attempt to read again; never booked unsold on that reading.
 * - The account endpoint (weight 20) may stay throttled or down while orders go through: the
 *   stop-loss does not wait on it for ever, it sells the position less Binance's highest taker fee
 *   (0.1 %), floored to the step, within seconds of engine time.
 *
 * Sunday 2026-12-06, UTC: BUY 03:00 (0.0015 BTC filled, 0.0014985 held after the fee), SELL 03:01.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { runtimeDto } from '../../engine/api/dto';
import type { StrategyId } from '../../engine/core/ids';
import { startCcxtTestEngine, type CcxtTestEngine } from '../fakes/binance/ccxt-engine-harness';
import { eventually } from '../fakes/alpaca/eventually';

const at = (iso: string) => Date.parse(iso);

let t: CcxtTestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function bought(fake: { staleBalanceAfterCancelMs?: number } = {}): Promise<{ id: StrategyId }> {
  t = await startCcxtTestEngine({ at: '2026-12-06T02:59:50Z', fake });
  // Without a backstop (set false though Binance's default is none too): the exit's own quantity rule alone, as ccxt-fee-exit.test.ts.
  const s = await t.create({ backstop: false });
  await t.start(s.id);
  await eventually(() => t!.fake.streamSubscriptions().flat().includes('btcusdt@trade') && t!.fake.userDataSubscriptions() === 1, { what: 'the trade stream and the user stream' });
  await t.clock.advanceTo(at('2026-12-06T03:00:00Z'));
  await eventually(() => t!.run(s.id).state === 'IN_POSITION', { what: 'IN_POSITION', timeoutMs: 10_000 });
  return s;
}

/** The trader cancels an order from the Binance app: a signed DELETE /api/v3/order with the account's key. */
async function traderCancel(params: Record<string, string>): Promise<void> {
  const { apiKey, secret } = t!.fake.credentials();
  const q = new URLSearchParams({ ...params, timestamp: String(t!.clock.now()), recvWindow: '10000' });
  q.set('signature', createHmac('sha256', secret).update(q.toString()).digest('hex'));
  const res = await fetch(`${t!.fake.url}/api/v3/order?${q.toString()}`, { method: 'DELETE', headers: { 'X-MBX-APIKEY': apiKey } });
  expect(res.status).toBe(200);
}

/** An order the trader places from the Binance app: a signed POST /api/v3/order with the account's key, no client id of ours. */
async function traderOrder(params: Record<string, string>): Promise<void> {
  const { apiKey, secret } = t!.fake.credentials();
  const q = new URLSearchParams({ ...params, timestamp: String(t!.clock.now()), recvWindow: '10000' });
  q.set('signature', createHmac('sha256', secret).update(q.toString()).digest('hex'));
  const res = await fetch(`${t!.fake.url}/api/v3/order?${q.toString()}`, { method: 'POST', headers: { 'X-MBX-APIKEY': apiKey } });
  expect(res.status).toBe(200);
}

describe('an exit at Binance and the BTC the trader\'s own orders lock', () => {
  it('a LIMIT sell resting from the Binance app keeps its 0.001: the SELL sells the free 0.00049 at once, attempt 2 reads nothing free 4 times more, then ERROR naming the 0.00101 not seen free; the trader cancels the LIMIT and STOP sells it', async () => {
    const s = await bought();
    await traderOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '70000', newClientOrderId: 'app1' });
    expect(t!.fake.balance('BTC')).toEqual({ free: '0.00049850', locked: '0.00100000' });

    const sellAt = at('2026-12-06T03:01:00Z');
    await t!.clock.advanceTo(sellAt);
    // What is free goes at once: the stop-loss's protection is not held back for a reading that may lag.
    await eventually(() => t!.fake.received().length === 3, { what: 'the first SELL', timeoutMs: 10_000 });
    expect(t!.orders(s.id).find((o) => o.leg === 'SELL')!.createdAt).toBe(sellAt);
    await eventually(() => t!.run(s.id).state === 'ERROR', { what: 'ERROR', clock: t!.clock, stepMs: 500, timeoutMs: 10_000 });
    await t!.engine.idle();

    // One read for attempt 1, then attempt 2's first and its 4 reads again: nothing free to sell.
    expect(t!.fake.requests().filter((r) => r.path === '/api/v3/account')).toHaveLength(6);
    expect(t!.fake.received().map((o) => [o.side, o.type, o.quantity, o.outcome])).toEqual([
      ['BUY', 'MARKET', '0.0015', 'placed #1'],
      ['SELL', 'LIMIT', '0.001', 'placed #2'],
      ['SELL', 'MARKET', '0.00049', 'placed #3'],
    ]);
    // Nothing booked unsold on a reading that may lag: the 0.00101 is still the run's.
    expect(t!.run(s.id)).toMatchObject({ state: 'ERROR', positionQty: 0.00101, unsoldQty: 0, lastAction: 'SELL_NOTHING_HELD' });
    expect(t!.run(s.id).reason).toBe(
      "BTC/USDT: 0.00101 of this run's 0.00101 not seen free at the broker (read again and again; attempt 2 not sent). Check the broker (an order of yours may lock it): STOP sells what is held then, STOP and keep ends the run with it",
    );
    // The trader's order rests untouched.
    expect(t!.fake.balance('BTC')).toEqual({ free: '0.00000850', locked: '0.00100000' });

    // The trader, having read it, cancels the LIMIT and presses STOP: the 0.001 is sold, the fee's 0.00001 named.
    await traderCancel({ symbol: 'BTCUSDT', origClientOrderId: 'app1' });
    await t!.engine.manager.stop(t!.user.id, s.id);
    await eventually(() => t!.run(s.id).state === 'STOPPED', { what: 'STOPPED', timeoutMs: 10_000 });
    await t!.engine.idle();
    expect(t!.fake.received().map((o) => [o.side, o.type, o.quantity, o.outcome.split(' ')[0]]).slice(3)).toEqual([['SELL', 'MARKET', '0.001', 'placed']]);
    expect(t!.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 0, unsoldQty: 0.00001 });
  });

  it('the trader cancels that LIMIT just before the SELL and the balance lags the cancel by 3 s: the free 0.00049 sold at once, attempt 2 reads nothing free, again after 1 s and 2 s, then sells the 0.001; SOLD with the fee\'s 0.00001', async () => {
    const s = await bought({ staleBalanceAfterCancelMs: 3_000 });
    await traderOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '70000', newClientOrderId: 'app1' });
    const sellAt = at('2026-12-06T03:01:00Z');
    await t!.clock.advanceTo(sellAt - 100);
    await traderCancel({ symbol: 'BTCUSDT', origClientOrderId: 'app1' });
    expect(t!.fake.balance('BTC')).toEqual({ free: '0.00149850', locked: '0.00000000' });

    await t!.clock.advanceTo(sellAt);
    await eventually(() => t!.run(s.id).state === 'SOLD', { what: 'SOLD', clock: t!.clock, stepMs: 250, timeoutMs: 10_000 });
    await t!.engine.idle();
    const sells = t!.orders(s.id).filter((o) => o.leg === 'SELL');
    expect(sells.map((o) => [o.attempt, o.qty])).toEqual([[1, 0.00049], [2, 0.001]]);
    expect(sells[0]!.createdAt).toBe(sellAt);
    expect(sells[1]!.createdAt).toBeGreaterThanOrEqual(sellAt + 2_900);
    expect(t!.fake.received().map((o) => [o.side, o.type, o.quantity, o.outcome.split(' ')[0]])).toEqual([
      ['BUY', 'MARKET', '0.0015', 'placed'],
      ['SELL', 'LIMIT', '0.001', 'placed'],
      ['SELL', 'MARKET', '0.00049', 'placed'],
      ['SELL', 'MARKET', '0.001', 'placed'],
    ]);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, unsoldQty: 0.00001 });
  });

  it('a stop-loss with nothing free (the trader\'s LIMIT locks it all) reads again at most 2 s apart, not EXIT_AGAIN_MS\'s 5 s and 10 s: ERROR 7 s after the trigger, not 18 s', async () => {
    const s = await bought();
    await traderOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00149', price: '70000' });
    const triggered = t!.clock.now();
    t!.fake.setPrice('BTCUSDT', '54000');
    await eventually(() => t!.run(s.id).state === 'ERROR', { what: 'ERROR', clock: t!.clock, stepMs: 250, timeoutMs: 10_000 });
    await t!.engine.idle();
    // The first read, then SHORT_READS_AGAIN more: 1 s, then 2 s each (a SELL waits 1, 2, 5, 10 s).
    expect(t!.fake.requests().filter((r) => r.path === '/api/v3/account')).toHaveLength(5);
    expect(t!.run(s.id)).toMatchObject({ state: 'ERROR', lastAction: 'STOPLOSS_NOTHING_HELD', positionQty: 0.0015 });
    const halted = t!.run(s.id).lastActionAt! - triggered;
    expect(halted).toBeGreaterThanOrEqual(7_000);
    expect(halted).toBeLessThan(8_000);
  });
});

describe('an exit at Binance while the balance cannot be read', () => {
  it('the account endpoint down for good: the stop-loss still reaches the exchange within seconds, selling 0.0015 less the 0.1 % fee', async () => {
    const s = await bought();
    t!.fake.injectFault({ route: 'GET /api/v3/account', fault: { kind: 'error', status: 503, code: -1008, msg: 'Server is currently overloaded with other requests. Please try again in a few minutes.' }, times: 1_000 });
    const triggered = t!.clock.now();
    t!.fake.setPrice('BTCUSDT', '54000');
    await eventually(() => t!.run(s.id).state === 'EXITED_BY_SL', { what: 'EXITED_BY_SL without a balance', clock: t!.clock, stepMs: 500, timeoutMs: 15_000 });
    await t!.engine.idle();

    const sell = t!.orders(s.id).find((o) => o.leg === 'STOPLOSS')!;
    // Three reads (EXIT_AGAIN_MS apart), then the order: a bound of engine time, not for ever.
    expect(sell.createdAt - triggered).toBeLessThanOrEqual(10_000);
    expect(t!.fake.requests().filter((r) => r.path === '/api/v3/account').map((r) => r.status)).toEqual([503, 503, 503]);
    // floorToStep(0.0015 × 0.999, 0.00001): under the 0.0014985 held, so never refused for the balance.
    expect(t!.fake.received().map((o) => [o.side, o.quantity, o.outcome])).toEqual([
      ['BUY', '0.0015', 'placed #1'],
      ['SELL', '0.00149', 'placed #2'],
    ]);
    expect(t!.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0, unsoldQty: 0.00001, exitLeg: 'STOPLOSS', exitPrice: 54_000 });
    expect(t!.fake.balance('BTC').free).toBe('0.00000850');
    // Booked as sold: the 0.00149 that was, not the 0.0015 bought (−6 000 × 0.00149).
    expect(runtimeDto(t!.run(s.id), 0.0015)).toMatchObject({ sold_qty: 0.00149, realized_pnl: -8.94 });
  });

  it('the wait between reads grows per exit (EXIT_AGAIN_MS 1 s, 2 s), not 1 s each time: the third read, and the order on the fee bound, 3 s after the first', async () => {
    const s = await bought();
    t!.fake.injectFault({ route: 'GET /api/v3/account', fault: { kind: 'error', status: 503, code: -1008, msg: 'Server is currently overloaded with other requests. Please try again in a few minutes.' }, times: 3 });
    const sellAt = at('2026-12-06T03:01:00Z');
    const reads = () => t!.fake.requests().filter((r) => r.path === '/api/v3/account').length;
    /** Moves the engine's clock to `ms` after the SELL time, waits for `n` reads and the engine at rest: exactly `n` by then. */
    const readsAt = async (ms: number, n: number) => {
      await t!.clock.advanceTo(sellAt + ms);
      await eventually(() => reads() >= n, { what: `${n} balance reads`, timeoutMs: 5_000 });
      await t!.engine.idle();
      expect(reads(), `balance reads ${ms} ms after the SELL time`).toBe(n);
    };
    await readsAt(0, 1);
    await readsAt(1_000, 2);
    // The second wait is 2 s: no read at 2.999 s (a backoff started afresh would read again at 2 s).
    await readsAt(2_999, 2);
    await readsAt(3_000, 3);
    await eventually(() => t!.run(s.id).state === 'SOLD', { what: 'SOLD on the fee bound', timeoutMs: 5_000 });
    expect(t!.orders(s.id).find((o) => o.leg === 'SELL')!.createdAt).toBe(sellAt + 3_000);
    expect(t!.fake.requests().filter((r) => r.path === '/api/v3/account').map((r) => r.status)).toEqual([503, 503, 503]);
    expect(t!.fake.received().map((o) => [o.side, o.quantity, o.outcome])).toEqual([
      ['BUY', '0.0015', 'placed #1'],
      ['SELL', '0.00149', 'placed #2'],
    ]);
  });
});
