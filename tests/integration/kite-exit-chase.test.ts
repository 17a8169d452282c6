/**
 * Issue 19's options exits at Kite, over loopback HTTP against the Kite fake, engine time on a
 * FakeClock: an exit goes as a LIMIT across the market inside the band, and one left resting by a
 * premium that ran past it is re-priced by PUT /orders/regular/{order_id} (the same order, the same
 * tag) until it fills; after a restart the lookup the engine's reconciler makes hands a resting
 * exit back to the chase. Kite never gets a second order. Entries and equity exits go as MARKET
 * with market protection, as before.
 *
 * The fake fills nothing on its own here (`fillAfterMs: null`): a resting LIMIT fills when a tick
 * crosses it, so which price filled is the test's to say.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createKiteBroker, type KiteBroker } from '../../engine/brokers/kite';
import type { Instrument, PlaceOrderRequest } from '../../engine/brokers/broker';
import { FakeClock } from '../../engine/core/fake-clock';
import { asStrategyId, positionClientOrderId } from '../../engine/core/ids';
import { DEFAULT_INSTRUMENTS } from '../fakes/kite/fake-instruments';
import { fakeOptionChain } from '../fakes/kite/fake-option-chain';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';

const MONDAY_1000_IST = Date.parse('2026-12-07T04:30:00Z');
const CE = 'NIFTY26D0826000CE';
const EXIT_ID = positionClientOrderId('k3x9a1', asStrategyId(42), '2026-12-07', 0, 'exit');

let fake: KiteFake | undefined;
const brokers: KiteBroker[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.stop();
  await fake?.close();
  fake = undefined;
});

async function startFake(): Promise<KiteFake> {
  fake = await startKiteFake({ instruments: [...DEFAULT_INSTRUMENTS, ...fakeOptionChain({ today: '2026-12-07' })], fillAfterMs: null, now: () => MONDAY_1000_IST });
  fake.setPrice(CE, 100);
  fake.setPrice('INFY', 1500);
  return fake;
}

function broker(f: KiteFake, options: Record<string, unknown> = {}) {
  const clock = new FakeClock(MONDAY_1000_IST);
  const log: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void log.push(JSON.parse(line) as Record<string, unknown>) });
  const kite = createKiteBroker({ clock, credentials: f.credentials(), options: { ...f.options(), exit_price_buffer_pct: 5, exit_reprice_after_ms: 2_000, ...options }, random: () => 0.5, logger });
  brokers.push(kite);
  const repriced = () => log.filter((l) => String(l.msg).startsWith('Kite exit re-priced'));
  return { kite, clock, log, repriced };
}

/** A short CE's stop exit: a buy that closes it. */
const buyBack = (instrument: Instrument): PlaceOrderRequest => ({ clientOrderId: EXIT_ID, instrument, side: 'buy', qty: 65, opens: false });

const puts = (f: KiteFake) => f.requests().filter((r) => r.method === 'PUT');
const posts = (f: KiteFake) => f.requests().filter((r) => r.method === 'POST' && r.path === '/orders/regular');
const ours = (f: KiteFake) => f.orders().filter((o) => o.tag === EXIT_ID);

/** Engine time on by `ms`, with real pauses for the loopback I/O the timers start. */
async function drive(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 500) {
    await clock.advance(500);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Engine time on, half a second a step, until `condition` holds (at most 20 s of engine time and
 * 5 s of real time): a timer the chase sets only once loopback I/O has answered (the instrument
 * master after a restart) is then still reached, however loaded the machine.
 */
async function driveUntil(clock: FakeClock, what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (let t = 0; !condition(); t += 500) {
    if (t > 20_000 || Date.now() > deadline) throw new Error(`timed out driving the clock until ${what}`);
    await clock.advance(500);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('an options exit at Kite is a LIMIT, chased inside the band until it fills', () => {
  it('a stop exit of a short CE: the premium jumps past the first price, the exit is re-priced and fills, one order id throughout', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock, repriced } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;

    const placed = await kite.execution.placeOrder(buyBack(ce));
    expect(placed).toMatchObject({ kind: 'accepted' });
    const orderId = placed.kind === 'accepted' ? placed.brokerOrderId : '';
    // A LIMIT 5% above the last price: a marketable buy, inside the band, on the tick.
    expect(Object.fromEntries(posts(f)[0]!.form)).toMatchObject({ order_type: 'LIMIT', price: '105', transaction_type: 'BUY', exchange: 'NFO', tag: EXIT_ID });
    expect(posts(f)[0]!.form.has('market_protection')).toBe(false);

    f.setPrice(CE, 120); // the premium runs past 105: the exit rests OPEN
    expect(ours(f)[0]).toMatchObject({ status: 'OPEN', price: 105 });

    await driveUntil(clock, 'the first re-price', () => puts(f).length === 1);
    // Re-read quote 120, two buffers across: 132. Same order, same tag.
    expect(puts(f)[0]!.path).toBe(`/orders/regular/${orderId}`);
    expect(Object.fromEntries(puts(f)[0]!.form)).toMatchObject({ order_type: 'LIMIT', price: '132', quantity: '65' });
    expect(repriced()[0]).toMatchObject({ orderId, tag: EXIT_ID, from: 105, to: 132, step: 1, lastPrice: 120, modification: 1 });

    f.setPrice(CE, 125);
    expect(ours(f)).toEqual([expect.objectContaining({ order_id: orderId, status: 'COMPLETE', average_price: 125, filled_quantity: 65 })]);
    expect(await kite.execution.lookupOrder(EXIT_ID)).toMatchObject({ brokerOrderId: orderId, status: 'filled', avgFillPrice: 125 });

    // Final: the chase stops; nothing more is sent.
    await drive(clock, 6_000);
    expect(posts(f)).toHaveLength(1);
    expect(puts(f)).toHaveLength(1);
    expect(f.orders()).toHaveLength(1);
  });

  it('re-priced out to the band\'s edge, it stays there until a price fills it', async () => {
    const f = await startFake();
    f.setCircuit(CE, 50, 115);
    const { kite, clock, repriced } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await kite.execution.placeOrder(buyBack(ce));
    expect(posts(f)[0]!.form.get('price')).toBe('105');

    f.setPrice(CE, 112);
    await driveUntil(clock, 'the re-price to the edge', () => puts(f).length === 1);
    // 112 + 2 × 5% = 123.2, beyond the circuit's 115: the edge.
    expect(puts(f)[0]!.form.get('price')).toBe('115');
    expect(repriced()[0]).toMatchObject({ to: 115, atEdge: true });

    // At the edge with the band unchanged, another round has nothing to modify.
    // (A round reads the order before it decides, so by the third read the second has decided.)
    await driveUntil(clock, 'two more looks at the order', () => f.requests().filter((r) => r.method === 'GET' && r.path === `/orders/${placed.kind === 'accepted' ? placed.brokerOrderId : ''}`).length >= 3);
    expect(puts(f)).toHaveLength(1);

    f.setPrice(CE, 114.5);
    expect(ours(f)).toEqual([expect.objectContaining({ status: 'COMPLETE', average_price: 114.5 })]);
    expect(f.orders()).toHaveLength(1);
  });

  it('a restart mid-chase: the lookup after it hands the resting exit back to the chase, and no second order is placed', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const first = broker(f);
    const ce = (await first.kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await first.kite.execution.placeOrder(buyBack(ce));
    const orderId = placed.kind === 'accepted' ? placed.brokerOrderId : '';
    f.setPrice(CE, 120);
    await driveUntil(first.clock, 'the first process\'s re-price', () => puts(f).length === 1);
    await first.kite.stop(); // the process dies mid-chase

    f.setPrice(CE, 150); // past 132 while nobody chases it
    const second = broker(f);
    // What the reconciler does at start for an order the journal has as accepted: a lookup by tag.
    expect(await second.kite.execution.lookupOrder(EXIT_ID)).toMatchObject({ brokerOrderId: orderId, status: 'accepted' });
    // A resend of the same attempt (its answer lost) finds the order and places nothing either.
    expect(await second.kite.execution.placeOrder(buyBack(ce))).toMatchObject({ kind: 'accepted', brokerOrderId: orderId });
    await driveUntil(second.clock, 'the chase resumed by the second process', () => puts(f).length === 2);
    // From the step after its resting price: 150 + 2 × 5% = 165, modification 2 of the order (Kite's history counts the first).
    expect(puts(f)[1]!.path).toBe(`/orders/regular/${orderId}`);
    expect(puts(f)[1]!.form.get('price')).toBe('165');
    expect(second.repriced()[0]).toMatchObject({ orderId, from: 132, to: 165, modification: 2 });
    expect(second.log.some((l) => l.msg === 'Kite exit found resting on a lookup: its chase resumes')).toBe(true);

    f.setPrice(CE, 160);
    expect(ours(f)).toEqual([expect.objectContaining({ order_id: orderId, status: 'COMPLETE', average_price: 160 })]);
    expect(posts(f)).toHaveLength(1);
    expect(f.orders()).toHaveLength(1);
  });

  it('a partial fill keeps the rest chased, on the same order, for the whole quantity', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock, repriced } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await kite.execution.placeOrder(buyBack(ce));
    const orderId = placed.kind === 'accepted' ? placed.brokerOrderId : '';
    f.setPrice(CE, 120);
    await driveUntil(clock, 'the first re-price', () => puts(f).length === 1);

    f.fillPart(orderId, 25, 131);
    f.setPrice(CE, 140); // the rest (40) is left behind again
    expect(await kite.execution.lookupOrder(EXIT_ID)).toMatchObject({ status: 'partially_filled', filledQty: 25 });
    await driveUntil(clock, 'the re-price of the rest', () => puts(f).length === 2);
    // 140 + 3 × 5% = 161; Kite's modify takes the order's whole quantity, the filled part included.
    expect(Object.fromEntries(puts(f)[1]!.form)).toMatchObject({ price: '161', quantity: '65' });
    expect(repriced()[1]).toMatchObject({ from: 132, to: 161, filledQty: 25 });

    f.setPrice(CE, 150);
    expect(ours(f)).toEqual([expect.objectContaining({ order_id: orderId, status: 'COMPLETE', filled_quantity: 65 })]);
    expect(ours(f)[0]!.average_price).toBeCloseTo((25 * 131 + 40 * 150) / 65, 6);
    expect(posts(f)).toHaveLength(1);
  });

  it('stops re-pricing at exit_max_modifications (Kite refuses the 26th), saying so, and leaves the order resting', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock, log } = broker(f, { exit_max_modifications: 1 });
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    await kite.execution.placeOrder(buyBack(ce));
    f.setPrice(CE, 120);
    await driveUntil(clock, 'the one re-price', () => puts(f).length === 1);
    f.setPrice(CE, 140);
    await driveUntil(clock, 'the budget spent', () => log.some((l) => l.level === 50 && String(l.msg).includes('after 1 re-prices')));
    await drive(clock, 4_000);
    expect(puts(f)).toHaveLength(1);
    expect(ours(f)).toEqual([expect.objectContaining({ status: 'OPEN', price: 132 })]);
  });

  it('with no quote to price it, the exit goes as MARKET with protection, and the chase turns it into a LIMIT if it rests', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock, repriced, log } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    f.failNext('GET /quote', { kind: 'status', status: 502, errorType: 'DataException', message: 'Upstream error' });
    const placed = await kite.execution.placeOrder(buyBack(ce));
    expect(Object.fromEntries(posts(f)[0]!.form)).toMatchObject({ order_type: 'MARKET', market_protection: '-1' });
    expect(log.some((l) => String(l.msg).startsWith('Kite exit: no quote to price it'))).toBe(true);
    f.setPrice(CE, 120); // past Kite's protection price (103): it rests
    expect(ours(f)[0]).toMatchObject({ status: 'OPEN', price: 103 });
    await driveUntil(clock, 'the re-price', () => puts(f).length === 1);
    expect(Object.fromEntries(puts(f)[0]!.form)).toMatchObject({ order_type: 'LIMIT', price: '132' });
    expect(repriced()[0]).toMatchObject({ from: 103, to: 132 });
    f.setPrice(CE, 121);
    expect(ours(f)).toEqual([expect.objectContaining({ order_id: placed.kind === 'accepted' ? placed.brokerOrderId : '', status: 'COMPLETE', average_price: 121 })]);
  });

  it('entries, futures and equity exits go as MARKET with market protection, as before', async () => {
    const f = await startFake();
    const { kite } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    await kite.execution.placeOrder({ clientOrderId: positionClientOrderId('k3x9a1', asStrategyId(43), '2026-12-07', 0, 'entry'), instrument: ce, side: 'sell', qty: 65, opens: true });
    await kite.execution.placeOrder({ clientOrderId: positionClientOrderId('k3x9a1', asStrategyId(44), '2026-12-07', 0, 'exit'), instrument: infy, side: 'sell', qty: 10, opens: false });
    for (const p of posts(f)) expect(Object.fromEntries(p.form)).toMatchObject({ order_type: 'MARKET', market_protection: '-1' });
    expect(posts(f).every((p) => !p.form.has('price'))).toBe(true);
    expect(f.requests().some((r) => r.path === '/quote')).toBe(false);
  });
});
