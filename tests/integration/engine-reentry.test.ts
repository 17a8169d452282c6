/**
 * Re-entry end to end, on the paper broker and a fake clock: a leg's stop-loss or target lets the
 * run enter again at once, up to `reentries` legs a day and never at or after the cut-off; a STOP
 * between legs ends the run; a short re-enters selling; a restart with a run waiting between legs
 * enters it once before the cut-off (a short's second re-entry too, selling under its leg's id) and
 * not after. Judged by what the paper broker was sent.
 * Monday 2026-03-09, New York: BUY 09:30 (13:30Z), SELL 15:55 (19:55Z); AAPL starts at 100.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import { runtimeDto, runHistoryDto } from '../../engine/api/dto';
import { clientOrderId } from '../../engine/core/ids';
import type { Strategy } from '../../engine/core/types';
import type { CrashPoint } from '../../engine/execution/crash-points';

let t: TestEngine;
afterEach(async () => t?.close());

const AAPL = 'NYSE:AAPL';

/** A stop 2 points under each entry's fill, two re-entries after a stop-loss, none at or after 12:00 (16:00Z). */
const REENTER = { stop_loss: 2, stop_loss_mode: 'points', reentries: 2, reentry_after: 'stop_loss', reentry_cutoff: '12:00' } as const;

async function tick(price: number): Promise<void> {
  t.paper.setPrice(AAPL, price);
  await t.clock.advance(1_000);
  await t.engine.idle();
}

/** Entered at 09:30 by a strategy created with these keys. */
async function entered(keys: Record<string, unknown>, crash?: (point: CrashPoint) => void): Promise<Strategy> {
  t = await startTestEngine({ at: '2026-03-09T13:00:00Z', ...(crash ? { crashPoints: { hit: crash } } : {}) });
  const s = await t.create(keys);
  await t.start(s.id);
  await t.until('2026-03-09T13:30:00Z');
  expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10, legNo: 0 });
  return s;
}

/** What the broker was sent: (side, qty, client order id). */
const brokerRecord = () => t.paper.placedOrders().map((o) => [o.request.side, o.request.qty]);
const sentIds = () => t.paper.placedOrders().map((o) => o.request.clientOrderId);
const journal = (s: Strategy) => t.orders(s.id).map((o) => [o.legNo, o.leg, o.side, o.status]);
const id = (s: Strategy, slot: 'entry' | 'exit', legNo: number, attempt = 1) => clientOrderId('test01', s.id, '2026-03-09', slot, attempt, legNo);

describe('re-entry after a stop-loss', () => {
  it('each stop-loss enters again at once, up to N; the third stop-loss of a day with N=2 ends EXITED_BY_SL: 3 entries, 3 exits', async () => {
    const s = await entered(REENTER);
    expect(t.run(s.id).levels).toMatchObject({ entry: 100, stop: 98 });
    await tick(97.5);
    // Leg 0 stopped at 97.5; leg 1 bought at once, at 97.5, its stop 2 under.
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', legNo: 1, positionQty: 10, levels: { entry: 97.5, stop: 95.5 } });
    expect(t.eventsOf('reentry_scheduled')).toMatchObject([{ legNo: 1, of: 2, after: 'STOPLOSS' }]);
    await tick(95);
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', legNo: 2, levels: { entry: 95, stop: 93 } });
    await tick(92);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', positionQty: 0, legNo: 2 });
    await t.until('2026-03-09T19:56:00Z');
    expect(brokerRecord()).toEqual([
      ['buy', 10],
      ['sell', 10],
      ['buy', 10],
      ['sell', 10],
      ['buy', 10],
      ['sell', 10],
    ]);
    expect(journal(s)).toEqual([
      [0, 'BUY', 'buy', 'filled'],
      [0, 'STOPLOSS', 'sell', 'filled'],
      [1, 'BUY', 'buy', 'filled'],
      [1, 'STOPLOSS', 'sell', 'filled'],
      [2, 'BUY', 'buy', 'filled'],
      [2, 'STOPLOSS', 'sell', 'filled'],
    ]);
    // Leg 0 keeps the day's first ids; legs 1 and 2 their own tr…1E / tr…2E.
    expect(sentIds()).toEqual([id(s, 'entry', 0), id(s, 'exit', 0), id(s, 'entry', 1), id(s, 'exit', 1), id(s, 'entry', 2), id(s, 'exit', 2)]);
    expect(sentIds()[2]).toMatch(/^tr.{14}1E$/);
    expect(sentIds()[4]).toMatch(/^tr.{14}2E$/);
    expect(t.eventsOf('reentry_scheduled').map((e) => e.legNo)).toEqual([1, 2]);

    // The day's P&L and quantities are summed over its legs: (97.5−100 + 95−97.5 + 92−95) × 10.
    const [row] = t.repos.runs.history(t.user.id, { strategyId: s.id });
    expect(runHistoryDto(row!)).toMatchObject({ bought_qty: 30, sold_qty: 30, realized_pnl: -80, position_qty: 0 });
    const fills = t.repos.orders.fillsInternal([t.run(s.id).id]);
    expect(runtimeDto(t.run(s.id), null, fills)).toMatchObject({ sold_qty: 30, realized_pnl: -80 });
  });

  it('stop-loss, re-entry, target, re-entry (reentry_after either): legs end as their exits did, the last by the SELL time', async () => {
    const s = await entered({ ...REENTER, reentry_after: 'either', target: 3, target_mode: 'points' });
    await tick(97.9);
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', legNo: 1, levels: { entry: 97.9, stop: 95.9, target: 100.9 } });
    await tick(101);
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', legNo: 2, levels: { entry: 101, stop: 99, target: 104 } });
    // No re-entry left: the last leg is sold at the SELL time.
    await t.until('2026-03-09T19:56:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', exitLeg: 'SELL', positionQty: 0 });
    expect(journal(s).map(([leg, kind]) => `${leg} ${kind}`)).toEqual(['0 BUY', '0 STOPLOSS', '1 BUY', '1 TARGET', '2 BUY', '2 SELL']);
    expect(t.eventsOf('reentry_scheduled').map((e) => [e.legNo, e.after])).toEqual([
      [1, 'STOPLOSS'],
      [2, 'TARGET'],
    ]);
  });

  it('a target does not re-enter when reentry_after is stop_loss: the run ends EXITED_BY_TARGET', async () => {
    const s = await entered({ ...REENTER, target: 3, target_mode: 'points' });
    await tick(103.5);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_TARGET', legNo: 0 });
    await t.until('2026-03-09T19:56:00Z');
    expect(brokerRecord()).toEqual([
      ['buy', 10],
      ['sell', 10],
    ]);
  });

  it('past the cut-off a stop-loss ends the run: no re-entry is sent', async () => {
    const s = await entered(REENTER);
    await t.until('2026-03-09T16:00:00Z');
    await tick(97);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', legNo: 0 });
    await t.until('2026-03-09T19:56:00Z');
    expect(brokerRecord()).toEqual([
      ['buy', 10],
      ['sell', 10],
    ]);
    expect(t.eventsOf('reentry_scheduled')).toEqual([]);
  });

  it('a short re-enters selling, and each exit buys back', async () => {
    const s = await entered({ ...REENTER, side: 'sell', reentries: 1 });
    expect(t.run(s.id).levels).toMatchObject({ entry: 100, stop: 102 });
    await tick(102.5);
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', legNo: 1, levels: { entry: 102.5, stop: 104.5 } });
    await tick(105);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', legNo: 1 });
    expect(brokerRecord()).toEqual([
      ['sell', 10],
      ['buy', 10],
      ['sell', 10],
      ['buy', 10],
    ]);
  });
});

describe('between legs', () => {
  it('a STOP while the run waits for its next leg ends it STOPPED: the re-entry is not sent, nor anything after', async () => {
    const s = await entered(REENTER);
    let stopping: Promise<unknown> | undefined;
    // The trader presses STOP the moment the run starts waiting (before its re-entry timer fires).
    t.engine.bus.on('reentry_scheduled', () => {
      stopping = t.engine.manager.stop(t.user.id, s.id);
    });
    await tick(97.5);
    await stopping;
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', legNo: 1, positionQty: 0, reason: 'stopped by the trader between legs' });
    await t.until('2026-03-09T19:56:00Z');
    expect(brokerRecord()).toEqual([
      ['buy', 10],
      ['sell', 10],
    ]);
    expect(t.repos.strategies.getInternal(s.id)?.status).toBe('stopped');
  });

  /** A strategy that re-enters, whose process dies just before its first re-entry is journaled (before-reentry-journal). */
  async function crashedBeforeReentry(): Promise<Strategy> {
    let armed = true;
    const s = await entered(REENTER, (point) => {
      if (point !== 'before-reentry-journal' || !armed) return;
      armed = false;
      // Nothing of the re-entry is written yet: leg 0's two orders only.
      expect(journal(s).map(([leg, kind]) => `${leg} ${kind}`)).toEqual(['0 BUY', '0 STOPLOSS']);
      throw new Error('the process died here');
    });
    await tick(97.5);
    expect(armed).toBe(false);
    expect(t.run(s.id)).toMatchObject({ state: 'WAITING_REENTRY', legNo: 1, positionQty: 0 });
    expect(journal(s)).toHaveLength(2);
    return s;
  }

  it('restarted before the cut-off, a run waiting for its next leg enters it exactly once', async () => {
    const s = await crashedBeforeReentry();
    t = await t.restart({ startPrices: { [AAPL]: 97.5 } });
    await t.engine.recover();
    await t.until('2026-03-09T13:32:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', legNo: 1, positionQty: 10, levels: { entry: 97.5, stop: 95.5 } });
    expect(brokerRecord()).toEqual([['buy', 10]]);
    expect(sentIds()).toEqual([id(s, 'entry', 1)]);
    await t.until('2026-03-09T19:56:00Z');
    expect(journal(s).map(([leg, kind]) => `${leg} ${kind}`)).toEqual(['0 BUY', '0 STOPLOSS', '1 BUY', '1 SELL']);
    expect(brokerRecord()).toEqual([
      ['buy', 10],
      ['sell', 10],
    ]);
  });

  it('a short killed while waiting for its second re-entry, restarted before the cut-off: leg 2 is entered once, selling, under its own id', async () => {
    let hits = 0;
    const s = await entered({ ...REENTER, side: 'sell' }, (point) => {
      if (point !== 'before-reentry-journal' || ++hits !== 2) return;
      throw new Error('the process died here');
    });
    await tick(102.5); // leg 0's stop at 102: leg 1 sold at 102.5, its stop at 104.5
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', legNo: 1, levels: { entry: 102.5, stop: 104.5 } });
    await tick(105); // leg 1 stopped; the process dies before leg 2 is journaled
    expect(hits).toBe(2);
    expect(t.run(s.id)).toMatchObject({ state: 'WAITING_REENTRY', legNo: 2, positionQty: 0 });
    expect(journal(s).map(([leg, kind]) => `${leg} ${kind}`)).toEqual(['0 BUY', '0 STOPLOSS', '1 BUY', '1 STOPLOSS']);

    t = await t.restart({ startPrices: { [AAPL]: 105 } });
    await t.engine.recover();
    await t.until('2026-03-09T13:32:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', legNo: 2, positionQty: 10, levels: { entry: 105, stop: 107 } });
    // The broker after the restart: one entry, a sell, under leg 2's tr…2E.
    expect(t.paper.placedOrders().map((o) => [o.request.side, o.request.qty, o.request.clientOrderId])).toEqual([['sell', 10, id(s, 'entry', 2)]]);
    expect(id(s, 'entry', 2)).toMatch(/^tr.{14}2E$/);
    await t.until('2026-03-09T19:56:00Z');
    expect(sentIds()).toEqual([id(s, 'entry', 2), id(s, 'exit', 2)]);
    expect(brokerRecord()).toEqual([
      ['sell', 10],
      ['buy', 10],
    ]);
    expect(journal(s).filter(([leg]) => leg === 2)).toEqual([
      [2, 'BUY', 'sell', 'filled'],
      [2, 'SELL', 'buy', 'filled'],
    ]);
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', legNo: 2, positionQty: 0 });
  });

  it('restarted after the cut-off, it ends as its last leg did, with reentry_skipped; nothing is sent', async () => {
    const s = await crashedBeforeReentry();
    await t.stopEngine();
    await t.clock.advanceTo(Date.parse('2026-03-09T16:30:00Z'));
    t = await t.restart();
    await t.engine.recover();
    await t.until('2026-03-09T16:31:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', legNo: 1, exitLeg: 'STOPLOSS', positionQty: 0 });
    expect(t.eventsOf('reentry_skipped')).toMatchObject([{ legNo: 1 }]);
    await t.until('2026-03-09T19:56:00Z');
    expect(brokerRecord()).toEqual([]);
    expect(journal(s)).toHaveLength(2);
  });

  it("restarted mid-trail in a later leg, the trail moves on only from prices since that leg's own fill, not the leg before's", async () => {
    const s = await entered({ ...REENTER, stop_loss: 5, reentries: 1, trail: 2 });
    await t.until('2026-03-09T13:35:00Z');
    await tick(106);
    await tick(103.9);
    const leg1 = t.orders(s.id).find((o) => o.legNo === 1 && o.leg === 'BUY');
    expect(leg1).toMatchObject({ status: 'filled', fillPrice: 103.9 });
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', legNo: 1, levels: { stop: 101.9, trail: { best: 103.9 } } });
    t = await t.restart({ startPrices: { [AAPL]: 103 } });
    // Leg 0's high of 106 is in the minute that began before leg 1's fill: a price leg 1 never had.
    t.repos.priceBars.saveInternal([{ brokerAccountId: t.account.id, exchange: 'NYSE', symbol: 'AAPL', minute: Date.parse('2026-03-09T13:35:00Z'), open: 100, high: 106, low: 100, close: 103.9, ticks: 3 }]);
    await t.engine.recover();
    await t.clock.advance(0);
    await t.engine.idle();
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', legNo: 1, levels: { stop: 101.9, trail: { best: 103.9 } } });
    expect(brokerRecord()).toEqual([]);
  });
});
