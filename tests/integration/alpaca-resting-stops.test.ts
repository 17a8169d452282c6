/**
 * The Alpaca backstop (issue 20) against the fake: a `stop` order resting at Alpaca, placed,
 * looked up, modified by PATCH (a new order, the old one `replaced`), cancelled (204, then
 * `canceled`; 422 when it fired first), its stream events kept away from the order listener,
 * the reservation refusal of a market sell while it rests, and bad replies read as unknown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument, RestingStopReport, RestingStopRequest } from '../../engine/brokers/broker';
import { drive, eventually } from '../fakes/alpaca/eventually';
import { startAdapterFixture, type AdapterFixture } from '../fakes/alpaca/adapter-fixture';

let f: AdapterFixture;
afterEach(async () => f?.close());

const aapl = async (): Promise<Instrument> => (await f.broker.instruments.resolve('AAPL', 'NASDAQ'))!;

/** A long of 10 AAPL bought at 100 through the adapter, and a stop request protecting it. */
/** The fake routes a stop a turn after taking it (accepted, then new): a price before that would not fire it. */
async function restingAtFake(clientOrderId: string): Promise<void> {
  await eventually(() => f.fake.orders().find((o) => o.client_order_id === clientOrderId)?.status === 'new', { what: `${clientOrderId} resting at the fake` });
}

async function long(): Promise<{ instrument: Instrument; stop: RestingStopRequest }> {
  f = await startAdapterFixture();
  await f.broker.start();
  const instrument = await aapl();
  const buy = await f.broker.execution.placeOrder({ clientOrderId: 'tck-buy-1', instrument, side: 'buy', qty: 10, opens: true });
  expect(buy.kind).toBe('accepted');
  await eventually(() => f.updates.find((u) => u.clientOrderId === 'tck-buy-1' && u.status === 'filled'), { what: 'the entry fill' });
  return { instrument, stop: { clientOrderId: 'tpk-stop-1', instrument, side: 'sell', qty: 10, triggerPrice: 98.5, limitPrice: null } };
}

const refOf = (req: RestingStopRequest, brokerRef: string | null) => ({ clientOrderId: req.clientOrderId, brokerRef, instrument: req.instrument, side: req.side, qty: req.qty, triggerPrice: req.triggerPrice });

describe('placing a stop', () => {
  it('sends a gtc stop order with our id and answers it resting; the lookup finds it', async () => {
    const { stop } = await long();
    const placed = await f.broker.restingStops.place(stop);
    expect(placed).toMatchObject({ kind: 'done', report: { clientOrderId: 'tpk-stop-1', status: 'resting', triggerPrice: 98.5, limitPrice: null, qty: 10, filledQty: 0, done: false } });
    const order = f.fake.orders().find((o) => o.client_order_id === 'tpk-stop-1')!;
    expect(order).toMatchObject({ type: 'stop', time_in_force: 'gtc', stop_price: '98.5', limit_price: null, side: 'sell', qty: '10' });
    const brokerRef = placed.kind === 'done' ? placed.report.brokerRef : '';
    expect(await f.broker.restingStops.lookup(refOf(stop, null))).toMatchObject({ brokerRef, status: 'resting' });
    expect(await f.broker.restingStops.lookup(refOf({ ...stop, clientOrderId: 'tpk-never' }, null))).toBeNull();
  });

  it('sends a stop_limit when the engine gives a limit', async () => {
    const { stop } = await long();
    expect(await f.broker.restingStops.place({ ...stop, limitPrice: 98 })).toMatchObject({ kind: 'done', report: { status: 'resting', limitPrice: 98 } });
    expect(f.fake.orders().find((o) => o.client_order_id === 'tpk-stop-1')).toMatchObject({ type: 'stop_limit', stop_price: '98.5', limit_price: '98' });
  });

  it('refuses a second sell stop on shares the first holds, and bad requests without a round trip', async () => {
    const { stop } = await long();
    await f.broker.restingStops.place(stop);
    const second = await f.broker.restingStops.place({ ...stop, clientOrderId: 'tpk-stop-2' });
    expect(second).toEqual({ kind: 'rejected', reason: expect.stringMatching(/insufficient qty available for order \(requested: 10, available: 0\)/) });
    expect(await f.broker.restingStops.place({ ...stop, clientOrderId: 'x', qty: 2.5 })).toEqual({ kind: 'rejected', reason: 'qty must be a whole number of shares above 0, got 2.5' });
    expect(await f.broker.restingStops.place({ ...stop, clientOrderId: 'x', triggerPrice: Number.NaN })).toEqual({ kind: 'rejected', reason: 'triggerPrice must be a price above 0, got NaN' });
  });

  it('answers unknown on a 5xx or a stall, and the lookup then finds what Alpaca holds', async () => {
    const { stop } = await long();
    f.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'status', status: 503 } });
    expect(await f.broker.restingStops.place(stop)).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/HTTP 503/) });
    expect(await f.broker.restingStops.lookup(refOf(stop, null))).toBeNull();
    f.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'stall-after-accept' } });
    const stalled = await drive(f.broker.restingStops.place(stop), { clock: f.clock, stepMs: 1_000 });
    expect(stalled).toMatchObject({ kind: 'unknown', reason: 'no answer from Alpaca: no answer within 30000 ms' });
    expect(await f.broker.restingStops.lookup(refOf(stop, null))).toMatchObject({ status: 'resting', qty: 10 });
  });

  it('settles a 422 for a stop Alpaca took by looking it up', async () => {
    const { stop } = await long();
    f.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: '422-but-accepted' } });
    expect(await f.broker.restingStops.place(stop)).toMatchObject({ kind: 'done', report: { status: 'resting' } });
  });

  it('reads a reply it cannot parse as unknown, naming the field, never as placed', async () => {
    const { stop } = await long();
    f.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'status', status: 200, body: { id: 'x', client_order_id: 'tpk-stop-1', symbol: 'AAPL', side: 'sell', status: 'new', qty: '10', filled_qty: 'lots', stop_price: '98.5' } } });
    const answer = await f.broker.restingStops.place(stop);
    expect(answer).toEqual({ kind: 'unknown', reason: 'Alpaca answered with an order that could not be read (filled_qty: "lots" is not a plain decimal)' });
    expect(JSON.stringify(answer)).not.toContain(f.fake.credentials().secret_key);
  });
});

describe('firing', () => {
  it('fires when the price crosses: the stream reports it fired, and the order listener never sees it', async () => {
    const { stop } = await long();
    const stops: RestingStopReport[] = [];
    f.broker.restingStops.onUpdate((r) => stops.push(r));
    await f.broker.restingStops.place(stop);
    await eventually(() => stops.find((r) => r.status === 'resting'), { what: 'the stop resting on the stream' });
    f.fake.setPrice('AAPL', 98.4);
    const fired = await eventually(() => stops.find((r) => r.status === 'fired'), { what: 'the fire' });
    expect(fired).toMatchObject({ clientOrderId: 'tpk-stop-1', filledQty: 10, avgFillPrice: 98.4, done: true });
    expect(f.updates.some((u) => u.clientOrderId.startsWith('tpk'))).toBe(false);
    expect(f.fake.positions()).toEqual([]);
  });

  it('a cancel racing the fire answers fired with its fills (422 not cancelable, then the lookup)', async () => {
    const { stop } = await long();
    const placed = await f.broker.restingStops.place(stop);
    await restingAtFake('tpk-stop-1');
    f.fake.setPrice('AAPL', 97);
    const cancelled = await f.broker.restingStops.cancel(refOf(stop, placed.kind === 'done' ? placed.report.brokerRef : null));
    expect(cancelled).toMatchObject({ kind: 'done', report: { status: 'fired', filledQty: 10, avgFillPrice: 97, done: true } });
    expect(f.fake.requests().filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([422]);
  });
});

describe('cancelling', () => {
  it('answers cancelled once Alpaca confirms it, and a market sell then goes through', async () => {
    const { stop, instrument } = await long();
    const placed = await f.broker.restingStops.place(stop);
    const refused = await f.broker.execution.placeOrder({ clientOrderId: 'tck-sell-1', instrument, side: 'sell', qty: 10, opens: false });
    expect(refused).toEqual({ kind: 'rejected', reason: expect.stringMatching(/insufficient qty available for order .*held by an open order \(a resting stop of Tradeclock rests on them\); this passes once it is cancelled/) });
    expect(refused.kind === 'rejected' && refused.lasting).toBeFalsy();
    const ref = refOf(stop, placed.kind === 'done' ? placed.report.brokerRef : null);
    const first = await f.broker.restingStops.cancel(ref);
    // The fake carries a cancel out on its next turn: the first answer may still be pending.
    const answer = first.kind === 'unknown' ? await eventually(async () => f.broker.restingStops.lookup(ref).then((r) => r?.status === 'cancelled' && r)) : first.kind === 'done' && first.report;
    expect(answer).toMatchObject({ status: 'cancelled', filledQty: 0, done: true });
    expect(await f.broker.execution.placeOrder({ clientOrderId: 'tck-sell-2', instrument, side: 'sell', qty: 10, opens: false })).toMatchObject({ kind: 'accepted' });
  });

  it('answers unknown while the cancel is pending, then the lookup confirms it', async () => {
    const { stop } = await long();
    await f.broker.restingStops.place(stop);
    f.fake.holdCancels(true);
    // No broker id known to the caller (a crash before the answer): the journal's id finds it.
    const ref = refOf(stop, null);
    expect(await f.broker.restingStops.cancel(ref)).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/accepted the cancel .* still reads resting/) });
    expect(await f.broker.restingStops.lookup(ref)).toMatchObject({ status: 'resting' });
    f.fake.confirmCancels();
    expect(await f.broker.restingStops.lookup(ref)).toMatchObject({ status: 'cancelled', done: true });
  });

  it('answers cancelled for a stop Alpaca never got, and unknown when it cannot be reached', async () => {
    const { stop } = await long();
    expect(await f.broker.restingStops.cancel(refOf(stop, null))).toMatchObject({ kind: 'done', report: { status: 'cancelled', reason: 'Alpaca has no such order: it was never placed' } });
    await f.broker.restingStops.place(stop);
    f.fake.injectFault({ route: 'DELETE /v2/orders', fault: { kind: 'drop' } });
    expect(await f.broker.restingStops.cancel(refOf(stop, null))).toMatchObject({ kind: 'unknown' });
  });
});

describe('modifying', () => {
  it('PATCHes the stop: the new version rests under its own id, the old reads as the new through the chain', async () => {
    const { stop } = await long();
    const placed = await f.broker.restingStops.place(stop);
    const oldRef = refOf(stop, placed.kind === 'done' ? placed.report.brokerRef : null);
    const next = { ...stop, clientOrderId: 'tpk-stop-1b', triggerPrice: 99.25 };
    const moved = await f.broker.restingStops.modify(oldRef, next);
    expect(moved).toMatchObject({ kind: 'done', report: { clientOrderId: 'tpk-stop-1b', status: 'resting', triggerPrice: 99.25 } });
    const orders = f.fake.orders();
    expect(orders.find((o) => o.client_order_id === 'tpk-stop-1')).toMatchObject({ status: 'replaced', replaced_by: moved.kind === 'done' ? moved.report.brokerRef : '' });
    expect(await f.broker.restingStops.lookup(oldRef)).toMatchObject({ clientOrderId: 'tpk-stop-1b', triggerPrice: 99.25 });
    // Cancelling by the old version's ids reaches the version that rests.
    await restingAtFake('tpk-stop-1b');
    f.fake.setPrice('AAPL', 99.2);
    expect(await f.broker.restingStops.cancel(oldRef)).toMatchObject({ kind: 'done', report: { clientOrderId: 'tpk-stop-1b', status: 'fired', filledQty: 10 } });
  });

  it('a modify refused because the stop fired answers fired', async () => {
    const { stop } = await long();
    const placed = await f.broker.restingStops.place(stop);
    await restingAtFake('tpk-stop-1');
    f.fake.setPrice('AAPL', 98);
    const moved = await f.broker.restingStops.modify(refOf(stop, placed.kind === 'done' ? placed.report.brokerRef : null), { ...stop, clientOrderId: 'tpk-stop-1b', triggerPrice: 99 });
    expect(moved).toMatchObject({ kind: 'done', report: { clientOrderId: 'tpk-stop-1', status: 'fired', filledQty: 10 } });
  });
});

describe('stops Tradeclock did not place in this process', () => {
  it("a stop Alpaca replaced on its own is still ours: the lookup and the stream report it under our id", async () => {
    const { stop } = await long();
    const stops: RestingStopReport[] = [];
    f.broker.restingStops.onUpdate((r) => stops.push(r));
    await f.broker.restingStops.place(stop);
    const replacement = f.fake.replaceOrder('tpk-stop-1');
    expect(await f.broker.restingStops.lookup(refOf(stop, null))).toMatchObject({ clientOrderId: 'tpk-stop-1', brokerRef: replacement.id, status: 'resting' });
    f.fake.setPrice('AAPL', 98);
    const fired = await eventually(() => stops.find((r) => r.status === 'fired'), { what: 'the replacement firing' });
    expect(fired).toMatchObject({ clientOrderId: 'tpk-stop-1', brokerRef: replacement.id, filledQty: 10, done: true });
    expect(f.updates.some((u) => u.clientOrderId === replacement.clientOrderId || u.clientOrderId === 'tpk-stop-1')).toBe(false);
  });

  it("after a restart the journal's lookup claims the stop: its fire goes to the stop listeners, not the order listener", async () => {
    const { stop } = await long();
    const before = f.makeBroker();
    await before.restingStops.place(stop);
    await before.stop();
    const stops: RestingStopReport[] = [];
    f.broker.restingStops.onUpdate((r) => stops.push(r));
    expect(await f.broker.restingStops.lookup(refOf(stop, null))).toMatchObject({ status: 'resting' });
    f.fake.setPrice('AAPL', 98);
    await eventually(() => stops.find((r) => r.status === 'fired' && r.clientOrderId === 'tpk-stop-1'), { what: 'the fire on the stop listener' });
    expect(f.updates.some((u) => u.clientOrderId === 'tpk-stop-1')).toBe(false);
  });

  it('a lookup whose reply cannot be read fails, naming the field, never "no such stop"', async () => {
    const { stop } = await long();
    await f.broker.restingStops.place(stop);
    f.fake.injectFault({ route: 'GET /v2/orders:by_client_order_id', fault: { kind: 'status', status: 200, body: { id: 'x', client_order_id: 'tpk-stop-1', symbol: 'AAPL', side: 'sell', status: 'new', qty: '10', filled_qty: '0', stop_price: 'soon' } } });
    await expect(f.broker.restingStops.lookup(refOf(stop, null))).rejects.toThrow('resting stop lookup at Alpaca failed (client order id tpk-stop-1): the order could not be read (stop_price: "soon" is not a plain decimal)');
  });
});
