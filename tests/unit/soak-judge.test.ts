/**
 * The crash soak's judge on records written by hand: a clean day passes, and each way an order can
 * be doubled, lost, sent on the wrong side or under a bad id is named. The soak itself only ever
 * shows the judge clean records, so this is what says the judge would see a bad one.
 */
import { describe, expect, it } from 'vitest';
import { asStrategyId, backstopId, clientOrderId, positionClientOrderId } from '../../engine/core/ids';
import { judgeBackstops, judgeBroker, judgeCancelToExit, judgeJournal, restingBackstops, type Asked, type BrokerOrder, type JournalRow, type Received } from '../soak/soak-judge';
import { KINDS, type SoakKind } from '../soak/soak-mix';

const DAY = '2026-12-07';
const [longTime, shortTime, longStop, shortTarget, , longStopReentry] = KINDS as [SoakKind, SoakKind, SoakKind, SoakKind, SoakKind, SoakKind];
const id = (strategy: number, slot: 'entry' | 'exit', attempt = 1, leg = 0) => clientOrderId('k3x9a1', asStrategyId(strategy), DAY, slot, attempt, leg);
const bid = (strategy: number, leg = 0, version = 1) => backstopId('k3x9a1', asStrategyId(strategy), DAY, leg, version);
const at = (second: number) => `${DAY}T14:30:${String(second).padStart(2, '0')}.000000000Z`;

function order(cid: string, side: 'buy' | 'sell', qty: number, second: number, over: Partial<BrokerOrder> = {}): BrokerOrder {
  return { client_order_id: cid, type: 'market', symbol: 'AAPL', side, status: 'filled', qty: String(qty), filled_qty: String(qty), filled_avg_price: '100', created_at: at(second), filled_at: at(second), ...over };
}
/** A backstop (a stop order on the exit side) placed at `second`: resting, cancelled, or filled at `filledAt`. */
function backstop(cid: string, side: 'buy' | 'sell', qty: number, second: number, status: 'new' | 'canceled' | 'filled', filledAt = second): BrokerOrder {
  const fired = status === 'filled';
  return order(cid, side, qty, second, { type: 'stop', status, filled_qty: fired ? String(qty) : '0', filled_avg_price: fired ? '97' : null, filled_at: fired ? at(filledAt) : null });
}
const accepted = (orders: readonly BrokerOrder[]): Received[] => orders.map((o) => ({ clientOrderId: o.client_order_id, side: o.side, symbol: o.symbol, outcome: 'accepted' }));
const asking = (entries: Array<[number, SoakKind, number?]>) =>
  new Map<number, Asked>(entries.map(([s, kind, qty = 2]) => [s, { kind, armed: { symbol: 'AAPL', qty, side: kind.side } }]));

describe('judgeBroker', () => {
  it('passes a long and a short each closed in full, the short bought back, and counts them by side and leg', () => {
    const orders = [order(id(1, 'entry'), 'buy', 2, 1), order(id(1, 'exit'), 'sell', 2, 5), order(id(2, 'entry'), 'sell', 2, 1), order(id(2, 'exit'), 'buy', 1, 5), order(id(2, 'exit', 2), 'buy', 1, 6)];
    const v = judgeBroker(orders, accepted(orders), asking([[1, longTime], [2, shortTime]]));
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ entries: 2, entriesBySide: { buy: 1, sell: 1 }, exitOrders: 3, exitedLegs: 2, exitAttempts: { '1': 2, '2': 1 }, legsPerRun: { '1': 2 }, reentries: 0, reentriesAllowed: 0, duplicates: 0, lostExits: 0, wrongOrders: 0 });
  });

  it("names a short's exit that sells again (it doubles the short) and the position it leaves open", () => {
    const orders = [order(id(2, 'entry'), 'sell', 2, 1), order(id(2, 'exit'), 'sell', 2, 5)];
    const v = judgeBroker(orders, accepted(orders), asking([[2, shortTarget]]));
    expect(v).toMatchObject({ wrongOrders: 1, lostExits: 1, exitedLegs: 0 });
    expect(v.problems).toEqual([
      `strategy 2 on 2026-12-07 leg 0: a short-target enters with sell and exits with buy, yet ${id(2, 'exit')} sell AAPL filled 2/2`,
      expect.stringMatching(/leg 0: entered 2, exited 0 at the broker after the day/),
    ]);
  });

  it('counts a second entry of a leg as a duplicate and an exit short of the entry as a lost exit', () => {
    const orders = [order(id(1, 'entry'), 'buy', 2, 1), order(id(1, 'entry'), 'buy', 2, 2), order(id(1, 'exit'), 'sell', 2, 5, { filled_qty: '1', status: 'canceled' })];
    const v = judgeBroker(orders, accepted(orders.slice(0, 1)), asking([[1, longStop]]));
    expect(v).toMatchObject({ duplicates: 1, lostExits: 1, exitedLegs: 0 });
    expect(v.problems).toEqual([expect.stringMatching(/leg 0: 2 entries at the broker/), expect.stringMatching(/leg 0: entered 4, exited 1 at the broker after the day/)]);
  });

  it('refuses a second leg the spec has no re-entry for, and one entered before the leg before it was closed', () => {
    const oneReentry: SoakKind = { ...longStop, reentries: 1 };
    const legs = [order(id(1, 'entry'), 'buy', 2, 1), order(id(1, 'exit'), 'sell', 2, 5), order(id(1, 'entry', 1, 1), 'buy', 2, 4), order(id(1, 'exit', 1, 1), 'sell', 2, 8)];
    const early = judgeBroker(legs, accepted(legs), asking([[1, oneReentry]]));
    expect(early.problems).toEqual([expect.stringMatching(/leg 1's entry tr\w+1E accepted at .*14:30:04.*, before leg 0 was closed/)]);
    expect(early.legsPerRun).toEqual({ '2': 1 });
    const noReentry = judgeBroker(legs, accepted(legs), asking([[1, longStop]]));
    expect(noReentry.duplicates).toBe(1);
    expect(noReentry.problems).toContainEqual('strategy 1 on 2026-12-07: 2 legs at the broker, its spec allows 1');
    const inOrder = [...legs.slice(0, 2), order(id(1, 'entry', 1, 1), 'buy', 2, 6), legs[3]!];
    expect(judgeBroker(inOrder, accepted(inOrder), asking([[1, oneReentry]])).problems).toEqual([]);
  });

  it("passes the re-entering kind's three legs in order and counts its re-entries; names a third re-entry, a second entry of a leg and a leg with no leg before it", () => {
    const leg = (n: number, second: number, qty = 2) => [order(id(1, 'entry', 1, n), 'buy', qty, second), order(id(1, 'exit', 1, n), 'sell', qty, second + 1)];
    const three = [...leg(0, 1), ...leg(1, 3), ...leg(2, 5)];
    const v = judgeBroker(three, accepted(three), asking([[1, longStopReentry]]));
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ entries: 3, exitedLegs: 3, legsPerRun: { '3': 1 }, reentries: 2, reentriesAllowed: 2, duplicates: 0 });

    const four = [...three, ...leg(3, 7)];
    const over = judgeBroker(four, accepted(four), asking([[1, longStopReentry]]));
    expect(over.duplicates).toBe(1);
    expect(over.problems).toEqual(['strategy 1 on 2026-12-07: 4 legs at the broker, its spec allows 3']);

    const twice = [...three, order(id(1, 'entry', 1, 1), 'buy', 2, 4)];
    expect(judgeBroker(twice, accepted(three), asking([[1, longStopReentry]])).problems).toEqual([
      expect.stringMatching(/leg 1: 2 entries at the broker/),
      expect.stringMatching(/leg 1: entered 4, exited 2 at the broker after the day/),
    ]);

    const gap = [...leg(0, 1), ...leg(2, 5)];
    expect(judgeBroker(gap, accepted(gap), asking([[1, longStopReentry]])).problems).toEqual(['strategy 1 on 2026-12-07: leg 2 at the broker without leg 1']);

    const otherQty = [...leg(0, 1), ...leg(1, 3, 5)];
    expect(judgeBroker(otherQty, accepted(otherQty), asking([[1, longStopReentry]])).problems).toEqual(["strategy 1 on 2026-12-07: START armed buy AAPL × 2, leg 1's entry was buy AAPL × 5"]);
  });

  it('names an entry unlike what START armed and an exit for another symbol', () => {
    const orders = [order(id(1, 'entry'), 'buy', 3, 1), order(id(1, 'exit'), 'sell', 3, 5, { symbol: 'MSFT' })];
    const v = judgeBroker(orders, accepted(orders), asking([[1, longTime, 2]]));
    expect(v.wrongOrders).toBe(2);
    expect(v.problems).toEqual([expect.stringMatching(/entered AAPL, yet .*X sell MSFT/), "strategy 1 on 2026-12-07: START armed buy AAPL × 2, leg 0's entry was buy AAPL × 3"]);
  });

  it('counts a client order id accepted twice, and names an id that is not ours or longer than 20 characters', () => {
    const orders = [order(id(1, 'entry'), 'buy', 2, 1), order(id(1, 'exit'), 'sell', 2, 5), order('not-a-tradeclock-id-at-all', 'sell', 1, 6)];
    const v = judgeBroker(orders, [...accepted(orders), ...accepted(orders.slice(0, 1))], asking([[1, longTime]]));
    expect(v.duplicates).toBe(1);
    expect(v.wrongOrders).toBe(1);
    expect(v.problems).toEqual([
      'order at the broker (sell AAPL): client order id not-a-tradeclock-id-at-all is 26 characters, over 20',
      expect.stringMatching(/order at the broker \(sell AAPL\): "not-a-tradeclock-id-at-all" is not a Tradeclock client order id/),
      `client order id ${id(1, 'entry')} accepted 2 times`,
    ]);
  });
});

describe('judgeBroker with backstops', () => {
  it("holds a backstop's id to Alpaca's 48 characters, not Kite's tag (a GTT carries none): a position's 21 pass", () => {
    // Position 1's backstop, entry and exit: one leg (the judge keys legs by position too).
    const positioned = backstopId('k3x9a1', asStrategyId(1), DAY, 0, 1, 1);
    const pid = (slot: 'entry' | 'exit') => positionClientOrderId('k3x9a1', asStrategyId(1), DAY, 1, slot);
    const fine = [order(pid('entry'), 'buy', 2, 1), backstop(positioned, 'sell', 2, 2, 'canceled'), order(pid('exit'), 'sell', 2, 5)];
    expect(judgeBroker(fine, accepted(fine), asking([[1, longStop]])).problems).toEqual([]);
    const long = `tb${'x'.repeat(47)}`;
    const over = [order(id(1, 'entry'), 'buy', 2, 1), backstop(long, 'sell', 2, 2, 'canceled'), order(id(1, 'exit'), 'sell', 2, 5)];
    expect(judgeBroker(over, accepted(over), asking([[1, longStop]])).problems).toContain(`order at the broker (sell AAPL): client order id ${long} is 49 characters, over 48`);
  });

  it('counts a fired backstop as the leg\'s exit, and a cancelled one beside the engine\'s exit as nothing', () => {
    const orders = [
      order(id(1, 'entry'), 'buy', 2, 1),
      backstop(bid(1), 'sell', 2, 2, 'filled', 4),
      order(id(2, 'entry'), 'sell', 2, 1),
      backstop(bid(2), 'buy', 2, 2, 'canceled'),
      order(id(2, 'exit'), 'buy', 2, 5),
    ];
    const v = judgeBroker(orders, accepted(orders), asking([[1, longStop], [2, shortTime]]));
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ exitedLegs: 2, exitOrders: 1, duplicates: 0, lostExits: 0, wrongOrders: 0, backstops: { orders: 2, firedLegs: 1 } });
  });

  it('names a double exit (the backstop and the engine\'s exit both filled) and a backstop on the entry\'s side', () => {
    const orders = [order(id(1, 'entry'), 'buy', 2, 1), backstop(bid(1), 'sell', 2, 2, 'filled', 4), order(id(1, 'exit'), 'sell', 2, 5)];
    const doubled = judgeBroker(orders, accepted(orders), asking([[1, longStop]]));
    expect(doubled).toMatchObject({ duplicates: 1, lostExits: 0, exitedLegs: 0 });
    expect(doubled.problems).toEqual([expect.stringMatching(/leg 0: entered 2, exited 4 at the broker after the day .*backstops: tb\w+ sell AAPL filled 2\/2/)]);
    const wrongSide = [order(id(1, 'entry'), 'buy', 2, 1), backstop(bid(1), 'buy', 2, 2, 'canceled'), order(id(1, 'exit'), 'sell', 2, 5)];
    expect(judgeBroker(wrongSide, accepted(wrongSide), asking([[1, longStop]])).wrongOrders).toBe(1);
  });

  it('takes a leg as closed by its backstop\'s fill for the next leg\'s entry; a cancelled one has no fill to wait for', () => {
    const oneReentry: SoakKind = { ...longStop, reentries: 1 };
    const legs = [order(id(1, 'entry'), 'buy', 2, 1), backstop(bid(1), 'sell', 2, 2, 'filled', 4), order(id(1, 'entry', 1, 1), 'buy', 2, 5), backstop(bid(1, 1), 'sell', 2, 6, 'canceled'), order(id(1, 'exit', 1, 1), 'sell', 2, 8)];
    expect(judgeBroker(legs, accepted(legs), asking([[1, oneReentry]])).problems).toEqual([]);
    const early = [order(id(1, 'entry'), 'buy', 2, 1), backstop(bid(1), 'sell', 2, 2, 'filled', 6), order(id(1, 'entry', 1, 1), 'buy', 2, 5), order(id(1, 'exit', 1, 1), 'sell', 2, 8)];
    expect(judgeBroker(early, accepted(early), asking([[1, oneReentry]])).problems).toEqual([expect.stringMatching(/leg 1's entry .* before leg 0 was closed/)]);
  });
});

describe('judgeBackstops', () => {
  const secondAt = (s: number) => Date.parse(at(s));

  it('passes a position protected within the bound, and one whose exit came before any backstop', () => {
    const orders = [order(id(1, 'entry'), 'buy', 2, 1), backstop(bid(1), 'sell', 2, 2, 'canceled'), order(id(1, 'exit'), 'sell', 2, 9), order(id(2, 'entry'), 'buy', 2, 1), order(id(2, 'exit'), 'sell', 2, 2)];
    const v = judgeBackstops(orders, [], 3_000, 2_000);
    expect(v).toMatchObject({ filledEntries: 2, protectedInTime: 1, exitFirst: 1, longestWaitMs: 1_000, unprotected: 0, problems: [] });
  });

  it('names a position left without a backstop past the bound; time no daemon was up stretches the bound', () => {
    const orders = [order(id(1, 'entry'), 'buy', 2, 1), backstop(bid(1), 'sell', 2, 8, 'canceled'), order(id(1, 'exit'), 'sell', 2, 20)];
    const late = judgeBackstops(orders, [], 3_000, 2_000);
    expect(late.unprotected).toBe(1);
    expect(late.problems).toEqual([expect.stringMatching(/entry tc\w+E filled at .*14:30:01.*, no backstop at the broker within 3000 ms of daemon time/)]);
    // Killed at 2 s, the next daemon up at 7 s: 3 s of daemon time after the fill end at 9 s; its wait while up was 2 s.
    const killed = judgeBackstops(orders, [{ from: secondAt(2), to: secondAt(7) }], 3_000, 2_000);
    expect(killed).toMatchObject({ protectedInTime: 1, unprotected: 0, longestWaitMs: 2_000 });
  });

  it('gives an entry a starting daemon placed until its stream listens, and the bound; no longer (not its settle check)', () => {
    // Accepted at 1 s by a daemon that answered only at 2 s: its stream listens by 4 s, the fill looked up then (or at the
    // placement's answer, if that came later); a backstop by 7 s is in time.
    const starting = [{ from: secondAt(0), to: secondAt(2) }];
    const onListening = [order(id(1, 'entry'), 'buy', 2, 1), backstop(bid(1), 'sell', 2, 7, 'canceled'), order(id(1, 'exit'), 'sell', 2, 20)];
    expect(judgeBackstops(onListening, starting, 3_000, 2_000)).toMatchObject({ protectedInTime: 1, unprotected: 0 });
    // At the settle check (11 s, 10 s after the broker took it) and the bound: no longer in time.
    const atSettle = [order(id(1, 'entry'), 'buy', 2, 1), backstop(bid(1), 'sell', 2, 14, 'canceled'), order(id(1, 'exit'), 'sell', 2, 20)];
    expect(judgeBackstops(atSettle, starting, 3_000, 2_000).unprotected).toBe(1);
    // A second past the listening and the bound: unprotected.
    const late = [order(id(1, 'entry'), 'buy', 2, 1), backstop(bid(1), 'sell', 2, 8, 'canceled'), order(id(1, 'exit'), 'sell', 2, 20)];
    expect(judgeBackstops(late, starting, 3_000, 2_000).unprotected).toBe(1);
  });

  it('lists the backstops still resting; a version a trail move replaced is not', () => {
    const orders = [backstop(bid(1), 'sell', 2, 2, 'new'), backstop(bid(2), 'sell', 2, 2, 'canceled'), { ...backstop(bid(4), 'sell', 2, 2, 'new'), status: 'replaced' }, order(id(3, 'entry'), 'buy', 2, 1, { status: 'new' })];
    expect(restingBackstops(orders).map((o) => o.client_order_id)).toEqual([bid(1)]);
  });
});

describe('judgeCancelToExit', () => {
  const secondAt = (s: number) => Date.parse(at(s));
  /** A leg entered at 1 s, its backstop placed at 2 s and cancelled at `cancelAt` for its exit placed at `exitAt`. */
  const leg = (strategy: number, cancelAt: number, exitAt: number) => [
    order(id(strategy, 'entry'), 'buy', 2, 1),
    { ...backstop(bid(strategy), 'sell', 2, 2, 'canceled'), canceled_at: at(cancelAt) },
    order(id(strategy, 'exit'), 'sell', 2, exitAt),
  ];

  it('passes an exit within the bound after its backstop was cancelled, and leaves out a leg whose exit came first or whose backstop fired', () => {
    const exitFirst = [order(id(2, 'entry'), 'buy', 2, 1), order(id(2, 'exit'), 'sell', 2, 2)];
    const fired = [order(id(3, 'entry'), 'buy', 2, 1), backstop(bid(3), 'sell', 2, 2, 'filled', 6)];
    const v = judgeCancelToExit([...leg(1, 10, 12), ...exitFirst, ...fired], [], [], 3_000, null, new Set());
    expect(v).toMatchObject({ timed: 1, diedBetween: 0, leftOut: 0, longestWaitMs: 2_000, late: 0, problems: [] });
  });

  it('fails a scripted record whose exit came too late after the cancel, and one whose exit never came', () => {
    const v = judgeCancelToExit([...leg(1, 10, 14), order(id(2, 'entry'), 'buy', 2, 1), { ...backstop(bid(2), 'sell', 2, 2, 'canceled'), canceled_at: at(10) }], [], [], 3_000, null, new Set());
    expect(v.late).toBe(2);
    expect(v.timed).toBe(0);
    expect(v.problems).toEqual([
      expect.stringMatching(/^leg 1\/2026-12-07\/0: backstop cancelled at .*14:30:10.*, its exit tc\w+X placed at .*14:30:14.*, past .*14:30:13.* \(3000 ms of daemon time\)/),
      expect.stringMatching(/^leg 2\/2026-12-07\/0: backstop cancelled at .*14:30:10.*, its exit \(none\) placed at never/),
    ]);
  });

  it('stretches the bound by the time no daemon was up, and at a broker that takes a reused id by its listing bound after a death between the two', () => {
    // Cancelled at 10 s, killed at 10.5 s, the next daemon up at 12 s: 3 s of daemon time end at 14.5 s.
    const down = [{ from: secondAt(10) + 500, to: secondAt(12) }];
    const deaths = [secondAt(10) + 500];
    expect(judgeCancelToExit(leg(1, 10, 14), down, deaths, 3_000, null, new Set())).toMatchObject({ timed: 1, diedBetween: 1, longestWaitMs: 2_500, late: 0 });
    // At 20 s: too late where the broker refuses a reused id (Alpaca looks the exit up and places it at once) ...
    expect(judgeCancelToExit(leg(1, 10, 20), down, deaths, 3_000, null, new Set()).late).toBe(1);
    // ... in time where it takes one (Kite: the dead daemon's marked exit is waited for up to 10 s, then the bound: 23.5 s).
    expect(judgeCancelToExit(leg(1, 10, 20), down, deaths, 3_000, 10_000, new Set())).toMatchObject({ timed: 1, diedBetween: 1, late: 0 });
    expect(judgeCancelToExit(leg(1, 10, 24), down, deaths, 3_000, 10_000, new Set()).late).toBe(1);
    // A daemon that died while starting (its death inside a downtime that began before the cancel) counts by its death;
    // a start alone (the cancel made by a daemon not answering yet) is no death in the window.
    const starting = [{ from: secondAt(8), to: secondAt(12) }];
    expect(judgeCancelToExit(leg(1, 10, 20), starting, [secondAt(8), secondAt(10) + 500], 3_000, 10_000, new Set())).toMatchObject({ timed: 1, diedBetween: 1, late: 0 });
    expect(judgeCancelToExit(leg(1, 10, 20), starting, [secondAt(8)], 3_000, 10_000, new Set()).late).toBe(1);
    // The listing bound is for a death between the two only: a daemon that stayed up has the bound alone.
    expect(judgeCancelToExit(leg(1, 10, 20), [], [], 3_000, 10_000, new Set()).late).toBe(1);
  });

  it('leaves out a leg an injected fault met; a new version placed after a cancel ends that window, and a late one is named', () => {
    expect(judgeCancelToExit(leg(1, 10, 30), [], [], 3_000, null, new Set([`1/${DAY}/0`]))).toMatchObject({ timed: 0, leftOut: 1, late: 0 });
    // Killed between the cancel (10 s) and the exit's journal at 10.5 s, up at 12 s: the restart places version 2 at 13 s
    // (protected again), and the exit cancels it at 14 s and is placed at 15 s. Two windows, 1.5 s and 1 s of daemon time.
    const restarted = [
      order(id(1, 'entry'), 'buy', 2, 1),
      { ...backstop(bid(1), 'sell', 2, 2, 'canceled'), canceled_at: at(10) },
      { ...backstop(bid(1, 0, 2), 'sell', 2, 13, 'canceled'), canceled_at: at(14) },
      order(id(1, 'exit'), 'sell', 2, 15),
    ];
    const down = [{ from: secondAt(10) + 500, to: secondAt(12) }];
    const deaths = [secondAt(10) + 500];
    expect(judgeCancelToExit(restarted, down, deaths, 3_000, null, new Set())).toMatchObject({ timed: 1, diedBetween: 1, longestWaitMs: 1_500, late: 0 });
    // Version 2 fired (no engine exit of the leg): version 1's window ended at its placement.
    const refired = [order(id(1, 'entry'), 'buy', 2, 1), { ...backstop(bid(1), 'sell', 2, 2, 'canceled'), canceled_at: at(5) }, backstop(bid(1, 0, 2), 'sell', 2, 6, 'filled', 9)];
    expect(judgeCancelToExit(refired, [], [], 3_000, null, new Set())).toMatchObject({ timed: 1, longestWaitMs: 1_000, late: 0 });
    // Version 2 placed 4 s after the cancel, the daemon up all along: late, naming the new backstop.
    const slow = [order(id(1, 'entry'), 'buy', 2, 1), { ...backstop(bid(1), 'sell', 2, 2, 'canceled'), canceled_at: at(5) }, backstop(bid(1, 0, 2), 'sell', 2, 9, 'new')];
    expect(judgeCancelToExit(slow, [], [], 3_000, null, new Set()).problems).toEqual([expect.stringMatching(/cancelled at .*14:30:05.*, a new backstop placed at .*14:30:09.*, past .*14:30:08/)]);
  });
});

describe('judgeJournal', () => {
  const row = (strategy: number, leg: string, status: string, attempt = 1, legNo = 0): JournalRow => ({
    leg,
    slot: leg === 'BUY' ? 'entry' : 'exit',
    status,
    client_order_id: id(strategy, leg === 'BUY' ? 'entry' : 'exit', attempt, legNo),
  });

  it('counts exits by kind and which scripted triggers closed their positions', () => {
    const journals = new Map<number, JournalRow[]>([
      [1, [row(1, 'BUY', 'filled'), row(1, 'STOPLOSS', 'filled')]],
      [2, [row(2, 'BUY', 'filled'), row(2, 'SELL', 'rejected'), row(2, 'SELL', 'filled', 2)]],
      [3, [row(3, 'BUY', 'rejected')]],
    ]);
    const v = judgeJournal(journals, asking([[1, longStop], [2, longStop], [3, longStop]]));
    expect(v).toMatchObject({ exitsByKind: { STOPLOSS: 1, SELL: 1 }, triggers: { STOPLOSS: { scripted: 2, fired: 1 } }, unresolvedOrders: 0, wrongOrders: 0, problems: [] });
  });

  it("counts a Kite OCO's take-profit fill (BACKSTOP_TARGET) as the short-target's target firing, and as a wrong exit for a kind without a target", () => {
    const journals = new Map<number, JournalRow[]>([
      [4, [row(4, 'BUY', 'filled'), row(4, 'BACKSTOP_TARGET', 'filled')]],
      [1, [row(1, 'BUY', 'filled'), row(1, 'BACKSTOP_TARGET', 'filled')]],
    ]);
    const v = judgeJournal(journals, asking([[4, shortTarget], [1, longStop]]));
    expect(v.triggers.TARGET).toEqual({ scripted: 1, fired: 1 });
    expect(v.wrongOrders).toBe(1);
    expect(v.problems).toEqual([expect.stringMatching(/strategy 1 \(long-stop\): exit .* filled as BACKSTOP_TARGET, an exit its spec does not have/)]);
  });

  it('names an exit the spec does not have and a row left unresolved', () => {
    const journals = new Map<number, JournalRow[]>([[1, [row(1, 'BUY', 'filled'), row(1, 'TARGET', 'filled'), row(1, 'SELL', 'submitted', 2)]]]);
    const v = judgeJournal(journals, asking([[1, longStop]]));
    expect(v).toMatchObject({ unresolvedOrders: 1, wrongOrders: 1 });
    expect(v.problems).toEqual([`strategy 1 (long-stop): exit ${id(1, 'exit')} filled as TARGET, an exit its spec does not have`, `strategy 1: journal row ${id(1, 'exit', 2)} still submitted`]);
  });

  it("counts a re-entering kind's triggers per leg, and names a leg entered after an exit its re-entries do not follow", () => {
    const legs = [row(1, 'BUY', 'filled'), row(1, 'STOPLOSS', 'filled'), row(1, 'BUY', 'filled', 1, 1), row(1, 'STOPLOSS', 'filled', 1, 1), row(1, 'BUY', 'filled', 1, 2), row(1, 'SELL', 'filled', 1, 2)];
    const v = judgeJournal(new Map([[1, legs]]), asking([[1, longStopReentry]]));
    expect(v).toMatchObject({ exitsByKind: { STOPLOSS: 2, SELL: 1 }, triggers: { STOPLOSS: { scripted: 3, fired: 2 } }, wrongOrders: 0, problems: [] });

    const afterTime = [row(1, 'BUY', 'filled'), row(1, 'SELL', 'filled'), row(1, 'BUY', 'filled', 1, 1), row(1, 'STOPLOSS', 'filled', 1, 1)];
    const bad = judgeJournal(new Map([[1, afterTime]]), asking([[1, longStopReentry]]));
    expect(bad.wrongOrders).toBe(1);
    expect(bad.problems).toEqual(['strategy 1 (long-stop-reentry) on 2026-12-07: leg 1 journaled, yet leg 0 closed by SELL, not by an exit its re-entries follow (STOPLOSS, TRAIL_STOP, BACKSTOP)']);
  });

  it('reads a fired backstop\'s row (its tb id, leg BACKSTOP) as the stop\'s exit, a re-entry after it allowed', () => {
    const fired = (legNo: number): JournalRow => ({ leg: 'BACKSTOP', slot: 'exit', status: 'filled', client_order_id: bid(1, legNo) });
    const legs = [row(1, 'BUY', 'filled'), fired(0), row(1, 'BUY', 'filled', 1, 1), row(1, 'STOPLOSS', 'filled', 1, 1)];
    const v = judgeJournal(new Map([[1, legs]]), asking([[1, longStopReentry]]));
    expect(v).toMatchObject({ exitsByKind: { BACKSTOP: 1, STOPLOSS: 1 }, triggers: { STOPLOSS: { scripted: 2, fired: 2 } }, wrongOrders: 0, problems: [] });
  });

  it('names a journal row whose client order id is not one Tradeclock makes', () => {
    const v = judgeJournal(new Map([[1, [{ leg: 'BUY', slot: 'entry', status: 'filled', client_order_id: 'not-ours' }]]]), asking([[1, longStop]]));
    expect(v.wrongOrders).toBe(1);
    expect(v.problems).toEqual([expect.stringMatching(/strategy 1: journal row: "not-ours" is not a Tradeclock client order id/)]);
  });
});
