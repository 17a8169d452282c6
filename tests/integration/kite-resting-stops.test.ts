/**
 * The Kite backstop (issue 20) against the loopback fake: a single-leg GTT placed with the last
 * price from GET /quote/ltp, found again without its trigger id, modified with PUT, deleted, and
 * read when it fired (its LIMIT order looked up for fills, cancelled when still open); the
 * refusals Kite makes (trigger too close) and the ones the adapter makes first (a crossed stop);
 * and the two-leg (OCO) GTT of a leg with a target, whose take-profit is left out where Kite would
 * refuse it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { createKiteBroker, type KiteBroker } from '../../engine/brokers/kite';
import type { Instrument, RestingStopRef, RestingStopRequest } from '../../engine/brokers/broker';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { waitFor } from '../fakes/kite/wait-for';
import { parseKiteTimestamp } from '../../engine/brokers/kite/token-expiry';

let fake: KiteFake;
let clock: FakeClock;
let kite: KiteBroker;

afterEach(async () => {
  await kite?.stop();
  await fake?.close();
});

async function setup(options: Record<string, unknown> = {}): Promise<{ infy: Instrument; stop: RestingStopRequest }> {
  fake = await startKiteFake({ prices: { INFY: 100 }, fillAfterMs: null });
  clock = new FakeClock(Date.parse('2026-03-09T04:00:00Z')); // 09:30 IST
  kite = createKiteBroker({ clock, credentials: fake.credentials(), options: { ...fake.options(), ...options }, random: () => 0.5 });
  const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
  return { infy, stop: { clientOrderId: 'tpk3x9a17do000160A', instrument: infy, side: 'sell', qty: 10, triggerPrice: 98.5, limitPrice: 98 } };
}

/**
 * Each place and modify asks Kite for the last price first, and Kite answers 1 quote request a
 * second (kite-ltp.ts keeps it, waiting on the clock): the test's clock moves that second first.
 */
async function place(req: RestingStopRequest) {
  await clock.advance(1_000);
  return kite.restingStops.place(req);
}
async function modify(ref: RestingStopRef, next: RestingStopRequest) {
  await clock.advance(1_000);
  return kite.restingStops.modify(ref, next);
}

const refOf = (req: RestingStopRequest, brokerRef: string | null, more: Partial<RestingStopRef> = {}): RestingStopRef => ({ clientOrderId: req.clientOrderId, brokerRef, instrument: req.instrument, side: req.side, qty: req.qty, triggerPrice: req.triggerPrice, ...more });
const idOf = (r: { kind: string; report?: { brokerRef: string } }) => (r.kind === 'done' ? r.report!.brokerRef : null);

describe('placing a GTT', () => {
  it('sends type, condition and orders as documented, with the last price; the GTT rests', async () => {
    const { stop } = await setup();
    const placed = await place(stop);
    expect(placed).toMatchObject({ kind: 'done', report: { clientOrderId: stop.clientOrderId, status: 'resting', triggerPrice: 98.5, limitPrice: 98, qty: 10, done: false } });
    const post = fake.requests().find((r) => r.method === 'POST' && r.path === '/gtt/triggers')!;
    expect(post.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(post.form)).toEqual({
      type: 'single',
      condition: '{"exchange":"NSE","tradingsymbol":"INFY","trigger_values":[98.5],"last_price":100}',
      orders: '[{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"SELL","quantity":10,"order_type":"LIMIT","product":"MIS","price":98}]',
    });
    expect(await kite.restingStops.lookup(refOf(stop, idOf(placed)))).toMatchObject({ status: 'resting', brokerRef: idOf(placed), triggerPrice: 98.5, limitPrice: 98 });
  });

  it('GTTs of entries filled together share one LTP request: all placed within the second, none refused by the 1 request a second', async () => {
    const { stop } = await setup();
    fake.setPrice('TATAMOTORS', 200);
    fake.setPrice('SBIN', 300);
    await clock.advance(1_000);
    const others = await Promise.all(['TATAMOTORS', 'SBIN'].map(async (s) => (await kite.instruments.resolve(s, 'NSE'))!));
    const asks = [stop, { ...stop, clientOrderId: 'tpk3x9a17do000170A', instrument: others[0]!, triggerPrice: 196, limitPrice: 195 }, { ...stop, clientOrderId: 'tpk3x9a17do000180A', instrument: others[1]!, triggerPrice: 294, limitPrice: 293 }];
    // Asked in the same moment, as the engine places the backstops of entries filled by one BUY time; the clock does not move.
    const placed = await Promise.all(asks.map((req) => kite.restingStops.place(req)));
    expect(placed.map((p) => p.kind)).toEqual(['done', 'done', 'done']);
    const ltp = fake.requests().filter((r) => r.path === '/quote/ltp');
    expect(ltp).toHaveLength(1);
    expect(ltp[0]!.query.getAll('i').sort()).toEqual(['NSE:INFY', 'NSE:SBIN', 'NSE:TATAMOTORS']);
    expect(fake.gtts().map((g) => [(g.condition as { tradingsymbol: string }).tradingsymbol, (g.condition as { last_price: number }).last_price])).toEqual([['INFY', 100], ['TATAMOTORS', 200], ['SBIN', 300]]);
  });

  it('uses the account product (CNC) and protects a short with a BUY', async () => {
    const { stop } = await setup({ product: 'CNC' });
    await place({ ...stop, side: 'buy', triggerPrice: 101.5, limitPrice: 102 });
    expect(fake.gtts()[0]).toMatchObject({ type: 'single', status: 'active', orders: [{ transaction_type: 'BUY', product: 'CNC', price: 102 }], condition: { trigger_values: [101.5], last_price: 100 } });
  });

  it('refuses without a round trip: no limit, a stop the price has crossed, a trigger Kite would call too close', async () => {
    const { stop } = await setup();
    expect(await place({ ...stop, limitPrice: null })).toEqual({ kind: 'rejected', reason: 'a Kite GTT places a LIMIT order when it fires: limitPrice is required; not sent' });
    expect(await place({ ...stop, triggerPrice: 100.5 })).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/already crossed the stop/) });
    expect(await place({ ...stop, triggerPrice: 99.8 })).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/refuses a GTT trigger this close to the last price \(99.8 against 100/) });
    expect(fake.requests().filter((r) => r.path === '/gtt/triggers')).toHaveLength(0);
  });

  it("reads Kite's own refusal as rejected, a 429 as not placed, a stall as unknown, naming no secret", async () => {
    const { stop } = await setup({ request_timeout_ms: 3_000 });
    fake.failNext('POST /gtt/triggers', { kind: 'status', status: 400, errorType: 'InputException', message: 'Trigger price is too close to the last price.' });
    const refused = await place(stop);
    expect(refused).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/Trigger price is too close/) });
    fake.failNext('POST /gtt/triggers', { kind: 'rate_limit' });
    expect(await place(stop)).toMatchObject({ kind: 'unknown', notPlaced: true, retryAfterMs: 1_000 });
    fake.failNext('POST /gtt/triggers', { kind: 'accept_then_stall' });
    const placing = place(stop);
    await waitFor('the fake to take the GTT', () => fake.gtts().length === 1);
    await clock.advance(3_000);
    const stalled = await placing;
    expect(stalled).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/did not answer POST \/gtt\/triggers within 3000 ms/) });
    expect(JSON.stringify([refused, stalled])).not.toMatch(new RegExp(`${fake.accessToken}|${fake.apiSecret}`));
  });
});

describe('a dead session', () => {
  it('sends nothing and answers not placed yet, with the wait and "log in" in the reason', async () => {
    const { stop } = await setup();
    fake.revokeTokens();
    const answer = await place(stop);
    expect(answer).toMatchObject({ kind: 'unknown', notPlaced: true, retryAfterMs: 5_000, reason: expect.stringMatching(/log in to Kite again/) });
    expect(fake.gtts()).toEqual([]);
  });
});

describe('finding a GTT without its trigger id', () => {
  it('never takes a GTT created before the stop was journaled: an earlier run\'s GTT with the same stop, fired and still listed', async () => {
    const { stop } = await setup();
    expect(await place({ ...stop, clientOrderId: 'tbearlierrun00000001' })).toMatchObject({ kind: 'done' });
    fake.setPrice('INFY', 98.2); // through the trigger, inside the limit: the GTT fires and its LIMIT fills
    const earlier = fake.gtts()[0]!;
    expect(earlier.status).toBe('triggered');
    // A restart: this process knows no GTT. Today's stop (same instrument, side, quantity, trigger) was journaled a day later, its placement never reached Kite.
    await kite.stop();
    kite = createKiteBroker({ clock, credentials: fake.credentials(), options: fake.options(), random: () => 0.5 });
    const journaledAt = parseKiteTimestamp(earlier.created_at)! + 86_400_000;
    // Taken, yesterday's fire would be read as this stop's: the leg ended by a fill that sold no shares of its own.
    expect(await kite.restingStops.lookup(refOf(stop, null, { notBefore: journaledAt }))).toBeNull();
    // One created after the stop was journaled, by Kite's clock up to a minute behind ours, is this stop's.
    expect(await kite.restingStops.lookup(refOf(stop, null, { notBefore: parseKiteTimestamp(earlier.created_at)! + 30_000 }))).toMatchObject({ status: 'fired', brokerRef: String(earlier.id) });
  });


  it('matches instrument, side, quantity and trigger, never a GTT another stop owns', async () => {
    const { stop } = await setup();
    fake.failNext('POST /gtt/triggers', { kind: 'accept_then_drop' });
    expect(await place(stop)).toMatchObject({ kind: 'unknown' });
    const id = String(fake.gtts()[0]!.id);
    expect(await kite.restingStops.lookup(refOf(stop, null))).toMatchObject({ brokerRef: id, status: 'resting' });
    expect(await kite.restingStops.lookup(refOf({ ...stop, clientOrderId: 'other' }, null, { excludeBrokerRefs: [id] }))).toBeNull();
    expect(await kite.restingStops.lookup(refOf({ ...stop, clientOrderId: 'other2', qty: 11 }, null))).toBeNull();
    expect(await kite.restingStops.lookup(refOf({ ...stop, clientOrderId: 'other3', triggerPrice: 98.4 }, null))).toBeNull();
  });

  it('fails the lookup, naming the field, when a listed GTT cannot be read', async () => {
    const { stop } = await setup();
    await place(stop);
    fake.failNext('GET /gtt/triggers', { kind: 'garbage' });
    await expect(kite.restingStops.lookup(refOf(stop, null, { clientOrderId: 'lost' }))).rejects.toThrow(/resting stop lookup at Kite failed .*not JSON/);
  });
});

describe('modifying and cancelling', () => {
  it('PUT moves the trigger under the same id; DELETE leaves it deleted, answered cancelled', async () => {
    const { stop } = await setup();
    const id = idOf(await place(stop));
    const next = { ...stop, clientOrderId: 'tpk3x9a17do000160B', triggerPrice: 99, limitPrice: 98.5 };
    expect(await modify(refOf(stop, id), next)).toMatchObject({ kind: 'done', report: { clientOrderId: next.clientOrderId, brokerRef: id, triggerPrice: 99 } });
    expect(fake.gtts()[0]).toMatchObject({ status: 'active', condition: { trigger_values: [99] }, orders: [{ price: 98.5 }] });
    expect(await kite.restingStops.cancel(refOf(next, id))).toMatchObject({ kind: 'done', report: { status: 'cancelled', done: true, reason: 'Kite GTT deleted' } });
    expect(fake.gtts()[0]).toMatchObject({ status: 'deleted' });
  });

  it('a stop never placed cancels as cancelled; a GTT Kite expired reads cancelled', async () => {
    const { stop } = await setup();
    expect(await kite.restingStops.cancel(refOf(stop, null))).toMatchObject({ kind: 'done', report: { status: 'cancelled', reason: 'Kite has no such GTT: it was never placed' } });
    const id = idOf(await place(stop))!;
    fake.setGttStatus(Number(id), 'expired');
    expect(await kite.restingStops.lookup(refOf(stop, id))).toMatchObject({ status: 'cancelled', done: true, reason: 'Kite GTT expired (a GTT lives a year)' });
  });

  it('answers unknown when the DELETE gets no answer', async () => {
    const { stop } = await setup();
    const id = idOf(await place(stop));
    fake.failNext('DELETE /gtt/triggers', { kind: 'status', status: 502 });
    expect(await kite.restingStops.cancel(refOf(stop, id))).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/HTTP 502/) });
  });
});

describe('firing', () => {
  it('fires on a price cross: its LIMIT order fills, the lookup reads the fills, the order listener sees nothing', async () => {
    const { stop } = await setup();
    const seen: string[] = [];
    kite.execution.onOrderUpdate((r) => seen.push(r.clientOrderId));
    await kite.start();
    const id = idOf(await place(stop));
    fake.setPrice('INFY', 98.4);
    const order = fake.orders()[0]!;
    expect(order).toMatchObject({ order_type: 'LIMIT', transaction_type: 'SELL', price: 98, quantity: 10, tag: null, status: 'COMPLETE', average_price: 98.4 });
    expect(fake.gtts()[0]).toMatchObject({ status: 'triggered', orders: [{ result: { order_result: { status: 'success', order_id: order.order_id } } }] });
    expect(await kite.restingStops.lookup(refOf(stop, id))).toMatchObject({ status: 'fired', filledQty: 10, avgFillPrice: 98.4, done: true });
    expect(await kite.restingStops.cancel(refOf(stop, id))).toMatchObject({ kind: 'done', report: { status: 'fired', filledQty: 10, done: true } });
    expect(seen).toEqual([]);
  });

  it('a cancel racing a fire whose LIMIT did not fill cancels that order too, and answers fired and done', async () => {
    const { stop } = await setup();
    const id = idOf(await place(stop));
    // A gap through the limit: triggered at 97.5, the SELL LIMIT at 98 stays open.
    fake.setPrice('INFY', 97.5);
    expect(fake.orders()[0]).toMatchObject({ status: 'OPEN' });
    expect(await kite.restingStops.lookup(refOf(stop, id))).toMatchObject({ status: 'fired', filledQty: 0, done: false });
    expect(await kite.restingStops.cancel(refOf(stop, id))).toMatchObject({ kind: 'done', report: { status: 'fired', filledQty: 0, done: true, reason: expect.stringMatching(/CANCELLED/) } });
    expect(fake.orders()[0]).toMatchObject({ status: 'CANCELLED' });
  });

  it('a GTT Kite rejected reads rejected; a read that fails is an error, never a verdict', async () => {
    const { stop } = await setup();
    const id = idOf(await place(stop));
    fake.failNext('GET /gtt/triggers/', { kind: 'garbage' });
    await expect(kite.restingStops.lookup(refOf(stop, id))).rejects.toThrow(/resting stop lookup at Kite failed \(GTT \d+\): could not read GTT \d+: .*not JSON/);
    fake.setGttStatus(Number(id), 'rejected');
    expect(await kite.restingStops.lookup(refOf(stop, id))).toMatchObject({ status: 'rejected', done: true });
  });
});

describe('a GTT with a take-profit (two-leg, OCO)', () => {
  it('sends type two-leg, both values ascending with their orders at the same indexes; the report and a lookup name the take-profit', async () => {
    const { stop } = await setup();
    const placed = await place({ ...stop, target: { triggerPrice: 103, limitPrice: 102 } });
    expect(placed).toMatchObject({ kind: 'done', report: { status: 'resting', triggerPrice: 98.5, limitPrice: 98, target: { triggerPrice: 103, limitPrice: 102 } } });
    const post = fake.requests().find((r) => r.method === 'POST' && r.path === '/gtt/triggers')!;
    expect(Object.fromEntries(post.form)).toEqual({
      type: 'two-leg',
      condition: '{"exchange":"NSE","tradingsymbol":"INFY","trigger_values":[98.5,103],"last_price":100}',
      orders:
        '[{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"SELL","quantity":10,"order_type":"LIMIT","product":"MIS","price":98},{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"SELL","quantity":10,"order_type":"LIMIT","product":"MIS","price":102}]',
    });
    expect(await kite.restingStops.lookup(refOf(stop, idOf(placed), { targetPrice: 103 }))).toMatchObject({ status: 'resting', triggerPrice: 98.5, target: { triggerPrice: 103, limitPrice: 102 } });
  });

  it('fired on the take-profit side: the report says firedLeg target, with the LIMIT order\'s fill', async () => {
    const { stop } = await setup();
    const placed = await place({ ...stop, target: { triggerPrice: 103, limitPrice: 102 } });
    fake.setPrice('INFY', 103.2);
    expect(fake.orders()).toEqual([expect.objectContaining({ order_type: 'LIMIT', transaction_type: 'SELL', price: 102, status: 'COMPLETE', average_price: 103.2 })]);
    expect(await kite.restingStops.lookup(refOf(stop, idOf(placed), { targetPrice: 103 }))).toMatchObject({ status: 'fired', firedLeg: 'target', filledQty: 10, avgFillPrice: 103.2, done: true });
  });

  it('a take-profit Kite would refuse (reached, or too close to the last price) is left out: the stop rests alone, single-leg', async () => {
    const { stop } = await setup();
    const near = await place({ ...stop, target: { triggerPrice: 100.2, limitPrice: 99.5 } });
    expect(near).toMatchObject({ kind: 'done', report: { status: 'resting', triggerPrice: 98.5, target: null } });
    const reached = await place({ ...stop, clientOrderId: 'tpk3x9a17do000160B', target: { triggerPrice: 99.9, limitPrice: 99 } });
    expect(reached).toMatchObject({ kind: 'done', report: { target: null } });
    expect(fake.requests().filter((r) => r.method === 'POST' && r.path === '/gtt/triggers').map((r) => r.form.get('type'))).toEqual(['single', 'single']);
  });

  it('refuses, sending nothing, a take-profit on the stop\'s side or without a limit', async () => {
    const { stop } = await setup();
    expect(await place({ ...stop, target: { triggerPrice: 97, limitPrice: 96 } })).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('other side of the price') });
    expect(await place({ ...stop, target: { triggerPrice: 103, limitPrice: null } })).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('target.limitPrice') });
    expect(fake.gtts()).toEqual([]);
  });
});
