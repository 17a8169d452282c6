/**
 * The paper broker's `netQty`: the account's signed net position from its own fills, less what the
 * trader sold by hand (`sellByHand`), negative for a short; null for an instrument this book never
 * traded (it lives in memory, so after a restart it cannot tell what an earlier process bought).
 * And its sell-first facts: every instrument shortable, a sell from flat opens a short.
 */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors';
import { FakeClock } from '../../core/fake-clock';
import type { Instrument, PlaceOrderRequest } from '../broker';
import { createPaperBroker } from './paper-broker';

const T0 = Date.parse('2026-03-09T04:00:00Z');
const INFY: Instrument = { symbol: 'INFY', exchange: 'NSE', brokerRef: 'NSE:INFY', tickSize: 0.05, shortable: true };
const TCS: Instrument = { symbol: 'TCS', exchange: 'NSE', brokerRef: 'NSE:TCS', tickSize: 0.05, shortable: true };
const INFY_BSE: Instrument = { ...INFY, exchange: 'BSE', brokerRef: 'BSE:INFY' };

async function setup() {
  const clock = new FakeClock(T0);
  const broker = createPaperBroker({ clock, seed: 7, ackLatencyMs: 10, fillLatencyMs: 20 });
  await broker.start();
  const place = async (clientOrderId: string, over: Partial<PlaceOrderRequest> = {}) => broker.execution.placeOrder({ clientOrderId, instrument: INFY, side: 'buy', qty: 10, ...over, opens: over.opens ?? (over.side ?? 'buy') === 'buy' });
  return { clock, broker, place, held: (i: Instrument = INFY) => broker.execution.netQty(i) };
}

describe('paper netQty', () => {
  it('cannot tell (null) before this book traded the instrument, and counts a buy only once it has filled', async () => {
    const { clock, place, held } = await setup();
    expect(await held()).toBeNull();
    await place('B1');
    expect(await held()).toBeNull(); // accepted, not filled
    await clock.advance(30);
    expect(await held()).toBe(10);
  });

  it('is buys minus sells, per exchange and symbol', async () => {
    const { clock, place, held } = await setup();
    await place('B1');
    await place('B2', { instrument: TCS, qty: 3 });
    await clock.advance(30);
    await place('S1', { side: 'sell', qty: 4 });
    await clock.advance(30);
    expect([await held(INFY), await held(TCS), await held(INFY_BSE)]).toEqual([6, 3, null]);
  });

  it('leaves out an order cancelled before it filled, and counts one whose answer a fault hid', async () => {
    const { clock, broker, place, held } = await setup();
    await place('B1');
    await broker.execution.cancelOrder('B1');
    broker.failNextPlace('unknown-but-accepted');
    expect(await place('B2', { qty: 7 })).toMatchObject({ kind: 'unknown' });
    await clock.advance(30);
    expect(await held()).toBe(7);
  });

  it('sellByHand: the trader sold in the broker\'s app; a sale beyond the holding leaves a short, negative', async () => {
    const { clock, broker, place, held } = await setup();
    await place('B1');
    await clock.advance(30);
    broker.sellByHand('NSE:INFY', 4);
    expect(await held()).toBe(6);
    broker.sellByHand('NSE:INFY', 6);
    expect(Object.is(await held(), 0)).toBe(true); // flat, and still known to this book
    broker.sellByHand('NSE:INFY', 4);
    expect(await held()).toBe(-4);
    expect(broker.execution.holdingOf('NSE:INFY')).toBe(-4);
    // No order of Tradeclock's was involved: none is listed.
    expect(broker.placedOrders().map((o) => o.request.clientOrderId)).toEqual(['B1']);
  });

  it('a sell from flat opens a short, negative; a buy covers it back to flat', async () => {
    const { clock, place, held } = await setup();
    expect(await place('S1', { side: 'sell', qty: 5 })).toMatchObject({ kind: 'accepted' });
    await clock.advance(30);
    expect(await held()).toBe(-5);
    await place('C1', { side: 'buy', qty: 5 });
    await clock.advance(30);
    expect(await held()).toBe(0);
  });

  it('says every instrument can be sold first', async () => {
    const { broker } = await setup();
    expect(broker.capabilities.sellFirst).toBe('per_instrument');
    expect(await broker.instruments.resolve('INFY', 'NSE')).toMatchObject({ shortable: true });
    expect(await broker.instruments.resolve('AAPL', 'NASDAQ')).toMatchObject({ shortable: true });
  });

  it('sellByHand refuses what is not a hand sale', async () => {
    const { broker } = await setup();
    expect(() => broker.sellByHand('INFY', 1)).toThrow(/EXCHANGE:SYMBOL/);
    expect(() => broker.sellByHand('NSE:INFY', 0)).toThrow(/whole number above 0/);
    expect(() => broker.sellByHand('NSE:INFY', 1.5)).toThrow(/whole number above 0/);
  });

  it('throws "unavailable" when told to, once per call, and once stopped', async () => {
    const { broker, held } = await setup();
    broker.failNextNetQty();
    broker.failNextNetQty('positions endpoint down');
    await expect(held()).rejects.toMatchObject({ code: 'unavailable' });
    await expect(held()).rejects.toThrow('positions endpoint down');
    expect(await held()).toBeNull();
    await broker.stop();
    await expect(held()).rejects.toBeInstanceOf(DomainError);
  });
});
