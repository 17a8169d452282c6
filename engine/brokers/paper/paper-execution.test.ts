import { describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock';
import { DomainError } from '../../core/errors';
import { FakeClock } from '../../core/fake-clock';
import type { Exchange } from '../../core/types';
import type { Instrument, OrderReport, PlaceOrderRequest } from '../broker';
import { createPaperBroker } from './paper-broker';
import type { PaperBrokerUserOptions } from './paper-config';

const T0 = Date.parse('2026-03-09T14:30:00Z');

function instrument(symbol = 'AAPL', exchange: Exchange = 'NASDAQ'): Instrument {
  return { symbol, exchange, brokerRef: `${exchange}:${symbol}`, tickSize: 0.01, shortable: true };
}

function order(clientOrderId: string, overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return { clientOrderId, instrument: instrument(), side: 'buy', qty: 10, ...overrides, opens: overrides.opens ?? (overrides.side ?? 'buy') === 'buy' };
}

async function setup(options: PaperBrokerUserOptions = {}) {
  const clock = new FakeClock(T0);
  const broker = createPaperBroker({ clock, seed: 7, ...options });
  const updates: OrderReport[] = [];
  broker.execution.onOrderUpdate((r) => updates.push(r));
  await broker.start();
  const summary = () => updates.map((u) => [u.clientOrderId, u.status, u.avgFillPrice, u.at - T0]);
  return { clock, broker, updates, summary };
}

describe('paper execution', () => {
  it('accepts, then streams accepted and filled only after the promise resolved', async () => {
    const { clock, broker, updates, summary } = await setup();
    const result = await broker.execution.placeOrder(order('E1'));
    expect(result).toEqual({ kind: 'accepted', brokerOrderId: 'paper-1', at: T0 });
    expect(updates).toEqual([]);
    await clock.advance(0);
    expect(summary()).toEqual([
      ['E1', 'accepted', null, 0],
      ['E1', 'filled', 100, 0],
    ]);
    expect(updates[1]).toEqual({ clientOrderId: 'E1', brokerOrderId: 'paper-1', status: 'filled', filledQty: 10, avgFillPrice: 100, at: T0, reason: null });
  });

  it('on the real clock too, updates come only after the placeOrder promise resolved', async () => {
    const broker = createPaperBroker({ clock: systemClock, seed: 1 });
    const events: string[] = [];
    const filled = new Promise<void>((resolve) =>
      broker.execution.onOrderUpdate((r) => {
        events.push(r.status);
        if (r.status === 'filled') resolve();
      }),
    );
    await broker.start();
    await broker.execution.placeOrder(order('E1'));
    events.push('resolved');
    await filled;
    await broker.stop();
    expect(events).toEqual(['resolved', 'accepted', 'filled']);
  });

  it('numbers broker order ids paper-1, paper-2, …', async () => {
    const { broker } = await setup();
    const a = await broker.execution.placeOrder(order('A'));
    const b = await broker.execution.placeOrder(order('B', { side: 'sell' }));
    expect([a, b].map((r) => (r.kind === 'accepted' ? r.brokerOrderId : r.kind))).toEqual(['paper-1', 'paper-2']);
  });

  it('acks after ackLatencyMs and fills fillLatencyMs later, at the price of that moment', async () => {
    const { clock, broker, summary } = await setup({ ackLatencyMs: 100, fillLatencyMs: 200 });
    await broker.execution.placeOrder(order('E1'));
    await clock.advance(150);
    broker.setPrice('NASDAQ:AAPL', 101.5);
    await clock.advance(200);
    expect(summary()).toEqual([
      ['E1', 'accepted', null, 0], // the status dates from placement
      ['E1', 'filled', 101.5, 300],
    ]);
  });

  it.each([
    ['buy', 5, 100, 100.05],
    ['sell', 5, 100, 99.95],
    ['buy', 3, 33.33, 33.34], // 33.339999 rounds up against the buyer
    ['sell', 3, 33.33, 33.32], // 33.320001 rounds down against the seller
    ['buy', 0, 0.1, 0.1],
  ] as const)('fills a %s with %d bps slippage on %d at %d', async (side, slippageBps, price, expected) => {
    const { clock, broker, updates } = await setup({ slippageBps, startPrices: { 'NASDAQ:AAPL': price } });
    await broker.execution.placeOrder(order('X', { side }));
    await clock.advance(0);
    expect(updates.at(-1)?.avgFillPrice).toBe(expected);
  });

  it('fills at the last tick of a subscribed, scripted instrument', async () => {
    const { clock, broker, updates } = await setup({ scripts: { 'NSE:INFY': [{ afterMs: 1000, price: 94.2 }] } });
    broker.data.subscribe([instrument('INFY', 'NSE')]);
    await clock.advance(1000);
    await broker.execution.placeOrder(order('SL', { instrument: instrument('INFY', 'NSE'), side: 'sell' }));
    await clock.advance(0);
    expect(updates.at(-1)).toMatchObject({ status: 'filled', avgFillPrice: 94.2 });
  });

  it('fills an instrument nobody subscribed at its start price', async () => {
    const { clock, broker, updates } = await setup({ startPrices: { 'BSE:RELIANCE': 2950.25 } });
    await broker.execution.placeOrder(order('R', { instrument: instrument('RELIANCE', 'BSE') }));
    await clock.advance(0);
    expect(updates.at(-1)?.avgFillPrice).toBe(2950.25);
  });

  it('rejects a reused client order id, as Alpaca does', async () => {
    const { clock, broker } = await setup();
    await broker.execution.placeOrder(order('E1'));
    await clock.advance(0);
    expect(await broker.execution.placeOrder(order('E1', { side: 'sell' }))).toEqual({ kind: 'rejected', reason: 'duplicate client order id' });
    expect(broker.placedOrders()).toHaveLength(1);
    expect(broker.capabilities.rejectsDuplicateClientOrderId).toBe(true);
  });

  it('takes a crypto pair in whole steps, and refuses a quantity off the step, naming it', async () => {
    const { clock, broker } = await setup();
    const btc = instrument('BTC/USDT', 'CRYPTO');
    expect(await broker.execution.placeOrder(order('C1', { instrument: btc, qty: 0.000151 }))).toEqual({ kind: 'rejected', reason: "qty 0.000151 is not a multiple of BTC/USDT's step 0.00001" });
    expect(await broker.execution.placeOrder(order('C2', { instrument: btc, qty: 0.0015 }))).toMatchObject({ kind: 'accepted' });
    await clock.advance(1_000);
    expect(await broker.execution.placeOrder(order('C3', { instrument: btc, side: 'sell', qty: 0.0006, opens: false }))).toMatchObject({ kind: 'accepted' });
    await clock.advance(1_000);
    // 0.0015 - 0.0006 in floats is 0.0009000000000000001; the book holds the decimal.
    expect(broker.execution.holdingOf('CRYPTO:BTC/USDT')).toBe(0.0009);
  });

  it.each([
    [{ qty: 1.5 }, /qty/],
    [{ qty: 0 }, /qty/],
    [{ clientOrderId: 'x'.repeat(49) }, /longer than 48/],
    [{ clientOrderId: '' }, /required/],
    [{ instrument: instrument('aapl') }, /unknown instrument/],
  ])('rejects a malformed request %j without recording it', async (overrides, reason) => {
    const { broker } = await setup();
    const result = await broker.execution.placeOrder(order('E1', overrides));
    expect(result.kind).toBe('rejected');
    expect(result.kind === 'rejected' && result.reason).toMatch(reason);
    expect(broker.placedOrders()).toEqual([]);
  });

  it('looks orders up by client order id: null, then accepted, then filled', async () => {
    const { clock, broker } = await setup({ fillLatencyMs: 50 });
    expect(await broker.execution.lookupOrder('E1')).toBeNull();
    await broker.execution.placeOrder(order('E1'));
    expect(await broker.execution.lookupOrder('E1')).toMatchObject({ status: 'accepted', brokerOrderId: 'paper-1', filledQty: 0 });
    await clock.advance(50);
    expect(await broker.execution.lookupOrder('E1')).toMatchObject({ status: 'filled', filledQty: 10, avgFillPrice: 100, at: T0 + 50 });
  });

  it('cancels an order before its fill: accepted then cancelled, never filled', async () => {
    const { clock, broker, summary } = await setup({ ackLatencyMs: 10, fillLatencyMs: 100 });
    await broker.execution.placeOrder(order('E1'));
    await broker.execution.placeOrder(order('E2'));
    await clock.advance(10); // both acked
    await broker.execution.cancelOrder('E1');
    await broker.execution.cancelOrder('E2'); // twice-cancelled is still one cancel
    await broker.execution.cancelOrder('E2');
    await clock.advance(500);
    expect(summary()).toEqual([
      ['E1', 'accepted', null, 0],
      ['E2', 'accepted', null, 0],
      ['E1', 'cancelled', null, 10],
      ['E2', 'cancelled', null, 10],
    ]);
    expect(await broker.execution.lookupOrder('E1')).toMatchObject({ status: 'cancelled', filledQty: 0 });
  });

  it('cancelling before the ack still streams accepted first', async () => {
    const { clock, broker, summary } = await setup();
    await broker.execution.placeOrder(order('E1'));
    await broker.execution.cancelOrder('E1');
    await clock.advance(1000);
    expect(summary()).toEqual([
      ['E1', 'accepted', null, 0],
      ['E1', 'cancelled', null, 0],
    ]);
  });

  it('leaves a filled order alone on cancel and refuses an unknown id', async () => {
    const { clock, broker } = await setup();
    await broker.execution.placeOrder(order('E1'));
    await clock.advance(0);
    await broker.execution.cancelOrder('E1');
    expect((await broker.execution.lookupOrder('E1'))?.status).toBe('filled');
    const error = await broker.execution.cancelOrder('NOPE').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('not_found');
  });

  it("failNextPlace('reject') refuses one placement and records nothing", async () => {
    const { clock, broker, updates } = await setup();
    broker.failNextPlace('reject');
    expect(await broker.execution.placeOrder(order('E1'))).toEqual({ kind: 'rejected', reason: 'injected rejection' });
    await clock.advance(100);
    expect(updates).toEqual([]);
    expect(await broker.execution.lookupOrder('E1')).toBeNull();
    expect((await broker.execution.placeOrder(order('E1'))).kind).toBe('accepted');
  });

  it("failNextPlace('unknown') answers unknown and the broker never saw the order", async () => {
    const { clock, broker } = await setup();
    broker.failNextPlace('unknown');
    expect((await broker.execution.placeOrder(order('E1'))).kind).toBe('unknown');
    await clock.advance(100);
    expect(await broker.execution.lookupOrder('E1')).toBeNull();
    expect(broker.placedOrders()).toEqual([]);
    expect((await broker.execution.placeOrder(order('E1'))).kind).toBe('accepted'); // the resend after a null lookup
  });

  it("failNextPlace('unknown-but-accepted') answers unknown, yet the order exists and fills", async () => {
    const { clock, broker, summary } = await setup();
    broker.failNextPlace('unknown-but-accepted');
    expect(await broker.execution.placeOrder(order('E1'))).toEqual({ kind: 'unknown', reason: expect.stringMatching(/timeout/) });
    await clock.advance(0);
    expect(await broker.execution.lookupOrder('E1')).toMatchObject({ status: 'filled', brokerOrderId: 'paper-1', avgFillPrice: 100 });
    expect(summary().map((s) => s[1])).toEqual(['accepted', 'filled']);
    expect(broker.placedOrders().map((o) => o.answer)).toEqual(['unknown']);
    // A blind resend is caught by the duplicate rule; the engine should have looked it up first.
    expect((await broker.execution.placeOrder(order('E1'))).kind).toBe('rejected');
    expect(broker.placedOrders()).toHaveLength(1);
  });

  it('silent unknown-but-accepted leaves lookupOrder as the only witness', async () => {
    const { clock, broker, updates } = await setup();
    broker.failNextPlace('unknown-but-accepted', { silent: true });
    await broker.execution.placeOrder(order('E1'));
    await clock.advance(0);
    expect(updates).toEqual([]);
    expect((await broker.execution.lookupOrder('E1'))?.status).toBe('filled');
  });

  it('queues injected faults, one per placement', async () => {
    const { broker } = await setup();
    broker.failNextPlace('unknown');
    broker.failNextPlace('reject');
    const kinds = [];
    for (const id of ['A', 'B', 'C']) kinds.push((await broker.execution.placeOrder(order(id))).kind);
    expect(kinds).toEqual(['unknown', 'rejected', 'accepted']);
  });

  it('lists placed orders as snapshots for tests to count', async () => {
    const { clock, broker } = await setup();
    const req = order('E1');
    await broker.execution.placeOrder(req);
    const before = broker.placedOrders();
    await clock.advance(0);
    expect(before[0]).toMatchObject({ brokerOrderId: 'paper-1', placedAt: T0, answer: 'accepted', report: { status: 'accepted' } });
    expect(before[0]?.request).toEqual(req);
    expect(broker.placedOrders()[0]?.report.status).toBe('filled');
  });

  it('validates any credentials', async () => {
    const { broker } = await setup();
    expect(await broker.execution.validateCredentials()).toEqual({ ok: true });
  });
});
