/**
 * The stale-price watch over a real paper broker and market listener on a fake clock: a silent
 * stream cross-checked by REST quotes, at a bounded rate, only in session and only for positions.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { EventBus } from '../bus/event-bus';
import { FakeClock } from '../core/fake-clock';
import type { EngineEvent } from '../core/events';
import { asBrokerAccountId, asRunId, asStrategyId, asUserId } from '../core/ids';
import { createPaperBroker, type PaperBroker } from '../brokers/paper/paper-broker';
import { createTradingCalendar } from '../scheduler/trading-calendar';
import { MarketListener, type Crossing } from './market-listener';
import { StalePriceWatch } from './stale-price-watch';

const ACCOUNT = asBrokerAccountId(3);
const AAPL = 'NYSE:AAPL';
const S1 = asStrategyId(1);
const stop = (level: number) => [{ kind: 'STOPLOSS' as const, level, dir: 'down' as const }];

let broker: PaperBroker | undefined;
let watch: StalePriceWatch | undefined;
afterEach(async () => {
  watch?.close();
  await broker?.stop();
});

/** A position in AAPL (stop 95) on account 3, its stream ticking once at subscribe time and then silent. */
async function guarded(at: string, opts: { broker?: 'no-quote' | 'failing' | 'yesterday'; noTick?: boolean } = {}) {
  const clock = new FakeClock(Date.parse(at));
  broker = createPaperBroker({ clock, seed: 1, volatilityBps: 0, tickIntervalMs: 24 * 3_600_000 });
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.onAny((e) => events.push(e));
  const logger = pino({ level: 'silent' });
  const market = new MarketListener({ bus, clock, logger });
  const hits: Crossing[] = [];
  market.setCrossingHandler((hit) => hits.push(hit));
  market.attach({ id: ACCOUNT, userId: asUserId(1) }, broker);
  if (opts.broker === 'no-quote') Object.assign(broker.data, { quote: undefined });
  if (opts.broker === 'failing') Object.assign(broker.data, { quote: () => Promise.reject(new Error('HTTP 503 from the market-data host')) });
  // An IEX feed that has not traded yet today: its latest trade is last night's.
  if (opts.broker === 'yesterday') Object.assign(broker.data, { quote: async () => [{ symbol: 'AAPL', exchange: 'NYSE', price: 80, at: Date.parse('2026-03-06T20:59:59Z') }] });
  const quoted = broker.data.quote?.bind(broker.data);
  /** When each REST quote was asked, in seconds after the start. */
  const quoteTimes: number[] = [];
  const quotes = opts.broker ? null : vi.spyOn(broker.data, 'quote').mockImplementation((i) => (quoteTimes.push((clock.now() - Date.parse(at)) / 1000), quoted!(i)));
  watch = new StalePriceWatch({ market, clock, bus, calendar: createTradingCalendar(), logger, runOf: (id) => ({ userId: asUserId(1), runId: asRunId(id * 10) }) });
  await broker.start();
  const aapl = (await broker.instruments.resolve('AAPL', 'NYSE'))!;
  if (opts.noTick) broker.data.setFeed('stale', 'silent from the start');
  market.watch(ACCOUNT, broker, aapl, S1);
  await clock.advance(0); // the tick at subscribe time
  const position = () => market.setTriggers(ACCOUNT, AAPL, S1, 0, stop(95));
  const of = <T extends EngineEvent['type']>(type: T) => events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
  // The paper market's price moves underneath a stream that shows nothing (a frozen socket).
  const freeze = () => broker!.data.setFeed('stale', 'frozen for the test');
  return { clock, market, hits, events, of, position, quotes, quoteTimes, freeze, paper: broker };
}

describe('StalePriceWatch', () => {
  it('a stream silent beyond 15 s whose REST quote shows another price raises price_stale once, with the last price and its age', async () => {
    const t = await guarded('2026-03-09T14:00:00Z');
    t.position();
    t.freeze();
    t.paper.setPrice(AAPL, 98);
    await t.clock.advance(14_999);
    expect(t.of('price_stale')).toEqual([]);
    await t.clock.advance(1);
    expect(t.of('price_stale')).toEqual([
      {
        type: 'price_stale',
        userId: 1,
        strategyId: 1,
        runId: 10,
        instrument: AAPL,
        lastPrice: 100,
        lastPriceAt: Date.parse('2026-03-09T14:00:00Z'),
        lastPriceAgeMs: 15_000,
        quotePrice: 98,
        detail: 'a REST quote shows 98; it is acted on as a tick until the stream is back',
        at: Date.parse('2026-03-09T14:00:15Z'),
      },
    ]);
    await t.clock.advance(60_000);
    expect(t.of('price_stale')).toHaveLength(1);
    expect(watch!.staleOf(S1)).toEqual({ since: Date.parse('2026-03-09T14:00:15Z'), lastPrice: 100, lastPriceAt: Date.parse('2026-03-09T14:00:00Z') });
    expect(t.market.freshness.ageMs(ACCOUNT, AAPL, t.clock.now())).toBe(75_000);
  });

  it('a quote that crosses the stop reaches the trigger path once, labelled as from REST with the silence', async () => {
    const t = await guarded('2026-03-09T14:00:00Z');
    t.position();
    t.freeze();
    t.paper.setPrice(AAPL, 98);
    await t.clock.advance(16_000);
    expect(t.hits).toEqual([]);
    t.paper.setPrice(AAPL, 94.5);
    await t.clock.advance(5_000);
    expect(t.hits).toEqual([{ strategyId: 1, positionNo: 0, legNo: 0, kind: 'STOPLOSS', level: 95, price: 94.5, tickAt: Date.parse('2026-03-09T14:00:20Z'), source: 'rest', staleForMs: 20_000 }]);
    await t.clock.advance(60_000);
    expect(t.hits).toHaveLength(1);
  });

  it('over a long silence the REST quotes stay bounded: one per 5 s while stale, fewer and fewer (at most one a minute) while the quote agrees', async () => {
    const stale = await guarded('2026-03-09T14:00:00Z');
    stale.position();
    stale.freeze();
    stale.paper.setPrice(AAPL, 98);
    await stale.clock.advance(10 * 60_000);
    // The first check at 15 s, then every 5 s up to 600 s.
    expect(stale.quotes!.mock.calls.length).toBe(1 + Math.floor((600_000 - 15_000) / 5_000));
    watch!.close();
    await broker!.stop();

    const quiet = await guarded('2026-03-09T14:00:00Z');
    quiet.position();
    await quiet.clock.advance(10 * 60_000);
    // 15 s of silence, then twice the last wait (30 s, 60 s) up to a minute: 15, 45, 105, 165 … 585.
    expect(quiet.quotes!.mock.calls.length).toBe(11);
    expect(quiet.of('price_stale')).toEqual([]);
  });

  it('a quiet market is asked after 15, 30, 60 s and then every minute; a stream price, or a quote that disagrees, brings the wait back to 15 s', async () => {
    const t = await guarded('2026-03-09T14:00:00Z');
    t.position();
    await t.clock.advance(120_000);
    expect(t.quoteTimes).toEqual([15, 45, 105]);
    // The stream gives a price at 120 s: the quiet spell is over.
    t.paper.setPrice(AAPL, 100.5);
    await t.clock.advance(60_000);
    expect(t.quoteTimes).toEqual([15, 45, 105, 135, 165]);
    // The stream freezes and the price moves: the next quote disagrees (price_stale), and quotes go every 5 s.
    t.freeze();
    t.paper.setPrice(AAPL, 99);
    await t.clock.advance(65_000);
    expect(t.quoteTimes).toEqual([15, 45, 105, 135, 165, 225, 230, 235, 240, 245]);
    expect(t.of('price_stale')).toHaveLength(1);
  });

  it('a stream price after price_stale raises price_fresh with the silence, and the row is no longer stale', async () => {
    const t = await guarded('2026-03-09T14:00:00Z');
    t.position();
    t.freeze();
    t.paper.setPrice(AAPL, 98);
    await t.clock.advance(40_000);
    t.paper.setFeed('up');
    t.paper.setPrice(AAPL, 97.5);
    expect(t.of('price_fresh')).toEqual([{ type: 'price_fresh', userId: 1, strategyId: 1, runId: 10, instrument: AAPL, price: 97.5, silentForMs: 40_000, at: Date.parse('2026-03-09T14:00:40Z') }]);
    expect(watch!.staleOf(S1)).toBeNull();
    const calls = t.quotes!.mock.calls.length;
    await t.clock.advance(10_000);
    expect(t.quotes!.mock.calls.length).toBe(calls);
  });

  it('no alarm and no quote outside the session (a Saturday, after the close) nor for an instrument without a position', async () => {
    const weekend = await guarded('2026-03-07T15:00:00Z');
    weekend.position();
    weekend.freeze();
    weekend.paper.setPrice(AAPL, 90);
    await weekend.clock.advance(3_600_000);
    expect([weekend.quotes!.mock.calls.length, weekend.of('price_stale').length, weekend.hits.length]).toEqual([0, 0, 0]);
    watch!.close();
    await broker!.stop();

    // Friday 15:59:50 New York: the close comes before the bound, and Monday's open starts the count again.
    const close = await guarded('2026-03-06T20:59:50Z');
    close.position();
    close.freeze();
    close.paper.setPrice(AAPL, 98);
    await close.clock.advanceTo(Date.parse('2026-03-09T13:30:14Z'));
    expect([close.quotes!.mock.calls.length, close.of('price_stale').length]).toEqual([0, 0]);
    await close.clock.advanceTo(Date.parse('2026-03-09T13:30:15Z'));
    expect([close.quotes!.mock.calls.length, close.of('price_stale').length]).toEqual([1, 1]);
    watch!.close();
    await broker!.stop();

    const flat = await guarded('2026-03-09T14:00:00Z');
    flat.freeze();
    flat.paper.setPrice(AAPL, 98);
    await flat.clock.advance(3_600_000);
    expect([flat.quotes!.mock.calls.length, flat.of('price_stale').length]).toEqual([0, 0]);
  });

  it('a REST trade from before the open is no price for the session: no alarm, never acted on', async () => {
    // The stream has given no price at all: only the open tells last night's trade from a price.
    const t = await guarded('2026-03-09T13:29:00Z', { broker: 'yesterday', noTick: true });
    t.position();
    await t.clock.advance(5 * 60_000);
    expect([t.of('price_stale'), t.hits]).toEqual([[], []]);
  });

  it('a position closed while stale ends the episode without an event, and its quotes stop', async () => {
    const t = await guarded('2026-03-09T14:00:00Z');
    t.position();
    t.freeze();
    t.paper.setPrice(AAPL, 98);
    await t.clock.advance(20_000);
    t.market.clearTriggers(S1);
    const calls = t.quotes!.mock.calls.length;
    await t.clock.advance(60_000);
    expect([t.quotes!.mock.calls.length, watch!.staleOf(S1), t.of('price_fresh')]).toEqual([calls, null, []]);
  });

  it('a broker without a REST quote, or whose quote fails, raises price_stale saying so, and nothing crashes', async () => {
    const none = await guarded('2026-03-09T14:00:00Z', { broker: 'no-quote' });
    none.position();
    await none.clock.advance(15_000);
    expect(none.of('price_stale').map((e) => [e.quotePrice, e.detail])).toEqual([[null, 'this broker has no REST quote to cross-check it with']]);
    watch!.close();
    await broker!.stop();

    const failing = await guarded('2026-03-09T14:00:00Z', { broker: 'failing' });
    failing.position();
    await failing.clock.advance(30_000);
    expect(failing.of('price_stale').map((e) => e.detail)).toEqual(['the REST quote failed: HTTP 503 from the market-data host']);
  });
});
