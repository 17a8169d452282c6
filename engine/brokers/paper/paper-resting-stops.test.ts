/**
 * The paper broker's resting stops: they hold the position (an exit of it is refused, as at
 * Alpaca), fire when the market crosses the trigger (feed up or not), fill at the paper fill model
 * and report through the update stream; cancel, modify and lookup answer the seam's way.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import type { Instrument, RestingStopRef, RestingStopReport, RestingStopRequest } from '../broker';
import { createPaperBroker } from './paper-broker';

const T0 = Date.parse('2026-03-09T14:30:00Z');
const AAPL: Instrument = { symbol: 'AAPL', exchange: 'NASDAQ', brokerRef: 'NASDAQ:AAPL', tickSize: 0.01, shortable: true };

function stopRequest(over: Partial<RestingStopRequest> = {}): RestingStopRequest {
  return { clientOrderId: 'S1', instrument: AAPL, side: 'sell', qty: 10, triggerPrice: 95, limitPrice: null, ...over };
}

function refOf(req: RestingStopRequest, brokerRef: string | null = null): RestingStopRef {
  return { clientOrderId: req.clientOrderId, brokerRef, instrument: req.instrument, side: req.side, qty: req.qty, triggerPrice: req.triggerPrice };
}

/** A broker holding 10 AAPL bought at 100 (a long), or sold short 10 when `short`. */
async function holding(options: { short?: boolean } = {}) {
  const clock = new FakeClock(T0);
  const broker = createPaperBroker({ clock, seed: 7, startPrices: { 'NASDAQ:AAPL': 100 } });
  await broker.start();
  const updates: RestingStopReport[] = [];
  broker.restingStops.onUpdate((r) => updates.push(r));
  await broker.execution.placeOrder({ clientOrderId: 'E', instrument: AAPL, side: options.short ? 'sell' : 'buy', qty: 10, opens: true });
  await clock.advance(0);
  return { clock, broker, updates };
}

describe('paper resting stops', () => {
  it('states Alpaca\'s capabilities: a stop order that holds the position and fires at market', async () => {
    const { broker } = await holding();
    expect(broker.restingStops).toMatchObject({ kind: 'stop_order', reservesPosition: true, marketOnFire: true });
    expect(broker.restingStops.modifiesPerMinute).toBeGreaterThan(0);
  });

  it('rests, and refuses an exit of the shares it holds until it is cancelled', async () => {
    const { clock, broker, updates } = await holding();
    const placed = await broker.restingStops.place(stopRequest());
    expect(placed).toMatchObject({ kind: 'done', report: { clientOrderId: 'S1', status: 'resting', triggerPrice: 95, qty: 10, filledQty: 0, done: false } });
    expect(updates).toEqual([]); // streamed from a timer, never inside the caller's await
    await clock.advance(0);
    expect(updates.map((u) => u.status)).toEqual(['resting']);

    const refused = await broker.execution.placeOrder({ clientOrderId: 'X', instrument: AAPL, side: 'sell', qty: 10, opens: false });
    expect(refused).toEqual({ kind: 'rejected', reason: 'insufficient qty available for order (requested: 10, available: 0)' });
    expect(broker.placedOrders().map((o) => o.request.clientOrderId)).toEqual(['E']);

    const cancelled = await broker.restingStops.cancel(refOf(stopRequest()));
    expect(cancelled).toMatchObject({ kind: 'done', report: { status: 'cancelled', filledQty: 0 } });
    expect(await broker.execution.placeOrder({ clientOrderId: 'X', instrument: AAPL, side: 'sell', qty: 10, opens: false })).toMatchObject({ kind: 'accepted' });
  });

  it('an opening order and an exit of shares it does not hold go through', async () => {
    const { broker } = await holding();
    await broker.restingStops.place(stopRequest({ qty: 6 }));
    expect(await broker.execution.placeOrder({ clientOrderId: 'B', instrument: AAPL, side: 'buy', qty: 5, opens: true })).toMatchObject({ kind: 'accepted' });
    expect(await broker.execution.placeOrder({ clientOrderId: 'X', instrument: AAPL, side: 'sell', qty: 4, opens: false })).toMatchObject({ kind: 'accepted' });
    expect(await broker.execution.placeOrder({ clientOrderId: 'Y', instrument: AAPL, side: 'sell', qty: 5, opens: false })).toMatchObject({ kind: 'rejected' });
  });

  it('fires when the price falls to the trigger, even with the feed down, and fills at the paper fill model', async () => {
    const { clock, broker, updates } = await holding();
    await broker.restingStops.place(stopRequest());
    broker.setFeed('down');
    broker.setPrice('NASDAQ:AAPL', 95.5);
    await clock.advance(0);
    expect(updates.map((u) => u.status)).toEqual(['resting']);
    broker.setPrice('NASDAQ:AAPL', 94);
    await clock.advance(0);
    expect(updates.at(-1)).toMatchObject({ status: 'fired', filledQty: 10, avgFillPrice: 94, done: true });
    expect(updates.map((u) => [u.status, u.filledQty, u.done])).toEqual([
      ['resting', 0, false],
      ['fired', 0, false],
      ['fired', 0, false],
      ['fired', 10, true],
    ]);
    expect(broker.execution.holdingOf('NASDAQ:AAPL')).toBe(0);
    expect(await broker.restingStops.lookup(refOf(stopRequest()))).toEqual(updates.at(-1));
    // Cancelling too late answers where it stands: fired, its fills the exit.
    expect(await broker.restingStops.cancel(refOf(stopRequest()))).toMatchObject({ kind: 'done', report: { status: 'fired', filledQty: 10, done: true } });
  });

  it('a short\'s stop is a buy that fires when the price rises to it', async () => {
    const { clock, broker, updates } = await holding({ short: true });
    await broker.restingStops.place(stopRequest({ side: 'buy', triggerPrice: 105 }));
    broker.setPrice('NASDAQ:AAPL', 104.99);
    await clock.advance(0);
    expect(updates.at(-1)?.status).toBe('resting');
    broker.setPrice('NASDAQ:AAPL', 106);
    await clock.advance(0);
    expect(updates.at(-1)).toMatchObject({ status: 'fired', filledQty: 10, avgFillPrice: 106, done: true });
    expect(broker.execution.holdingOf('NASDAQ:AAPL')).toBe(0);
  });

  it('a fire while a cancel is on its way wins: the cancel answers fired, and the exit is not doubled', async () => {
    const { clock, broker } = await holding();
    await broker.restingStops.place(stopRequest());
    broker.setPrice('NASDAQ:AAPL', 90);
    const answer = await broker.restingStops.cancel(refOf(stopRequest()));
    expect(answer).toMatchObject({ kind: 'done', report: { status: 'fired', done: false } });
    await clock.advance(0);
    expect((await broker.restingStops.lookup(refOf(stopRequest())))?.done).toBe(true);
    expect(broker.placedOrders().map((o) => [o.request.clientOrderId, o.request.side, o.report.status])).toEqual([
      ['E', 'buy', 'filled'],
      ['S1', 'sell', 'filled'],
    ]);
  });

  it('modify replaces it with the next version: the old one cancelled, the new one resting at the new trigger', async () => {
    const { clock, broker } = await holding();
    await broker.restingStops.place(stopRequest());
    const moved = await broker.restingStops.modify(refOf(stopRequest()), stopRequest({ clientOrderId: 'S2', triggerPrice: 98 }));
    expect(moved).toMatchObject({ kind: 'done', report: { clientOrderId: 'S2', status: 'resting', triggerPrice: 98 } });
    expect(await broker.restingStops.lookup(refOf(stopRequest()))).toMatchObject({ status: 'cancelled', reason: 'replaced by S2' });
    broker.setPrice('NASDAQ:AAPL', 97);
    await clock.advance(0);
    expect(broker.restingStops.held().map((s) => [s.clientOrderId, s.status, s.filledQty])).toEqual([
      ['S1', 'cancelled', 0],
      ['S2', 'fired', 10],
    ]);
    // A modify after it fired answers the fired stop; nothing new rests.
    const late = await broker.restingStops.modify(refOf(stopRequest({ clientOrderId: 'S2' })), stopRequest({ clientOrderId: 'S3', triggerPrice: 99 }));
    expect(late).toMatchObject({ kind: 'done', report: { clientOrderId: 'S2', status: 'fired' } });
    expect(await broker.restingStops.lookup(refOf(stopRequest({ clientOrderId: 'S3' })))).toBeNull();
  });

  it('refuses a stop for more than is held, one already crossed, a reused id and a bad request', async () => {
    const { broker } = await holding();
    expect(await broker.restingStops.place(stopRequest({ qty: 11 }))).toEqual({ kind: 'rejected', reason: 'insufficient qty available for order (requested: 11, available: 10)' });
    expect(await broker.restingStops.place(stopRequest({ triggerPrice: 100 }))).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/already crossed/) });
    expect(await broker.restingStops.place(stopRequest({ triggerPrice: -1 }))).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/stop price/) });
    await broker.restingStops.place(stopRequest({ qty: 4 }));
    expect(await broker.restingStops.place(stopRequest({ qty: 4 }))).toEqual({ kind: 'rejected', reason: 'duplicate client order id' });
    expect(await broker.restingStops.place(stopRequest({ clientOrderId: 'S2', qty: 7 }))).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/available: 6/) });
    expect(await broker.restingStops.cancel(refOf(stopRequest({ clientOrderId: 'NOPE' })))).toMatchObject({ kind: 'rejected' });
    expect(await broker.restingStops.lookup(refOf(stopRequest({ clientOrderId: 'NOPE' })))).toBeNull();
  });

  it('injected faults: unknown leaves nothing, unknown-but-done acts and only lookup tells', async () => {
    const { broker } = await holding();
    broker.failNextRestingStop('unknown');
    expect(await broker.restingStops.place(stopRequest())).toMatchObject({ kind: 'unknown' });
    expect(await broker.restingStops.lookup(refOf(stopRequest()))).toBeNull();
    broker.failNextRestingStop('unknown-but-done');
    expect(await broker.restingStops.place(stopRequest())).toMatchObject({ kind: 'unknown' });
    expect(await broker.restingStops.lookup(refOf(stopRequest()))).toMatchObject({ status: 'resting' });
    broker.failNextRestingStop('unknown-but-done');
    expect(await broker.restingStops.cancel(refOf(stopRequest()))).toMatchObject({ kind: 'unknown' });
    expect(await broker.restingStops.lookup(refOf(stopRequest()))).toMatchObject({ status: 'cancelled' });
    broker.failNextRestingStop('reject');
    expect(await broker.restingStops.place(stopRequest({ clientOrderId: 'S2' }))).toEqual({ kind: 'rejected', reason: 'injected rejection' });
  });

  it('stop() cancels pending notices: nothing is streamed afterwards', async () => {
    const { clock, broker, updates } = await holding();
    await broker.restingStops.place(stopRequest());
    await broker.stop();
    await clock.advance(1_000);
    expect(updates).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
