/**
 * The market listener over a real paper broker on a fake clock: ticks in, crossings out, with
 * the trigger index between them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { EventBus } from '../bus/event-bus';
import { FakeClock } from '../core/fake-clock';
import { asBrokerAccountId, asStrategyId, asUserId, type StrategyId } from '../core/ids';
import { createPaperBroker, type PaperBroker } from '../brokers/paper/paper-broker';
import { resolveLevels, watchLevels } from '../core/run-policy/levels';
import { PLAN } from '../core/run-policy/test-support';
import type { RunPlan } from '../core/run-policy/types';
import { asRunId } from '../core/ids';
import { MarketListener, type Crossing, type LevelsMoved } from './market-listener';

const ACCOUNT = asBrokerAccountId(3);
const AAPL = 'NYSE:AAPL';
const stop = (level: number) => [{ kind: 'STOPLOSS' as const, level, dir: 'down' as const }];
const above = (level: number) => [{ kind: 'STOPLOSS' as const, level, dir: 'up' as const }];

let broker: PaperBroker | undefined;
afterEach(async () => broker?.stop());

async function listening(opts: { logged?: unknown[] } = {}) {
  const clock = new FakeClock(Date.parse('2026-03-09T14:00:00Z'));
  broker = createPaperBroker({ clock, seed: 1 });
  const logged = opts.logged ?? [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const market = new MarketListener({ bus: new EventBus(), clock, logger });
  const hits: Crossing[] = [];
  market.setCrossingHandler((hit) => hits.push(hit));
  market.attach({ id: ACCOUNT, userId: asUserId(1) }, broker);
  await broker.start();
  const aapl = (await broker.instruments.resolve('AAPL', 'NYSE'))!;
  const watch = (id: StrategyId) => market.watch(ACCOUNT, broker!, aapl, id);
  const tick = (price: number) => broker!.setPrice(AAPL, price);
  return { clock, market, hits, watch, tick, broker: broker! };
}

describe('MarketListener crossings', () => {
  it('a tick at or below an armed stop reports it once, with the run\'s leg, the level, the price and the tick time', async () => {
    const { clock, market, hits, watch, tick } = await listening();
    watch(asStrategyId(1));
    tick(100);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 2, stop(95));
    tick(95.01);
    expect(hits).toEqual([]);
    expect(market.isStopArmed(asStrategyId(1))).toBe(true);
    tick(95);
    expect(hits).toEqual([{ strategyId: 1, positionNo: 0, legNo: 2, kind: 'STOPLOSS', level: 95, price: 95, tickAt: clock.now(), source: 'stream', staleForMs: null }]);
    expect(market.isStopArmed(asStrategyId(1))).toBe(false);
    tick(90);
    expect(hits).toHaveLength(1);
  });

  it('an up level fires when the price rises to it', async () => {
    const { market, hits, watch, tick } = await listening();
    watch(asStrategyId(1));
    tick(100);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, above(110));
    tick(109.99);
    expect(hits).toEqual([]);
    tick(112);
    expect(hits.map((h) => [h.strategyId, h.level, h.price])).toEqual([[1, 110, 112]]);
  });

  it('set where the last price has already crossed fires at once (a fill below the stop waits for no tick), either side', async () => {
    const { market, hits, watch, tick } = await listening();
    watch(asStrategyId(1));
    tick(94);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, stop(95));
    expect(hits.map((h) => [h.strategyId, h.price])).toEqual([[1, 94]]);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(2), 0, above(94));
    expect(hits.map((h) => [h.strategyId, h.price])).toEqual([[1, 94], [2, 94]]);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(3), 0, stop(93.99));
    expect(hits).toHaveLength(2);
    expect(market.armedTriggers()).toBe(1);
  });

  it('set against a last price older than the stale bound fires labelled with its age, so the exit says it rested on an old price', async () => {
    const { clock, market, hits, watch, tick } = await listening();
    watch(asStrategyId(1));
    tick(94);
    broker!.data.setFeed('down', 'no ticks for the test');
    await clock.advance(15_000);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, stop(95));
    await clock.advance(1);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(2), 0, stop(95));
    expect(hits.map((h) => [h.strategyId, h.source, h.staleForMs])).toEqual([[1, 'stream', null], [2, 'stream', 15_001]]);
  });

  it('with no price yet, set arms and waits for the first tick', async () => {
    const { market, hits } = await listening();
    market.setTriggers(ACCOUNT, 'NYSE:MSFT', asStrategyId(1), 0, stop(95));
    expect(hits).toEqual([]);
    expect(market.isStopArmed(asStrategyId(1))).toBe(true);
  });

  it('the stop is armed as a stop-loss or as a trailing stop; a target or a ratchet alone is no stop', async () => {
    const { market } = await listening();
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, [{ kind: 'TRAIL_STOP', level: 97, dir: 'down' }, { kind: 'RATCHET', level: 101, dir: 'up' }]);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(2), 0, [{ kind: 'TARGET', level: 110, dir: 'up' }, { kind: 'RATCHET', level: 101, dir: 'up' }]);
    expect([market.isStopArmed(asStrategyId(1)), market.isStopArmed(asStrategyId(2))]).toEqual([true, false]);
  });

  it('clear disarms; a new set replaces the old one, and its crossing names the new leg', async () => {
    const { market, hits, watch, tick } = await listening();
    watch(asStrategyId(1));
    tick(100);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, stop(95));
    market.clearTriggers(asStrategyId(1));
    tick(90);
    expect(hits).toEqual([]);
    tick(100);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, stop(99));
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 1, stop(95));
    tick(97);
    expect(hits).toEqual([]);
    tick(95);
    expect(hits.map((h) => [h.legNo, h.level])).toEqual([[1, 95]]);
  });

  it('every run a tick crosses is reported, even when one handler throws, and the failure is logged', async () => {
    const logged: Array<{ msg?: string; strategyId?: number }> = [];
    const { market, hits, watch, tick } = await listening({ logged });
    market.setCrossingHandler((hit) => {
      if (hit.strategyId === 2) throw new Error('boom');
      hits.push(hit);
    });
    watch(asStrategyId(1));
    tick(100);
    for (const id of [1, 2, 3]) market.setTriggers(ACCOUNT, AAPL, asStrategyId(id), 0, stop(96 - id));
    tick(90);
    expect(hits.map((h) => h.strategyId)).toEqual([1, 3]);
    expect(logged).toMatchObject([{ msg: 'crossing handler failed', strategyId: 2 }]);
  });

  it('a handler that sets a level its tick already crossed gets that crossing too, and the tick\'s others are not lost', async () => {
    const { market, hits, watch, tick } = await listening();
    market.setCrossingHandler((hit) => {
      hits.push(hit);
      if (hit.strategyId === 1) market.setTriggers(ACCOUNT, AAPL, asStrategyId(9), 0, stop(100));
    });
    watch(asStrategyId(1));
    tick(100.5);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, stop(95));
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(2), 0, stop(94));
    tick(90);
    expect(hits.map((h) => h.strategyId)).toEqual([1, 9, 2]);
  });

  it('a level that is not a number changes nothing armed and is logged, without throwing at the caller', async () => {
    const logged: Array<{ msg?: string; strategyId?: number }> = [];
    const { market } = await listening({ logged });
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, stop(95));
    expect(() => market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, stop(Number.NaN))).not.toThrow();
    expect(market.isStopArmed(asStrategyId(1))).toBe(true);
    expect(logged).toMatchObject([{ msg: 'levels not armed', strategyId: 1 }]);
  });

  it('a ratchet\'s moved levels set after a later tick took the target do not fire the target again at the last price', async () => {
    const { market, hits, watch, tick } = await listening();
    watch(asStrategyId(1));
    tick(100);
    const levels = (stop: number, ratchet: number) => [
      { kind: 'TRAIL_STOP' as const, level: stop, dir: 'down' as const },
      { kind: 'TARGET' as const, level: 110, dir: 'up' as const },
      { kind: 'RATCHET' as const, level: ratchet, dir: 'up' as const },
    ];
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, levels(98, 100.01));
    tick(103);
    tick(112);
    // The ratchet's step for 103 arms its levels only now, with 112 the last price.
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, levels(101, 103.01), true);
    expect(hits.map((h) => [h.kind, h.price])).toEqual([
      ['RATCHET', 103],
      ['TARGET', 112],
    ]);
  });

  it('tick listeners hear the tick after its crossings were reported', async () => {
    const { market, hits, watch, tick } = await listening();
    const seen: string[] = [];
    market.onTick((_, t) => seen.push(`tick ${t.price} after ${hits.length} crossing(s)`));
    watch(asStrategyId(1));
    tick(100);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, stop(95));
    tick(94);
    expect(seen.slice(-1)).toEqual(['tick 94 after 1 crossing(s)']);
  });

  it('price listeners hear the stream\'s ticks and a silent stream\'s REST quotes, after their crossings; tick listeners only the stream', async () => {
    const { clock, market, hits, watch, tick } = await listening();
    const prices: string[] = [];
    const ticks: number[] = [];
    market.onPrice((feed) => prices.push(`${feed} ${market.lastPrice(ACCOUNT, AAPL)?.price} after ${hits.length} crossing(s)`));
    market.onTick((_, t) => ticks.push(t.price));
    watch(asStrategyId(1));
    tick(100);
    market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, stop(95));
    market.applyQuote(`${ACCOUNT}|${AAPL}`, { price: 94, at: clock.now() + 1 }, 60_000);
    expect(prices.slice(-2)).toEqual([`${ACCOUNT}|${AAPL} 100 after 0 crossing(s)`, `${ACCOUNT}|${AAPL} 94 after 1 crossing(s)`]);
    expect(ticks.slice(-1)).toEqual([100]);
    // A quote older than the last price is not a newer price: nobody hears it.
    const heard = prices.length;
    market.applyQuote(`${ACCOUNT}|${AAPL}`, { price: 93, at: clock.now() - 1 }, 60_000);
    expect(prices).toHaveLength(heard);
  });
});

describe('MarketListener: the positions of one strategy (issue 19)', () => {
  it('watches each position\'s instrument on its own: its levels fire from its ticks, one unwatched leaves the other', async () => {
    const { market, hits, broker: paper } = await listening();
    const s = asStrategyId(1);
    const msft = (await paper.instruments.resolve('MSFT', 'NYSE'))!;
    const aapl = (await paper.instruments.resolve('AAPL', 'NYSE'))!;
    market.watch(ACCOUNT, paper, aapl, s, 0);
    market.watch(ACCOUNT, paper, msft, s, 1);
    expect([market.isWatching(s, 0), market.isWatching(s, 1), market.isWatching(s, 2)]).toEqual([true, true, false]);
    paper.setPrice(AAPL, 100);
    paper.setPrice('NYSE:MSFT', 100);
    market.setTriggers(ACCOUNT, AAPL, s, 0, stop(90), false, undefined, 0);
    market.setTriggers(ACCOUNT, 'NYSE:MSFT', s, 0, stop(95), false, undefined, 1);
    expect(market.guardedFeeds().map((f) => [f.key, f.strategies])).toEqual([
      [`${ACCOUNT}|${AAPL}`, [s]],
      [`${ACCOUNT}|NYSE:MSFT`, [s]],
    ]);
    paper.setPrice('NYSE:MSFT', 94);
    expect(hits).toMatchObject([{ strategyId: s, positionNo: 1, level: 95, price: 94 }]);
    expect(market.isStopArmed(s, 0)).toBe(true);

    market.unwatch(s, 1);
    expect([market.isWatching(s, 0), market.isWatching(s, 1)]).toEqual([true, false]);
    market.unwatch(s);
    expect(market.isWatching(s, 0)).toBe(false);
    expect(market.guardedFeeds()).toEqual([]);
  });

  it('says what each position watches, and tells its listeners when that changes (not when a watch repeats or nothing is dropped)', async () => {
    const { market, broker: paper } = await listening();
    const s = asStrategyId(1);
    const msft = (await paper.instruments.resolve('MSFT', 'NYSE'))!;
    const aapl = (await paper.instruments.resolve('AAPL', 'NYSE'))!;
    let changes = 0;
    market.onWatchesChanged(() => changes++);
    market.onWatchesChanged(() => {
      throw new Error('a listener that fails');
    });
    market.watch(ACCOUNT, paper, aapl, s, 0);
    market.watch(ACCOUNT, paper, aapl, s, 1);
    market.watch(ACCOUNT, paper, aapl, s, 0);
    expect(changes).toBe(2);
    market.watch(ACCOUNT, paper, msft, s, 1);
    expect(market.watched()).toEqual([
      { key: `${ACCOUNT}|${AAPL}`, strategyId: s, positionNo: 0 },
      { key: `${ACCOUNT}|NYSE:MSFT`, strategyId: s, positionNo: 1 },
    ]);
    expect(changes).toBe(3);
    market.unwatch(asStrategyId(2));
    expect(changes).toBe(3);
    market.unwatch(s);
    expect([changes, market.watched()]).toEqual([4, []]);
  });
});

describe('MarketListener: levels moved at the tick', () => {
  const OWNER = { runId: asRunId(9), userId: asUserId(1) };
  /** A position of strategy 1 entered at 100 with these exits, armed as a fill's step arms it (live levels). */
  async function trailing(over: Partial<RunPlan>) {
    const l = await listening();
    const moves: LevelsMoved[] = [];
    l.market.onLevelsMoved((m) => moves.push(m));
    l.watch(asStrategyId(1));
    l.tick(100);
    const plan = { ...PLAN, stopLoss: 90, ...over };
    const w = watchLevels(resolveLevels(plan, 100, 0.05), plan.side);
    l.market.setTriggers(ACCOUNT, AAPL, asStrategyId(1), 0, w.set, false, { ...w.live!, ...OWNER });
    return { ...l, moves };
  }

  it('a new high moves the trail in the tick itself: no crossing reported, the stop armed where it moved, the move handed on', async () => {
    const { market, hits, moves, tick, clock } = await trailing({ trail: 2 });
    for (const p of [101, 103.5, 102.5, 104]) tick(p);
    expect(hits).toEqual([]);
    expect(moves.map((m) => [m.levels.stop, m.moved?.from, m.price])).toEqual([
      [99, 98, 101],
      [101.5, 99, 103.5],
      [102, 101.5, 104],
    ]);
    expect(moves[0]).toMatchObject({ strategyId: 1, legNo: 0, runId: 9, userId: 1, at: clock.now() });
    expect(market.liveLevels(asStrategyId(1), 0)).toMatchObject({ stop: 102, trail: { best: 104 } });
    tick(102.05);
    expect(hits).toEqual([]);
    tick(102);
    expect(hits.map((h) => [h.kind, h.level, h.price])).toEqual([['TRAIL_STOP', 102, 102]]);
  });

  it("a short's trail moves down with falling prices, and a rise to its stop fires it", async () => {
    const { hits, moves, tick } = await trailing({ side: 'short', stopLoss: 110, trail: 2 });
    for (const p of [99, 97.5, 98]) tick(p);
    expect(moves.map((m) => m.levels.stop)).toEqual([101, 99.5]);
    tick(99.5);
    expect(hits.map((h) => [h.kind, h.level])).toEqual([['TRAIL_STOP', 99.5]]);
  });

  it('the move to cost is made at the tick too, and the target stays armed where it was', async () => {
    const { hits, moves, tick } = await trailing({ moveStopToCostAfter: 2, moveStopToCostMode: 'points', target: 110 });
    tick(102);
    expect(moves.map((m) => [m.moved?.why, m.levels.stop])).toEqual([['cost', 100]]);
    tick(110);
    expect(hits.map((h) => [h.kind, h.level])).toEqual([['TARGET', 110]]);
  });

  it('released (the run left IN_POSITION), a ratchet goes to the crossing handler and moves nothing here', async () => {
    const { market, hits, moves, tick } = await trailing({ trail: 2 });
    market.releaseLevels(asStrategyId(1));
    expect(market.liveLevels(asStrategyId(1), 0)).toBeNull();
    tick(103);
    expect(moves).toEqual([]);
    expect(hits.map((h) => h.kind)).toEqual(['RATCHET']);
  });

  it('an exit level of the leg fired on the same tick: the levels move, and nothing is armed again (its exit is under way)', async () => {
    const { market, hits, moves, tick } = await trailing({ trail: 2, target: 103 });
    tick(104);
    expect(hits.map((h) => h.kind)).toEqual(['TARGET']);
    expect(moves.map((m) => m.levels.stop)).toEqual([102]);
    // Only the stop armed before the tick is left: neither it at 102 nor a new ratchet.
    expect(market.armedTriggers()).toBe(1);
    tick(101);
    expect(hits.map((h) => h.kind)).toEqual(['TARGET']);
  });
});

