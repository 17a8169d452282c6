/**
 * The GTT watch on a FakeClock with a scripted read: when each GTT is read, how often the account
 * is asked at most, and what an order update (in kiteconnect-mocks postback.json's fields, values
 * ours) makes it do.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import type { Instrument, RestingStopReport } from '../broker';
import { GttWatch, type GttRead, type WatchedGtt } from './gtt-watch';

const infy: Instrument = { symbol: 'INFY', exchange: 'NSE', brokerRef: '408065', tickSize: 0.05, shortable: null };
const T0 = Date.parse('2026-03-09T04:00:00Z');

function gtt(id: string, over: Partial<WatchedGtt['ref']> = {}): WatchedGtt {
  return { ref: { clientOrderId: `tb${id}`, brokerRef: id, instrument: infy, side: 'sell', qty: 10, triggerPrice: 95, ...over }, limitPrice: 94.05, product: 'MIS' };
}

/** A Kite order update for a GTT's order (postback.json's fields). */
function update(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { user_id: 'ZF1234', order_id: '260309000000001', status: 'OPEN', exchange: 'NSE', tradingsymbol: 'INFY', instrument_token: 408065, order_type: 'LIMIT', transaction_type: 'SELL', validity: 'DAY', product: 'MIS', quantity: 10, price: 94.05, filled_quantity: 0, tag: null, ...over };
}

function report(g: WatchedGtt, status: RestingStopReport['status'], more: Partial<RestingStopReport> = {}): RestingStopReport {
  return { clientOrderId: g.ref.clientOrderId, brokerRef: g.ref.brokerRef, status, triggerPrice: 95, limitPrice: 94.05, qty: 10, filledQty: 0, avgFillPrice: null, done: false, at: T0, reason: null, ...more };
}

function setup() {
  const clock = new FakeClock(T0);
  const reads: Array<{ id: string; at: number }> = [];
  const emitted: RestingStopReport[] = [];
  /** What the next reads of a GTT answer, first first; then it rests. */
  const answers = new Map<string, Array<(g: WatchedGtt) => GttRead>>();
  const gtts = new Map<string, WatchedGtt>();
  const watch = new GttWatch({
    clock,
    read: async (ref) => {
      reads.push({ id: ref.brokerRef, at: clock.now() - T0 });
      const next = answers.get(ref.brokerRef)?.shift();
      const g = gtts.get(ref.brokerRef)!;
      return next ? next(g) : { kind: 'ok', report: report(g, 'resting') };
    },
    emit: (r) => emitted.push(r),
  });
  const add = (g: WatchedGtt) => {
    gtts.set(g.ref.brokerRef, g);
    watch.watch(g);
  };
  const answer = (id: string, ...next: Array<(g: WatchedGtt) => GttRead>) => answers.set(id, next);
  return { clock, watch, reads, emitted, add, answer };
}

const fired = (g: WatchedGtt): GttRead => ({ kind: 'ok', report: report(g, 'fired', { filledQty: 10, avgFillPrice: 94.5, done: true }) });

describe('the GTT watch', () => {
  it('asks nothing while no GTT rests', async () => {
    const { clock, reads } = setup();
    await clock.advance(120_000);
    expect(reads).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reads a resting GTT every 10 s, and stops once it is unwatched', async () => {
    const { clock, watch, reads, add } = setup();
    add(gtt('1'));
    await clock.advance(35_000);
    expect(reads.map((r) => r.at)).toEqual([10_000, 20_000, 30_000]);
    watch.unwatch('1');
    await clock.advance(60_000);
    expect(reads).toHaveLength(3);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('never asks the account more than once a second, however many GTTs rest', async () => {
    const { clock, reads, add } = setup();
    for (let i = 1; i <= 15; i++) add(gtt(String(i)));
    await clock.advance(120_000);
    const gaps = reads.slice(1).map((r, i) => r.at - reads[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1_000);
    // 15 GTTs at one read a second: each is read every 15 s, none left behind.
    for (let i = 1; i <= 15; i++) expect(reads.filter((r) => r.id === String(i)).length).toBeGreaterThanOrEqual(7);
  });

  it('a fired GTT is reported once and read no more', async () => {
    const { clock, reads, emitted, add, answer } = setup();
    add(gtt('1'));
    answer('1', fired);
    await clock.advance(60_000);
    expect(emitted).toEqual([expect.objectContaining({ brokerRef: '1', status: 'fired', filledQty: 10, done: true })]);
    expect(reads).toHaveLength(1);
  });

  it('an order update like the GTT\'s order has it read at once, then after 1, 2 and 4 s while it still reads active', async () => {
    const { clock, watch, reads, emitted, add, answer } = setup();
    add(gtt('1'));
    await clock.advance(3_000);
    // Kite may announce the order before the GTT reads triggered: twice active, then fired.
    const active = (g: WatchedGtt): GttRead => ({ kind: 'ok', report: report(g, 'resting') });
    answer('1', active, active, fired);
    watch.noticeOrder(update());
    await clock.advance(0);
    expect(reads.map((r) => r.at)).toEqual([3_000]);
    await clock.advance(5_000);
    expect(reads.map((r) => r.at)).toEqual([3_000, 4_000, 6_000]);
    expect(emitted).toEqual([expect.objectContaining({ status: 'fired' })]);
  });

  it('a two-leg GTT is read at once when either leg\'s LIMIT order shows: the take-profit\'s as well as the stop\'s', async () => {
    const { clock, watch, reads, add } = setup();
    add({ ...gtt('1', { targetPrice: 105 }), targetLimitPrice: 103.95 });
    await clock.advance(2_000);
    watch.noticeOrder(update({ order_id: '260309000000007', price: 103.95 }));
    await clock.advance(0);
    expect(reads.map((r) => r.at)).toEqual([2_000]);
    // A LIMIT at neither leg's price is not the GTT's.
    watch.noticeOrder(update({ order_id: '260309000000008', price: 104 }));
    await clock.advance(900);
    expect(reads).toHaveLength(1);
  });

  it('the same order\'s later updates, and orders unlike the GTT\'s, read nothing before the next poll', async () => {
    const { clock, watch, reads, add } = setup();
    add(gtt('1'));
    await clock.advance(2_000);
    watch.noticeOrder(update());
    await clock.advance(0);
    expect(reads).toHaveLength(1);
    await clock.advance(7_000); // the quick reads at 3, 5 and 9 s
    reads.length = 0;
    const unlike = [
      update({ order_id: 'a' }), // the same order again (COMPLETE)
      update({ order_id: 'b', order_type: 'MARKET', price: 0 }), // the trader's own market sale
      update({ order_id: 'c', price: 94.1 }),
      update({ order_id: 'd', quantity: 5 }),
      update({ order_id: 'e', transaction_type: 'BUY' }),
      update({ order_id: 'f', product: 'CNC' }),
      update({ order_id: 'g', tradingsymbol: 'TCS' }),
      { order_id: 'h', status: 'OPEN' },
    ];
    watch.noticeOrder(update({ order_id: '260309000000001', status: 'COMPLETE' }));
    for (const u of unlike.slice(1)) watch.noticeOrder(u);
    await clock.advance(9_000);
    expect(reads.map((r) => r.at)).toEqual([]);
    await clock.advance(10_000);
    expect(reads.map((r) => r.at)).toEqual([19_000]);
  });

  it('a failed read waits longer each time (10, 20, 40, then 60 s), or Kite\'s Retry-After when longer', async () => {
    const { clock, reads, add, answer } = setup();
    add(gtt('1'));
    const failed = (): GttRead => ({ kind: 'failed' });
    answer('1', failed, failed, failed, failed, () => ({ kind: 'failed', retryAfterMs: 90_000 }));
    await clock.advance(400_000);
    expect(reads.slice(0, 8).map((r) => r.at)).toEqual([10_000, 20_000, 40_000, 80_000, 140_000, 230_000, 240_000, 250_000]);
  });

  it('a modify while the GTT is read reads the new version next, under its id', async () => {
    const clock = new FakeClock(T0);
    const reads: Array<{ id: string; at: number }> = [];
    const emitted: RestingStopReport[] = [];
    let release: (r: GttRead) => void = () => {};
    const g = gtt('1');
    const slow = new GttWatch({
      clock,
      read: (ref) => {
        reads.push({ id: ref.clientOrderId, at: clock.now() - T0 });
        return reads.length === 1 ? new Promise<GttRead>((r) => (release = r)) : Promise.resolve(fired({ ...g, ref }));
      },
      emit: (r) => emitted.push(r),
    });
    slow.watch(g);
    await clock.advance(10_000);
    slow.watch(gtt('1', { clientOrderId: 'tb1v2', triggerPrice: 96 }));
    release(fired(g));
    await clock.advance(1_000);
    expect(reads.map((r) => r.id)).toEqual(['tb1', 'tb1v2']);
    expect(emitted).toEqual([expect.objectContaining({ clientOrderId: 'tb1v2' })]);
  });

  it('stops: no timer is left and nothing more is read', async () => {
    const { clock, watch, reads, add } = setup();
    add(gtt('1'));
    watch.stop();
    watch.noticeOrder(update());
    await clock.advance(60_000);
    expect(reads).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
