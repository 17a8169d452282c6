import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import type { Tick } from '../../core/types';
import { blackScholes } from '../../options/black-scholes';
import { resolveLegContract } from '../../options/resolve-leg-contract';
import { createPaperBroker } from './paper-broker';
import { parseSymbol } from './paper-option-chain';

/** Monday 7 December 2026, 09:00 IST. */
const MONDAY_0900_IST = Date.parse('2026-12-07T03:30:00Z');
const HOUR = 3_600_000;

function paper(options: Parameters<typeof createPaperBroker>[0] extends infer O ? Omit<O, 'clock'> : never = {}) {
  const clock = new FakeClock(MONDAY_0900_IST);
  return { clock, broker: createPaperBroker({ clock, seed: 1, tickIntervalMs: 60_000, ...options }) };
}

describe('the paper option chain', () => {
  it('lists expiries by weekday rule: NIFTY Tuesday weeklies and monthlies, BANKNIFTY monthlies only, SENSEX Thursdays', () => {
    const { broker } = paper();
    const chain = broker.optionChain;
    expect(chain.calendar('NIFTY')).toEqual({ underlying: 'NIFTY', optionExpiries: ['2026-12-08', '2026-12-15', '2026-12-22', '2026-12-29', '2027-01-26', '2027-02-23'], futureExpiries: ['2026-12-29', '2027-01-26', '2027-02-23'] });
    expect(chain.calendar('BANKNIFTY')!.optionExpiries).toEqual(['2026-12-29', '2027-01-26', '2027-02-23']);
    expect(chain.calendar('SENSEX')!.optionExpiries.slice(0, 2)).toEqual(['2026-12-10', '2026-12-17']);
    expect(chain.calendar('RELIANCE')).toBeNull();
  });

  it('resolves a leg at the money of the simulated index, with the exchange lot size', () => {
    const { broker } = paper({ startPrices: { 'NSE:NIFTY 50': 26_012 } });
    const leg = resolveLegContract(broker.optionChain, { kind: 'option', underlying: 'NIFTY', expiry: { kind: 'current_week' }, right: 'CE', strike: { kind: 'atm' } }, { today: '2026-12-07', spot: 26_012 });
    expect(leg).toMatchObject({ ok: true, value: { atm: 26_000, contract: { tradingsymbol: 'NIFTY26D0826000CE', exchange: 'NFO', expiry: '2026-12-08', strike: 26_000, kind: 'CE', lotSize: 65, tickSize: 0.05 } } });
    const bank = resolveLegContract(broker.optionChain, { kind: 'option', underlying: 'BANKNIFTY', expiry: { kind: 'current_month' }, right: 'PE', strike: { kind: 'atm_offset', steps: 2 } }, { today: '2026-12-07', spot: 59_000 });
    expect(bank).toMatchObject({ ok: true, value: { contract: { tradingsymbol: 'BANKNIFTY26D2958800PE', lotSize: 30 } } });
    const sensex = broker.optionChain.future('SENSEX', '2026-12-31');
    expect(sensex).toMatchObject({ tradingsymbol: 'SENSEX26DECFUT', exchange: 'BFO', lotSize: 20 });
  });

  it('prices by Black-Scholes from the index, to 15:30 IST of the expiry, on the 0.05 tick', async () => {
    const { broker, clock } = paper({ startPrices: { 'NSE:NIFTY 50': 26_012 }, optionVolatility: 0.12 });
    const years = (Date.parse('2026-12-08T10:00:00Z') - clock.now()) / (365 * 24 * HOUR);
    const expected = blackScholes({ right: 'CE', spot: 26_012, strike: 26_000, years, volatility: 0.12, rate: 0 });
    const price = broker.data.priceOf('NFO', 'NIFTY26D0826000CE');
    expect(Math.abs(price - expected)).toBeLessThanOrEqual(0.025);
    expect(Math.round(price / 0.05) * 0.05).toBeCloseTo(price, 10);
    expect(price).toBeGreaterThan(12); // above its value at expiry: 30.5 hours are left
    // Past 15:30 IST of its expiry an option is worth what it pays.
    await clock.advanceTo(Date.parse('2026-12-08T10:00:01Z'));
    expect(broker.data.priceOf('NFO', 'NIFTY26D0826000CE')).toBe(12);
    expect(broker.data.priceOf('NFO', 'NIFTY26D0826000PE')).toBe(0.05);
  });

  it('ticks a subscribed contract from the index it follows, which streams with it, and fills at its price and slippage', async () => {
    const { broker, clock } = paper({ startPrices: { 'NSE:NIFTY 50': 26_000 }, slippageBps: 100 });
    await broker.start();
    const ce = (await broker.instruments.resolve('NIFTY26D0826000CE', 'NFO'))!;
    expect(ce).toEqual({ symbol: 'NIFTY26D0826000CE', exchange: 'NFO', brokerRef: 'NFO:NIFTY26D0826000CE', tickSize: 0.05, shortable: true, lotSize: 65 });
    const ticks: Tick[] = [];
    broker.data.onTick((t) => ticks.push(t));
    broker.data.subscribe([ce]);
    await clock.advance(0);
    expect(broker.data.subscriptions()).toEqual(['NSE:NIFTY 50', 'NFO:NIFTY26D0826000CE']);
    const before = ticks.find((t) => t.symbol === ce.symbol)!.price;
    broker.setPrice('NSE:NIFTY 50', 26_200);
    await clock.advance(60_000);
    const after = ticks.filter((t) => t.symbol === ce.symbol).at(-1)!.price;
    expect(after).toBeGreaterThan(before + 100);
    expect(() => broker.setPrice('NFO:NIFTY26D0826000CE', 50)).toThrow(/priced from NSE:NIFTY 50/);

    const placed = await broker.execution.placeOrder({ clientOrderId: 'o1', instrument: ce, side: 'buy', qty: 65, opens: true });
    expect(placed.kind).toBe('accepted');
    await clock.advance(0);
    const fill = broker.placedOrders()[0]!.report;
    const now = broker.data.priceOf('NFO', ce.symbol);
    expect(fill).toMatchObject({ status: 'filled', filledQty: 65 });
    expect(fill.avgFillPrice).toBeCloseTo(Math.ceil((now * 1.01) / 0.05) * 0.05, 8);

    broker.data.unsubscribe([ce]);
    expect(broker.data.subscriptions()).toEqual([]);
    await broker.stop();
  });

  it('resolves only listed paper contracts and the indices, and refuses to order an index', async () => {
    const { broker } = paper();
    expect(await broker.instruments.resolve('NIFTY26D0826025CE', 'NFO')).toBeNull(); // off the 50 step
    expect(await broker.instruments.resolve('NIFTY26D0126000CE', 'NFO')).toBeNull(); // expired
    expect(await broker.instruments.resolve('NIFTY26D0826000CE', 'BFO')).toBeNull();
    expect(await broker.instruments.resolve('NIFTY26DECFUT', 'NFO')).toMatchObject({ lotSize: 65 });
    const spot = (await broker.instruments.resolve('NIFTY 50', 'NSE'))!;
    expect(spot).toMatchObject({ symbol: 'NIFTY 50', exchange: 'NSE', shortable: false });
    expect(spot.lotSize).toBeUndefined();
    expect(await broker.instruments.search!('NIFTY', { limit: 5 })).toEqual([]);
    expect(await broker.execution.placeOrder({ clientOrderId: 'o1', instrument: spot, side: 'buy', qty: 1, opens: true })).toEqual({ kind: 'rejected', reason: 'NSE:NIFTY 50 is an index: it has a price, and cannot be ordered' });
  });

  it('reads its own names back', () => {
    expect(parseSymbol('SENSEX26D1785000PE')).toMatchObject({ underlying: 'SENSEX', exchange: 'BFO', expiry: '2026-12-17', strike: 85_000, kind: 'PE', lotSize: 20 });
    expect(parseSymbol('FINNIFTY27JANFUT')).toMatchObject({ expiry: '2027-01-26', kind: 'FUT', lotSize: 60 });
    expect(parseSymbol('NIFTY26N3126000CE')).toBeNull(); // 31 November
    expect(parseSymbol('NIFTY26D08026000CE')).toBeNull();
    expect(parseSymbol('INFY')).toBeNull();
  });
});
