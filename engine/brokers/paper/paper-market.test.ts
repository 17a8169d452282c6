import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import type { FeedState } from '../../core/events';
import type { Exchange, Tick } from '../../core/types';
import type { Instrument } from '../broker';
import { createPaperBroker, type PaperBroker } from './paper-broker';
import type { PaperBrokerUserOptions } from './paper-config';

const T0 = Date.parse('2026-03-09T09:15:00Z');

function instrument(symbol: string, exchange: Exchange = 'NSE', tickSize = 0.01): Instrument {
  return { symbol, exchange, brokerRef: `${exchange}:${symbol}`, tickSize, shortable: true };
}

async function setup(options: PaperBrokerUserOptions = {}) {
  const clock = new FakeClock(T0);
  const broker = createPaperBroker({ clock, seed: 7, ...options });
  const ticks: Tick[] = [];
  const feed: FeedState[] = [];
  broker.data.onTick((t) => ticks.push(t));
  broker.data.onFeedState((s) => feed.push(s));
  await broker.start();
  return { clock, broker, ticks, feed };
}

/** Prices of the first `n` ticks of one instrument under `options`. */
async function series(options: PaperBrokerUserOptions, symbol = 'INFY', n = 50): Promise<number[]> {
  const { clock, broker, ticks } = await setup(options);
  broker.data.subscribe([instrument(symbol)]);
  await clock.advance(250 * (n - 1));
  await broker.stop();
  return ticks.filter((t) => t.symbol === symbol).map((t) => t.price);
}

const onGrid = (price: number, tick: number) => new Decimal(price).mod(tick).isZero();

describe('paper market', () => {
  it("reports the feed 'up' on start", async () => {
    const { feed } = await setup();
    expect(feed).toEqual(['up']);
  });

  it('ticks at subscribe time and then every tickIntervalMs, stamped with clock.now()', async () => {
    const { clock, broker, ticks } = await setup({ tickIntervalMs: 1000 });
    broker.data.subscribe([instrument('INFY')]);
    expect(ticks).toEqual([]); // never synchronously inside subscribe()
    await clock.advance(3500);
    expect(ticks.map((t) => t.at - T0)).toEqual([0, 1000, 2000, 3000]);
    expect(ticks[0]).toEqual({ symbol: 'INFY', exchange: 'NSE', price: 100, at: T0 });
  });

  it('starts from startPrices, rounded to the tick', async () => {
    const { clock, broker, ticks } = await setup({ startPrices: { 'NSE:INFY': 1512.347 } });
    broker.data.subscribe([instrument('INFY')]);
    await clock.advance(0);
    expect(ticks[0]?.price).toBe(1512.35);
  });

  it('walks deterministically: same seed, same series; another seed, another series', async () => {
    const a = await series({ seed: 11 });
    const b = await series({ seed: 11 });
    const c = await series({ seed: 12 });
    expect(a).toHaveLength(50);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a).size).toBeGreaterThan(5); // it does move
  });

  it("gives an instrument the same series whatever else is subscribed", async () => {
    const alone = await series({ seed: 3 });
    const { clock, broker, ticks } = await setup({ seed: 3 });
    broker.data.subscribe([instrument('TCS'), instrument('WIPRO', 'BSE')]);
    await clock.advance(110);
    broker.data.subscribe([instrument('INFY')]);
    await clock.advance(250 * 49);
    expect(ticks.filter((t) => t.symbol === 'INFY').map((t) => t.price)).toEqual(alone);
  });

  it('keeps every price on the tick grid and above zero', async () => {
    const prices = await series({ seed: 5, tickSize: 0.05, volatilityBps: 50 }, 'INFY', 400);
    expect(prices.every((p) => onGrid(p, 0.05))).toBe(true);
    const tiny = await series({ seed: 5, startPrices: { 'NSE:PENNY': 0.02 }, volatilityBps: 1000 }, 'PENNY', 400);
    expect(Math.min(...tiny)).toBe(0.01); // the walk reaches the one-tick floor and stops there
    expect(tiny.every((p) => onGrid(p, 0.01))).toBe(true);
  });

  it('plays a script at its exact times and prices, then holds the last price on the beat', async () => {
    const script = [
      { afterMs: 0, price: 100 },
      { afterMs: 600, price: 97.5 },
      { afterMs: 750, price: 99 },
      { afterMs: 1100, price: 94.004 },
    ];
    const { clock, broker, ticks } = await setup({ scripts: { 'NSE:INFY': script } });
    await clock.advance(40);
    broker.data.subscribe([instrument('INFY')]);
    await clock.advance(1700);
    expect(ticks.map((t) => [t.at - T0 - 40, t.price])).toEqual([
      [0, 100],
      [250, 100],
      [500, 100],
      [600, 97.5],
      [750, 99], // a point on a beat gives one tick, at the script's price
      [1000, 99],
      [1100, 94], // rounded to the tick
      [1250, 94],
      [1500, 94],
    ]);
  });

  it('restarts a script on resubscribe', async () => {
    const { clock, broker, ticks } = await setup({ tickIntervalMs: 10_000, scripts: { 'NSE:INFY': [{ afterMs: 100, price: 90 }] } });
    broker.data.subscribe([instrument('INFY')]);
    await clock.advance(150);
    broker.data.unsubscribe([instrument('INFY')]);
    broker.setPrice('NSE:INFY', 95);
    broker.data.subscribe([instrument('INFY')]);
    await clock.advance(150);
    expect(ticks.map((t) => [t.at - T0, t.price])).toEqual([[0, 100], [100, 90], [150, 95], [250, 90]]);
  });

  it('starts the ticks of instruments subscribed before start() when it runs', async () => {
    const clock = new FakeClock(T0);
    const broker = createPaperBroker({ clock, seed: 1 });
    const ticks: Tick[] = [];
    broker.data.onTick((t) => ticks.push(t));
    broker.data.subscribe([instrument('INFY')]);
    await clock.advance(1000);
    expect(ticks).toEqual([]);
    await broker.start();
    await clock.advance(500);
    expect(ticks.map((t) => t.at - T0)).toEqual([1000, 1250, 1500]);
  });

  it('treats subscriptions as a set: subscribing twice ticks once, one unsubscribe stops it', async () => {
    const { clock, broker, ticks } = await setup();
    const infy = instrument('INFY');
    broker.data.subscribe([infy, infy]);
    await clock.advance(100);
    broker.data.subscribe([infy]);
    await clock.advance(400);
    expect(ticks.map((t) => t.at - T0)).toEqual([0, 250, 500]);
    expect(broker.data.subscriptions()).toEqual(['NSE:INFY']);
    broker.data.unsubscribe([infy]);
    await clock.advance(5000);
    expect(ticks).toHaveLength(3);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('unsubscribe stops only the instruments named', async () => {
    const { clock, broker, ticks } = await setup();
    broker.data.subscribe([instrument('INFY'), instrument('TCS')]);
    await clock.advance(250);
    broker.data.unsubscribe([instrument('INFY'), instrument('NOTSUBSCRIBED')]);
    ticks.length = 0;
    await clock.advance(1000);
    expect(new Set(ticks.map((t) => t.symbol))).toEqual(new Set(['TCS']));
  });

  it('setFeed pauses and resumes ticks and reports each state', async () => {
    const { clock, broker, ticks, feed } = await setup();
    const detail: (string | null)[] = [];
    broker.data.onFeedState((_, d) => detail.push(d));
    broker.data.subscribe([instrument('INFY')]);
    await clock.advance(250);
    broker.setFeed('down', 'test outage');
    await clock.advance(1000);
    expect(ticks.map((t) => t.at - T0)).toEqual([0, 250]);
    broker.setFeed('up');
    await clock.advance(250);
    expect(ticks.map((t) => t.at - T0)).toEqual([0, 250, 1500]);
    expect(feed).toEqual(['up', 'down', 'up']);
    expect(detail).toEqual(['test outage', null]);
  });

  it('setPrice ticks at once when subscribed, and moves the walk from there', async () => {
    const { clock, broker, ticks } = await setup({ volatilityBps: 1 });
    broker.setPrice('NSE:INFY', 250.004); // not subscribed: no tick, but the price is set
    expect(ticks).toEqual([]);
    broker.data.subscribe([instrument('INFY')]);
    await clock.advance(100);
    broker.setPrice('NSE:INFY', 93.456);
    expect(ticks.map((t) => [t.at - T0, t.price])).toEqual([[0, 250], [100, 93.46]]);
    await clock.advance(150);
    expect(Math.abs(ticks[2]!.price - 93.46)).toBeLessThanOrEqual(0.01);
  });

  it('setPrice rejects a bad key or price', async () => {
    const { broker } = await setup();
    expect(() => broker.setPrice('INFY', 10)).toThrowError(/instrumentKey/);
    expect(() => broker.setPrice('NSE:INFY', 0)).toThrowError(/price/);
    expect(() => broker.setPrice('NSE:INFY', Number.NaN)).toThrowError(/price/);
  });
});
