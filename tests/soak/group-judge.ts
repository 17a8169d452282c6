/**
 * The crash soak's judge of multi-position strategies (group-kinds.ts), from the broker's own
 * record, keyed by what each client order id says: strategy, trading day, position and leg (a `tp…`
 * order id, a 21-character `tb…` backstop id). Pure: the soak fetches, this decides.
 *
 * Per position and leg: exactly one entry, on the position's side, for its contract (the kind's
 * rule on the fake's master) and its lots × lot size; every exit on the other side, their fills
 * (and a fired backstop's) summing to exactly the entry's; leg 0 only (the kind re-enters no
 * position). Per group and day, in the order the broker received the placements (every one, a
 * placement an injected fault turned away too): the longs' entries placed, and filled, before any
 * short's entry (the hedge's margin first), and every entered short's first exit placed before
 * any long's (shorts bought back first; a short its backstop closed before a long's exit was placed
 * needs none). A position of the
 * day not entered while others were (an unwind, a missed entry) is counted, not a problem: the
 * others must then still be closed exactly once. Every id of a group's strategy names a position.
 */
import type { GroupContracts, GroupKind } from './group-kinds';
import { keyOf } from './group-kinds';
import { orderKey, type BrokerOrder, type Received } from './soak-judge';

/** What the soak asked of a group strategy: its kind, and the contracts of each position. */
export interface GroupAsked {
  readonly kind: GroupKind;
  readonly contracts: GroupContracts;
}

export interface GroupVerdict {
  /** Group strategy-days with an order at the broker, and their positions entered and closed in full. */
  readonly days: number;
  readonly positionsEntered: number;
  readonly positionsExited: number;
  /** Days not every position of which was entered (an unwind, a missed entry). */
  readonly partialDays: number;
  /** Exit orders (every attempt) and fired backstops that closed a position. */
  readonly exitOrders: number;
  readonly firedBackstops: number;
  readonly duplicates: number;
  readonly lostExits: number;
  readonly wrongOrders: number;
  /** Days whose entries or exits went against the group's order (longs in first, shorts out first). */
  readonly outOfOrder: number;
  readonly problems: readonly string[];
}

interface Position {
  readonly entries: BrokerOrder[];
  readonly exits: BrokerOrder[];
  readonly backstops: BrokerOrder[];
}

const filled = (orders: readonly BrokerOrder[]) => orders.reduce((n, o) => n + Number(o.filled_qty), 0);
const words = (orders: readonly BrokerOrder[]) => orders.map((o) => `${o.client_order_id} ${o.side} ${o.symbol} ${o.status} ${o.filled_qty}/${o.qty}`).join(', ') || 'none';
const ms = (at: string | null | undefined) => (at ? Date.parse(at) : Infinity);
const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : 'never');

/** Judges the orders of the strategies in `asked` (orders of any other strategy are left alone); `received`: every placement, in arrival order. */
export function judgeGroups(orders: readonly BrokerOrder[], received: readonly Received[], asked: ReadonlyMap<number, GroupAsked>): GroupVerdict {
  const problems: string[] = [];
  /** Per "strategy/day/position/role": the index of its first placement the broker received. */
  const firstPlaced = new Map<string, number>();
  received.forEach((r, i) => {
    if (r.clientOrderId === null) return;
    let k;
    try {
      k = orderKey(r.clientOrderId);
    } catch {
      return; // judgeBroker names it
    }
    if (!asked.has(k.strategyId) || k.positionNo === undefined || k.role === 'backstop') return;
    const key = `${k.strategyId}/${k.tradingDate}/${k.positionNo}/${k.role}`;
    if (!firstPlaced.has(key)) firstPlaced.set(key, i);
  });
  let wrongOrders = 0;
  /** Per "strategy/day": per position number, per leg. */
  const days = new Map<string, { strategyId: number; day: string; legs: Map<string, Position & { positionNo: number; legNo: number }> }>();
  for (const o of orders) {
    const k = keyOf(o);
    if (k === null || !asked.has(k.strategyId)) continue;
    if (k.positionNo === undefined) {
      wrongOrders++;
      problems.push(`strategy ${k.strategyId} (a group): ${o.client_order_id} names no position`);
      continue;
    }
    const dayKey = `${k.strategyId}/${k.tradingDate}`;
    const day = days.get(dayKey) ?? { strategyId: k.strategyId, day: k.tradingDate, legs: new Map() };
    days.set(dayKey, day);
    const legKey = `${k.positionNo}/${k.legNo}`;
    const leg = day.legs.get(legKey) ?? { positionNo: k.positionNo, legNo: k.legNo, entries: [], exits: [], backstops: [] };
    day.legs.set(legKey, leg);
    (k.role === 'entry' ? leg.entries : k.role === 'exit' ? leg.exits : leg.backstops).push(o);
  }

  let duplicates = 0;
  let lostExits = 0;
  let positionsEntered = 0;
  let positionsExited = 0;
  let partialDays = 0;
  let exitOrders = 0;
  let firedBackstops = 0;
  let outOfOrder = 0;
  for (const { strategyId, day, legs } of days.values()) {
    const { kind, contracts } = asked.get(strategyId)!;
    const tag = (p: number, l = 0) => `strategy ${strategyId} (${kind.name}) on ${day} position ${p} leg ${l}`;
    /** Per position entered: when its entry was accepted and filled, when its backstop filled, and where its first entry and exit placements came. */
    const times = new Map<number, { side: 'buy' | 'sell'; accepted: number; filledAt: number; backstopFilled: number; entryPlaced: number; exitPlaced: number; exitAccepted: number }>();
    for (const leg of legs.values()) {
      const spec = kind.positions[leg.positionNo];
      const at = tag(leg.positionNo, leg.legNo);
      const closing = [...leg.exits, ...leg.backstops];
      exitOrders += leg.exits.length;
      if (filled(leg.backstops) > 0) firedBackstops++;
      if (!spec || leg.legNo !== 0) {
        duplicates += leg.entries.length;
        problems.push(`${at}: the kind has ${kind.positions.length} positions and no re-entry, yet ${words([...leg.entries, ...closing])}`);
        continue;
      }
      if (leg.entries.length > 1) {
        duplicates += leg.entries.length - 1;
        problems.push(`${at}: ${leg.entries.length} entries at the broker (${words(leg.entries)})`);
      }
      const other = spec.side === 'buy' ? 'sell' : 'buy';
      const symbol = contracts.symbols[leg.positionNo]!;
      const qty = kind.lots * contracts.lotSize;
      const wrong = [...leg.entries.filter((o) => o.side !== spec.side || o.symbol !== symbol || Number(o.qty) !== qty), ...closing.filter((o) => o.side !== other || o.symbol !== symbol)];
      if (wrong.length > 0) {
        wrongOrders += wrong.length;
        problems.push(`${at}: enters ${spec.side} ${symbol} × ${qty} and exits with ${other}, yet ${words(wrong)}`);
      }
      const entered = filled(leg.entries.filter((o) => o.side === spec.side));
      const exited = filled(closing.filter((o) => o.side === other));
      if (entered !== exited) {
        if (exited > entered) duplicates++;
        else lostExits++;
        problems.push(`${at}: entered ${entered}, exited ${exited} at the broker after the day (entries: ${words(leg.entries)}; exits: ${words(leg.exits)}; backstops: ${words(leg.backstops)})`);
      } else if (entered > 0) positionsExited++;
      if (leg.entries.length === 0 && closing.length > 0) {
        wrongOrders += closing.length;
        problems.push(`${at}: exits with no entry at the broker: ${words(closing)}`);
      }
      const entry = leg.entries[0];
      if (entry && entered > 0) {
        positionsEntered++;
        const placed = (role: string) => firstPlaced.get(`${strategyId}/${day}/${leg.positionNo}/${role}`) ?? Infinity;
        times.set(leg.positionNo, {
          side: spec.side,
          accepted: ms(entry.created_at),
          filledAt: ms(entry.filled_at),
          backstopFilled: Math.min(...leg.backstops.filter((o) => Number(o.filled_qty) > 0).map((o) => ms(o.filled_at))),
          entryPlaced: placed('entry'),
          exitPlaced: placed('exit'),
          exitAccepted: Math.min(...leg.exits.map((o) => ms(o.created_at))),
        });
      }
    }
    if (times.size < kind.positions.length) partialDays++;
    const longs = [...times].filter(([, t]) => t.side === 'buy');
    const shorts = [...times].filter(([, t]) => t.side === 'sell');
    const late = [] as string[];
    for (const [lp, l] of longs) {
      for (const [sp, s] of shorts) {
        if (s.entryPlaced < l.entryPlaced || s.accepted < l.filledAt) late.push(`position ${sp}'s short entry placed (#${s.entryPlaced}, accepted ${iso(s.accepted)}) before the long position ${lp}'s (#${l.entryPlaced}) had filled (${iso(l.filledAt)})`);
        // A long's exit placed while a short was held that no exit placement or backstop fill had closed yet.
        const closedByBackstop = s.backstopFilled <= l.exitAccepted;
        if (Number.isFinite(l.exitPlaced) && l.exitPlaced < s.exitPlaced && !closedByBackstop) late.push(`the long position ${lp}'s exit placed (#${l.exitPlaced}) before position ${sp}'s short's (#${Number.isFinite(s.exitPlaced) ? s.exitPlaced : 'never'})`);
      }
    }
    if (late.length > 0) {
      outOfOrder++;
      problems.push(`strategy ${strategyId} (${kind.name}) on ${day}: out of the group's order: ${late.join('; ')}`);
    }
  }
  return { days: days.size, positionsEntered, positionsExited, partialDays, exitOrders, firedBackstops, duplicates, lostExits, wrongOrders, outOfOrder, problems };
}
