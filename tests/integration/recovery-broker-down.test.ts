/**
 * A restart while the broker cannot be asked: the laptop boots before its network, Alpaca answers
 * 5xx, or the process before used up the key's rate limit. Recovery must put every run back on
 * its rails from SQLite alone, and an order whose broker or instrument cannot be had must go out
 * once they can, never be dropped. The instrument a strategy last resolved is stored, so most
 * restarts need no lookup at all; the tests that remove it stand for a database from before that
 * (or a symbol never resolved on this account). Real Alpaca adapter, fake Alpaca on loopback,
 * engine on a FakeClock; the outage is the fake answering 503 to the asset lookups a set number
 * of times.
 *
 * Monday 2026-03-09, New York on EDT (UTC-4): 10:00 NY = 14:00Z.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../fakes/alpaca/eventually';
import { startAlpacaTestEngine, type AlpacaTestEngine } from '../fakes/alpaca/alpaca-engine-harness';
import type { Strategy } from '../../engine/core/types';
import { STORED_INSTRUMENT_FRESH_MS } from '../../engine/brokers/instrument-cache';

const at = (iso: string) => Date.parse(iso);
let t: AlpacaTestEngine;
afterEach(async () => t?.close());

const sells = () => t.fake.received().filter((o) => o.side === 'sell');
/** The statuses of the asset lookups the fake answered, from the `from`-th request on. */
const assetLookups = (from: number) => t.fake.requests().slice(from).filter((r) => r.path.startsWith('/v2/assets')).map((r) => r.status);

/** The instrument the first engine resolved and stored for AAPL on NYSE, gone. */
const forgetStoredInstrument = () => t.repos.instruments.deleteInternal(t.account.id, 'NYSE', 'AAPL');

/** A strategy created (its symbol resolved and stored) by an engine that then dies. */
async function createdBeforeTheCrash(at: string, body: Record<string, unknown>): Promise<{ first: AlpacaTestEngine; s: Strategy }> {
  const first = await startAlpacaTestEngine({ at, fake: { prices: { AAPL: 187.5 } } });
  t = first;
  const s = await t.create(body);
  await eventually(() => t.repos.instruments.findInternal(t.account.id, 'NYSE', 'AAPL'), { what: 'the resolved instrument stored' });
  return { first, s };
}

/** A strategy in position (bought 10 shares of AAPL at 09:30, SELL at 10:05), as a killed daemon left it; then the restart. */
async function inPositionAtRestart(restartAt: string, opts: { stored: boolean }): Promise<Strategy> {
  const { first, s } = await createdBeforeTheCrash('2026-03-09T13:59:00Z', { buy_time: '09:30:00', sell_time: '10:05:00', stop_loss: 180 });
  if (!opts.stored) forgetStoredInstrument();
  t.repos.strategies.setStatusInternal(s.id, 'running', t.clock.now());
  const run = t.repos.runs.create(
    { strategyId: s.id, userId: t.user.id, tradingDate: '2026-03-09', state: 'IN_POSITION', positionQty: 10, entryPrice: 187.5, buyAt: at('2026-03-09T13:30:00Z'), sellAt: at('2026-03-09T14:05:00Z') },
    t.clock.now(),
  );
  // The BUY that opened the position, as the journal holds it: the exit sells what it bought.
  t.repos.orders.insert(
    { runId: run.id, strategyId: s.id, userId: t.user.id, brokerAccountId: s.brokerAccountId, leg: 'BUY', side: 'buy', slot: 'entry', clientOrderId: 'tctest011260309E', symbol: 'AAPL', exchange: 'NYSE', qty: 10, status: 'filled', filledQty: 10, fillPrice: 187.5, scheduledAt: run.buyAt },
    t.clock.now(),
  );
  t = await first.restart(restartAt);
  return s;
}

describe('a restart while the broker cannot be asked', () => {
  it('needs no lookup at all: the instrument the strategy last resolved is stored, so the prices and the SELL go on at once', async () => {
    const s = await inPositionAtRestart('2026-03-09T14:01:00Z', { stored: true });
    t.fake.injectFault({ route: 'GET /v2/assets', fault: { kind: 'status', status: 503 }, times: 10 });
    const before = t.fake.requests().length;

    expect(await t.engine.recover()).toMatchObject({ runsResumed: 1, failures: 0 });
    await eventually(() => t.fake.dataSessions()[0]?.trades.includes('AAPL'), { what: 'AAPL subscribed at the fake' });
    await t.clock.advanceTo(at('2026-03-09T14:05:00Z'));
    await eventually(() => t.run(s.id).state === 'SOLD', { what: 'SOLD at the SELL time' });
    expect(sells()).toEqual([expect.objectContaining({ clientOrderId: 'tctest011260309X', qty: '10', outcome: 'accepted' })]);
    expect(assetLookups(before)).toEqual([]);
    expect(t.eventsOf('prices_not_subscribed')).toEqual([]);
    // Storage keeps no borrow status (Alpaca's changes daily): not known until the broker is asked again.
    expect(await t.engine.ctx.instruments.lookup(t.account.id, 'AAPL', 'NYSE')).toMatchObject({ symbol: 'AAPL', shortable: null });
  });

  it('asks the broker again about a stored instrument older than half a day, and uses it still when the broker cannot answer', async () => {
    const s = await inPositionAtRestart('2026-03-09T14:01:00Z', { stored: true });
    const stored = t.repos.instruments.findInternal(t.account.id, 'NYSE', 'AAPL')!;
    t.repos.instruments.saveInternal([{ ...stored, resolvedAt: t.clock.now() - STORED_INSTRUMENT_FRESH_MS }]);
    t.fake.injectFault({ route: 'GET /v2/assets', fault: { kind: 'status', status: 503 }, times: 10 });
    const before = t.fake.requests().length;

    await t.engine.recover();
    await eventually(() => t.fake.dataSessions()[0]?.trades.includes('AAPL'), { what: 'AAPL subscribed at the fake' });
    expect(assetLookups(before)).toEqual([503]);
    await t.clock.advanceTo(at('2026-03-09T14:05:00Z'));
    await eventually(() => t.run(s.id).state === 'SOLD', { what: 'SOLD at the SELL time' });
    expect(sells()).toHaveLength(1);
  });

  it('with nothing stored, resumes the run from SQLite alone: the SELL still goes out at its time, once, after the broker comes back', async () => {
    const s = await inPositionAtRestart('2026-03-09T14:01:00Z', { stored: false });
    t.fake.injectFault({ route: 'GET /v2/assets', fault: { kind: 'status', status: 503 }, times: 4 });
    const before = t.fake.requests().length;

    const report = await t.engine.recover();
    expect(report).toMatchObject({ runsResumed: 1, runsArmed: 0, failures: 0 });
    expect(t.engine.market.isStopArmed(s.id)).toBe(true);
    await eventually(() => t.eventsOf('prices_not_subscribed').length === 1, { what: 'the trader told the prices are not subscribed' });
    expect(t.eventsOf('prices_not_subscribed')[0]).toMatchObject({ strategyId: s.id, reason: expect.stringMatching(/^AAPL on NYSE: could not look AAPL up at Alpaca: .*503.*the stop-loss is checked against the first price/i) });

    // The subscription is tried again with backoff (1 s, 2 s, 5 s …) until the broker answers.
    await eventually(() => t.engine.market.isWatching(s.id), { clock: t.clock, stepMs: 500, what: 'prices subscribed once the broker answers' });
    expect(assetLookups(before)).toEqual([503, 503, 503, 503, 200]);

    await t.clock.advanceTo(at('2026-03-09T14:05:00Z'));
    await eventually(() => t.run(s.id).state === 'SOLD', { what: 'SOLD at the SELL time' });
    expect(sells()).toEqual([expect.objectContaining({ clientOrderId: 'tctest011260309X', qty: '10', outcome: 'accepted' })]);
    // The strategy is not armed afresh beside the run it was on.
    expect(t.eventsOf('strategy_armed')).toEqual([]);
  });

  it('with nothing stored, exits by stop-loss on the first tick once the prices are back', async () => {
    const s = await inPositionAtRestart('2026-03-09T14:01:00Z', { stored: false });
    t.fake.injectFault({ route: 'GET /v2/assets', fault: { kind: 'status', status: 503 }, times: 2 });
    await t.engine.recover();
    await eventually(() => t.fake.dataSessions()[0]?.trades.includes('AAPL'), { clock: t.clock, stepMs: 500, what: 'AAPL subscribed at the fake' });

    t.fake.pushTrades([{ symbol: 'AAPL', price: 179.9 }]);
    await eventually(() => t.run(s.id).state === 'EXITED_BY_SL', { what: 'EXITED_BY_SL' });
    expect(sells()).toEqual([expect.objectContaining({ clientOrderId: 'tctest011260309X', outcome: 'accepted' })]);
  });

  it('with nothing stored, arms the next trading day of a daily strategy whose last run had ended, and buys on time', async () => {
    const { first, s } = await createdBeforeTheCrash('2026-03-09T20:00:00Z', { buy_time: '09:30:00', sell_time: '10:05:00', repeat: 'daily' });
    forgetStoredInstrument();
    t.repos.strategies.setStatusInternal(s.id, 'running', t.clock.now());
    t.repos.runs.create(
      { strategyId: s.id, userId: t.user.id, tradingDate: '2026-03-09', state: 'SOLD', positionQty: 0, exitLeg: 'SELL', buyAt: at('2026-03-09T13:30:00Z'), sellAt: at('2026-03-09T14:05:00Z') },
      t.clock.now(),
    );
    t = await first.restart('2026-03-10T12:00:00Z');
    t.fake.injectFault({ route: 'GET /v2/assets', fault: { kind: 'status', status: 503 }, times: 3 });

    expect(await t.engine.recover()).toMatchObject({ runsArmed: 1, failures: 0 });
    expect(t.eventsOf('strategy_armed')).toEqual([expect.objectContaining({ strategyId: s.id, tradingDate: '2026-03-10' })]);
    await eventually(() => t.engine.market.isWatching(s.id), { clock: t.clock, stepMs: 1_000, what: 'prices subscribed once the broker answers' });
    await t.clock.advanceTo(at('2026-03-10T13:30:00Z'));
    await eventually(() => t.run(s.id).state === 'IN_POSITION', { what: "Tuesday's BUY filled" });
    expect(t.fake.received().filter((o) => o.side === 'buy')).toEqual([expect.objectContaining({ clientOrderId: 'tctest011260310E' })]);
  });

  it('stops trying to subscribe once the trader stops the strategy', async () => {
    const { first, s } = await createdBeforeTheCrash('2026-03-09T13:00:00Z', { buy_time: '09:30:00', sell_time: '10:05:00' });
    forgetStoredInstrument();
    t.repos.strategies.setStatusInternal(s.id, 'running', t.clock.now());
    t.repos.runs.create({ strategyId: s.id, userId: t.user.id, tradingDate: '2026-03-09', state: 'ARMED', buyAt: at('2026-03-09T13:30:00Z'), sellAt: at('2026-03-09T14:05:00Z') }, t.clock.now());
    t = await first.restart('2026-03-09T13:01:00Z');
    t.fake.injectFault({ route: 'GET /v2/assets', fault: { kind: 'status', status: 503 }, times: 1 });
    await t.engine.recover();
    await eventually(() => t.eventsOf('prices_not_subscribed').length === 1, { what: 'prices_not_subscribed' });

    await t.engine.manager.stop(t.user.id, s.id);
    const before = t.fake.requests().length;
    await t.clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(assetLookups(before)).toEqual([]);
    expect(t.engine.market.isWatching(s.id)).toBe(false);
    expect(t.run(s.id).state).toBe('STOPPED');
  });

  it('an exit whose instrument cannot be had is journaled, reported not sent, and sent once it can be, under the same id', async () => {
    // The restart comes after the SELL time: recovery exits at once, and the lookup it needs fails.
    const s = await inPositionAtRestart('2026-03-09T14:06:00Z', { stored: false });
    t.fake.injectFault({ route: 'GET /v2/assets', fault: { kind: 'status', status: 503 }, times: 3 });
    await t.engine.recover();

    // The overdue SELL fires on the clock's next turn; the clock does not move on, so no retry comes yet.
    await eventually(() => t.eventsOf('order_not_sent').length > 0, { clock: t.clock, stepMs: 0, what: 'order_not_sent' });
    const [notSent] = t.eventsOf('order_not_sent');
    expect(notSent).toMatchObject({ strategyId: s.id, leg: 'SELL', reason: expect.stringMatching(/could not look AAPL up at Alpaca: .*503.*keeps trying to send it under the same client order id/) });
    const [, journaled] = t.orders(s.id);
    expect(journaled).toMatchObject({ leg: 'SELL', status: 'pending', dispatchedAt: null, clientOrderId: 'tctest011260309X' });
    expect(t.run(s.id).state).toBe('EXITING');
    expect(sells()).toEqual([]);

    // A stop-loss crossing meanwhile adds no second exit: the journal's exit slot is taken.
    await eventually(() => t.run(s.id).state === 'SOLD', { clock: t.clock, stepMs: 500, what: 'SOLD once the broker answers' });
    expect(sells()).toEqual([expect.objectContaining({ clientOrderId: 'tctest011260309X', qty: '10', outcome: 'accepted' })]);
    expect(t.orders(s.id)).toEqual([expect.objectContaining({ leg: 'BUY' }), expect.objectContaining({ leg: 'SELL', status: 'filled', dispatchedAt: expect.any(Number) })]);
    expect(t.eventsOf('order_submitted')).toEqual([expect.objectContaining({ leg: 'SELL', clientOrderId: 'tctest011260309X' })]);
    expect(t.eventsOf('order_unknown')).toEqual([]);
  });
});

describe('the stored instrument', () => {
  it('is dropped when the broker, asked afresh, no longer knows the symbol', async () => {
    const { first } = await createdBeforeTheCrash('2026-03-09T13:59:00Z', { buy_time: '09:30:00', sell_time: '10:05:00' });
    t.repos.instruments.saveInternal([{ brokerAccountId: t.account.id, exchange: 'NYSE', symbol: 'GONE', brokerRef: 'delisted', tickSize: 0.01, qtyStep: null, minQty: null, minNotional: null, resolvedAt: t.clock.now() - STORED_INSTRUMENT_FRESH_MS }]);
    t = await first.restart('2026-03-09T14:00:00Z');
    expect(await t.engine.ctx.instruments.lookup(t.account.id, 'GONE', 'NYSE')).toBeNull();
    expect(t.repos.instruments.findInternal(t.account.id, 'NYSE', 'GONE')).toBeUndefined();
  });
});

describe('an order in doubt while the broker cannot be asked', () => {
  it('at Alpaca, which refuses a reused id, the resend goes at once after a failed lookup: its own answer settles the doubt', async () => {
    t = await startAlpacaTestEngine({ at: '2026-03-09T13:29:50Z', fake: { prices: { AAPL: 187.5 } } });
    const s = await t.create({ buy_time: '09:30:00', sell_time: '10:05:00' });
    await t.start(s.id);
    // The BUY's connection is cut before Alpaca processes it, and the lookup that follows is refused.
    t.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'drop' } });
    t.fake.injectFault({ route: 'GET /v2/orders:by_client_order_id', fault: { kind: 'status', status: 503 } });
    const before = t.fake.requests().length;
    await t.clock.advanceTo(at('2026-03-09T13:30:00Z'));
    await eventually(() => t.orders(s.id)[0]?.status === 'unknown', { what: 'the BUY unknown' });

    await eventually(() => t.run(s.id).state === 'IN_POSITION', { clock: t.clock, stepMs: 250, what: 'IN_POSITION' });
    const orderRequests = t.fake.requests().slice(before).filter((r) => r.path.startsWith('/v2/orders'));
    // (The dropped POST was never answered, so the fake lists only what came after it.)
    expect(orderRequests.map((r) => `${r.method} ${r.path} ${r.status}`).slice(0, 2)).toEqual(['GET /v2/orders:by_client_order_id 503', 'POST /v2/orders 200']);
    expect(t.fake.received().filter((o) => o.side === 'buy').map((o) => [o.clientOrderId, o.outcome])).toEqual([
      ['tctest011260309E', 'not processed (drop)'],
      ['tctest011260309E', 'accepted'],
    ]);
    // One BUY at Alpaca (the position's backstop, a stop order, may rest beside it by now).
    expect(t.fake.orders().filter((o) => o.type !== 'stop')).toHaveLength(1);
  });

  it('a resend that got no answer either does not use up the resend: once the broker answers "no such order", it goes again', async () => {
    t = await startAlpacaTestEngine({ at: '2026-03-09T13:29:50Z', fake: { prices: { AAPL: 187.5 } } });
    const s = await t.create({ buy_time: '09:30:00', sell_time: '10:05:00' });
    await t.start(s.id);
    // The BUY and its first resend are cut before Alpaca processes them; the lookup between them is refused.
    t.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'drop' }, times: 2 });
    t.fake.injectFault({ route: 'GET /v2/orders:by_client_order_id', fault: { kind: 'status', status: 503 } });
    await t.clock.advanceTo(at('2026-03-09T13:30:00Z'));
    await eventually(() => t.run(s.id).state === 'IN_POSITION', { clock: t.clock, stepMs: 250, what: 'IN_POSITION' });
    expect(t.fake.received().filter((o) => o.side === 'buy').map((o) => o.outcome)).toEqual(['not processed (drop)', 'not processed (drop)', 'accepted']);
    expect(t.fake.orders().filter((o) => o.type !== 'stop')).toHaveLength(1);
    expect(t.eventsOf('order_unknown').map((e) => e.reason)).not.toContainEqual(expect.stringMatching(/^unresolved/));
  });
});
