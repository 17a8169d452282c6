import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asOrderId } from '../../engine/core/ids';
import type { Leg, OrderStatus, Run } from '../../engine/core/types';
import { openDatabase, type Db } from '../client';
import { seedStrategy, type Seeded } from '../test-support';
import { UniqueViolation } from './errors';
import { createRepos, type Repos } from './index';
import type { NewOrder } from './orders';

// The journal is tested on a real file: it is the one table that must survive a crash.
let dir: string;
let file: string;
let db: Db;
let repos: Repos;
let a: Seeded;
let b: Seeded;
let runA: Run;
let runB: Run;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeclock-orders-'));
  file = join(dir, 'journal.sqlite');
  db = openDatabase(file);
  repos = createRepos(db);
  a = seedStrategy(repos, { email: 'alice@example.com' });
  b = seedStrategy(repos, { email: 'bob@example.com' });
  runA = repos.runs.create({ strategyId: a.strategy.id, userId: a.user.id, tradingDate: '2026-03-09', state: 'ARMED', buyAt: 1, sellAt: 2 }, 1);
  runB = repos.runs.create({ strategyId: b.strategy.id, userId: b.user.id, tradingDate: '2026-03-09', state: 'ARMED', buyAt: 1, sellAt: 2 }, 1);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const newOrder = (s: Seeded, run: Run, leg: Leg, status: OrderStatus = 'pending', clientOrderId = `tc-${run.id}-${leg}`): NewOrder => ({
  runId: run.id,
  strategyId: s.strategy.id,
  userId: s.user.id,
  brokerAccountId: s.account.id,
  leg,
  side: leg === 'BUY' ? 'buy' : 'sell',
  slot: leg === 'BUY' ? 'entry' : 'exit',
  clientOrderId,
  symbol: 'RELIANCE',
  exchange: 'NSE',
  qty: 1,
  status,
  scheduledAt: 1000,
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('orders repo (journal)', () => {
  it('journals an order with null broker fields, and it survives reopening the file', () => {
    const o = repos.orders.insert(newOrder(a, runA, 'BUY'), 50);
    expect(o).toEqual({
      ...newOrder(a, runA, 'BUY'),
      id: o.id,
      legNo: 0,
      attempt: 1,
      brokerOrderId: null,
      sendingAt: null,
      dispatchedAt: null,
      ackedAt: null,
      filledAt: null,
      filledQty: 0,
      fillPrice: null,
      rejectReason: null,
      createdAt: 50,
      updatedAt: 50,
    });
    // The sending mark (just before the request leaves) is written alone and survives too.
    repos.orders.markSendingInternal(o.id, 60);
    const marked = { ...o, sendingAt: 60, updatedAt: 60 };
    expect(repos.orders.getInternal(o.id)).toEqual(marked);
    db.close();
    db = openDatabase(file);
    repos = createRepos(db);
    expect(repos.orders.getInternal(o.id)).toEqual(marked);
  });

  it('a second order in the same run slot is a UniqueViolation (SELL after STOPLOSS)', () => {
    repos.orders.insert(newOrder(a, runA, 'STOPLOSS'), 1);
    const e = thrown(() => repos.orders.insert(newOrder(a, runA, 'SELL'), 2));
    expect(e).toBeInstanceOf(UniqueViolation);
    expect(e).toMatchObject({ table: 'orders', columns: ['run_id', 'leg_no', 'slot', 'attempt'] });
    expect(repos.orders.findBySlotInternal(runA.id, 'exit')?.leg).toBe('STOPLOSS');
  });

  it('a later leg takes its own entry and exit, found by its leg number, and is itself one per slot and attempt', () => {
    const entry0 = repos.orders.insert(newOrder(a, runA, 'BUY', 'filled', 'tcentry0'), 1);
    const exit0 = repos.orders.insert({ ...newOrder(a, runA, 'STOPLOSS', 'filled', 'tcexit0'), legNo: 0 }, 2);
    const entry1 = repos.orders.insert({ ...newOrder(a, runA, 'BUY', 'pending', 'trentry1'), legNo: 1 }, 3);
    const exit1 = repos.orders.insert({ ...newOrder(a, runA, 'SELL', 'pending', 'trexit1'), legNo: 1 }, 4);
    expect([entry0.legNo, exit0.legNo, entry1.legNo, exit1.legNo]).toEqual([0, 0, 1, 1]);
    expect(repos.orders.findBySlotInternal(runA.id, 'entry')?.id).toBe(entry0.id);
    expect(repos.orders.findBySlotInternal(runA.id, 'exit')?.id).toBe(exit0.id);
    expect(repos.orders.findBySlotInternal(runA.id, 'entry', 1)).toEqual(entry1);
    expect(repos.orders.findBySlotInternal(runA.id, 'exit', 1)).toEqual(exit1);
    expect(repos.orders.findBySlotInternal(runA.id, 'exit', 2)).toBeUndefined();
    const e = thrown(() => repos.orders.insert({ ...newOrder(a, runA, 'STOPLOSS', 'pending', 'trexit1b'), legNo: 1 }, 5));
    expect(e).toMatchObject({ table: 'orders', columns: ['run_id', 'leg_no', 'slot', 'attempt'] });
    expect(repos.orders.getInternal(exit1.id)).toEqual(exit1);
  });

  it('a new attempt of the exit slot takes its own row, and the slot reads as its latest attempt', () => {
    const first = repos.orders.insert(newOrder(a, runA, 'SELL', 'rejected', 'tcexit1'), 1);
    expect(first.attempt).toBe(1);
    const second = repos.orders.insert({ ...newOrder(a, runA, 'SELL', 'pending', 'tcexit2'), attempt: 2 }, 2);
    expect(second.attempt).toBe(2);
    expect(repos.orders.findBySlotInternal(runA.id, 'exit')?.id).toBe(second.id);
    expect(thrown(() => repos.orders.insert({ ...newOrder(a, runA, 'STOPLOSS', 'pending', 'tcexit3'), attempt: 2 }, 3))).toBeInstanceOf(UniqueViolation);
  });

  it('a reused client order id on the same account is a UniqueViolation', () => {
    repos.orders.insert(newOrder(a, runA, 'BUY', 'pending', 'tcdup'), 1);
    const otherRun = repos.runs.create({ ...runA, tradingDate: '2026-03-10' }, 1);
    const e = thrown(() => repos.orders.insert(newOrder(a, otherRun, 'BUY', 'pending', 'tcdup'), 2));
    expect(e).toBeInstanceOf(UniqueViolation);
    expect(e).toMatchObject({ table: 'orders', columns: ['broker_account_id', 'client_order_id'] });
    // Another account may carry the same id.
    expect(() => repos.orders.insert(newOrder(b, runB, 'BUY', 'pending', 'tcdup'), 2)).not.toThrow();
  });

  it('refuses a slot that does not follow the leg; the side is the entry\'s (a short sells first, and buys back)', () => {
    expect(() => repos.orders.insert({ ...newOrder(a, runA, 'SELL'), slot: 'entry' }, 1)).toThrow('order leg SELL must have slot exit');
    expect(() => repos.orders.insert({ ...newOrder(a, runA, 'BUY'), slot: 'exit' }, 1)).toThrow('order leg BUY must have slot entry');
    expect(repos.orders.list(a.user.id, a.strategy.id)).toEqual([]);
    expect(repos.orders.insert({ ...newOrder(a, runA, 'BUY'), side: 'sell' }, 1)).toMatchObject({ leg: 'BUY', slot: 'entry', side: 'sell' });
    // An exit on the entry's side would double the position instead of closing it.
    expect(() => repos.orders.insert({ ...newOrder(a, runA, 'SELL'), side: 'sell' }, 1)).toThrow('exit leg SELL must trade against its entry: the entry was a sell, so the exit cannot be one');
    expect(repos.orders.insert({ ...newOrder(a, runA, 'SELL'), side: 'buy' }, 1)).toMatchObject({ leg: 'SELL', slot: 'exit', side: 'buy' });
  });

  it('finds by slot and by client order id; updates the broker answer', () => {
    const o = repos.orders.insert(newOrder(a, runA, 'BUY'), 1);
    expect(repos.orders.findBySlotInternal(runA.id, 'entry')).toEqual(o);
    expect(repos.orders.findBySlotInternal(runA.id, 'exit')).toBeUndefined();
    expect(repos.orders.findByClientOrderIdInternal(a.account.id, o.clientOrderId)).toEqual(o);
    expect(repos.orders.findByClientOrderIdInternal(b.account.id, o.clientOrderId)).toBeUndefined();

    const filled = repos.orders.update(o.id, { status: 'filled', brokerOrderId: 'B-1', dispatchedAt: 2, ackedAt: 3, filledAt: 4, filledQty: 1, fillPrice: 2901.25 }, 9);
    expect(filled).toMatchObject({ status: 'filled', brokerOrderId: 'B-1', filledQty: 1, fillPrice: 2901.25, createdAt: 1, updatedAt: 9 });
    // A whole row as a patch cannot move the order to another run or account.
    expect(repos.orders.update(o.id, { ...newOrder(b, runB, 'SELL'), status: 'filled' }, 10)).toMatchObject({ runId: runA.id, brokerAccountId: a.account.id, leg: 'BUY' });
    expect(() => repos.orders.update(asOrderId(999), { status: 'filled' }, 1)).toThrow(/not found/);
  });

  it('lists a user’s orders of a strategy oldest first; user B sees none of A’s', () => {
    const buy = repos.orders.insert(newOrder(a, runA, 'BUY'), 1);
    const sell = repos.orders.insert(newOrder(a, runA, 'SELL'), 2);
    expect(repos.orders.list(a.user.id, a.strategy.id).map((o) => o.id)).toEqual([buy.id, sell.id]);
    expect(repos.orders.list(b.user.id, a.strategy.id)).toEqual([]);
  });

  it('lists unresolved orders across users', () => {
    const statuses: OrderStatus[] = ['pending', 'sent', 'accepted', 'partially_filled', 'unknown', 'filled', 'rejected', 'cancelled'];
    const runs = statuses.map((_, i) => repos.runs.create({ ...runA, tradingDate: `2026-04-${String(i + 1).padStart(2, '0')}` }, 1));
    statuses.forEach((status, i) => repos.orders.insert(newOrder(a, runs[i]!, 'BUY', status), 1));
    repos.orders.insert(newOrder(b, runB, 'BUY', 'sent'), 1);
    expect(repos.orders.listUnresolvedInternal().map((o) => o.status)).toEqual(['pending', 'sent', 'accepted', 'partially_filled', 'unknown', 'sent']);
  });
});
