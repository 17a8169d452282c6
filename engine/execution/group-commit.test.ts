import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Leg, Order, Run } from '../core/types';
import { seedStrategy, openTestDb, type Seeded, type TestDb } from '../../db/test-support';
import { UniqueViolation, type Repos, type TransactionOptions } from '../../db/repos';
import { GroupCommit } from './group-commit';

interface Intent {
  readonly run: Run;
  readonly leg: Leg;
  readonly boom?: boolean;
}

let t: TestDb;
let s: Seeded;
let commits: number;
let flushes: Array<() => void>;
let repos: Repos;

beforeEach(() => {
  t = openTestDb();
  s = seedStrategy(t.repos);
  commits = 0;
  flushes = [];
  // Count the outermost transactions: each one is a commit (and one fsync on a file).
  let depth = 0;
  repos = {
    ...t.repos,
    transaction<T>(fn: () => T, options?: TransactionOptions): T {
      depth++;
      try {
        const out = t.repos.transaction(fn, options);
        if (depth === 1) commits++;
        return out;
      } finally {
        depth--;
      }
    },
  };
});
afterEach(() => t.close());

const runOf = (date: string) => t.repos.runs.create({ strategyId: s.strategy.id, userId: s.user.id, tradingDate: date, state: 'IN_POSITION', buyAt: 1, sellAt: 2, positionQty: 1 }, 1);

/** Journals the intent's order, as ExecutionEngine.decide does (the (run, slot) index applies). */
function journal(i: Intent): Order {
  if (i.boom) {
    t.repos.runs.update(i.run.id, { reason: 'half written' }, 3);
    throw new Error('boom');
  }
  const entry = i.leg === 'BUY';
  return t.repos.orders.insert(
    { runId: i.run.id, strategyId: s.strategy.id, userId: s.user.id, brokerAccountId: s.account.id, leg: i.leg, side: entry ? 'buy' : 'sell', slot: entry ? 'entry' : 'exit', clientOrderId: `tc-${i.run.id}-${i.leg}`, symbol: 'RELIANCE', exchange: 'NSE', qty: 1, status: 'pending', scheduledAt: 1 },
    2,
  );
}

function batch(): GroupCommit<Intent, Order> {
  return new GroupCommit<Intent, Order>(repos, journal, { defer: (flush) => flushes.push(flush) });
}

describe('GroupCommit (of the order journal)', () => {
  it('journals every intent of one turn in one transaction, answering each only after the commit', async () => {
    const b = batch();
    const runs = ['2026-03-09', '2026-03-10', '2026-03-11'].map(runOf);
    let answered = 0;
    const decisions = runs.map((run) => b.write({ run, leg: 'SELL' }).then((o) => (answered++, o)));
    await Promise.resolve();
    expect(answered).toBe(0);
    expect(flushes).toHaveLength(1); // one flush scheduled for the whole turn
    flushes[0]!();
    const orders = await Promise.all(decisions);
    expect(commits).toBe(1);
    expect(orders.map((o) => o.runId)).toEqual(runs.map((r) => r.id));
    expect(runs.map((r) => t.repos.orders.findBySlotInternal(r.id, 'exit')?.id)).toEqual(orders.map((o) => o.id));
  });

  it('still refuses a second exit of the same run in the same batch, alone', async () => {
    const b = batch();
    const run = runOf('2026-03-09');
    const other = runOf('2026-03-10');
    const first = b.write({ run, leg: 'STOPLOSS' });
    const second = b.write({ run, leg: 'SELL' });
    const third = b.write({ run: other, leg: 'SELL' });
    flushes[0]!();
    expect((await first).leg).toBe('STOPLOSS');
    await expect(second).rejects.toBeInstanceOf(UniqueViolation);
    expect((await third).runId).toBe(other.id);
    expect(commits).toBe(1);
    expect(t.repos.orders.list(s.user.id, s.strategy.id).map((o) => [o.runId, o.leg])).toEqual([
      [run.id, 'STOPLOSS'],
      [other.id, 'SELL'],
    ]);
  });

  it('rolls back only the writes of an intent that throws', async () => {
    const b = batch();
    const bad = runOf('2026-03-09');
    const good = runOf('2026-03-10');
    const failing = b.write({ run: bad, leg: 'SELL', boom: true });
    const fine = b.write({ run: good, leg: 'SELL' });
    flushes[0]!();
    await expect(failing).rejects.toThrow('boom');
    expect((await fine).runId).toBe(good.id);
    expect(t.repos.runs.getInternal(bad.id)?.reason).toBeNull();
  });

  it('an intent alone in its batch gets one transaction and no savepoint; if it throws, none of its writes stay', async () => {
    let transactions = 0;
    const counting: Pick<Repos, 'transaction'> = {
      transaction: <T>(fn: () => T, options?: TransactionOptions): T => {
        transactions++;
        return repos.transaction(fn, options);
      },
    };
    const b = new GroupCommit<Intent, Order>(counting, journal, { defer: (flush) => flushes.push(flush) });
    const bad = runOf('2026-03-09');
    const failing = b.write({ run: bad, leg: 'SELL', boom: true });
    flushes[0]!();
    await expect(failing).rejects.toThrow('boom');
    expect(t.repos.runs.getInternal(bad.id)?.reason).toBeNull();
    expect(transactions).toBe(1);

    const good = runOf('2026-03-10');
    const fine = b.write({ run: good, leg: 'SELL' });
    flushes[1]!();
    expect((await fine).runId).toBe(good.id);
    expect(transactions).toBe(2);
    expect(commits).toBe(1); // the one that threw rolled back
  });

  it('answers every intent with the error when the commit itself fails, and journals none', async () => {
    let depth = 0;
    const b = new GroupCommit<Intent, Order>(
      {
        // The savepoints succeed; the outermost transaction fails as a COMMIT would on a full disk.
        transaction<T>(fn: () => T): T {
          depth++;
          try {
            return t.repos.transaction(() => {
              const out = fn();
              if (depth === 1) throw new Error('disk I/O error at commit');
              return out;
            });
          } finally {
            depth--;
          }
        },
      },
      journal,
      { defer: (flush) => flushes.push(flush) },
    );
    const run = runOf('2026-03-09');
    const a = b.write({ run, leg: 'SELL' });
    flushes[0]!();
    await expect(a).rejects.toThrow('disk I/O error');
    expect(t.repos.orders.findBySlotInternal(run.id, 'exit')).toBeUndefined();
  });

  it('commits answers without waiting for the disk when asked, with the journal durable by default', async () => {
    const modes: Array<boolean | undefined> = [];
    const spy: Pick<Repos, 'transaction'> = {
      transaction<T>(fn: () => T, options?: TransactionOptions): T {
        modes.push(options?.durable);
        return t.repos.transaction(fn, options);
      },
    };
    const answers = new GroupCommit<() => number, number>(spy, (write) => write(), { durable: false, defer: (flush) => flushes.push(flush) });
    const a = answers.write(() => 1);
    const b = answers.write(() => 2);
    flushes[0]!();
    expect([await a, await b]).toEqual([1, 2]);
    expect(modes[0]).toBe(false); // the outer transaction; the savepoints follow it
    const journaled = new GroupCommit<() => number, number>(spy, (write) => write(), { defer: (flush) => flushes.push(flush) });
    modes.length = 0;
    const c = journaled.write(() => 3);
    flushes[1]!();
    expect(await c).toBe(3);
    expect(modes[0]).toBeUndefined();
  });

  it('starts a new batch for intents that come after a flush', async () => {
    const b = batch();
    const one = b.write({ run: runOf('2026-03-09'), leg: 'SELL' });
    flushes[0]!();
    await one;
    const two = b.write({ run: runOf('2026-03-10'), leg: 'SELL' });
    expect(flushes).toHaveLength(2);
    flushes[1]!();
    await two;
    expect(commits).toBe(2);
  });

  it('writes a backlog of more than maxBatch in several transactions, in order, deferring the rest each time', async () => {
    const b = new GroupCommit<Intent, Order>(repos, journal, { defer: (flush) => flushes.push(flush), maxBatch: 2 });
    const dates = ['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13'];
    const written = dates.map((d) => b.write({ run: runOf(d), leg: 'SELL' }));
    const settled: number[] = [];
    written.forEach((w, i) => void w.then(() => settled.push(i)));
    expect(flushes).toHaveLength(1);
    flushes[0]!();
    await Promise.resolve();
    expect(commits).toBe(1);
    expect(settled).toEqual([0, 1]);
    expect(flushes).toHaveLength(2); // the rest waits for the next turn
    flushes[1]!();
    flushes[2]!();
    const orders = await Promise.all(written);
    expect(commits).toBe(3);
    expect(settled).toEqual([0, 1, 2, 3, 4]);
    expect(orders.map((o) => o.runId)).toEqual(t.repos.orders.listUnresolvedInternal().map((o) => o.runId));
  });
});

describe('GroupCommit, urgent writes', () => {
  it('an urgent write flushes once the current promise jobs are done, taking what waits along', async () => {
    const b = batch();
    const slow = b.write({ run: runOf('2026-03-09'), leg: 'SELL' });
    const urgent = b.write({ run: runOf('2026-03-10'), leg: 'STOPLOSS' }, true);
    // No turn of the event loop: the deferred flush (flushes[0]) has not run.
    const [a, c] = await Promise.all([slow, urgent]);
    expect([a.leg, c.leg]).toEqual(['SELL', 'STOPLOSS']);
    expect(commits).toBe(1);
    flushes[0]!(); // the deferred flush finds nothing left
    expect(commits).toBe(1);
  });
});
