/**
 * The market listener's ratchet at the tick against the run policy's step per move, over random
 * plans (long and short; a stop as a price or a distance; a trail in points or percent; a move to
 * cost; a target) and random price walks. The same ticks go through a real MarketListener and
 * paper broker twice:
 *
 * - step per move (the reference): the listener holds no levels, so every RATCHET goes to the
 *   crossing handler, which steps the run policy (trigger_crossed) on the run's levels and carries
 *   the Step out (levels kept, triggers armed as moved) before the next tick;
 * - at the tick: the listener holds the levels (armed `live`) and ratchets them itself.
 *
 * In both, an exit level's crossing is the exit submitted; the run leaves IN_POSITION once the
 * tick is over (its journal step), which in the second way writes the listener's levels and
 * releases them, as run-ledger writeRunState does. Every exit (kind, level, price, tick), and the
 * levels after every tick, must be the same.
 */
import fc from 'fast-check';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../bus/event-bus';
import { FakeClock } from '../core/fake-clock';
import { asBrokerAccountId, asRunId, asStrategyId, asUserId } from '../core/ids';
import { createPaperBroker, type PaperBroker } from '../brokers/paper/paper-broker';
import { resolveLevels, watchLevels } from '../core/run-policy/levels';
import { step } from '../core/run-policy/step';
import { PLAN, snapshot } from '../core/run-policy/test-support';
import type { Levels, RunPlan, RunState } from '../core/run-policy/types';
import { MarketListener } from './market-listener';

const ACCOUNT = asBrokerAccountId(1);
const AAPL = 'NYSE:AAPL';
const ID = asStrategyId(3);
const OWNER = { runId: asRunId(7), userId: asUserId(1) };
const TICK = 0.05;
const FILL = 100;

let brokers: PaperBroker[] = [];
afterEach(async () => {
  await Promise.all(brokers.map((b) => b.stop()));
  brokers = [];
});

interface Trace {
  /** (kind, level, price, tick index) of every exit level crossed. */
  readonly exits: Array<readonly [string, number, number, number]>;
  /** The run's levels after each tick. */
  readonly levels: Levels[];
  /** RATCHETs that reached the crossing handler while the position was held. */
  readonly steppedInPosition: number;
}

async function replay(plan: RunPlan, prices: readonly number[], atTheTick: boolean): Promise<Trace> {
  const clock = new FakeClock(Date.parse('2026-03-09T14:00:00Z'));
  const broker = createPaperBroker({ clock, seed: 1, tickSize: TICK, startPrices: { [AAPL]: FILL } });
  brokers.push(broker);
  const market = new MarketListener({ bus: new EventBus(), clock, logger: pino({ level: 'silent' }) });
  market.attach({ id: ACCOUNT, userId: OWNER.userId }, broker);
  await broker.start();
  market.watch(ACCOUNT, broker, (await broker.instruments.resolve('AAPL', 'NYSE'))!, ID);
  // The run as SQLite keeps it (step per move), or as the levels writer last wrote it (at the tick).
  let state: RunState = 'IN_POSITION';
  let levels = resolveLevels(plan, FILL, TICK);
  let exitSubmitted = false;
  let steppedInPosition = 0;
  const trace: Trace = { exits: [], levels: [], steppedInPosition: 0 };
  let tickNo = -1;
  const arm = (set: Parameters<MarketListener['setTriggers']>[4], moved: boolean, live: ReturnType<typeof watchLevels>['live']) =>
    market.setTriggers(ACCOUNT, AAPL, ID, 0, set, moved, atTheTick && live ? { ...live, ...OWNER } : undefined);
  market.onLevelsMoved((m) => {
    levels = m.levels;
  });
  market.setCrossingHandler((hit) => {
    if (hit.kind !== 'RATCHET') {
      trace.exits.push([hit.kind, hit.level, hit.price, tickNo]);
      exitSubmitted = true;
      return;
    }
    if (state === 'IN_POSITION') steppedInPosition++;
    const s = step(plan, snapshot({ state, positionQty: 10, entryPrice: FILL, levels, now: clock.now() }), { type: 'trigger_crossed', kind: 'RATCHET', legNo: hit.legNo, price: hit.price, level: hit.level, tickAt: hit.tickAt, at: clock.now() });
    if (s.patch?.levels) levels = s.patch.levels;
    if (s.triggers) arm(s.triggers.set, s.triggers.moved === true, s.triggers.live);
  });
  const w = watchLevels(levels, plan.side);
  arm(w.set, false, w.live);
  for (const price of prices) {
    tickNo++;
    broker.setPrice(AAPL, price);
    // The tick is over: an exit submitted on it is journaled, and the run leaves IN_POSITION.
    if (exitSubmitted && state === 'IN_POSITION') {
      state = 'EXITING';
      levels = market.liveLevels(ID, 0) ?? levels;
      market.releaseLevels(ID);
    }
    trace.levels.push(state === 'IN_POSITION' ? (market.liveLevels(ID, 0) ?? levels) : levels);
  }
  return { ...trace, steppedInPosition };
}

const planArb: fc.Arbitrary<RunPlan> = fc
  .record({
    side: fc.constantFrom('long' as const, 'short' as const),
    stop: fc.oneof(fc.record({ stopLoss: fc.integer({ min: 1, max: 8 }), stopLossMode: fc.constant('points' as const) }), fc.record({ stopLoss: fc.double({ min: 0.5, max: 9, noNaN: true }), stopLossMode: fc.constant('percent' as const) })),
    trail: fc.record({ trail: fc.double({ min: 0.2, max: 6, noNaN: true }), trailMode: fc.constantFrom('points' as const, 'percent' as const) }),
    cost: fc.option(fc.record({ moveStopToCostAfter: fc.double({ min: 0.2, max: 6, noNaN: true }), moveStopToCostMode: fc.constantFrom('points' as const, 'percent' as const) })),
    target: fc.option(fc.record({ target: fc.integer({ min: 2, max: 20 }), targetMode: fc.constant('points' as const) })),
  })
  .map((x): RunPlan => ({ ...PLAN, side: x.side, ...x.stop, ...x.trail, ...(x.cost ?? {}), ...(x.target ?? {}) }));

/** A walk from the fill on the tick grid, mostly up for a long's trail to follow (down for a short), with falls through the stop. */
const walkArb = fc.array(fc.integer({ min: -30, max: 40 }), { minLength: 1, maxLength: 60 });
const pricesOf = (plan: RunPlan, steps: readonly number[]) => {
  let at = FILL / TICK;
  return steps.map((d) => {
    at = Math.max(1, at + (plan.side === 'long' ? d : -d));
    return at / (1 / TICK);
  });
};

describe('the ratchet at the tick', () => {
  it('exits where, when and as what the step per move does, and leaves the same levels after every tick (long and short)', async () => {
    await fc.assert(
      fc.asyncProperty(planArb, walkArb, async (plan, steps) => {
        const prices = pricesOf(plan, steps);
        const reference = await replay(plan, prices, false);
        const fast = await replay(plan, prices, true);
        expect(fast.exits).toEqual(reference.exits);
        expect(fast.levels).toEqual(reference.levels);
        // No step per move while the position is held: the listener moved every one.
        expect(fast.steppedInPosition).toBe(0);
      }),
      { seed: 20261207, numRuns: 150 },
    );
  });

  it('a rising series moves a long stop at every new high, and a dip to it exits at the last one, as the step per move does', async () => {
    const plan: RunPlan = { ...PLAN, stopLoss: 5, stopLossMode: 'points', trail: 1, trailMode: 'points' };
    const prices = [100.5, 101, 101.5, 102, 103.25, 102.4, 102.25];
    const fast = await replay(plan, prices, true);
    expect(fast.levels.map((l) => l.stop)).toEqual([99.5, 100, 100.5, 101, 102.25, 102.25, 102.25]);
    expect(fast.exits).toEqual([['TRAIL_STOP', 102.25, 102.25, 6]]);
    const reference = await replay(plan, prices, false);
    expect([fast.exits, fast.levels]).toEqual([reference.exits, reference.levels]);
    expect([reference.steppedInPosition, fast.steppedInPosition]).toEqual([5, 0]);
  });
});
