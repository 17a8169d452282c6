/**
 * The backstop keeper on the real paper broker and a real SQLite journal, on a FakeClock: every
 * call journaled before it is made; an exit of the leg is let go only once nothing rests that can
 * fill, or with the backstop's fills as the exit; never two exits at the broker, whatever answers
 * late, fires first, or dies between the cancel and the exit.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock';
import { backstopId } from '../core/ids';
import type { Run } from '../core/types';
import { createPaperBroker, type PaperBroker } from '../brokers/paper/paper-broker';
import type { Instrument } from '../brokers/broker';
import { openTestDb, seedStrategy, type Seeded, type TestDb } from '../../db/test-support';
import { BackstopKeeper, LATE_PLACEMENT_LOOKUP_MS, type BackstopPosition } from './backstop-keeper';
import { BACKSTOP_ASK_AGAIN_MS, type BackstopPlan } from '../core/run-policy/backstop';

const T0 = Date.parse('2026-03-09T14:30:00Z');
const ON: BackstopPlan = { on: true, margin: 0, marginMode: 'points' };

let db: TestDb | undefined;
afterEach(() => db?.close());

async function setup() {
  db = openTestDb();
  const clock = new FakeClock(T0);
  const broker = createPaperBroker({ clock, seed: 7, startPrices: { 'NASDAQ:AAPL': 100 } });
  await broker.start();
  const instrument = (await broker.instruments.resolve('AAPL', 'NASDAQ')) as Instrument;
  const seeded: Seeded = seedStrategy(db.repos);
  const run: Run = db.repos.runs.create({ strategyId: seeded.strategy.id, userId: seeded.user.id, tradingDate: '2026-03-09', state: 'IN_POSITION', buyAt: T0, sellAt: T0 + 3_600_000 }, T0);
  const keeper = (b: PaperBroker = broker) =>
    new BackstopKeeper({ repos: db!.repos, clock, logger: pino({ level: 'silent' }), installId: 'test01', target: async () => ({ broker: b, instrument }) });
  // The leg's entry: 10 bought at 100.
  await broker.execution.placeOrder({ clientOrderId: 'E', instrument, side: 'buy', qty: 10, opens: true });
  await clock.advance(0);
  const position: BackstopPosition = { brokerAccountId: seeded.account.id, symbol: 'AAPL', exchange: 'NASDAQ', side: 'sell', qty: 10, levels: { stop: 95, tick: 0.01, target: null } };
  const exit = (id = 'X') => broker.execution.placeOrder({ clientOrderId: id, instrument, side: 'sell', qty: 10, opens: false });
  const sells = () => broker.placedOrders().filter((o) => o.request.side === 'sell' && o.report.status !== 'rejected').map((o) => [o.request.clientOrderId, o.report.filledQty]);
  return { clock, broker, run, keeper, position, exit, sells, repos: db.repos, instrument };
}

describe('BackstopKeeper', () => {
  it('places the leg\'s backstop at its stop for the filled quantity, journaled with the broker\'s ref; once only, and not when off', async () => {
    const { broker, run, keeper, position, repos } = await setup();
    const k = keeper();
    expect(await k.place(run, 0, position, { ...ON, on: false })).toBeNull();
    const placed = await k.place(run, 0, position, ON);
    expect(placed).toMatchObject({ state: 'resting', version: 1, brokerRef: 'paper-stop-1', triggerPrice: 95, limitPrice: null, qty: 10, side: 'sell' });
    expect(placed!.clientOrderId).toBe(backstopId('test01', run.strategyId, '2026-03-09', 0, 1));
    expect(broker.restingStops.held()).toMatchObject([{ clientOrderId: placed!.clientOrderId, status: 'resting', triggerPrice: 95, qty: 10 }]);
    expect(await k.place(run, 0, position, ON)).toBeNull();
    expect(repos.backstops.listByRunInternal(run.id)).toHaveLength(1);
  });

  it('before an exit: cancels it and lets the exit go only after the broker said cancelled', async () => {
    const { run, keeper, position, exit, sells, repos } = await setup();
    const k = keeper();
    await k.place(run, 0, position, ON);
    expect(await exit('too-early')).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/insufficient qty/) });
    expect(await k.clearForExit(run.id, 0)).toEqual({ kind: 'clear', unlocked: 10 });
    expect(repos.backstops.findByLegInternal(run.id, 0)?.state).toBe('cancelled');
    expect(await exit()).toMatchObject({ kind: 'accepted' });
    expect(sells()).toEqual([['X', 0]]);
    // A second exit attempt of the leg finds it cancelled: clear at once, nothing asked.
    expect(await k.clearForExit(run.id, 0)).toEqual({ kind: 'clear' });
  });

  it('a leg without a backstop, or one the broker refused, is clear at once', async () => {
    const { broker, run, keeper, position, repos } = await setup();
    const k = keeper();
    expect(await k.clearForExit(run.id, 0)).toEqual({ kind: 'clear' });
    // A placement behind that clearance (recovery's, for a leg it saw held) is not made: the leg is exiting.
    expect(await k.place(run, 0, position, ON)).toBeNull();
    expect(repos.backstops.findByLegInternal(run.id, 0)).toBeUndefined();
    const next = keeper();
    broker.setPrice('NASDAQ:AAPL', 94); // past the stop: the broker refuses a stop already crossed
    expect(await next.place(run, 0, position, ON)).toMatchObject({ state: 'rejected', reason: expect.stringMatching(/already crossed/) });
    expect(await next.clearForExit(run.id, 0)).toEqual({ kind: 'clear' });
    expect(repos.backstops.findByLegInternal(run.id, 0)?.state).toBe('rejected');
  });

  it('gone at the broker without a fill (deleted in its own app): journaled with the broker\'s reason once, and only while it rests as that version', async () => {
    const { run, keeper, position, repos } = await setup();
    const k = keeper();
    const placed = (await k.place(run, 0, position, ON))!;
    const gone = { clientOrderId: placed.clientOrderId, brokerRef: placed.brokerRef!, status: 'cancelled' as const, triggerPrice: 95, limitPrice: null, qty: 10, filledQty: 0, avgFillPrice: null, done: true, at: T0, reason: 'deleted at the broker' };
    // A report with fills is no "gone": the fired path owns it.
    expect(await k.noteGone(placed.brokerAccountId, { ...gone, filledQty: 3 })).toBeNull();
    expect(await k.noteGone(placed.brokerAccountId, { ...gone, clientOrderId: 'not-ours' })).toBeNull();
    expect(await k.noteGone(placed.brokerAccountId, gone)).toMatchObject({ state: 'cancelled', filledQty: 0, reason: 'deleted at the broker' });
    expect(await k.noteGone(placed.brokerAccountId, gone)).toBeNull();
    // An exit then has nothing to cancel.
    expect(await k.clearForExit(run.id, 0)).toEqual({ kind: 'clear' });
    expect(repos.backstops.findByLegInternal(run.id, 0)).toMatchObject({ state: 'cancelled', reason: 'deleted at the broker' });
  });

  it('fired while resting: its fills are the exit, and no second exit is let go', async () => {
    const { clock, broker, run, keeper, position, sells, repos } = await setup();
    const k = keeper();
    const placed = await k.place(run, 0, position, ON);
    broker.setPrice('NASDAQ:AAPL', 94.5);
    await clock.advance(0);
    const cleared = await k.clearForExit(run.id, 0);
    expect(cleared).toMatchObject({ kind: 'fired', filledQty: 10, avgFillPrice: 94.5, remainder: 0 });
    expect(repos.backstops.findByLegInternal(run.id, 0)).toMatchObject({ state: 'fired', filledQty: 10, fillPrice: 94.5, done: true });
    expect(sells()).toEqual([[placed!.clientOrderId, 10]]);
    expect(await k.clearForExit(run.id, 0)).toMatchObject({ kind: 'fired', remainder: 0 });
  });

  it('fires while the cancel is on its way: the fired answer wins, the exit waits for its fill, exactly one exit', async () => {
    const { clock, broker, run, keeper, position, sells } = await setup();
    const k = keeper();
    const placed = await k.place(run, 0, position, ON);
    broker.setPrice('NASDAQ:AAPL', 90); // fires; its order fills after the paper latencies
    let answer: unknown;
    void k.clearForExit(run.id, 0).then((a) => (answer = a));
    await clock.advance(0);
    await clock.advance(BACKSTOP_ASK_AGAIN_MS[0]);
    expect(answer).toMatchObject({ kind: 'fired', filledQty: 10, avgFillPrice: 90, remainder: 0 });
    expect(sells()).toEqual([[placed!.clientOrderId, 10]]);
  });

  it('no answer to the cancel: the exit waits, asks again with backoff, and goes once the broker says cancelled', async () => {
    const { clock, broker, run, keeper, position, repos } = await setup();
    const k = keeper();
    await k.place(run, 0, position, ON);
    broker.failNextRestingStop('unknown'); // the cancel never reached the broker
    broker.failNextRestingStop('unknown'); // nor the first cancel sent again
    let answer: unknown;
    void k.clearForExit(run.id, 0).then((a) => (answer = a));
    await clock.advance(0);
    expect(answer).toBeUndefined();
    expect(repos.backstops.findByLegInternal(run.id, 0)?.state).toBe('cancelling');
    await clock.advance(BACKSTOP_ASK_AGAIN_MS[0]);
    expect(answer).toBeUndefined(); // still resting: cancelled again, no answer again
    expect(broker.restingStops.held()[0]?.status).toBe('resting');
    await clock.advance(BACKSTOP_ASK_AGAIN_MS[1]);
    expect(answer).toEqual({ kind: 'clear', unlocked: 10 });
    expect(broker.restingStops.held()[0]?.status).toBe('cancelled');
  });

  it('a placement whose answer was lost is found by the exit\'s cancel and cancelled before the exit', async () => {
    const { broker, run, keeper, position, exit, repos } = await setup();
    const k = keeper();
    broker.failNextRestingStop('unknown-but-done');
    expect(await k.place(run, 0, position, ON)).toMatchObject({ state: 'placing', brokerRef: null });
    expect(broker.restingStops.held()).toMatchObject([{ status: 'resting' }]);
    expect(await k.clearForExit(run.id, 0)).toEqual({ kind: 'clear', unlocked: 10 });
    expect(repos.backstops.findByLegInternal(run.id, 0)?.state).toBe('cancelled');
    expect(await exit()).toMatchObject({ kind: 'accepted' });
  });

  it('a leg with a target: a take-profit goes with the stop only where the broker has OCO resting stops; the side that fired is journaled', async () => {
    const { broker, run, position, repos, instrument, clock } = await setup();
    const withTarget = { ...position, levels: { ...position.levels, target: 110 } };
    const sent: unknown[] = [];
    const recording = (oco: boolean) => {
      const stops = Object.create(broker.restingStops) as typeof broker.restingStops;
      Object.defineProperty(stops, 'oco', { value: oco });
      stops.place = async (req) => (sent.push(req), broker.restingStops.place(req));
      return new BackstopKeeper({ repos, clock, logger: pino({ level: 'silent' }), installId: 'test01', target: async () => ({ broker: { ...broker, restingStops: stops }, instrument }) });
    };
    // No OCO at this broker (Alpaca, paper): the stop alone, the request as it always was.
    await recording(false).place(run, 0, withTarget, ON);
    expect(sent[0]).not.toHaveProperty('target');
    expect(repos.backstops.findByLegInternal(run.id, 0)).toMatchObject({ targetPrice: null, targetLimitPrice: null });
    // The paper broker reserves the position for its stop: this one goes before the next is placed.
    expect(await recording(false).clearForExit(run.id, 0)).toEqual({ kind: 'clear', unlocked: 10 });
    const other = repos.runs.create({ strategyId: run.strategyId, userId: run.userId, tradingDate: '2026-03-10', state: 'IN_POSITION', buyAt: T0, sellAt: T0 + 3_600_000 }, T0);
    const k = recording(true);
    const row = await k.place(other, 0, withTarget, ON);
    expect(sent[1]).toMatchObject({ triggerPrice: 95, target: { triggerPrice: 110, limitPrice: null } });
    expect(row).toMatchObject({ targetPrice: 110, targetLimitPrice: null, firedLeg: null });
    const noted = await k.noteFired(row!.brokerAccountId, { clientOrderId: row!.clientOrderId, brokerRef: row!.brokerRef!, status: 'fired', triggerPrice: 95, limitPrice: null, qty: 10, filledQty: 10, avgFillPrice: 110.2, done: true, at: T0, reason: null, firedLeg: 'target' });
    expect(noted).toMatchObject({ state: 'fired', firedLeg: 'target', filledQty: 10 });
    expect(await k.clearForExit(other.id, 0)).toMatchObject({ kind: 'fired', filledQty: 10, backstop: { firedLeg: 'target' } });
  });

  it('a placement never answered that reaches the broker after the exit\'s lookup is looked up once more and cancelled', async () => {
    const { clock, broker, run, position, repos, instrument } = await setup();
    // The placement's request is stuck on the way: no answer now, it reaches the broker later.
    const stuck: Array<() => Promise<unknown>> = [];
    const stops = Object.create(broker.restingStops) as typeof broker.restingStops;
    stops.place = async (req) => (stuck.push(() => broker.restingStops.place(req)), { kind: 'unknown', reason: 'timed out' });
    const k = new BackstopKeeper({ repos, clock, logger: pino({ level: 'silent' }), installId: 'test01', target: async () => ({ broker: { ...broker, restingStops: stops }, instrument }) });
    expect(await k.place(run, 0, position, ON)).toMatchObject({ state: 'placing' });
    let answer: unknown;
    void k.clearForExit(run.id, 0).then((a) => (answer = a));
    await clock.advance(BACKSTOP_ASK_AGAIN_MS[0]);
    expect(answer).toEqual({ kind: 'clear' });
    await stuck[0]!();
    expect(broker.restingStops.held()).toMatchObject([{ status: 'resting' }]);
    await clock.advance(LATE_PLACEMENT_LOOKUP_MS);
    expect(broker.restingStops.held()).toMatchObject([{ status: 'cancelled' }]);
  });

  it('a process that died after sending the cancel: the next one asks again before its exit, and a stop that fired meanwhile is the exit', async () => {
    const { clock, broker, run, keeper, position, sells, repos } = await setup();
    const placed = await keeper().place(run, 0, position, ON);
    // The dead process had journaled 'cancelling' and sent the cancel, which the broker never got.
    repos.backstops.update(placed!.id, { state: 'cancelling' }, clock.now());
    broker.setPrice('NASDAQ:AAPL', 94);
    await clock.advance(0);
    const restarted = keeper();
    expect(await restarted.clearForExit(run.id, 0)).toMatchObject({ kind: 'fired', filledQty: 10, remainder: 0 });
    expect(sells()).toEqual([[placed!.clientOrderId, 10]]);
  });

  it('a process that died after the broker cancelled it: the next one finds it cancelled and lets its exit go', async () => {
    const { clock, broker, run, keeper, position, exit, repos } = await setup();
    const placed = await keeper().place(run, 0, position, ON);
    broker.failNextRestingStop('unknown-but-done'); // cancelled at the broker, the answer lost with the process
    await broker.restingStops.cancel({ clientOrderId: placed!.clientOrderId, brokerRef: placed!.brokerRef, instrument: (await broker.instruments.resolve('AAPL', 'NASDAQ'))!, side: 'sell', qty: 10, triggerPrice: 95 });
    repos.backstops.update(placed!.id, { state: 'cancelling' }, clock.now());
    expect(await keeper().clearForExit(run.id, 0)).toEqual({ kind: 'clear', unlocked: 10 });
    expect(await exit()).toMatchObject({ kind: 'accepted' });
  });
  it('a placement queued behind an exit\'s clearance places nothing: never a stop resting beside the exit', async () => {
    const { clock, broker, run, keeper, position, exit, sells, repos, instrument } = await setup();
    const k = keeper();
    const placed = await k.place(run, 0, position, ON);
    // The broker lost it (cancelled there, no fill): a recovery would place the next version...
    await broker.restingStops.cancel({ clientOrderId: placed!.clientOrderId, brokerRef: placed!.brokerRef, instrument, side: 'sell', qty: 10, triggerPrice: 95 });
    repos.backstops.update(placed!.id, { state: 'cancelled' }, T0);
    // ...but the leg's exit was cleared first, in the same queue: the replacement must not rest beside it.
    const [clearance, again] = await Promise.all([k.clearForExit(run.id, 0), k.place(run, 0, position, ON, true)]);
    expect(clearance).toEqual({ kind: 'clear' });
    expect(again).toBeNull();
    expect(await exit()).toMatchObject({ kind: 'accepted' });
    expect(broker.restingStops.held().filter((h) => h.status === 'resting')).toEqual([]);
    expect(sells()).toEqual([['X', 0]]);
    // Without an exit, the same replacement is placed as version 2 (the guard is the exit, not the replace).
    const other = repos.runs.create({ strategyId: run.strategyId, userId: run.userId, tradingDate: '2026-03-10', state: 'IN_POSITION', buyAt: T0, sellAt: T0 + 3_600_000 }, T0);
    await broker.execution.placeOrder({ clientOrderId: 'E2', instrument, side: 'buy', qty: 10, opens: true });
    await clock.advance(0);
    const first = await k.place(other, 0, position, ON);
    await broker.restingStops.cancel({ clientOrderId: first!.clientOrderId, brokerRef: first!.brokerRef, instrument, side: 'sell', qty: 10, triggerPrice: 95 });
    repos.backstops.update(first!.id, { state: 'cancelled' }, T0);
    expect(await k.place(other, 0, position, ON, true)).toMatchObject({ version: 2, state: 'resting' });
  });

  it('a placement the broker certainly did not take (a rate limit) goes again under the same id, 1 s later and then doubling; not once the leg is exiting', async () => {
    const { clock, broker, run, position, repos, instrument } = await setup();
    // The first two placements meet a rate limit (ours or Kite's 429): not sent, so nothing rests.
    let refusals = 2;
    const asked: string[] = [];
    const stops = Object.create(broker.restingStops) as typeof broker.restingStops;
    stops.place = async (req) => {
      asked.push(req.clientOrderId);
      if (refusals-- > 0) return { kind: 'unknown', reason: 'rate limit of 1 quote request per second is reached; not sent', notPlaced: true };
      return broker.restingStops.place(req);
    };
    const k = new BackstopKeeper({ repos, clock, logger: pino({ level: 'silent' }), installId: 'test01', target: async () => ({ broker: { ...broker, restingStops: stops }, instrument }) });
    expect(await k.place(run, 0, position, ON)).toMatchObject({ state: 'placing' });
    await clock.advance(999);
    expect(asked).toHaveLength(1);
    await clock.advance(1);
    expect(asked).toHaveLength(2); // again after 1 s, refused again
    await clock.advance(1_999);
    expect(asked).toHaveLength(2);
    await clock.advance(1);
    expect(asked).toHaveLength(3); // after 2 s more: placed
    expect(new Set(asked).size).toBe(1); // one id: the same version each time
    expect(repos.backstops.findByLegInternal(run.id, 0)).toMatchObject({ state: 'resting', version: 1, clientOrderId: asked[0] });
    expect(broker.restingStops.held()).toMatchObject([{ clientOrderId: asked[0], status: 'resting' }]);
    expect(await k.clearForExit(run.id, 0)).toEqual({ kind: 'clear', unlocked: 10 });

    // Refused once, then the leg's exit is cleared before the retry's time: nothing is placed after the exit.
    const other = repos.runs.create({ strategyId: run.strategyId, userId: run.userId, tradingDate: '2026-03-10', state: 'IN_POSITION', buyAt: T0, sellAt: T0 + 3_600_000 }, T0);
    refusals = 1;
    asked.length = 0;
    expect(await k.place(other, 0, position, ON)).toMatchObject({ state: 'placing' });
    void k.clearForExit(other.id, 0);
    await clock.advance(60_000);
    expect(asked).toHaveLength(1);
    expect(broker.restingStops.held().filter((h) => h.status === 'resting')).toEqual([]);
  });

  it('asks the broker about a stop found without its id never taking one another row learned, cancelled or fired ones included, nor one created before its row', async () => {
    const { clock, broker, run, position, repos, instrument } = await setup();
    const asked: Array<Parameters<typeof broker.restingStops.cancel>[0]> = [];
    const stops = Object.create(broker.restingStops) as typeof broker.restingStops;
    stops.cancel = async (ref) => (asked.push(ref), broker.restingStops.cancel(ref));
    const k = new BackstopKeeper({ repos, clock, logger: pino({ level: 'silent' }), installId: 'test01', target: async () => ({ broker: { ...broker, restingStops: stops }, instrument }) });
    // Yesterday's leg: placed, then cancelled for its exit; its row keeps the broker's ref.
    const first = await k.place(run, 0, position, ON);
    expect(await k.clearForExit(run.id, 0)).toEqual({ kind: 'clear', unlocked: 10 });
    expect(repos.backstops.findByLegInternal(run.id, 0)).toMatchObject({ state: 'cancelled', brokerRef: first!.brokerRef });
    // Today's leg, a day later: its placement's answer lost (the row has no ref); its exit asks the broker.
    await clock.advance(86_400_000);
    const today = repos.runs.create({ strategyId: run.strategyId, userId: run.userId, tradingDate: '2026-03-10', state: 'IN_POSITION', buyAt: clock.now(), sellAt: clock.now() + 3_600_000 }, clock.now());
    broker.failNextRestingStop('unknown-but-done');
    const row = await k.place(today, 0, position, ON);
    expect(row).toMatchObject({ state: 'placing', brokerRef: null });
    await k.clearForExit(today.id, 0);
    expect(asked.at(-1)).toMatchObject({ clientOrderId: row!.clientOrderId, brokerRef: null, excludeBrokerRefs: [first!.brokerRef], notBefore: row!.createdAt });
  });

  it('a stop resting for less than asked covers the row only down to the row less the highest fee in the coin bought: 9 of 10 is the row; 8 leaves the row at 10 and a fire of 8 a remainder of 2', async () => {
    const { broker, run, position, repos, instrument } = await setup();
    /** The paper broker as a spot venue (its fee, at most 0.1 %, in the coin bought; whole steps) resting every stop for `rests`. */
    const spot = (rests: number) => {
      const stops = new Proxy(broker.restingStops, {
        get: (target, key) => {
          if (key === 'place') return (req: Parameters<typeof target.place>[0]) => target.place({ ...req, qty: rests });
          const value = Reflect.get(target, key) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const venue = new Proxy(broker, { get: (target, key) => (key === 'restingStops' ? stops : key === 'capabilities' ? { ...target.capabilities, feeInBoughtAsset: true, maxFeeInBoughtAssetRate: 0.001 } : Reflect.get(target, key)) });
      return new BackstopKeeper({ repos, clock: new FakeClock(T0), logger: pino({ level: 'silent' }), installId: 'test01', target: async () => ({ broker: venue, instrument: { ...instrument, qtyStep: 1 } }) });
    };
    // floorToStep(10 × 0.999, 1) = 9: what the buy left, at the least.
    expect(await spot(9).place(run, 0, position, ON)).toMatchObject({ state: 'resting', qty: 9 });
    expect(await spot(9).clearForExit(run.id, 0)).toEqual({ kind: 'clear', unlocked: 9 });

    const other = repos.runs.create({ strategyId: run.strategyId, userId: run.userId, tradingDate: '2026-03-10', state: 'IN_POSITION', buyAt: T0, sellAt: T0 + 3_600_000 }, T0);
    const k = spot(8);
    const row = await k.place(other, 0, position, ON);
    expect(row).toMatchObject({ state: 'resting', qty: 10 });
    await k.noteFired(row!.brokerAccountId, { clientOrderId: row!.clientOrderId, brokerRef: row!.brokerRef!, status: 'fired', triggerPrice: 95, limitPrice: null, qty: 8, filledQty: 8, avgFillPrice: 94.9, done: true, at: T0, reason: null });
    expect(await k.clearForExit(other.id, 0)).toMatchObject({ kind: 'fired', filledQty: 8, remainder: 2 });
  });
  it('a stop found cancelled already (not by our cancel) unlocks nothing for the exit; one this keeper sent a cancel for before does', async () => {
    const { broker, run, position, repos, clock, instrument } = await setup();
    /** The paper broker answering every cancel as Binance's -2011 then a lookup: the stop found cancelled already. */
    const found = new Proxy(broker.restingStops, {
      get: (target, key) => {
        if (key === 'cancel') return async (ref: Parameters<typeof target.cancel>[0]) => ({ ...(await target.cancel(ref)), foundCancelled: true as const });
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const k = new BackstopKeeper({ repos, clock, logger: pino({ level: 'silent' }), installId: 'test01', target: async () => ({ broker: { ...broker, restingStops: found }, instrument }) });
    // The trader's cancel (from the broker's app): its quantity may have been sold since.
    await k.place(run, 0, position, ON);
    expect(await k.clearForExit(run.id, 0)).toEqual({ kind: 'clear' });

    // A clearance of ours whose answer was lost left the row cancelling: found cancelled then, it was ours.
    const other = repos.runs.create({ strategyId: run.strategyId, userId: run.userId, tradingDate: '2026-03-10', state: 'IN_POSITION', buyAt: T0, sellAt: T0 + 3_600_000 }, T0);
    const row = await k.place(other, 0, position, ON);
    repos.backstops.update(row!.id, { state: 'cancelling' }, clock.now());
    expect(await k.clearForExit(other.id, 0)).toEqual({ kind: 'clear', unlocked: 10 });
  });
  it('a stop that fired part filled and whose rest our cancel ended unlocks that rest for the exit', async () => {
    const { broker, run, position, repos, clock, instrument } = await setup();
    /** The paper broker answering the cancel as a venue whose stop had fired for 4 of its 10: the rest cancelled by this request. */
    const partly = new Proxy(broker.restingStops, {
      get: (target, key) => {
        if (key === 'cancel')
          return async (ref: Parameters<typeof target.cancel>[0]) => {
            const result = await target.cancel(ref);
            return result.kind === 'done' ? { kind: 'done' as const, report: { ...result.report, status: 'fired' as const, filledQty: 4, avgFillPrice: 95, done: true } } : result;
          };
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const k = new BackstopKeeper({ repos, clock, logger: pino({ level: 'silent' }), installId: 'test01', target: async () => ({ broker: { ...broker, restingStops: partly }, instrument }) });
    await k.place(run, 0, position, ON);
    expect(await k.clearForExit(run.id, 0)).toMatchObject({ kind: 'fired', filledQty: 4, remainder: 6, unlocked: 6 });
  });
  it('a move resting for less covers the row only down to the run\'s position less the highest fee, not the last version\'s: 9 of 10, then 8 keeps the row at 9', async () => {
    const { broker, run, position, repos, clock, instrument } = await setup();
    repos.runs.update(run.id, { positionQty: 10 }, T0);
    /** The paper broker as a spot venue (0.1 % fee in the coin bought, whole steps) resting every stop for `rests.qty`. */
    const rests = { qty: 9 };
    const stops = new Proxy(broker.restingStops, {
      get: (target, key) => {
        if (key === 'place') return (req: Parameters<typeof target.place>[0]) => target.place({ ...req, qty: rests.qty });
        if (key === 'modify') return (ref: Parameters<typeof target.modify>[0], next: Parameters<typeof target.modify>[1]) => target.modify(ref, { ...next, qty: rests.qty });
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const venue = new Proxy(broker, { get: (target, key) => (key === 'restingStops' ? stops : key === 'capabilities' ? { ...target.capabilities, feeInBoughtAsset: true, maxFeeInBoughtAssetRate: 0.001 } : Reflect.get(target, key)) });
    const k = new BackstopKeeper({ repos, clock, logger: pino({ level: 'silent' }), installId: 'test01', target: async () => ({ broker: venue, instrument: { ...instrument, qtyStep: 1 } }) });
    expect(await k.place(run, 0, position, ON)).toMatchObject({ state: 'resting', qty: 9 });
    rests.qty = 8;
    // floorToStep(10 × 0.999, 1) = 9: a version of 8 is under it (floorToStep(9 × 0.999, 1) = 8 would have taken it).
    expect(await k.follow(run.id, 0, { stop: 96, tick: 0.01 }, ON)).toMatchObject({ from: 95, to: 96, row: { version: 2, qty: 9 } });
  });
});
