/**
 * The Kite fake's portfolio (GET /portfolio/positions, GET /portfolio/holdings) follows from its
 * fills and its start-of-day holdings, and the trader's hand sale (`sellByHand`, POST
 * /__fake/sell-by-hand) moves it; the adapter's `netQty` reads it, signed, for MIS and CNC accounts.
 * Raw fetch checks the shapes against kiteconnect-mocks' field lists; the rest goes through the
 * real adapter on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { createKiteBroker, type KiteBroker } from '../../engine/brokers/kite';
import type { Instrument } from '../../engine/brokers/broker';
import { DEFAULT_INSTRUMENTS } from '../fakes/kite/fake-instruments';
import { startKiteFake, type KiteFake, type KiteFakeOptions } from '../fakes/kite/kite-fake';
import { waitFor } from '../fakes/kite/wait-for';

let fake: KiteFake;
const brokers: KiteBroker[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.stop();
  await fake?.close();
});

/** The keys of a `net` row in kiteconnect-mocks c7a8123 positions.json. */
const POSITION_KEYS = ['average_price', 'buy_m2m', 'buy_price', 'buy_quantity', 'buy_value', 'close_price', 'day_buy_price', 'day_buy_quantity', 'day_buy_value', 'day_sell_price', 'day_sell_quantity', 'day_sell_value', 'exchange', 'instrument_token', 'last_price', 'm2m', 'multiplier', 'overnight_quantity', 'pnl', 'product', 'quantity', 'realised', 'sell_m2m', 'sell_price', 'sell_quantity', 'sell_value', 'tradingsymbol', 'unrealised', 'value'];
/** The keys of a row in kiteconnect-mocks c7a8123 holdings.json. */
const HOLDING_KEYS = ['authorisation', 'authorised_date', 'authorised_quantity', 'average_price', 'close_price', 'collateral_quantity', 'collateral_type', 'day_change', 'day_change_percentage', 'discrepancy', 'exchange', 'instrument_token', 'isin', 'last_price', 'mtf', 'opening_quantity', 'pnl', 'price', 'product', 'quantity', 'realised_quantity', 'short_quantity', 't1_quantity', 'tradingsymbol', 'used_quantity'];

async function setup(fakeOptions: KiteFakeOptions = {}, product: 'MIS' | 'CNC' = 'MIS'): Promise<{ kite: KiteBroker; infy: Instrument }> {
  fake = await startKiteFake({ prices: { INFY: 100 }, ...fakeOptions });
  const clock = new FakeClock(Date.parse('2026-03-09T04:00:00Z')); // 09:30 IST
  const kite = createKiteBroker({ clock, credentials: fake.credentials(), options: { ...fake.options(), product }, random: () => 0.5 });
  brokers.push(kite);
  return { kite, infy: (await kite.instruments.resolve('INFY', 'NSE'))! };
}

async function get(path: string, token = fake.accessToken): Promise<{ status: number; body: { status: string; data: unknown; error_type?: string } }> {
  const res = await fetch(`${fake.restUrl}${path}`, { headers: { 'X-Kite-Version': '3', Authorization: `token ${fake.apiKey}:${token}` } });
  return { status: res.status, body: (await res.json()) as { status: string; data: unknown } };
}

async function boughtVia(kite: KiteBroker, infy: Instrument, qty: number, tag = 'tcbuy1'): Promise<void> {
  expect(await kite.execution.placeOrder({ clientOrderId: tag, instrument: infy, side: 'buy', opens: true, qty })).toMatchObject({ kind: 'accepted' });
  await waitFor('the BUY filled', () => fake.orders().find((o) => o.tag === tag)?.status === 'COMPLETE');
}

describe('the fake\'s portfolio routes', () => {
  it('positions: {net, day} rows in positions.json\'s fields, derived from the fills; token checked', async () => {
    const { kite, infy } = await setup();
    expect((await get('/portfolio/positions')).body).toEqual({ status: 'success', data: { net: [], day: [] } });
    await boughtVia(kite, infy, 10);
    fake.setPrice('INFY', 104);
    const { body } = await get('/portfolio/positions');
    const { net, day } = body.data as { net: Record<string, unknown>[]; day: Record<string, unknown>[] };
    expect(net).toEqual(day);
    expect(Object.keys(net[0]!).sort()).toEqual(POSITION_KEYS);
    expect(net[0]).toMatchObject({ tradingsymbol: 'INFY', exchange: 'NSE', instrument_token: 408065, product: 'MIS', quantity: 10, average_price: 100, last_price: 104, buy_quantity: 10, buy_value: 1000, sell_quantity: 0, value: -1000, pnl: 40 });
    expect((await get('/portfolio/positions', 'wrongtoken')).body).toMatchObject({ status: 'error', error_type: 'TokenException' });
  });

  it('holdings: holdings.json\'s fields; quantity and t1_quantity stay all day, a CNC sale beyond today\'s buys shows as used_quantity', async () => {
    await setup({ holdings: [{ tradingsymbol: 'INFY', quantity: 5, t1Quantity: 3, averagePrice: 90 }] });
    const before = (await get('/portfolio/holdings')).body.data as Record<string, unknown>[];
    expect(Object.keys(before[0]!).sort()).toEqual(HOLDING_KEYS);
    expect(before[0]).toMatchObject({ tradingsymbol: 'INFY', exchange: 'NSE', instrument_token: 408065, product: 'CNC', quantity: 5, t1_quantity: 3, used_quantity: 0, opening_quantity: 8, average_price: 90, last_price: 100 });
    fake.sellByHand('INFY', 6, { product: 'CNC' });
    const after = (await get('/portfolio/holdings')).body.data as Record<string, unknown>[];
    expect(after[0]).toMatchObject({ quantity: 5, t1_quantity: 3, used_quantity: 6 });
    const { net } = (await get('/portfolio/positions')).body.data as { net: Record<string, unknown>[] };
    expect(net).toMatchObject([{ tradingsymbol: 'INFY', product: 'CNC', quantity: -6, sell_quantity: 6 }]);
  });

  it('a hand sale is an untagged order in GET /orders, not one of the API\'s requests; the admin route does the same', async () => {
    await setup();
    const order = fake.sellByHand('INFY', 2);
    expect(order).toMatchObject({ status: 'COMPLETE', tag: null, transaction_type: 'SELL', product: 'MIS', filled_quantity: 2, average_price: 100 });
    const res = await fetch(`${fake.restUrl}/__fake/sell-by-hand?symbol=INFY&qty=3&product=MIS`, { method: 'POST' });
    expect(await res.json()).toEqual({ status: 'success', data: { order_id: expect.stringMatching(/^\d{19}$/) } });
    expect(fake.orders().map((o) => [o.transaction_type, o.filled_quantity, o.tag])).toEqual([
      ['SELL', 2, null],
      ['SELL', 3, null],
    ]);
    expect(fake.requests().filter((r) => r.path.startsWith('/orders'))).toEqual([]);
    const bad = await fetch(`${fake.restUrl}/__fake/sell-by-hand?symbol=NOPE&qty=3`, { method: 'POST' });
    expect(bad.status).toBe(400);
  });
});

describe('netQty through the adapter', () => {
  it('MIS: the BUY, then what the trader\'s hand sales leave, then negative once they sold more (a short)', async () => {
    const { kite, infy } = await setup();
    expect(await kite.execution.netQty(infy)).toBe(0);
    await boughtVia(kite, infy, 10);
    expect(await kite.execution.netQty(infy)).toBe(10);
    fake.sellByHand('INFY', 4);
    expect(await kite.execution.netQty(infy)).toBe(6);
    fake.sellByHand('INFY', 10);
    expect(fake.positions().net).toMatchObject([{ product: 'MIS', quantity: -4 }]);
    expect(await kite.execution.netQty(infy)).toBe(-4);
    // An MIS account asks for positions only, never for holdings.
    expect(fake.requests().map((r) => `${r.method} ${r.path}`).filter((r) => r.includes('portfolio'))).toEqual(Array(4).fill('GET /portfolio/positions'));
  });

  it('MIS: a sell from flat opens an intraday short, negative; a buy covers it to 0', async () => {
    const { kite, infy } = await setup();
    expect(await kite.execution.placeOrder({ clientOrderId: 'tcshort1', instrument: infy, side: 'sell', opens: false, qty: 6 })).toMatchObject({ kind: 'accepted' });
    await waitFor('the short sale filled', () => fake.orders().find((o) => o.tag === 'tcshort1')?.status === 'COMPLETE');
    expect(fake.positions().net).toMatchObject([{ tradingsymbol: 'INFY', product: 'MIS', quantity: -6, sell_quantity: 6 }]);
    expect(await kite.execution.netQty(infy)).toBe(-6);
    await boughtVia(kite, infy, 6, 'tccover1');
    expect(await kite.execution.netQty(infy)).toBe(0);
  });

  it('CNC: a sell beyond what the demat holds is rejected by the RMS ("Check holdings"), never a short; within it, it fills', async () => {
    const { kite, infy } = await setup({ holdings: [{ tradingsymbol: 'INFY', quantity: 3 }] }, 'CNC');
    expect(await kite.execution.placeOrder({ clientOrderId: 'tcshort1', instrument: infy, side: 'sell', opens: false, qty: 5 })).toMatchObject({ kind: 'accepted' });
    await waitFor('the RMS rejected it', () => fake.orders().find((o) => o.tag === 'tcshort1')?.status === 'REJECTED');
    expect(fake.orders().find((o) => o.tag === 'tcshort1')).toMatchObject({ status_message_raw: 'RMS:Rule: Check holdings', filled_quantity: 0 });
    expect(await kite.execution.netQty(infy)).toBe(3);
    expect(await kite.execution.placeOrder({ clientOrderId: 'tcsell1', instrument: infy, side: 'sell', opens: false, qty: 3 })).toMatchObject({ kind: 'accepted' });
    await waitFor('the covered sell filled', () => fake.orders().find((o) => o.tag === 'tcsell1')?.status === 'COMPLETE');
    expect(await kite.execution.netQty(infy)).toBe(0);
  });

  it('an MIS account sells first (shortable not known per instrument); a CNC account cannot', async () => {
    const mis = await setup();
    expect(mis.kite.capabilities.sellFirst).toBe('intraday_product');
    expect(mis.infy).toMatchObject({ symbol: 'INFY', shortable: null });
    await fake.close();
    const cnc = await setup({}, 'CNC');
    expect(cnc.kite.capabilities.sellFirst).toBe('none');
    expect(cnc.infy).toMatchObject({ symbol: 'INFY', shortable: false });
  });

  it('MIS: a sale by hand in CNC does not close the MIS position', async () => {
    const { kite, infy } = await setup({ holdings: [{ tradingsymbol: 'INFY', quantity: 20 }] });
    await boughtVia(kite, infy, 10);
    fake.sellByHand('INFY', 10, { product: 'CNC' });
    expect(await kite.execution.netQty(infy)).toBe(10);
  });

  it('CNC: today\'s buy (positions) plus the demat\'s holding, T1 included; hand sales of either come off', async () => {
    const { kite, infy } = await setup({ holdings: [{ tradingsymbol: 'INFY', quantity: 2, t1Quantity: 3 }] }, 'CNC');
    expect(await kite.execution.netQty(infy)).toBe(5);
    await boughtVia(kite, infy, 10);
    expect(fake.orders()[0]).toMatchObject({ product: 'CNC' });
    expect(await kite.execution.netQty(infy)).toBe(15);
    fake.sellByHand('INFY', 12, { product: 'CNC' });
    expect(await kite.execution.netQty(infy)).toBe(3);
    fake.sellByHand('INFY', 3, { product: 'CNC' });
    expect(await kite.execution.netQty(infy)).toBe(0);
  });

  it('CNC bought on NSE and sold by hand on BSE: delivery is one demat, so nothing is left', async () => {
    // INFY's BSE row (scrip code 500209; token & 0xFF = 4, BSE) beside the default list.
    const { kite, infy } = await setup({ instruments: [...DEFAULT_INSTRUMENTS, { token: 500209 * 256 + 4, tradingsymbol: 'INFY', name: 'INFOSYS', exchange: 'BSE', segment: 'BSE', instrumentType: 'EQ', tickSize: 0.05, lotSize: 1 }] }, 'CNC');
    await boughtVia(kite, infy, 10);
    fake.sellByHand('INFY', 4, { product: 'CNC', exchange: 'BSE' });
    expect(fake.positions().net.map((p) => [p.exchange, p.quantity])).toEqual([
      ['NSE', 10],
      ['BSE', -4],
    ]);
    expect(await kite.execution.netQty(infy)).toBe(6);
  });

  it('a fault on the portfolio route throws, and asking again answers', async () => {
    const { kite, infy } = await setup();
    await boughtVia(kite, infy, 10);
    fake.failNext('GET /portfolio/positions', { kind: 'status', status: 503, errorType: 'NetworkException', message: 'Service unavailable' });
    await expect(kite.execution.netQty(infy)).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/NetworkException/) });
    fake.failNext('GET /portfolio/positions', { kind: 'garbage' });
    await expect(kite.execution.netQty(infy)).rejects.toMatchObject({ code: 'unavailable' });
    expect(await kite.execution.netQty(infy)).toBe(10);
    fake.revokeTokens();
    await expect(kite.execution.netQty(infy)).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
