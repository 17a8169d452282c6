/**
 * What trading does when SQLite refuses writes (disk full, busy past its timeout, read-only):
 * a BUY fails closed; an exit goes out anyway under its deterministic client order id, is
 * journaled once storage is back, and never becomes two orders; a short's exit is a buy-back, and a
 * re-entry leg's exit carries that leg's own id. Judged by what the paper broker was sent.
 * `PRAGMA query_only` makes the real SQLite refuse every write with SQLITE_READONLY while reads still work, as on a full disk.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import { clientOrderId } from '../../engine/core/ids';

let t: TestEngine;
afterEach(async () => {
  t?.db.sqlite.pragma('query_only = OFF');
  await t?.close();
});


const refuseWrites = (on: boolean) => t.db.sqlite.pragma(`query_only = ${on ? 'ON' : 'OFF'}`);
/** What the broker was sent, in order: (side, qty, client order id). */
const sent = () => t.paper.placedOrders().map((o) => [o.request.side, o.request.qty, o.request.clientOrderId]);
async function tick(price: number): Promise<void> {
  t.paper.setPrice('NYSE:AAPL', price);
  await t.clock.advance(1_000);
  await t.engine.idle();
}

describe('when the journal cannot be written', () => {
  it('does not send a BUY: no position without a journal row', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T13:29:00Z');
    refuseWrites(true);
    await t.until('2026-03-09T13:30:01Z');
    expect(t.paper.placedOrders()).toEqual([]);
    expect(t.eventsOf('storage_failed')).toEqual([expect.objectContaining({ leg: 'BUY', action: 'not_sent', detail: expect.stringMatching(/readonly/) })]);
    refuseWrites(false);
    expect(t.run(s.id).state).toBe('ARMED');
  });

  it('sends the exit at once, journals it when storage is back, and lets no second exit through', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { scripts: { 'NYSE:AAPL': [{ afterMs: 3_600_000, price: 90 }] } } });
    const s = await t.create({ stop_loss: 95 });
    await t.start(s.id);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id).state).toBe('IN_POSITION');
    refuseWrites(true);
    await t.until('2026-03-09T14:00:00Z'); // the price falls through the stop-loss
    const sells = () => t.paper.placedOrders().filter((o) => o.request.side === 'sell');
    expect(sells().map((o) => o.request.clientOrderId)).toEqual(['tctest011260309X']);
    expect(t.eventsOf('storage_failed')).toEqual([expect.objectContaining({ leg: 'STOPLOSS', action: 'sent_unjournaled' })]);
    expect(t.orders(s.id).map((o) => o.leg)).toEqual(['BUY']);

    // A manual stop while storage is still down must not send a second exit.
    await t.engine.execution.submit({ strategyId: s.id, runId: t.run(s.id).id, leg: 'MANUAL_EXIT', legNo: 0, scheduledAt: t.clock.now() });
    await t.until('2026-03-09T14:00:30Z');
    expect(sells()).toHaveLength(1);
    expect(t.eventsOf('exit_suppressed')).toEqual([expect.objectContaining({ leg: 'MANUAL_EXIT', reason: expect.stringMatching(/journal was unavailable/) })]);

    refuseWrites(false);
    await t.until('2026-03-09T14:02:00Z');
    expect(t.orders(s.id).map((o) => [o.leg, o.status, o.clientOrderId])).toEqual([
      ['BUY', 'filled', 'tctest011260309E'],
      ['STOPLOSS', 'filled', 'tctest011260309X'],
    ]);
    // Journaled after it went out: marked as sent then, so a restart before its answer is written never takes it for unsent.
    const stop = t.orders(s.id)[1]!;
    expect(stop.sendingAt).not.toBeNull();
    expect(stop.sendingAt).toBe(stop.dispatchedAt);
    expect(stop.sendingAt!).toBeLessThan(Date.parse('2026-03-09T14:00:30Z'));
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0, exitPrice: 90 });
    await t.until('2026-03-09T21:00:00Z');
    expect(sells()).toHaveLength(1);
  });

  it('a trailing stop moved while storage refuses writes is still watched where it moved, and the process carries on', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ stop_loss: 90, trail: 2 });
    await t.start(s.id);
    await t.until('2026-03-09T13:30:00Z');
    expect(t.run(s.id).levels).toMatchObject({ stop: 98, stopKind: 'TRAIL_STOP' });
    refuseWrites(true);
    // The price rises: the trail moves the stop to 103, which cannot be written.
    t.paper.setPrice('NYSE:AAPL', 105);
    await t.clock.advance(1_000);
    await t.engine.idle();
    expect(t.eventsOf('stop_moved').map((e) => e.to)).toEqual([103]);
    expect(t.run(s.id).levels).toMatchObject({ stop: 98 });
    // A fall to 102.9 crosses the stop as it moved (not the 98 written): the exit goes out.
    t.paper.setPrice('NYSE:AAPL', 102.9);
    await t.clock.advance(1_000);
    await t.engine.idle();
    expect(t.paper.placedOrders().map((o) => o.request.side)).toEqual(['buy', 'sell']);
    refuseWrites(false);
    await t.until('2026-03-09T13:35:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'TRAIL_STOP', positionQty: 0 });
  });

  it("a short's stop-loss goes out as a buy-back for the position's quantity under the exit id, and is journaled once storage is back", async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { scripts: { 'NYSE:AAPL': [{ afterMs: 3_600_000, price: 110 }] } } });
    const s = await t.create({ side: 'sell', stop_loss: 105 });
    await t.start(s.id);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
    refuseWrites(true);
    await t.until('2026-03-09T14:00:00Z'); // the price rises through the short's stop-loss
    expect(sent()).toEqual([
      ['sell', 10, 'tctest011260309E'],
      ['buy', 10, 'tctest011260309X'],
    ]);
    expect(t.eventsOf('storage_failed')).toEqual([expect.objectContaining({ leg: 'STOPLOSS', action: 'sent_unjournaled' })]);
    expect(t.orders(s.id).map((o) => o.leg)).toEqual(['BUY']);

    refuseWrites(false);
    await t.until('2026-03-09T14:02:00Z');
    expect(t.orders(s.id).map((o) => [o.leg, o.side, o.qty, o.status, o.clientOrderId])).toEqual([
      ['BUY', 'sell', 10, 'filled', 'tctest011260309E'],
      ['STOPLOSS', 'buy', 10, 'filled', 'tctest011260309X'],
    ]);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0, exitPrice: 110 });
    await t.until('2026-03-09T21:00:00Z');
    expect(sent()).toHaveLength(2);
  });

  it("a re-entry leg's stop-loss goes out under that leg's own tr… exit id, not leg 0's", async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ stop_loss: 2, stop_loss_mode: 'points', reentries: 2, reentry_after: 'stop_loss', reentry_cutoff: '12:00' });
    const id = (slot: 'entry' | 'exit', legNo: number) => clientOrderId('test01', s.id, '2026-03-09', slot, 1, legNo);
    await t.start(s.id);
    await t.until('2026-03-09T13:30:00Z');
    await tick(97.5); // leg 0 stopped, leg 1 entered
    await tick(95); // leg 1 stopped, leg 2 entered at 95, its stop at 93
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', legNo: 2, positionQty: 10, levels: { stop: 93 } });
    refuseWrites(true);
    await tick(92);
    expect(sent().slice(5)).toEqual([['sell', 10, id('exit', 2)]]);
    expect(id('exit', 2)).toMatch(/^tr.{14}2X$/);
    expect(t.eventsOf('storage_failed')).toEqual([expect.objectContaining({ leg: 'STOPLOSS', action: 'sent_unjournaled' })]);

    refuseWrites(false);
    await t.until('2026-03-09T13:35:00Z');
    expect(t.orders(s.id).filter((o) => o.legNo === 2).map((o) => [o.leg, o.side, o.status, o.clientOrderId])).toEqual([
      ['BUY', 'buy', 'filled', id('entry', 2)],
      ['STOPLOSS', 'sell', 'filled', id('exit', 2)],
    ]);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', legNo: 2, positionQty: 0 });
    await t.until('2026-03-09T21:00:00Z');
    expect(sent().map(([, , cid]) => cid)).toEqual([id('entry', 0), id('exit', 0), id('entry', 1), id('exit', 1), id('entry', 2), id('exit', 2)]);
  });
});
