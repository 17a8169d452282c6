/**
 * What the journal's other open runs may hold against an exit (opposing-position.ts), read from a
 * real SQLite journal: the runs and orders as the engine writes them. The engine-level case (two
 * strategies long and short of one symbol at the Kite fake, each exit refused once) is in
 * tests/integration/exit-retries-kite.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb, seedStrategy, type TestDb } from '../../db/test-support';
import { clientOrderId, type BrokerAccountId, type UserId } from '../core/ids';
import type { OrderSide, OrderStatus, Run } from '../core/types';
import { opposingPosition } from './opposing-position';

let t: TestDb;
afterEach(() => t.close());
const NOW = 1_700_000_000_000;
const DAY = '2023-11-14';

interface Leg {
  readonly side: OrderSide;
  readonly qty: number;
  readonly state?: Run['state'];
  readonly entry?: { readonly status: OrderStatus; readonly filledQty: number };
  readonly exit?: { readonly status: OrderStatus; readonly qty: number; readonly filledQty: number };
  readonly account?: BrokerAccountId;
  readonly symbol?: string;
  readonly day?: string;
  readonly lastAction?: string;
  /** The run's leg now (a re-entry's); its leg-0 orders are journaled before it, the leg's own entry only when `entry` is given. */
  readonly legNo?: number;
}

function journal(): { account: BrokerAccountId; run: (leg: Leg) => Run } {
  t = openTestDb();
  const first = seedStrategy(t.repos);
  const userId: UserId = first.user.id;
  const run = (leg: Leg): Run => {
    const { strategy } = seedStrategy(t.repos, { userId });
    const state = leg.state ?? 'IN_POSITION';
    const entryDone = leg.entry === undefined || leg.entry.status === 'filled';
    const day = leg.day ?? DAY;
    const legNo = leg.legNo ?? 0;
    const r = t.repos.runs.create({ strategyId: strategy.id, userId, tradingDate: day, state, buyAt: NOW, sellAt: NOW + 60_000, positionQty: entryDone ? leg.qty : 0, legNo, ...(leg.lastAction ? { lastAction: leg.lastAction } : {}) }, NOW);
    if (state === 'ARMED') return r;
    const order = (slot: 'entry' | 'exit', side: OrderSide, qty: number, status: OrderStatus, filledQty: number, orderLeg = legNo) =>
      t.repos.orders.insert(
        {
          runId: r.id,
          strategyId: strategy.id,
          userId,
          brokerAccountId: leg.account ?? first.account.id,
          leg: slot === 'entry' ? 'BUY' : 'SELL',
          side,
          slot,
          attempt: 1,
          legNo: orderLeg,
          clientOrderId: clientOrderId('test01', strategy.id, day, slot, 1, orderLeg),
          symbol: leg.symbol ?? 'TATAMOTORS',
          exchange: 'NSE',
          qty,
          status,
          filledQty,
          scheduledAt: NOW,
        },
        NOW,
      );
    const exitSide = leg.side === 'buy' ? 'sell' : 'buy';
    if (legNo > 0) {
      // The leg before, bought and sold in full.
      order('entry', leg.side, leg.qty, 'filled', leg.qty, legNo - 1);
      order('exit', exitSide, leg.qty, 'filled', leg.qty, legNo - 1);
      if (!leg.entry) return r;
    }
    order('entry', leg.side, leg.qty, leg.entry?.status ?? 'filled', leg.entry?.filledQty ?? leg.qty);
    if (leg.exit) order('exit', exitSide, leg.exit.qty, leg.exit.status, leg.exit.filledQty);
    return r;
  };
  return { account: first.account.id, run };
}

const where = (account: BrokerAccountId, symbol = 'TATAMOTORS') => ({ brokerAccountId: account, symbol, exchange: 'NSE' as const });

describe('opposingPosition', () => {
  it('two strategies long 1 and short 2 of one symbol: each reads what the other holds against it', () => {
    const { account, run } = journal();
    const long = run({ side: 'buy', qty: 1 });
    const short = run({ side: 'sell', qty: 2 });
    expect(opposingPosition(t.repos, long, where(account), 'sell')).toBe(2);
    expect(opposingPosition(t.repos, short, where(account), 'buy')).toBe(1);
  });

  it('runs on the same side are never taken off (one in ERROR may have been closed by hand)', () => {
    const { account, run } = journal();
    const asking = run({ side: 'buy', qty: 5 });
    run({ side: 'buy', qty: 3, state: 'ERROR' });
    run({ side: 'buy', qty: 4 });
    expect(opposingPosition(t.repos, asking, where(account), 'sell')).toBe(0);
  });

  it('another account, another symbol, a run ended or not yet entered: none of it', () => {
    const { account, run } = journal();
    const asking = run({ side: 'buy', qty: 5 });
    const other = seedStrategy(t.repos).account.id;
    run({ side: 'sell', qty: 3, account: other });
    run({ side: 'sell', qty: 4, symbol: 'INFY' });
    run({ side: 'sell', qty: 6, state: 'SOLD', exit: { status: 'filled', qty: 6, filledQty: 6 } });
    run({ side: 'sell', qty: 7, state: 'ARMED' });
    expect(opposingPosition(t.repos, asking, where(account), 'sell')).toBe(0);
    run({ side: 'sell', qty: 2 });
    expect(opposingPosition(t.repos, asking, where(account), 'sell')).toBe(2);
  });

  it('at the most it may hold: an entry still at the broker at its whole order, a run whose exit is still at the broker at its count', () => {
    const { account, run } = journal();
    const asking = run({ side: 'buy', qty: 5 });
    // The journal has heard of 3 of 8; the broker may have filled all 8.
    run({ side: 'sell', qty: 8, state: 'BUYING', entry: { status: 'unknown', filledQty: 3 } });
    run({ side: 'sell', qty: 10, state: 'EXITING', exit: { status: 'accepted', qty: 10, filledQty: 4 } });
    expect(opposingPosition(t.repos, asking, where(account), 'sell')).toBe(18);
  });

  it('a run halted on a reading of nothing held is left out; one of another trading day is not (another timezone dates the session otherwise, a position may be held over night)', () => {
    const { account, run } = journal();
    const asking = run({ side: 'buy', qty: 5 });
    run({ side: 'sell', qty: 3, state: 'ERROR', lastAction: 'SELL_NOTHING_HELD' });
    expect(opposingPosition(t.repos, asking, where(account), 'sell')).toBe(0);
    run({ side: 'sell', qty: 4, state: 'IN_POSITION', day: '2023-11-15' });
    // An ERROR that did not find nothing held may still hold its short.
    run({ side: 'sell', qty: 2, state: 'ERROR', lastAction: 'SELL_ATTEMPT_9_REJECTED' });
    expect(opposingPosition(t.repos, asking, where(account), 'sell')).toBe(6);
  });

  it('a run between legs holds nothing (its next entry not journaled); a re-entry at the broker counts at its whole order', () => {
    const { account, run } = journal();
    const asking = run({ side: 'buy', qty: 5 });
    run({ side: 'sell', qty: 3, state: 'WAITING_REENTRY', legNo: 1 });
    expect(opposingPosition(t.repos, asking, where(account), 'sell')).toBe(0);
    run({ side: 'sell', qty: 4, state: 'BUYING', legNo: 2, entry: { status: 'accepted', filledQty: 0 } });
    expect(opposingPosition(t.repos, asking, where(account), 'sell')).toBe(4);
  });

  it('fractional positions sum without float residue', () => {
    const { account, run } = journal();
    const asking = run({ side: 'sell', qty: 1 });
    run({ side: 'buy', qty: 0.1 });
    run({ side: 'buy', qty: 0.2 });
    expect(opposingPosition(t.repos, asking, where(account), 'buy')).toBe(0.3);
  });
});
