/**
 * A group's own rules (issue 19, item 5): the combined MTM stop and target close every position
 * while no position's own stop is reached, shorts bought back first, after the "exit all" flag is
 * journaled on every run in one transaction; a restart between that flag and the exits exits each
 * position once; on_position_failure keep lets the others go on where unwind closes them; and
 * stops_to_cost_on_stop moves the others' stops to their entry when one stops out. Monday 7
 * December 2026, IST, on the paper broker (its NIFTY chain priced by Black-Scholes from the index:
 * at 26 012 the ATM 26 000 CE is 97.95 and the PE 85.95; at 26 100, 150.5 and 50.5). The
 * strategies are created through the service, as in positions-group.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import type { Strategy } from '../../engine/core/types';
import { positionClientOrderId } from '../../engine/core/ids';

let t: TestEngine;
afterEach(async () => t?.close());

/** 09:00 IST. */
const MONDAY_0900_IST = '2026-12-07T03:30:00Z';
const DAY = '2026-12-07';
/** Every position's own stop 100 points away: far from what the group's MTM levels are tested with. */
const NIFTY = { symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', qty: 1, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 100, stop_loss_mode: 'points', timezone: 'Asia/Kolkata' };
const STRADDLE = [
  { side: 'sell', option_right: 'CE' },
  { side: 'sell', option_right: 'PE' },
];

/** A strategy of `positions` with the group's keys `group`, created through the service as a trader would. */
async function groupStrategy(positions: readonly Record<string, unknown>[], group: Record<string, unknown>, over: Record<string, unknown> = {}): Promise<Strategy> {
  const { option_right: _r, ...index } = NIFTY;
  return t.create({ ...index, ...over, positions, ...group });
}

const groupOf = (id: Strategy['id']) => t.repos.runs.groupInternal(id, DAY);
const exitId = (s: Strategy, p: number) => positionClientOrderId('test01', s.id, DAY, p, 'exit');
const entryId = (s: Strategy, p: number) => positionClientOrderId('test01', s.id, DAY, p, 'entry');

/** The combined MTM of the group's positions now, from their entry fills and the paper chain's prices (rupees). */
function mtmNow(s: Strategy): number {
  return groupOf(s.id).reduce((sum, r) => {
    const last = t.paper.data.priceOf('NFO', r.plan!.symbol);
    return sum + (last - r.entryPrice!) * r.positionQty * (r.plan!.side === 'sell' ? -1 : 1);
  }, 0);
}

/** Refuses the "exit all" flag's write `times` times, as a busy database past its timeout does (the transaction rolls back); records when each was refused. */
function refuseTheFlag(times: number): number[] {
  const runs = t.repos.runs;
  const update = runs.update.bind(runs);
  const refused: number[] = [];
  runs.update = (id, patch, now) => {
    if (patch.exitAll !== undefined && refused.length < times) {
      refused.push(t.clock.now());
      throw new Error('SQLITE_BUSY: database is locked');
    }
    return update(id, patch, now);
  };
  return refused;
}

describe('the combined MTM of a group', () => {
  it('closes the short straddle at the MTM stop while neither position\'s own stop is reached, both bought back in exit order', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(STRADDLE, { mtm_stop: 1500 });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    expect(groupOf(s.id).map((r) => [r.state, r.plan!.mtm_stop])).toEqual([
      ['IN_POSITION', 1500],
      ['IN_POSITION', 1500],
    ]);

    // 18 up: the call gains about 10, the put loses about 9. The sum is of each position's last
    // price, so it is checked on the call's tick with the put's price from before (a loss of about
    // 650), then on the put's: under the MTM stop either way.
    t.paper.setPrice('NSE:NIFTY 50', 26_030);
    await t.until('2026-12-07T03:51:00Z');
    expect(mtmNow(s)).toBeLessThan(0);
    expect(groupOf(s.id).map((r) => r.state)).toEqual(['IN_POSITION', 'IN_POSITION']);

    // 88 up: the call about 53 up (its own stop is 100 points away), the put about 35 down: past the MTM stop.
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:52:00Z');
    const [ce, pe] = groupOf(s.id);
    const closed = "closed with the group: the positions' combined MTM reached the MTM stop (mtm_stop)";
    expect([ce, pe].map((r) => [r!.state, r!.exitLeg, r!.exitAll, r!.reason])).toEqual([
      ['SOLD', 'SELL', 'mtm_stop', closed],
      ['SOLD', 'SELL', 'mtm_stop', closed],
    ]);
    expect(ce!.exitPrice! - ce!.entryPrice!).toBeGreaterThan(40);
    expect(ce!.exitPrice! - ce!.entryPrice!).toBeLessThan(100);
    expect(t.eventsOf('stop_loss_triggered')).toEqual([]);
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [entryId(s, 0), 'sell'],
      [entryId(s, 1), 'sell'],
      [exitId(s, 0), 'buy'],
      [exitId(s, 1), 'buy'],
    ]);
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
  });

  it('closes a long call and a short put at the MTM target, the short bought back before the long is sold', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(
      [
        { side: 'buy', option_right: 'CE' },
        { side: 'sell', option_right: 'PE' },
      ],
      { mtm_target: 2000 },
    );
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    // 38 up: the call about 21 up, the put about 17 down: a gain of about 2 470 on a lot each.
    t.paper.setPrice('NSE:NIFTY 50', 26_050);
    await t.until('2026-12-07T03:51:00Z');
    const closed = "closed with the group: the positions' combined MTM reached the MTM target (mtm_target)";
    expect(groupOf(s.id).map((r) => [r.state, r.exitLeg, r.exitAll, r.reason])).toEqual([
      ['SOLD', 'SELL', 'mtm_target', closed],
      ['SOLD', 'SELL', 'mtm_target', closed],
    ]);
    // Entered long first (the hedge), closed short first.
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [entryId(s, 0), 'buy'],
      [entryId(s, 1), 'sell'],
      [exitId(s, 1), 'buy'],
      [exitId(s, 0), 'sell'],
    ]);
    expect(t.eventsOf('target_hit')).toEqual([]);
  });

  it('restarted with both positions held, checks the MTM on the new process\'s ticks and closes both at the MTM stop', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(STRADDLE, { mtm_stop: 1500 });
    await t.start(s.id);
    await t.until('2026-12-07T03:51:00Z');
    expect(groupOf(s.id).map((r) => r.state)).toEqual(['IN_POSITION', 'IN_POSITION']);

    t = await t.restart({ startPrices: { 'NSE:NIFTY 50': 26_012 } });
    await t.engine.recover();
    await t.until('2026-12-07T03:52:00Z');
    expect(t.paper.placedOrders()).toEqual([]);
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:53:00Z');
    expect(groupOf(s.id).map((r) => [r.state, r.exitAll])).toEqual([
      ['SOLD', 'mtm_stop'],
      ['SOLD', 'mtm_stop'],
    ]);
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [exitId(s, 0), 'buy'],
      [exitId(s, 1), 'buy'],
    ]);
  });

  it('restarted between the exit-all flag and the exits: each position exits once, in exit order, on the new process', async () => {
    let hits = 0;
    const crashPoints = {
      hit: (point: string) => {
        // Every run of the group has the flag; no exit is submitted: the process dies here.
        if (point === 'after-exit-all' && ++hits === 1) throw new Error('the process died here');
      },
    };
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } }, crashPoints });
    const s = await groupStrategy(STRADDLE, { mtm_stop: 700 });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    t.paper.setPrice('NSE:NIFTY 50', 26_080);
    await t.until('2026-12-07T03:51:00Z');
    expect(hits).toBe(1);
    expect(groupOf(s.id).map((r) => [r.state, r.exitAll])).toEqual([
      ['IN_POSITION', 'mtm_stop'],
      ['IN_POSITION', 'mtm_stop'],
    ]);
    expect(t.orders(s.id).filter((o) => o.slot === 'exit')).toEqual([]);

    // The new process's market is back where it began: the flag, not the price, decides.
    t = await t.restart({ startPrices: { 'NSE:NIFTY 50': 26_012 } });
    await t.engine.recover();
    await t.until('2026-12-07T03:52:00Z');
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [exitId(s, 0), 'buy'],
      [exitId(s, 1), 'buy'],
    ]);
    expect(t.orders(s.id).filter((o) => o.slot === 'exit').map((o) => [o.clientOrderId, o.leg, o.status])).toEqual([
      [exitId(s, 0), 'SELL', 'filled'],
      [exitId(s, 1), 'SELL', 'filled'],
    ]);
    expect(groupOf(s.id).map((r) => [r.state, r.positionQty])).toEqual([
      ['SOLD', 0],
      ['SOLD', 0],
    ]);
    // Nothing more goes at the SELL time.
    await t.until('2026-12-07T09:41:00Z');
    expect(t.paper.placedOrders()).toHaveLength(2);
  });

  it('restarted between the exit-all flag and the exits of a hedged group listed long first: the short is bought back before the long is sold', async () => {
    // Found by the crash soak (tests/soak/group-kinds.ts): recovery stepped a group's runs by run id,
    // so a flag found at start sent the hedge's exit (position 0) before the short's.
    let hits = 0;
    const crashPoints = {
      hit: (point: string) => {
        if (point === 'after-exit-all' && ++hits === 1) throw new Error('the process died here');
      },
    };
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } }, crashPoints });
    const s = await groupStrategy(
      [
        { side: 'buy', option_right: 'CE' },
        { side: 'sell', option_right: 'PE' },
      ],
      { mtm_target: 2000 },
    );
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    t.paper.setPrice('NSE:NIFTY 50', 26_050);
    await t.until('2026-12-07T03:51:00Z');
    expect(hits).toBe(1);
    expect(groupOf(s.id).map((r) => [r.state, r.exitAll])).toEqual([
      ['IN_POSITION', 'mtm_target'],
      ['IN_POSITION', 'mtm_target'],
    ]);

    t = await t.restart({ startPrices: { 'NSE:NIFTY 50': 26_050 } });
    await t.engine.recover();
    await t.until('2026-12-07T03:52:00Z');
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [exitId(s, 1), 'buy'],
      [exitId(s, 0), 'sell'],
    ]);
    expect(groupOf(s.id).map((r) => [r.state, r.positionQty])).toEqual([
      ['SOLD', 0],
      ['SOLD', 0],
    ]);
  });
});

describe('the combined MTM when storage fails or the stream is silent', () => {
  it('a flag that cannot be journaled costs no exit: both positions are bought back at once, shorts in exit order, and nothing more goes', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(STRADDLE, { mtm_stop: 1500 });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    expect(groupOf(s.id).map((r) => r.state)).toEqual(['IN_POSITION', 'IN_POSITION']);
    const refused = refuseTheFlag(1);
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:52:00Z');
    expect(refused).toHaveLength(1);
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [entryId(s, 0), 'sell'],
      [entryId(s, 1), 'sell'],
      [exitId(s, 0), 'buy'],
      [exitId(s, 1), 'buy'],
    ]);
    expect(groupOf(s.id).map((r) => [r.state, r.exitLeg, r.positionQty])).toEqual([
      ['SOLD', 'SELL', 0],
      ['SOLD', 'SELL', 0],
    ]);
    // Nothing more goes, on later ticks or at the SELL time.
    t.paper.setPrice('NSE:NIFTY 50', 26_170);
    await t.until('2026-12-07T09:41:00Z');
    expect(t.paper.placedOrders()).toHaveLength(4);
  });

  it('an entry already queued when the flag cannot be journaled is not sent: the group closes without it, as with the flag written', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    // A bought call first (the hedge), then a sold put: the put's entry is queued once the call has filled.
    const s = await groupStrategy([{ side: 'buy', option_right: 'CE', option_strike: 'atm+2' }, { side: 'sell', option_right: 'PE' }], { mtm_stop: 500 });
    await t.start(s.id);
    const { execution } = t.engine;
    const submit = execution.submit.bind(execution);
    let refused: number[] = [];
    execution.submit = (intent) => {
      submit(intent);
      const run = t.repos.runs.getInternal(intent.runId)!;
      if (intent.leg !== 'BUY' || run.positionNo !== 1 || refused.length > 0) return;
      // The put's entry is in the queue, not yet journaled: the index falls and the held call's
      // premium with it, through the MTM stop (a REST quote of its feed, heard at once as a tick is),
      // and the flag's write is refused once (a busy database).
      refused = refuseTheFlag(1);
      t.paper.setPrice('NSE:NIFTY 50', 25_800);
      const call = groupOf(s.id)[0]!.plan!;
      t.engine.market.applyQuote(`${call.broker_account_id}|NFO:${call.symbol}`, { price: t.paper.data.priceOf('NFO', call.symbol), at: t.clock.now() }, 0);
    };
    await t.until('2026-12-07T03:50:10Z');
    expect(refused).toHaveLength(1);
    const [ce, pe] = groupOf(s.id);
    expect(ce).toMatchObject({ state: 'SOLD', exitLeg: 'SELL', positionQty: 0 });
    expect(pe).toMatchObject({ state: 'SKIPPED', positionQty: 0 });
    expect(pe!.reason).toContain('the group closed every position (exit all: mtm_stop)');
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [entryId(s, 0), 'buy'],
      [exitId(s, 0), 'sell'],
    ]);
  });

  it('the flag is tried again on the engine clock (1 s, 2 s, 5 s) until it lands, and the positions still held exit with it', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(STRADDLE, { mtm_stop: 1500 });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    const refused = refuseTheFlag(3);
    // The exits cannot be stepped either until the flag lands (the positions stay held meanwhile).
    const manager = t.engine.manager;
    const stepAndApply = manager.stepAndApply.bind(manager);
    manager.stepAndApply = (strategy, run, event) => {
      if (event.type === 'exit_due' && t.repos.runs.getInternal(run.id)!.exitAll === null) throw new Error('the execution queue is closed');
      return stepAndApply(strategy, run, event);
    };
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    // Up to the first refusal, at the tick that crossed the MTM stop.
    for (let at = t.clock.now(); refused.length === 0 && at < Date.parse('2026-12-07T03:52:00Z'); ) await t.until(new Date((at += 250)).toISOString());
    expect(refused).toHaveLength(1);
    const first = refused[0]!;
    await t.until(new Date(first + 7_900).toISOString());
    expect(refused.map((at) => at - first)).toEqual([0, 1_000, 3_000]);
    expect(groupOf(s.id).map((r) => [r.state, r.exitAll])).toEqual([
      ['IN_POSITION', null],
      ['IN_POSITION', null],
    ]);
    await t.until(new Date(first + 10_000).toISOString());
    expect(groupOf(s.id).map((r) => [r.state, r.exitAll])).toEqual([
      ['SOLD', 'mtm_stop'],
      ['SOLD', 'mtm_stop'],
    ]);
    expect(t.paper.placedOrders().slice(2).map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [exitId(s, 0), 'buy'],
      [exitId(s, 1), 'buy'],
    ]);
  });

  it('storage refusing writes at the crossing: both buy-backs go out by the emergency path, in exit order, journaled once storage is back', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(STRADDLE, { mtm_stop: 1500 });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    t.db.sqlite.pragma('query_only = ON');
    try {
      t.paper.setPrice('NSE:NIFTY 50', 26_100);
      await t.until('2026-12-07T03:51:05Z');
      expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
        [entryId(s, 0), 'sell'],
        [entryId(s, 1), 'sell'],
        [exitId(s, 0), 'buy'],
        [exitId(s, 1), 'buy'],
      ]);
      expect(t.eventsOf('storage_failed').map((e) => e.action)).toEqual(['sent_unjournaled', 'sent_unjournaled']);
    } finally {
      t.db.sqlite.pragma('query_only = OFF');
    }
    await t.until('2026-12-07T03:52:00Z');
    expect(groupOf(s.id).map((r) => [r.state, r.positionQty])).toEqual([
      ['SOLD', 0],
      ['SOLD', 0],
    ]);
    expect(t.paper.placedOrders()).toHaveLength(4);
  });

  it('a silent stream: the REST quote of the stale-price watch crosses the MTM stop and both positions are bought back', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(STRADDLE, { mtm_stop: 1500 });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    expect(groupOf(s.id).map((r) => r.state)).toEqual(['IN_POSITION', 'IN_POSITION']);
    t.paper.data.setFeed('stale', 'frozen for the test');
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:53:00Z');
    expect(t.eventsOf('price_stale').length).toBeGreaterThan(0);
    expect(groupOf(s.id).map((r) => [r.state, r.exitAll])).toEqual([
      ['SOLD', 'mtm_stop'],
      ['SOLD', 'mtm_stop'],
    ]);
    expect(t.paper.placedOrders().slice(2).map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [exitId(s, 0), 'buy'],
      [exitId(s, 1), 'buy'],
    ]);
  });
});

describe('a position that fails, and a stop-out, in a group', () => {
  const HEDGED = [
    { side: 'sell', option_right: 'CE' },
    { side: 'buy', option_right: 'CE', option_strike: 'atm+4', stop_loss: 90, stop_loss_mode: 'percent' },
  ];
  /** The hedge fills; the broker refuses the next order (the short's entry). */
  const refuseTheShort = () =>
    t.engine.bus.on('run_state_changed', (e) => {
      if (e.to === 'IN_POSITION' && t.paper.placedOrders().length === 1) t.paper.failNextPlace('reject-lasting');
    });

  it('unwind (the default): the hedge is closed at once by the group\'s exit-all, with its reason', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(HEDGED, {}, { stop_loss: 40 });
    await t.start(s.id);
    refuseTheShort();
    await t.until('2026-12-07T03:51:00Z');
    const [short, hedge] = groupOf(s.id);
    expect(short).toMatchObject({ state: 'ERROR', positionQty: 0, exitAll: null });
    expect(hedge).toMatchObject({ state: 'SOLD', exitLeg: 'SELL', exitAll: 'unwind', reason: 'closed with the group: a position was not entered, so the filled ones were unwound (on_position_failure unwind)' });
    expect(t.orders(s.id).map((o) => [o.symbol, o.side, o.status])).toEqual([
      ['NIFTY26D0826200CE', 'buy', 'filled'],
      ['NIFTY26D0826000CE', 'sell', 'rejected'],
      ['NIFTY26D0826200CE', 'sell', 'filled'],
    ]);
  });

  it('unwind with its flag refused (the database busy): the hedge is sold all the same, once', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(HEDGED, {}, { stop_loss: 40 });
    await t.start(s.id);
    refuseTheShort();
    const refused = refuseTheFlag(1);
    await t.until('2026-12-07T03:51:00Z');
    expect(refused).toHaveLength(1);
    const [short, hedge] = groupOf(s.id);
    expect(short).toMatchObject({ state: 'ERROR', positionQty: 0 });
    expect(hedge).toMatchObject({ state: 'SOLD', exitLeg: 'SELL', positionQty: 0 });
    expect(t.orders(s.id).map((o) => [o.symbol, o.side, o.status])).toEqual([
      ['NIFTY26D0826200CE', 'buy', 'filled'],
      ['NIFTY26D0826000CE', 'sell', 'rejected'],
      ['NIFTY26D0826200CE', 'sell', 'filled'],
    ]);
    const placed = t.paper.placedOrders().length;
    await t.until('2026-12-07T09:41:00Z');
    expect(t.paper.placedOrders()).toHaveLength(placed);
    expect(t.orders(s.id)).toHaveLength(3);
  });

  it('keep: the hedge stays open past the failed short and is sold at the SELL time', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(HEDGED, { on_position_failure: 'keep' }, { stop_loss: 40 });
    await t.start(s.id);
    refuseTheShort();
    await t.until('2026-12-07T03:51:00Z');
    const [short, hedge] = groupOf(s.id);
    expect(short).toMatchObject({ state: 'ERROR', positionQty: 0 });
    expect(hedge).toMatchObject({ state: 'IN_POSITION', positionQty: 65, exitAll: null });
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('running');
    await t.until('2026-12-07T09:40:01Z');
    expect(t.repos.runs.getInternal(hedge!.id)).toMatchObject({ state: 'SOLD', exitLeg: 'SELL', reason: null });
    expect(t.orders(s.id).map((o) => [o.symbol, o.side, o.status])).toEqual([
      ['NIFTY26D0826200CE', 'buy', 'filled'],
      ['NIFTY26D0826000CE', 'sell', 'rejected'],
      ['NIFTY26D0826200CE', 'sell', 'filled'],
    ]);
  });

  it('stops to cost: the call stopped out moves the put\'s stop to its entry, where the put is bought back when the index turns', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(STRADDLE, { stops_to_cost_on_stop: true }, { stop_loss: 40 });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    const pe0 = groupOf(s.id)[1]!;
    expect(pe0.levels!.stop).toBe(pe0.entryPrice! + 40);

    // 88 up: the call's premium passes its 40-point stop; the put falls.
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:51:00Z');
    const [ce, pe] = groupOf(s.id);
    expect(ce).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS' });
    expect(pe).toMatchObject({ state: 'IN_POSITION', levels: { stop: pe0.entryPrice, stopKind: 'STOPLOSS' } });
    expect(t.eventsOf('stop_moved')).toMatchObject([{ runId: pe!.id, why: 'cost', from: pe0.entryPrice! + 40, to: pe0.entryPrice }]);

    // Back 150 down: the put's premium is above its entry, short of where its own stop was (entry + 40).
    t.paper.setPrice('NSE:NIFTY 50', 25_950);
    expect(t.paper.data.priceOf('NFO', pe!.plan!.symbol)).toBeGreaterThan(pe0.entryPrice!);
    expect(t.paper.data.priceOf('NFO', pe!.plan!.symbol)).toBeLessThan(pe0.entryPrice! + 40);
    await t.until('2026-12-07T03:52:00Z');
    expect(t.repos.runs.getInternal(pe!.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', positionQty: 0 });
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [entryId(s, 0), 'sell'],
      [entryId(s, 1), 'sell'],
      [exitId(s, 0), 'buy'],
      [exitId(s, 1), 'buy'],
    ]);
  });

  it('stops to cost after a crash between the stop-out\'s fill and the move: the restart moves the other\'s stop to its entry', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(STRADDLE, { stops_to_cost_on_stop: true }, { stop_loss: 40 });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    const pe0 = groupOf(s.id)[1]!;
    // The process dies once the call's stop fill is journaled, before the put's stop is moved.
    const manager = t.engine.manager;
    const stepAndApply = manager.stepAndApply.bind(manager);
    manager.stepAndApply = (strategy, run, event) => {
      if (event.type === 'stop_to_cost') throw new Error('the process died here');
      return stepAndApply(strategy, run, event);
    };
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:51:00Z');
    expect(groupOf(s.id).map((r) => [r.state, r.levels?.stop])).toEqual([
      ['EXITED_BY_SL', expect.anything()],
      ['IN_POSITION', pe0.entryPrice! + 40],
    ]);

    t = await t.restart({ startPrices: { 'NSE:NIFTY 50': 26_100 } });
    await t.engine.recover();
    await t.until('2026-12-07T03:51:30Z');
    expect(groupOf(s.id)[1]).toMatchObject({ state: 'IN_POSITION', levels: { stop: pe0.entryPrice, stopKind: 'STOPLOSS' } });
    expect(t.eventsOf('stop_moved')).toMatchObject([{ runId: pe0.id, why: 'cost', from: pe0.entryPrice! + 40, to: pe0.entryPrice }]);
    // The moved stop is the one watched: the index turning takes the put out at its entry.
    t.paper.setPrice('NSE:NIFTY 50', 25_950);
    await t.until('2026-12-07T03:52:30Z');
    expect(t.repos.runs.getInternal(pe0.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', positionQty: 0 });
  });

  it('without stops_to_cost_on_stop, the other position keeps its own stop', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(STRADDLE, {}, { stop_loss: 40 });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    const pe0 = groupOf(s.id)[1]!;
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:51:00Z');
    t.paper.setPrice('NSE:NIFTY 50', 25_950);
    await t.until('2026-12-07T03:52:00Z');
    expect(groupOf(s.id).map((r) => r.state)).toEqual(['EXITED_BY_SL', 'IN_POSITION']);
    expect(groupOf(s.id)[1]!.levels!.stop).toBe(pe0.entryPrice! + 40);
    expect(t.eventsOf('stop_moved')).toEqual([]);
  });

  it('restarted after the exit closed a position while its flag never landed: the position not yet entered is skipped, not sold to be bought back at once', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(STRADDLE, { mtm_stop: 700 });
    await t.start(s.id);
    await t.until('2026-12-07T03:49:30Z');
    // What SQLite holds when the MTM crossed between the two entries, its flag refused and the process ended:
    // position 0 bought back by the group's exit (SELL), position 1 still ARMED, no flag on either.
    const [ce, pe] = groupOf(s.id);
    expect([ce!.state, pe!.state]).toEqual(['ARMED', 'ARMED']);
    t.repos.runs.update(ce!.id, { state: 'SOLD', exitLeg: 'SELL', positionQty: 0 }, t.clock.now());

    t = await t.restart({ startPrices: { 'NSE:NIFTY 50': 26_012 } });
    await t.engine.recover();
    await t.until('2026-12-07T03:51:00Z');
    expect(groupOf(s.id).map((r) => [r.state, r.reason])).toEqual([
      ['SOLD', null],
      ['SKIPPED', 'Short sale skipped: the group had closed every position'],
    ]);
    expect(t.paper.placedOrders()).toEqual([]);
  });

  it('STOP and keep is journaled on every position before any is stepped: a crash between two positions\' steps leaves both open, as asked', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(STRADDLE, {});
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    expect(groupOf(s.id).map((r) => r.state)).toEqual(['IN_POSITION', 'IN_POSITION']);
    // The process dies after the first position's STOP is stepped, before the second's.
    const manager = t.engine.manager;
    const stepAndApply = manager.stepAndApply.bind(manager);
    let stops = 0;
    manager.stepAndApply = (strategy, run, event) => {
      if (event.type === 'stop_requested' && ++stops === 2) throw new Error('the process died here');
      return stepAndApply(strategy, run, event);
    };
    await expect(manager.stop(t.user.id, s.id, { closePosition: false })).rejects.toThrow('the process died here');
    expect(groupOf(s.id).map((r) => [r.state, r.stopRequested, r.stopKeep])).toEqual([
      ['STOPPED', true, true],
      ['IN_POSITION', true, true],
    ]);

    t = await t.restart({ startPrices: { 'NSE:NIFTY 50': 26_012 } });
    await t.engine.recover();
    await t.until('2026-12-07T03:52:00Z');
    expect(groupOf(s.id).map((r) => [r.state, r.positionQty])).toEqual([
      ['STOPPED', 65],
      ['STOPPED', 65],
    ]);
    expect(t.paper.placedOrders()).toEqual([]);
  });
});
