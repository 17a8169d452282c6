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
import type { Instrument, OrderReport, PlaceOrderRequest } from '../../engine/brokers/broker';
import { CIRCUIT_REFUSAL, MODIFY_LIMIT_REFUSAL } from '../fakes/kite/fake-matching';
import { FakeClock } from '../../engine/core/fake-clock';
import { asStrategyId, positionClientOrderId } from '../../engine/core/ids';
import { DEFAULT_INSTRUMENTS } from '../fakes/kite/fake-instruments';
import { fakeOptionChain } from '../fakes/kite/fake-option-chain';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { waitFor } from '../fakes/kite/wait-for';

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
const deletes = (f: KiteFake) => f.requests().filter((r) => r.method === 'DELETE' && r.path.startsWith('/orders/'));
const ours = (f: KiteFake) => f.orders().filter((o) => o.tag === EXIT_ID);

/** Every report the broker hands the engine. */
function collect(kite: KiteBroker): OrderReport[] {
  const reports: OrderReport[] = [];
  kite.execution.onOrderUpdate((r) => reports.push(r));
  return reports;
}

/** Engine time on by `ms`, with real pauses for the loopback I/O the timers start. */
async function drive(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 500) {
    await clock.advance(500);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Engine time on, half a second a step, until `condition` holds (at most `maxMs` of engine time,
 * 20 s unless given, and 5 s of real time): a timer the chase sets only once loopback I/O has
 * answered (the instrument master after a restart) is then still reached, however loaded the machine.
 */
async function driveUntil(clock: FakeClock, what: string, condition: () => boolean, maxMs = 20_000): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (let t = 0; !condition(); t += 500) {
    if (t > maxMs || Date.now() > deadline) throw new Error(`timed out driving the clock until ${what}`);
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
    // Only what changes: Kite keeps the order's quantity (pykiteconnect's modify_order sends only the fields given).
    expect(Object.fromEntries(puts(f)[0]!.form)).toEqual({ order_type: 'LIMIT', price: '132', validity: 'DAY' });
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
    // 140 + 3 × 5% = 161; the quantity is not sent, so Kite keeps the order's whole quantity, the filled part included.
    expect(Object.fromEntries(puts(f)[1]!.form)).toEqual({ order_type: 'LIMIT', price: '161', validity: 'DAY' });
    expect(ours(f)[0]).toMatchObject({ quantity: 65, filled_quantity: 25 });
    expect(repriced()[1]).toMatchObject({ from: 132, to: 161, filledQty: 25 });

    f.setPrice(CE, 150);
    expect(ours(f)).toEqual([expect.objectContaining({ order_id: orderId, status: 'COMPLETE', filled_quantity: 65 })]);
    expect(ours(f)[0]!.average_price).toBeCloseTo((25 * 131 + 40 * 150) / 65, 6);
    expect(posts(f)).toHaveLength(1);
  });

  it('at exit_max_modifications the order is cancelled, and its report passes (lasting: false) so the engine places a new attempt', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock, log } = broker(f, { exit_max_modifications: 1 });
    const reports = collect(kite);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await kite.execution.placeOrder(buyBack(ce));
    const orderId = placed.kind === 'accepted' ? placed.brokerOrderId : '';
    f.setPrice(CE, 120);
    await driveUntil(clock, 'the one re-price', () => puts(f).length === 1);
    f.setPrice(CE, 140);
    await driveUntil(clock, 'the cancel', () => deletes(f).length === 1);
    expect(deletes(f)[0]!.path).toBe(`/orders/regular/${orderId}`);
    expect(log.some((l) => l.level === 50 && String(l.msg).startsWith('Kite exit chase gives up (unfilled after 1 re-prices (exit_max_modifications 1))'))).toBe(true);
    await driveUntil(clock, 'the cancel reported', () => reports.some((r) => r.status === 'cancelled'));
    const why = /^Tradeclock cancelled the exit at Kite: unfilled after 1 re-prices \(exit_max_modifications 1\); a new attempt follows$/;
    expect(reports.find((r) => r.status === 'cancelled')).toMatchObject({ clientOrderId: EXIT_ID, brokerOrderId: orderId, filledQty: 0, lasting: false, reason: expect.stringMatching(why) });
    // A lookup says the same (the engine's reconciler may hear it that way first).
    expect(await kite.execution.lookupOrder(EXIT_ID)).toMatchObject({ status: 'cancelled', lasting: false, reason: expect.stringMatching(why) });
    await drive(clock, 6_000);
    expect(puts(f)).toHaveLength(1);
    expect(deletes(f)).toHaveLength(1);
    expect(ours(f)).toEqual([expect.objectContaining({ status: 'CANCELLED', price: 132 })]);
  });

  it('Kite refusing a re-price with "Maximum allowed order modifications exceeded" cancels it the same way', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock } = broker(f);
    const reports = collect(kite);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    await kite.execution.placeOrder(buyBack(ce));
    f.failNext('PUT /orders', { kind: 'status', status: 400, errorType: 'NetworkException', message: MODIFY_LIMIT_REFUSAL });
    f.setPrice(CE, 120);
    await driveUntil(clock, 'the cancel reported', () => reports.some((r) => r.status === 'cancelled'));
    expect(deletes(f)).toHaveLength(1);
    expect(reports.find((r) => r.status === 'cancelled')).toMatchObject({ lasting: false, reason: expect.stringContaining('Maximum allowed order modifications exceeded') });
  });

  it('a re-price refused naming a price limit steps back halfway toward the resting price, not further out', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock, log } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    await kite.execution.placeOrder(buyBack(ce));
    // NSE's LPP range (from its 30 s average) narrower than ours: the exchange refuses 132.
    f.failNext('PUT /orders', { kind: 'status', status: 400, errorType: 'InputException', message: CIRCUIT_REFUSAL });
    f.setPrice(CE, 120);
    await driveUntil(clock, 'the re-price after the refusal', () => puts(f).length === 2);
    expect(puts(f)[0]!.form.get('price')).toBe('132');
    // Halfway from 105 (resting) to 132 (refused), on the tick toward the resting price.
    expect(puts(f)[1]!.form.get('price')).toBe('118.5');
    expect(log.some((l) => l.msg === 'Kite refused the re-price naming a price limit; the next steps back halfway toward the resting price')).toBe(true);
    expect(ours(f)[0]).toMatchObject({ status: 'OPEN', price: 118.5 });
  });

  it("a long option's exit is a sell below the last price, chased down", async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await kite.execution.placeOrder({ ...buyBack(ce), side: 'sell' });
    expect(Object.fromEntries(posts(f)[0]!.form)).toMatchObject({ order_type: 'LIMIT', price: '95', transaction_type: 'SELL' });
    f.setPrice(CE, 80); // below 95: the sell rests
    await driveUntil(clock, 'the re-price', () => puts(f).length === 1);
    // 80 − 2 × 5% = 72, inside the band (80 − 0.8 × 32 = 54.4).
    expect(puts(f)[0]!.form.get('price')).toBe('72');
    f.setPrice(CE, 73);
    expect(ours(f)).toEqual([expect.objectContaining({ order_id: placed.kind === 'accepted' ? placed.brokerOrderId : '', status: 'COMPLETE', average_price: 73 })]);
  });

  it('stop() ends the chase: no modify after it', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    await kite.execution.placeOrder(buyBack(ce));
    f.setPrice(CE, 120);
    await kite.stop();
    await drive(clock, 10_000);
    expect(puts(f)).toHaveLength(0);
    expect(ours(f)[0]).toMatchObject({ status: 'OPEN', price: 105 });
  });

  it('rounds that fail back off, and only some are logged', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock, log } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await kite.execution.placeOrder(buyBack(ce));
    const orderId = placed.kind === 'accepted' ? placed.brokerOrderId : '';
    f.setPrice(CE, 120);
    f.failNext('GET /quote', { kind: 'status', status: 502, errorType: 'DataException', message: 'Upstream error' }, 100);
    const start = clock.now();
    const looks = () => f.requests().filter((r) => r.method === 'GET' && r.path === `/orders/${orderId}`).length;
    // Every 2 s, the 4th look would come at 8 s; backing off 2, 4, 8, 16 s it comes at 30 s (later if the loopback I/O lags: a wait starts when its round ends).
    await driveUntil(clock, 'the 4th look', () => looks() >= 4, 40_000);
    expect(clock.now() - start).toBeGreaterThanOrEqual(30_000);
    // Failures 1, 2 and 4 are logged, not 3.
    await driveUntil(clock, "the 4th look's warning", () => log.filter((l) => String(l.msg).startsWith('Kite exit chase has no quote this round')).length >= 3);
    expect(log.filter((l) => String(l.msg).startsWith('Kite exit chase has no quote this round')).map((l) => l.failuresInARow)).toEqual([1, 2, 4]);
    expect(puts(f)).toHaveLength(0);
  });

  it('counts the modifications it made itself when the history read lags behind them', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock } = broker(f, { exit_max_modifications: 1 });
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await kite.execution.placeOrder(buyBack(ce));
    const orderId = placed.kind === 'accepted' ? placed.brokerOrderId : '';
    f.setPrice(CE, 120);
    await driveUntil(clock, 'the one re-price', () => puts(f).length === 1);
    // The next read of the order's history has not caught up with the modify: no MODIFIED row yet.
    const stale = { order_id: orderId, status: 'OPEN', tag: EXIT_ID, exchange: 'NFO', tradingsymbol: CE, transaction_type: 'BUY', order_type: 'LIMIT', quantity: 65, filled_quantity: 0, price: 105 };
    f.failNext(`GET /orders/${orderId}`, { kind: 'data', data: [stale] });
    f.setPrice(CE, 140);
    await driveUntil(clock, 'a second modify or the cancel', () => puts(f).length > 1 || deletes(f).length > 0);
    expect(puts(f)).toHaveLength(1);
    expect(deletes(f)).toHaveLength(1);
  });

  it("with /quote failing, the ticker's last price within the last known circuit prices the step", async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock, log } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const ticks: number[] = [];
    kite.data.onTick((t) => ticks.push(t.price));
    await kite.start();
    kite.data.subscribe([ce]);
    await driveUntil(clock, 'the snapshot tick', () => ticks.length > 0);
    await kite.execution.placeOrder(buyBack(ce)); // its quote is the last known circuit
    f.failNext('GET /quote', { kind: 'status', status: 502, errorType: 'DataException', message: 'Upstream error' }, 100);
    f.setPrice(CE, 120);
    await driveUntil(clock, 'the tick of 120', () => ticks.includes(120));
    await driveUntil(clock, 'the re-price', () => puts(f).length === 1);
    expect(puts(f)[0]!.form.get('price')).toBe('132');
    expect(log.some((l) => String(l.msg).startsWith("Kite exit chase has no quote this round; it prices by the ticker's last price"))).toBe(true);
  });

  it('a fill on the order stream ends the chase at once: it never looks at the order again', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock } = broker(f);
    const reports = collect(kite);
    await kite.start();
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await kite.execution.placeOrder(buyBack(ce));
    const orderId = placed.kind === 'accepted' ? placed.brokerOrderId : '';
    f.setPrice(CE, 104); // crosses the 105 buy: filled, and streamed
    const deadline = Date.now() + 5_000;
    while (!reports.some((r) => r.status === 'filled') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(reports.find((r) => r.status === 'filled')).toMatchObject({ brokerOrderId: orderId, avgFillPrice: 104 });
    await drive(clock, 6_000);
    expect(f.requests().filter((r) => r.path === `/orders/${orderId}`)).toHaveLength(0);
  });

  it('a LIMIT exit refused with a 400 (nothing placed) goes again at once as MARKET with protection, under the same tag', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    f.failNext('POST /orders/regular', { kind: 'status', status: 400, errorType: 'InputException', message: 'Invalid `price`.' });
    const placed = await kite.execution.placeOrder(buyBack(ce));
    expect(placed).toMatchObject({ kind: 'accepted' });
    expect(posts(f)).toHaveLength(2);
    expect(Object.fromEntries(posts(f)[0]!.form)).toMatchObject({ order_type: 'LIMIT', price: '105', tag: EXIT_ID });
    expect(Object.fromEntries(posts(f)[1]!.form)).toMatchObject({ order_type: 'MARKET', market_protection: '-1', tag: EXIT_ID });
    expect(ours(f)).toHaveLength(1);
  });

  it("the legs of a straddle exiting together are priced by one GET /quote, both as LIMITs", async () => {
    const f = await startFake();
    const PE = 'NIFTY26D0826000PE';
    f.setPrice(PE, 90);
    const { kite, clock } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const pe = (await kite.instruments.resolve(PE, 'NFO'))!;
    const peExit = positionClientOrderId('k3x9a1', asStrategyId(42), '2026-12-07', 1, 'exit');
    await kite.data.quote!([ce]); // an LTP read has just taken Kite's 1 quote request a second
    const placing = Promise.all([kite.execution.placeOrder(buyBack(ce)), kite.execution.placeOrder({ clientOrderId: peExit, instrument: pe, side: 'buy', qty: 65, opens: false })]);
    // Both exits wait for the quote slot in one request (engine time stands still until they have joined it).
    await waitFor('both legs in the opening quote request', () => kite.exitChase.quoteWaiting('opening') === 2);
    await clock.advance(1_000);
    await placing;
    const quotes = f.requests().filter((r) => r.path === '/quote');
    expect(quotes).toHaveLength(1);
    expect(quotes[0]!.query.getAll('i').sort()).toEqual([`NFO:${CE}`, `NFO:${PE}`]);
    expect(posts(f).map((p) => [p.form.get('tradingsymbol'), p.form.get('order_type'), p.form.get('price')]).sort()).toEqual([
      [CE, 'LIMIT', '105'],
      [PE, 'LIMIT', '94.5'],
    ]);
  });

  it('an opening quote that does not come within a second: the exit goes as MARKET with protection', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    f.failNext('GET /quote', { kind: 'stall' });
    const placing = kite.execution.placeOrder(buyBack(ce));
    // The quote's 1 s timer is running once the stalled request has reached the fake.
    const deadline = Date.now() + 5_000;
    while (!f.requests().some((r) => r.path === '/quote') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await clock.advance(1_000);
    expect(await placing).toMatchObject({ kind: 'accepted' });
    expect(Object.fromEntries(posts(f)[0]!.form)).toMatchObject({ order_type: 'MARKET', market_protection: '-1' });
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

  it("a cancel Kite refuses leaves no mark: the trader's own cancel after it is the trader's, not a chase's give-up", async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock, log } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await kite.execution.placeOrder(buyBack(ce));
    const orderId = placed.kind === 'accepted' ? placed.brokerOrderId : '';
    // The chase gives up (Kite refuses more modifies), and Kite refuses its DELETE outright.
    f.failNext('PUT /orders', { kind: 'status', status: 400, errorType: 'NetworkException', message: MODIFY_LIMIT_REFUSAL });
    f.failNext('DELETE /orders', { kind: 'status', status: 400, errorType: 'OrderException', message: 'Order cannot be cancelled as it is being processed. Try later.' });
    f.setPrice(CE, 120);
    await driveUntil(clock, 'the refused cancel', () => log.some((l) => l.msg === 'Kite exit chase could not cancel the order; it looks again later'));
    // While the chase backs off, the trader cancels the exit in Kite's app (to exit by hand).
    f.cancelByHand(orderId);
    const seen = await kite.execution.lookupOrder(EXIT_ID);
    expect(seen).toMatchObject({ status: 'cancelled', brokerOrderId: orderId });
    // Not passed as ours: the engine must not place attempt 2 beside the trader's own exit.
    expect(seen!.lasting).not.toBe(false);
    expect(seen!.reason ?? '').not.toMatch(/Tradeclock cancelled/);
    expect(deletes(f)).toHaveLength(1);
  });

  it('a crash between the give-up cancel and its report: the lookup after the restart reads the spent modifications and passes it', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const first = broker(f, { exit_max_modifications: 1 });
    const ce = (await first.kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await first.kite.execution.placeOrder(buyBack(ce));
    const orderId = placed.kind === 'accepted' ? placed.brokerOrderId : '';
    f.setPrice(CE, 120);
    await driveUntil(first.clock, 'the one re-price', () => puts(f).length === 1);
    await first.kite.stop();
    f.cancelByHand(orderId); // the chase's DELETE reached Kite as the process died: nothing here remembers it
    const second = broker(f, { exit_max_modifications: 1 });
    expect(await second.kite.execution.lookupOrder(EXIT_ID)).toMatchObject({ status: 'cancelled', lasting: false, reason: expect.stringMatching(/^Tradeclock cancelled the exit at Kite before a restart: unfilled after 1 re-prices \(exit_max_modifications 1\)/) });
  });

  it("after a restart, a cancelled exit with modifications left is the trader's", async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const first = broker(f);
    const ce = (await first.kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await first.kite.execution.placeOrder(buyBack(ce));
    const orderId = placed.kind === 'accepted' ? placed.brokerOrderId : '';
    f.setPrice(CE, 120);
    await driveUntil(first.clock, 'the one re-price', () => puts(f).length === 1);
    await first.kite.stop();
    f.cancelByHand(orderId);
    const second = broker(f);
    const seen = await second.kite.execution.lookupOrder(EXIT_ID);
    expect(seen).toMatchObject({ status: 'cancelled' });
    expect(seen!.lasting).not.toBe(false);
  });

  it('a LIMIT exit refused for anything but its price (margin, a 5xx, a 400 without Kite\'s envelope) is not sent again as MARKET', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const faults = [
      { kind: 'status', status: 400, errorType: 'MarginException', message: 'Insufficient funds. Required margin is 95417.84 but available margin is 74251.80.' },
      { kind: 'status', status: 503, errorType: 'NetworkException', message: 'Service unavailable' },
      { kind: 'status', status: 400 },
    ] as const;
    for (const [i, fault] of faults.entries()) {
      f.failNext('POST /orders/regular', fault);
      const before = posts(f).length;
      let placed: Awaited<ReturnType<typeof kite.execution.placeOrder>> | null = null;
      void kite.execution.placeOrder({ ...buyBack(ce), clientOrderId: positionClientOrderId('k3x9a1', asStrategyId(50 + i), '2026-12-07', 0, 'exit') }).then((r) => (placed = r));
      await driveUntil(clock, `the placement meeting fault ${i}`, () => placed !== null);
      expect(placed!.kind).not.toBe('accepted');
      expect(posts(f).length - before).toBe(1);
    }
    expect(posts(f).every((p) => p.form.get('order_type') === 'LIMIT')).toBe(true);
    expect(f.orders()).toHaveLength(0);
  });

  it('an exit found resting after a restart while the instrument master cannot be downloaded is not cancelled: the master is read again and the chase resumes', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const first = broker(f);
    const ce = (await first.kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await first.kite.execution.placeOrder(buyBack(ce));
    const orderId = placed.kind === 'accepted' ? placed.brokerOrderId : '';
    await first.kite.stop();
    f.setPrice(CE, 120);
    const second = broker(f);
    f.failNext('GET /instruments/NFO', { kind: 'status', status: 502 });
    expect(await second.kite.execution.lookupOrder(EXIT_ID)).toMatchObject({ brokerOrderId: orderId, status: 'accepted' });
    await driveUntil(second.clock, 'the failed master read', () => second.log.some((l) => String(l.msg).startsWith('Kite exit found resting on a lookup, but the instrument master could not be read')));
    expect(deletes(f)).toHaveLength(0);
    // The master's own retry wait (a minute) passes; the chase then prices the order.
    await driveUntil(second.clock, 'the re-price or a cancel', () => puts(f).length > 0 || deletes(f).length > 0, 120_000);
    expect(deletes(f)).toHaveLength(0);
    expect(puts(f)[0]!.path).toBe(`/orders/regular/${orderId}`);
    expect(ours(f)[0]).toMatchObject({ status: 'OPEN' });
  });

  it("with /quote failing, a ticker price older than MAX_TICK_AGE_MS does not price a step", async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock, log } = broker(f, { exit_reprice_after_ms: 15_000 });
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const ticks: number[] = [];
    kite.data.onTick((t) => ticks.push(t.price));
    await kite.start();
    kite.data.subscribe([ce]);
    await driveUntil(clock, 'the snapshot tick', () => ticks.length > 0);
    await kite.execution.placeOrder(buyBack(ce));
    f.failNext('GET /quote', { kind: 'status', status: 502, errorType: 'DataException', message: 'Upstream error' }, 100);
    f.setPrice(CE, 120); // ticked now; the chase's first look is 15 s on, when the tick is stale
    await driveUntil(clock, 'the tick of 120', () => ticks.includes(120));
    kite.data.unsubscribe([ce]); // the ticker falls silent: its last price only ages
    await driveUntil(clock, 'the first look at the order', () => f.requests().some((r) => r.method === 'GET' && r.path.startsWith('/orders/') && r.path !== '/orders/'));
    await driveUntil(clock, 'the first round decided', () => log.some((l) => String(l.msg).startsWith('Kite exit chase has no quote this round')));
    expect(log.some((l) => l.msg === 'Kite exit chase has no quote this round; it looks again later')).toBe(true);
    expect(puts(f)).toHaveLength(0);
  });

  it('a stale lookup re-adopting an order while a round of its ended chase is under way: only the new chase goes on, one look and one modify at a time', async () => {
    const f = await startFake();
    f.setCircuit(CE, 0.05, 400);
    const { kite, clock, log } = broker(f);
    const ce = (await kite.instruments.resolve(CE, 'NFO'))!;
    const placed = await kite.execution.placeOrder(buyBack(ce));
    const orderId = placed.kind === 'accepted' ? placed.brokerOrderId : '';
    f.setPrice(CE, 120);
    const open = { order_id: orderId, status: 'OPEN', tag: EXIT_ID, exchange: 'NFO', tradingsymbol: CE, transaction_type: 'BUY', order_type: 'LIMIT', quantity: 65, filled_quantity: 0, price: 105 };
    // The first chase's round reads the order slowly, then finds no quote.
    f.failNext(`GET /orders/${orderId}`, { kind: 'slow', ms: 300 });
    f.failNext('GET /quote', { kind: 'status', status: 502, errorType: 'DataException', message: 'Upstream error' });
    const looks = () => f.requests().filter((r) => r.method === 'GET' && r.path === `/orders/${orderId}`).length;
    await driveUntil(clock, "the first chase's look", () => looks() === 1);
    // Meanwhile the stream ends that chase (a report of the order), and a stale lookup (OPEN) adopts it again.
    kite.execution.handleOrderMessage({ ...open, status: 'CANCELLED' });
    f.failNext('GET /orders', { kind: 'data', data: [open] });
    await kite.execution.lookupOrder(EXIT_ID);
    await waitFor('the first chase round over', () => log.some((l) => l.msg === 'Kite exit chase has no quote this round; it looks again later'));
    await driveUntil(clock, 'the re-price', () => puts(f).length >= 1);
    await drive(clock, 1_500);
    // One chase: one look, one modify (two rounds would have looked and modified twice).
    expect(looks()).toBe(2);
    expect(puts(f)).toHaveLength(1);
  });
});
