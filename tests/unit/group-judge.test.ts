/**
 * The crash soak's judge of a group (tests/soak/group-judge.ts) on records written by hand: a
 * hedged straddle entered and exited in the group's order passes, its positions keyed apart; each
 * way a position can be doubled, lost, put on another contract or sent out of the group's order is
 * named. The soak only ever shows the judge what the daemon did, so this is what says it would see
 * a bad record.
 */
import { describe, expect, it } from 'vitest';
import { asStrategyId, backstopId, positionClientOrderId } from '../../engine/core/ids';
import { judgeGroups, type GroupAsked } from '../soak/group-judge';
import { HEDGED_SHORT_STRADDLE } from '../soak/group-kinds';
import { judgeBackstops, legKey, orderKey, type BrokerOrder, type Received } from '../soak/soak-judge';

const DAY = '2026-12-07';
const S = asStrategyId(8);
const HEDGE = 'NIFTY26D0825900PE';
const CE = 'NIFTY26D0826000CE';
const PE = 'NIFTY26D0826000PE';
const asked = new Map<number, GroupAsked>([[8, { kind: HEDGED_SHORT_STRADDLE, contracts: { symbols: [HEDGE, CE, PE], lotSize: 65 } }]]);
const id = (p: number, slot: 'entry' | 'exit', attempt = 1) => positionClientOrderId('k3x9a1', S, DAY, p, slot, attempt);
const at = (second: number) => `${DAY}T04:30:${String(second).padStart(2, '0')}.000Z`;

function order(cid: string, symbol: string, side: 'buy' | 'sell', second: number, over: Partial<BrokerOrder> = {}): BrokerOrder {
  return { client_order_id: cid, type: 'market', symbol, side, status: 'filled', qty: '65', filled_qty: '65', filled_avg_price: '100', created_at: at(second), filled_at: at(second), ...over };
}
const received = (orders: readonly BrokerOrder[]): Received[] => orders.map((o) => ({ clientOrderId: o.client_order_id, side: o.side, symbol: o.symbol, outcome: 'accepted' }));

/** The hedge bought first, both shorts sold, then both shorts bought back before the hedge is sold, in placement order. */
const clean = [
  order(id(0, 'entry'), HEDGE, 'buy', 1),
  order(id(1, 'entry'), CE, 'sell', 2),
  order(id(2, 'entry'), PE, 'sell', 3),
  order(id(1, 'exit'), CE, 'buy', 10),
  order(id(2, 'exit'), PE, 'buy', 10),
  order(id(0, 'exit'), HEDGE, 'sell', 11),
];

describe('judgeGroups', () => {
  it('passes a hedged straddle in the group order, each position keyed apart (three entries of leg 0 are no duplicate)', () => {
    const v = judgeGroups(clean, received(clean), asked);
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ days: 1, positionsEntered: 3, positionsExited: 3, partialDays: 0, exitOrders: 3, duplicates: 0, lostExits: 0, wrongOrders: 0, outOfOrder: 0 });
  });

  it("names the hedge's exit placed before a short's, though the broker accepted it after (a 429 turned the first away)", () => {
    const placements: Received[] = [...received(clean.slice(0, 3)), { clientOrderId: id(0, 'exit'), side: 'sell', symbol: HEDGE, outcome: 'not processed (rate-limit)' }, ...received(clean.slice(3))];
    const v = judgeGroups(clean, placements, asked);
    expect(v.outOfOrder).toBe(1);
    expect(v.problems).toEqual([expect.stringMatching(/out of the group's order: the long position 0's exit placed \(#3\) before position 1's short's \(#4\); the long position 0's exit placed \(#3\) before position 2's short's \(#5\)/)]);
  });

  it("names a short entered before the hedge's entry filled, and accepts a short its backstop closed before the hedge's exit", () => {
    const early = [clean[1]!, clean[0]!, ...clean.slice(2)];
    expect(judgeGroups(early, received(early), asked).problems).toEqual([expect.stringMatching(/position 1's short entry placed \(#0, accepted .*04:30:02.*\) before the long position 0's \(#1\)/)]);
    const fired = order(backstopId('k3x9a1', S, DAY, 0, 1, 2), PE, 'buy', 4, { type: 'gtt', filled_at: at(9) });
    const closedByGtt = [...clean.slice(0, 3), clean[3]!, order(id(0, 'exit'), HEDGE, 'sell', 11), fired];
    const v = judgeGroups(closedByGtt, received(closedByGtt.filter((o) => o.type !== 'gtt')), asked);
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ positionsExited: 3, firedBackstops: 1, outOfOrder: 0 });
  });

  it('counts a second entry of a position, an exit on top of its backstop, a lost exit and a contract the rule did not name', () => {
    const doubled = [...clean, order(id(1, 'entry'), CE, 'sell', 4)];
    expect(judgeGroups(doubled, received(doubled), asked)).toMatchObject({ duplicates: 1, lostExits: 1 });
    const twice = [...clean, order(backstopId('k3x9a1', S, DAY, 0, 1, 2), PE, 'buy', 4, { type: 'gtt', filled_at: at(9) })];
    expect(judgeGroups(twice, received(clean), asked)).toMatchObject({ duplicates: 1 });
    const lost = clean.filter((o) => o.client_order_id !== id(2, 'exit'));
    const v = judgeGroups(lost, received(lost), asked);
    expect(v).toMatchObject({ lostExits: 1, positionsExited: 2 });
    // And the hedge was sold while that short was still held: out of order too.
    expect(v.problems).toEqual([expect.stringMatching(/position 2 leg 0: entered 65, exited 0 at the broker/), expect.stringMatching(/the long position 0's exit placed \(#4\) before position 2's short's \(#never\)/)]);
    const wrong = clean.map((o) => (o.client_order_id === id(1, 'entry') ? { ...o, symbol: 'NIFTY26D0826050CE' } : o));
    expect(judgeGroups(wrong, received(wrong), asked)).toMatchObject({ wrongOrders: 1 });
  });
});

describe('the soak judge keyed by position', () => {
  it("reads a position from `tp` and 21-character `tb` ids, so two positions' leg 0 are two legs", () => {
    expect(orderKey(id(2, 'exit', 3))).toMatchObject({ strategyId: 8, legNo: 0, role: 'exit', attempt: 3, positionNo: 2 });
    expect(legKey(orderKey(id(1, 'entry')))).toBe(`8/${DAY}/p1/0`);
    expect(legKey(orderKey(backstopId('k3x9a1', S, DAY, 0, 1, 1)))).toBe(`8/${DAY}/p1/0`);
    expect(legKey(orderKey(backstopId('k3x9a1', S, DAY, 0, 1)))).toBe(`8/${DAY}/0`);
  });

  it('judges each position against its own backstop; a leg an injected fault met counts as faultMet, not unprotected', () => {
    const gtt = (p: number, second: number) => order(backstopId('k3x9a1', S, DAY, 0, 1, p), [HEDGE, CE, PE][p]!, p === 0 ? 'sell' : 'buy', second, { type: 'gtt', status: 'canceled', filled_qty: '0', filled_at: null });
    // The hedge's GTT never went out; its exit came late (a 429 held it back).
    const orders = [...clean.slice(0, 3), gtt(1, 3), gtt(2, 4), order(id(1, 'exit'), CE, 'buy', 10), order(id(2, 'exit'), PE, 'buy', 10), order(id(0, 'exit'), HEDGE, 'sell', 30)];
    const v = judgeBackstops(orders, [], 3_000, 2_000);
    expect(v).toMatchObject({ filledEntries: 3, protectedInTime: 2, unprotected: 1, faultMet: 0 });
    expect(v.problems).toEqual([expect.stringMatching(new RegExp(`^leg 8/${DAY}/p0/0: entry ${id(0, 'entry')} filled`))]);
    const met = judgeBackstops(orders, [], 3_000, 2_000, new Set([`8/${DAY}/p0/0`]));
    expect(met).toMatchObject({ protectedInTime: 2, faultMet: 1, unprotected: 0, problems: [] });
  });
});
