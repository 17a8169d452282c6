import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import type { Exchange } from '../../core/types';
import type { Broker } from '../broker';
import { createPaperBroker } from './paper-broker';

const T0 = Date.parse('2026-03-09T03:45:00Z');

describe('paper broker', () => {
  it('is a Broker', () => {
    const broker: Broker = createPaperBroker({ clock: new FakeClock(T0) });
    expect(typeof broker.start).toBe('function');
  });

  it('states its capabilities', () => {
    const { capabilities } = createPaperBroker({ clock: new FakeClock(T0) });
    expect(capabilities).toEqual({
      kind: 'paper',
      exchanges: ['NSE', 'BSE', 'NFO', 'BFO', 'NYSE', 'NASDAQ', 'CRYPTO'],
      orderTypes: ['market'],
      rejectsDuplicateClientOrderId: true,
      placedOrderListedWithinMs: null,
      clientOrderIdMaxLength: 48,
      ordersPerSecond: null,
      ordersPerMinute: null,
      sessionExpiresDaily: null,
      fractionalQty: false,
      sellFirst: 'per_instrument',
      intradaySquareOff: null,
      simulated: true,
    });
  });

  it('resolves the symbols on its list, with brokerRef EXCHANGE:SYMBOL and the account\'s price step', async () => {
    const { instruments } = createPaperBroker({ clock: new FakeClock(T0), tickSize: 0.05 });
    expect(await instruments.resolve('INFY', 'NSE')).toEqual({ symbol: 'INFY', exchange: 'NSE', brokerRef: 'NSE:INFY', tickSize: 0.05, shortable: true });
    expect((await instruments.resolve('BRK.B', 'NYSE'))?.brokerRef).toBe('NYSE:BRK.B');
    expect((await instruments.resolve('M&M', 'BSE'))?.brokerRef).toBe('BSE:M&M');
    expect((await instruments.resolve('BTCUSD', 'CRYPTO'))?.brokerRef).toBe('CRYPTO:BTCUSD');
  });

  it.each([
    ['aapl', 'NASDAQ'],
    ['', 'NSE'],
    ['-X', 'NSE'],
    ['A'.repeat(31), 'NSE'],
    ['IN FY', 'NSE'],
    ['VOD', 'LSE'],
    ['APPL', 'NASDAQ'],
    ['INFY', 'CRYPTO'],
    ['AAPL', 'NSE'],
  ])('does not know %j on %s', async (symbol, exchange) => {
    const { instruments } = createPaperBroker({ clock: new FakeClock(T0) });
    expect(await instruments.resolve(symbol, exchange as Exchange)).toBeNull();
  });

  it('seeds from the clock when no seed is given, and says which seed it used', () => {
    expect(createPaperBroker({ clock: new FakeClock(T0) }).config.seed).toBe(T0);
    expect(createPaperBroker({ clock: new FakeClock(T0), seed: 9 }).config.seed).toBe(9);
  });

  it('stop() cancels every timer and nothing fires afterwards', async () => {
    const clock = new FakeClock(T0);
    const broker = createPaperBroker({ clock, seed: 1, ackLatencyMs: 50, fillLatencyMs: 500, scripts: { 'NSE:TCS': [{ afterMs: 60_000, price: 1 }] } });
    const calls: string[] = [];
    broker.data.onTick(() => calls.push('tick'));
    broker.data.onFeedState(() => calls.push('feed'));
    broker.execution.onOrderUpdate(() => calls.push('order'));
    await broker.start();
    const infy = await broker.instruments.resolve('INFY', 'NSE');
    const tcs = await broker.instruments.resolve('TCS', 'NSE');
    broker.data.subscribe([infy!, tcs!]);
    await broker.execution.placeOrder({ clientOrderId: 'A', instrument: infy!, side: 'buy', opens: true, qty: 1 });
    await clock.advance(100); // A acked, its fill pending
    await broker.execution.placeOrder({ clientOrderId: 'B', instrument: infy!, side: 'buy', opens: true, qty: 1 }); // ack pending
    await broker.execution.placeOrder({ clientOrderId: 'C', instrument: infy!, side: 'buy', opens: true, qty: 1 });
    await broker.execution.cancelOrder('C'); // cancel notice pending
    expect(clock.pendingTimers()).toBeGreaterThan(0);
    calls.length = 0;

    await broker.stop();
    expect(clock.pendingTimers()).toBe(0);
    broker.setPrice('NSE:INFY', 50);
    broker.setFeed('down');
    broker.data.subscribe([infy!]);
    await clock.advance(120_000);
    expect(calls).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
    expect(await broker.execution.placeOrder({ clientOrderId: 'D', instrument: infy!, side: 'buy', opens: true, qty: 1 })).toEqual({
      kind: 'rejected',
      reason: 'paper broker is stopped',
    });
    await expect(broker.start()).rejects.toThrow(/stopped/);
  });

  it('start() is idempotent', async () => {
    const clock = new FakeClock(T0);
    const broker = createPaperBroker({ clock });
    const feed: string[] = [];
    broker.data.onFeedState((s) => feed.push(s));
    await broker.start();
    await broker.start();
    expect(feed).toEqual(['up']);
    await broker.stop();
  });

  it('a throwing listener does not starve the others, and its error is not swallowed', async () => {
    const clock = new FakeClock(T0);
    const broker = createPaperBroker({ clock });
    const seen: string[] = [];
    broker.data.onFeedState(() => {
      throw new Error('listener bug');
    });
    broker.data.onFeedState((s) => seen.push(s));
    await expect(broker.start()).rejects.toThrow('listener bug');
    expect(seen).toEqual(['up']);
  });

  it('lets a listener unsubscribe itself while being called', async () => {
    const clock = new FakeClock(T0);
    const broker = createPaperBroker({ clock });
    let count = 0;
    const off = broker.data.onTick(() => {
      count++;
      off();
    });
    await broker.start();
    broker.data.subscribe([(await broker.instruments.resolve('INFY', 'NSE'))!]);
    await clock.advance(1000);
    expect(count).toBe(1);
    await broker.stop();
  });
});
