/**
 * The crash soak's judge: the broker's own record (the fake's orders and every placement it
 * received) read per leg, keyed by what the client order id says (strategy, trading day, leg), and
 * the daemon's journal read for which exit closed each leg. Pure: the soak fetches, this decides.
 *
 * Per leg: exactly one entry, on the side the strategy's spec says, as START armed it (symbol,
 * quantity, side); every exit on the other side; exit fills summing to exactly the entry's fill;
 * every order for the symbol the day's first entry traded. Per strategy and day: legs 0..n with no
 * gap, at most 1 + its re-entries, and each leg's entry accepted only after the leg before was
 * closed (its last exit filled, by the fake's timestamps). Every client order id at the broker is
 * one Tradeclock makes (parseClientOrderId), at most 20 characters (Kite's tag), and accepted once.
 * In the journal: a leg entered only after the leg before closed by an exit `reentry_after` names.
 *
 * The backstop (issue 20) is a stop order on the exit side under a `tb…` id (core/ids.ts
 * backstopId): one that fired counts as an exit of its leg, so "exit fills sum to exactly the
 * entry's" is still what proves no double exit. judgeBackstops adds: every filled entry protected
 * by a backstop accepted at the broker within a bound of its fill (the bound stretched by the time
 * no daemon was up), unless an exit of the leg came first; and none left resting after its day.
 * judgeCancelToExit: no position unprotected longer than a placement takes from a backstop's
 * cancellation until its exit (or a new version) is at the broker.
 *
 * Where the broker takes a buy's fee out of the coin bought (Binance spot, FeeInKind), exits sum to
 * less than their entry: each leg sells no more than it bought and sells something, and each pair,
 * over the soak, has bought less fees less sold under one step left (dust, which no exit can sell).
 *
 * Broker-neutral: the Alpaca fake lists its orders in this shape; the Kite fake's orders and GTTs
 * are read into it by kite-record.ts (a GTT as its leg's backstop, type 'gtt').
 */
import Decimal from 'decimal.js';
import { parseBackstopId, parseClientOrderId } from '../../engine/core/ids';
import { REENTRY_AFTER_EXITS, type ExitLeg, type SoakKind } from './soak-mix';

/** An order as the Alpaca fake lists it (GET /__fake/orders), or a Kite order or GTT read into that shape; the fields the judge reads. */
export interface BrokerOrder {
  readonly client_order_id: string;
  /** 'market' for entries and exits ('limit' for an option's exit at Kite, re-priced in place); a backstop's 'stop' (Alpaca), 'stop_loss' (Binance) or 'gtt' (Kite). */
  readonly type: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly status: string;
  readonly qty: string;
  readonly filled_qty: string;
  readonly filled_avg_price: string | null;
  readonly created_at: string;
  readonly filled_at: string | null;
  /** When the broker carried a cancel out (Alpaca's `canceled_at`; a Kite GTT's `updated_at` on its deletion); null or absent otherwise. */
  readonly canceled_at?: string | null;
  /** The fee the broker took out of the asset this order received, in that asset (Binance: a buy's commission in the coin bought); absent: none. */
  readonly fee_in_kind?: string;
}

/**
 * A broker that takes a buy's fee out of the coin bought (Binance spot): a leg's exits sum to less
 * than its entry, and runs on one pair share its balance (each exit sells what its run holds or,
 * when less, what the account holds), so the judge weighs each pair over the whole soak instead:
 * what was bought, less the fees taken in kind, less what was sold, is what is left, and that must
 * be dust, under one step (`stepOf` the pair); per leg, no exit may sell more than its entry bought.
 */
export interface FeeInKind {
  readonly stepOf: (symbol: string) => number;
}

/** One order placement as the fake received it (Alpaca: GET /__fake/received; Kite: each order of its book, kite-record.ts). */
export interface Received {
  readonly clientOrderId: string | null;
  readonly side: string | null;
  readonly symbol: string | null;
  readonly outcome: string;
}

/** A placement the broker booked and its RMS then rejected, as an injected fault made it (Kite: fake-order-faults.ts `rms-reject`). */
export const REJECTED_BY_RMS = 'accepted, then rejected by the RMS';

/** Whether an injected fault met this placement: answered without being processed (a 429, a refusal), or booked and then rejected. */
export const metFault = (r: Received): boolean => r.outcome.startsWith('not processed') || r.outcome === REJECTED_BY_RMS;

/** What the soak asked of a strategy: its kind, and what START armed (its answer). */
export interface Asked {
  readonly kind: SoakKind;
  readonly armed?: { readonly symbol: string; readonly qty: number; readonly side: string };
}

export interface BrokerVerdict {
  /** Entries at the broker, one per leg entered. */
  readonly entries: number;
  readonly entriesBySide: { readonly buy: number; readonly sell: number };
  readonly exitOrders: number;
  /** Legs whose exits' fills sum to their entry's fill (above 0). */
  readonly exitedLegs: number;
  /** Exit orders by attempt ("1" is the `X` id, "2".."9" the digit). */
  readonly exitAttempts: Readonly<Record<string, number>>;
  /** Strategy-days by how many legs they entered at the broker. */
  readonly legsPerRun: Readonly<Record<string, number>>;
  /** Entries of legs 1 and up at the broker. */
  readonly reentries: number;
  /** Re-entries the strategy-days that entered could make: their spec's re-entries each. */
  readonly reentriesAllowed: number;
  readonly duplicates: number;
  readonly lostExits: number;
  readonly wrongOrders: number;
  /** Backstop orders the broker holds (every version), and the legs one of them closed (filled). */
  readonly backstops: { readonly orders: number; readonly firedLegs: number };
  readonly problems: readonly string[];
}

/** What an id at the broker says: whose leg it is, and whether it is the leg's entry, an exit attempt or a backstop. */
export interface OrderKey {
  readonly strategyId: number;
  readonly tradingDate: string;
  readonly legNo: number;
  readonly role: 'entry' | 'exit' | 'backstop';
  /** An exit's attempt (1 for `X`); 0 for an entry or a backstop. */
  readonly attempt: number;
  /** The position of a multi-position strategy (`tp…` ids, a 21-character `tb…`); absent for a strategy of one. */
  readonly positionNo?: number;
}

/**
 * The leg an order is of: "strategy/day/leg", with the position before the leg ("strategy/day/pN/leg")
 * for a position of a multi-position strategy, whose positions share strategy, day and leg numbers.
 */
export const legKey = (k: OrderKey): string => (k.positionNo === undefined ? `${k.strategyId}/${k.tradingDate}/${k.legNo}` : `${k.strategyId}/${k.tradingDate}/p${k.positionNo}/${k.legNo}`);

/**
 * Reads a client order id Tradeclock makes: an entry's or exit's (tc/tr) or a backstop's (tb).
 * @throws Error saying why `id` is neither.
 */
export function orderKey(id: string): OrderKey {
  if (id.startsWith('tb')) {
    const b = parseBackstopId(id);
    return { strategyId: b.strategyId, tradingDate: b.tradingDate, legNo: b.legNo, role: 'backstop', attempt: 0, ...(b.positionNo === undefined ? {} : { positionNo: b.positionNo }) };
  }
  const p = parseClientOrderId(id);
  return { strategyId: p.strategyId, tradingDate: p.tradingDate, legNo: p.legNo, role: p.slot, attempt: p.slot === 'exit' ? p.attempt : 0, ...(p.positionNo === undefined ? {} : { positionNo: p.positionNo }) };
}

/** Kite's tag, the tightest limit an entry's or exit's client order id must fit. */
const MAX_ID_CHARS = 20;
/** A backstop's id is never a Kite tag (a GTT carries none): Alpaca's client_order_id is its tightest limit (core/ids.ts backstopId). */
const MAX_BACKSTOP_ID_CHARS = 48;

interface Leg {
  readonly strategyId: number;
  readonly day: string;
  readonly legNo: number;
  readonly entries: BrokerOrder[];
  /** The engine's exit attempts. */
  readonly exits: BrokerOrder[];
  /** Its backstop's versions at the broker (a fired one is an exit too). */
  readonly backstops: BrokerOrder[];
}

const filled = (orders: readonly BrokerOrder[]) => orders.reduce((n, o) => n + Number(o.filled_qty), 0);
/** The same, exactly: fractional fills summed as decimals (0.0015 + 0.002 …). */
const sumOf = (orders: readonly BrokerOrder[]) => orders.reduce((n, o) => n.plus(o.filled_qty), new Decimal(0));
const words = (orders: readonly BrokerOrder[]) => orders.map((o) => `${o.client_order_id} ${o.side} ${o.symbol} ${o.status} ${o.filled_qty}/${o.qty}`).join(', ') || 'none';

/** Parses `id` (an entry's, exit's or backstop's), or says in `problems` why it is not one the judge can key. */
function parsedId(id: string, where: string, problems: string[]): OrderKey | null {
  const max = id.startsWith('tb') ? MAX_BACKSTOP_ID_CHARS : MAX_ID_CHARS;
  if (id.length > max) problems.push(`${where}: client order id ${id} is ${id.length} characters, over ${max}`);
  try {
    return orderKey(id);
  } catch (err) {
    problems.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

export function judgeBroker(orders: readonly BrokerOrder[], received: readonly Received[], asked: ReadonlyMap<number, Asked>, feeInKind: FeeInKind | null = null): BrokerVerdict {
  const problems: string[] = [];
  const legs = new Map<string, Leg>();
  const exitAttempts: Record<string, number> = {};
  let wrongOrders = 0;
  for (const o of orders) {
    const p = parsedId(o.client_order_id, `order at the broker (${o.side} ${o.symbol})`, problems);
    if (p === null) {
      wrongOrders++;
      continue;
    }
    const key = legKey(p);
    const leg = legs.get(key) ?? { strategyId: p.strategyId, day: p.tradingDate, legNo: p.legNo, entries: [], exits: [], backstops: [] };
    if (p.role === 'entry') leg.entries.push(o);
    else if (p.role === 'backstop') leg.backstops.push(o);
    else {
      leg.exits.push(o);
      exitAttempts[p.attempt] = (exitAttempts[p.attempt] ?? 0) + 1;
    }
    legs.set(key, leg);
  }

  let duplicates = 0;
  let lostExits = 0;
  let exitedLegs = 0;
  let firedLegs = 0;
  const entriesBySide = { buy: 0, sell: 0 };
  const days = new Map<string, Leg[]>();
  /** feeInKind: per pair, bought less fees less sold, and the legs of it, for the problem line. */
  const pairs = new Map<string, { left: Decimal; legs: string[] }>();
  for (const leg of legs.values()) {
    const tag = `strategy ${leg.strategyId} on ${leg.day} leg ${leg.legNo}`;
    const want = asked.get(leg.strategyId);
    days.set(`${leg.strategyId}/${leg.day}`, [...(days.get(`${leg.strategyId}/${leg.day}`) ?? []), leg]);
    for (const e of leg.entries) entriesBySide[e.side]++;
    // What closes the leg: the engine's exits and the backstop's fills alike.
    const closing = [...leg.exits, ...leg.backstops];
    if (filled(leg.backstops) > 0) firedLegs++;
    if (!want) {
      wrongOrders += leg.entries.length + closing.length;
      problems.push(`${tag}: orders at the broker for a strategy the soak never made (${words([...leg.entries, ...closing])})`);
      continue;
    }
    if (leg.entries.length > 1) {
      duplicates += leg.entries.length - 1;
      problems.push(`${tag}: ${leg.entries.length} entries at the broker (${words(leg.entries)})`);
    }
    const side = want.kind.side;
    const other = side === 'buy' ? 'sell' : 'buy';
    const wrongSide = [...leg.entries.filter((o) => o.side !== side), ...closing.filter((o) => o.side !== other)];
    if (wrongSide.length > 0) {
      wrongOrders += wrongSide.length;
      problems.push(`${tag}: a ${want.kind.name} enters with ${side} and exits with ${other}, yet ${words(wrongSide)}`);
    }
    // Only exits on the closing side close anything: one on the entry's side adds to the position.
    const entered = filled(leg.entries.filter((o) => o.side === side));
    const exited = filled(closing.filter((o) => o.side === other));
    if (feeInKind !== null && side === 'buy') {
      // Exits over the entry are a double exit; the rest is weighed per pair below.
      const symbol = leg.entries[0]?.symbol ?? closing[0]?.symbol ?? '?';
      const pair = pairs.get(symbol) ?? { left: new Decimal(0), legs: [] };
      const fees = leg.entries.reduce((n, o) => n.plus(o.fee_in_kind ?? 0), new Decimal(0));
      const [bought, sold] = [sumOf(leg.entries.filter((o) => o.side === side)), sumOf(closing.filter((o) => o.side === other))];
      pair.left = pair.left.plus(bought).minus(fees).minus(sold);
      pair.legs.push(`${tag}: bought ${bought.toFixed()}, fee ${fees.toFixed()}, sold ${sold.toFixed()}`);
      pairs.set(symbol, pair);
      if (sold.gt(bought)) {
        duplicates++;
        problems.push(`${tag}: entered ${entered}, exited ${exited} at the broker: more sold than bought (entries: ${words(leg.entries)}; exits: ${words(leg.exits)})`);
      } else if (sold.isZero() && bought.gt(0)) {
        lostExits++;
        problems.push(`${tag}: entered ${entered}, nothing exited at the broker after the day (entries: ${words(leg.entries)})`);
      } else if (bought.gt(0)) exitedLegs++;
    } else if (entered !== exited) {
      // More is a double exit (the backstop and the engine's exit both filled), less a lost one.
      if (exited > entered) duplicates++;
      else lostExits++;
      problems.push(`${tag}: entered ${entered}, exited ${exited} at the broker after the day (entries: ${words(leg.entries)}; exits: ${words(leg.exits)}; backstops: ${words(leg.backstops)})`);
    } else if (entered > 0) exitedLegs++;
    if (leg.entries.length === 0 && closing.length > 0) {
      wrongOrders += closing.length;
      problems.push(`${tag}: exits with no entry at the broker: ${words(closing)}`);
    }
  }

  for (const [symbol, pair] of pairs) {
    const step = feeInKind!.stepOf(symbol);
    if (pair.left.isNegative()) {
      duplicates++;
      problems.push(`${symbol}: ${pair.left.negated().toFixed()} more sold than bought less the fees taken in kind, over the soak (${pair.legs.join('; ')})`);
    } else if (pair.left.gte(step)) {
      lostExits++;
      problems.push(`${symbol}: ${pair.left.toFixed()} bought and not sold over the soak, fees taken in kind aside: more than dust (one step is ${step}) (${pair.legs.join('; ')})`);
    }
  }

  const legsPerRun: Record<string, number> = {};
  let reentriesAllowed = 0;
  for (const day of days.values()) {
    day.sort((x, y) => x.legNo - y.legNo);
    const first = day[0]!;
    const tag = `strategy ${first.strategyId} on ${first.day}`;
    const want = asked.get(first.strategyId);
    if (!want) continue;
    legsPerRun[day.length] = (legsPerRun[day.length] ?? 0) + 1;
    reentriesAllowed += want.kind.reentries;
    if (day.length > 1 + want.kind.reentries) {
      duplicates += day.length - 1 - want.kind.reentries;
      problems.push(`${tag}: ${day.length} legs at the broker, its spec allows ${1 + want.kind.reentries}`);
    }
    day.forEach((leg, i) => {
      if (leg.legNo !== i) problems.push(`${tag}: leg ${leg.legNo} at the broker without leg ${i}`);
    });
    // Every order of the day for the symbol its first entry traded; each leg's entry as START armed it.
    const symbol = first.entries[0]?.symbol;
    const wrong = day.flatMap((leg) => [...leg.entries, ...leg.exits, ...leg.backstops]).filter((o) => symbol !== undefined && o.symbol !== symbol);
    if (wrong.length > 0) {
      wrongOrders += wrong.length;
      problems.push(`${tag}: entered ${symbol}, yet ${words(wrong)}`);
    }
    const armed = want.armed;
    for (const leg of day) {
      const entry = leg.entries[0];
      if (armed && entry && (entry.symbol !== armed.symbol || Number(entry.qty) !== armed.qty || entry.side !== armed.side)) {
        wrongOrders++;
        problems.push(`${tag}: START armed ${armed.side} ${armed.symbol} × ${armed.qty}, leg ${leg.legNo}'s entry was ${entry.side} ${entry.symbol} × ${entry.qty}`);
      }
    }
    // A leg enters only once the one before it is closed at the broker (its last fill that closes it).
    for (let i = 1; i < day.length; i++) {
      const before = day[i - 1]!;
      const fills = [...before.exits, ...before.backstops].filter((o) => Number(o.filled_qty) > 0);
      const closedAt = fills.length === 0 ? Infinity : Math.max(...fills.map((o) => (o.filled_at === null ? Infinity : Date.parse(o.filled_at))));
      const next = day[i]!.entries[0];
      if (next && !(Date.parse(next.created_at) >= closedAt)) {
        problems.push(`${tag}: leg ${day[i]!.legNo}'s entry ${next.client_order_id} accepted at ${next.created_at}, before leg ${before.legNo} was closed (${words(before.exits)})`);
      }
    }
  }

  // No client order id placed twice: the broker accepts each id once. Every id sent is ours and fits.
  const accepted = new Map<string, number>();
  for (const r of received) {
    if (r.clientOrderId === null) {
      problems.push(`an order placement (${r.side} ${r.symbol}) without a client order id: ${r.outcome}`);
      continue;
    }
    if (r.outcome === 'accepted') accepted.set(r.clientOrderId, (accepted.get(r.clientOrderId) ?? 0) + 1);
  }
  const sent = new Set(received.flatMap((r) => (r.clientOrderId === null ? [] : [r.clientOrderId])));
  const atBroker = new Set(orders.map((o) => o.client_order_id));
  for (const id of sent) if (!atBroker.has(id)) parsedId(id, 'an order placement', problems);
  for (const [id, n] of accepted) {
    if (n > 1) {
      duplicates += n - 1;
      problems.push(`client order id ${id} accepted ${n} times`);
    }
  }

  return {
    entries: entriesBySide.buy + entriesBySide.sell,
    entriesBySide,
    exitOrders: [...legs.values()].reduce((n, l) => n + l.exits.length, 0),
    exitedLegs,
    exitAttempts,
    legsPerRun,
    reentries: [...legs.values()].reduce((n, l) => n + (l.legNo > 0 ? l.entries.length : 0), 0),
    reentriesAllowed,
    duplicates,
    lostExits,
    wrongOrders,
    backstops: { orders: [...legs.values()].reduce((n, l) => n + l.backstops.length, 0), firedLegs },
    problems,
  };
}

/** A span of time no daemon was up (from its death to the next one's start answering). */
export interface Downtime {
  readonly from: number;
  readonly to: number;
}

export interface BackstopVerdict {
  /** Legs entered (filled) at the broker, and those a backstop protected in time. */
  readonly filledEntries: number;
  readonly protectedInTime: number;
  /** Legs whose exit came before any backstop (a price already past the stop, a STOP at the fill). */
  readonly exitFirst: number;
  /** The longest a protected position waited for its backstop at the broker, less the time no daemon was up. */
  readonly longestWaitMs: number;
  /** Legs neither protected nor exited in time whose exit an injected fault met (a 429 storm, a refused exit): the fault's wait, not counted unprotected. */
  readonly faultMet: number;
  readonly unprotected: number;
  readonly problems: readonly string[];
}

const at = (iso: string | null) => (iso === null ? Infinity : Date.parse(iso));

/** `ms` of daemon time after `from`: `from + ms` stretched by every downtime it meets. */
function upTimeAfter(from: number, ms: number, downs: readonly Downtime[]): number {
  let end = from + ms;
  for (const d of [...downs].sort((x, y) => x.from - y.from)) {
    if (d.to <= from || d.from >= end) continue;
    end += d.to - Math.max(d.from, from);
  }
  return end;
}

/**
 * No position unprotected longer than the placement takes: each filled entry at the broker has a
 * backstop accepted within `boundMs` of daemon time after its fill, unless an exit of the leg was
 * placed first. A kill between the fill and the placement (a crash point) stretches the bound by
 * the time no daemon was up: the next one places it at recovery. An entry a starting daemon placed
 * (accepted while it was not up yet: recovery sends a due BUY before the broker's update stream
 * listens) may have its fill streamed to no one; the daemon looks it up as soon as its stream
 * listens (Reconciler.lookUpOnListening), at most `listenMs` after the daemon answered, if its
 * placement was answered by then, and at its answer if that came later (lookUpIfListenedSince;
 * it was at its settle check, 10 s after the broker took it, until 2026-12-07). The bound runs
 * from then. A leg in `faulted` ("strategy/day/leg", legKey) whose exit an injected fault met
 * may have had its exit decided in time, before its backstop went out, and kept off the broker by
 * the fault (a group's exit-all at Kite, just after a restart): counted `faultMet`, not a problem.
 */
export function judgeBackstops(orders: readonly BrokerOrder[], downs: readonly Downtime[], boundMs: number, listenMs: number, faulted: ReadonlySet<string> = new Set()): BackstopVerdict {
  const problems: string[] = [];
  const legs = new Map<string, { entry?: BrokerOrder; firstExit: number; firstBackstop: number }>();
  for (const o of orders) {
    let k: OrderKey;
    try {
      k = orderKey(o.client_order_id);
    } catch {
      continue; // judgeBroker names it
    }
    const key = legKey(k);
    const leg = legs.get(key) ?? { firstExit: Infinity, firstBackstop: Infinity };
    legs.set(key, leg);
    if (k.role === 'entry') leg.entry = o;
    else if (k.role === 'exit') leg.firstExit = Math.min(leg.firstExit, at(o.created_at));
    else leg.firstBackstop = Math.min(leg.firstBackstop, at(o.created_at));
  }
  let filledEntries = 0;
  let protectedInTime = 0;
  let exitFirst = 0;
  let longestWaitMs = 0;
  let faultMet = 0;
  for (const [key, leg] of legs) {
    if (!leg.entry || Number(leg.entry.filled_qty) <= 0 || leg.entry.filled_at === null) continue;
    filledEntries++;
    const fill = at(leg.entry.filled_at);
    const accepted = at(leg.entry.created_at);
    const starting = downs.find((d) => accepted >= d.from && accepted <= d.to);
    const deadline = Math.max(upTimeAfter(fill, boundMs, downs), starting ? starting.to + listenMs + boundMs : 0);
    if (leg.firstBackstop <= deadline && leg.firstBackstop <= leg.firstExit) {
      protectedInTime++;
      // The wait less the downtime it met: what the placement itself took.
      const down = downs.filter((d) => d.to > fill && d.from < leg.firstBackstop).reduce((n, d) => n + Math.min(d.to, leg.firstBackstop) - Math.max(d.from, fill), 0);
      longestWaitMs = Math.max(longestWaitMs, leg.firstBackstop - fill - down);
    } else if (leg.firstExit <= deadline && leg.firstExit < leg.firstBackstop) exitFirst++;
    else if (faulted.has(key)) faultMet++;
    else problems.push(`leg ${key}: entry ${leg.entry.client_order_id} filled at ${leg.entry.filled_at}, no backstop at the broker within ${boundMs} ms of daemon time (first backstop ${Number.isFinite(leg.firstBackstop) ? new Date(leg.firstBackstop).toISOString() : 'never'}, first exit ${Number.isFinite(leg.firstExit) ? new Date(leg.firstExit).toISOString() : 'never'})`);
  }
  return { filledEntries, protectedInTime, exitFirst, longestWaitMs, faultMet, unprotected: problems.length, problems };
}

export interface CancelToExitVerdict {
  /** Legs with a window from a backstop's cancel to the next protection (its exit, or a new version), each judged in time. */
  readonly timed: number;
  /** Of those, legs where a daemon died within a window. */
  readonly diedBetween: number;
  /** Of the timed, legs an injected fault met at a backstop's placement only (`backstopFaulted`). */
  readonly backstopFaulted: number;
  /** Legs an injected fault met at their exit (their exit's wait is the fault's), not timed. */
  readonly leftOut: number;
  /** The longest window, less the time no daemon was up. */
  readonly longestWaitMs: number;
  /** Legs with a window that ended too late, or never. */
  readonly late: number;
  readonly problems: readonly string[];
}

/**
 * The other unprotected window (issue 20): from a backstop's cancellation, the position has no
 * protection at the broker until the leg's exit is placed there, or a new version of the backstop
 * (a daemon killed between the cancel and the exit's journal places one at its restart, before
 * that exit cancels it in turn). Per leg, every cancel carried out at or before its first engine
 * exit (a trail's replaced versions are not cancels; one after the exit opens no window) must be
 * followed by the earlier of the two within `boundMs` of daemon time (stretched by every downtime
 * it meets). `deaths`: when each daemon died (a daemon that died while starting too, inside one of
 * `downs`). Where a daemon died within the window at a broker that takes a reused id
 * (`listedWithinMs`, BrokerCapabilities.placedOrderListedWithinMs: Kite), the next one may wait
 * for the dead one's marked exit to be listed before placing it again (Reconciler.orphanWaitMs),
 * so up to `listedWithinMs` + `boundMs` after that death is in time too; null where the broker
 * refuses a reused id (Alpaca), which looks it up and places it at once. A window never closed is
 * late. Legs in `leftOut` ("strategy/day/leg": an exit of theirs met a fault the soak injected, a
 * 429 storm or a refused exit) are not timed; those in `backstopFaulted` (a fault met a backstop's
 * placement, not an exit) are timed and counted apart.
 */
export function judgeCancelToExit(
  orders: readonly BrokerOrder[],
  downs: readonly Downtime[],
  deaths: readonly number[],
  boundMs: number,
  listedWithinMs: number | null,
  leftOut: ReadonlySet<string>,
  backstopFaulted: ReadonlySet<string> = new Set(),
): CancelToExitVerdict {
  const legs = new Map<string, { cancels: number[]; placed: number[]; firstExit: number; exitId: string | null }>();
  for (const o of orders) {
    let k: OrderKey;
    try {
      k = orderKey(o.client_order_id);
    } catch {
      continue; // judgeBroker names it
    }
    const key = legKey(k);
    const leg = legs.get(key) ?? { cancels: [], placed: [], firstExit: Infinity, exitId: null };
    legs.set(key, leg);
    if (k.role === 'exit' && at(o.created_at) < leg.firstExit) {
      leg.firstExit = at(o.created_at);
      leg.exitId = o.client_order_id;
    } else if (k.role === 'backstop') {
      leg.placed.push(at(o.created_at));
      if (o.status === 'canceled' && o.canceled_at) leg.cancels.push(at(o.canceled_at));
    }
  }
  const problems: string[] = [];
  let timed = 0;
  let diedBetween = 0;
  let timedBackstopFaulted = 0;
  let skipped = 0;
  let longestWaitMs = 0;
  const when = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : 'never');
  for (const [key, leg] of legs) {
    // An exit placed before any cancel (the stop fired, or no backstop rested) has no window here.
    const cancels = leg.cancels.filter((c) => c <= leg.firstExit).sort((a, b) => a - b);
    if (cancels.length === 0) continue;
    if (leftOut.has(key)) {
      skipped++;
      continue;
    }
    let late = false;
    let died = false;
    for (const cancel of cancels) {
      const nextVersion = Math.min(...leg.placed.filter((p) => p > cancel));
      const end = Math.min(leg.firstExit, nextVersion);
      const diedIn = deaths.filter((d) => d >= cancel && d <= end);
      let deadline = upTimeAfter(cancel, boundMs, downs);
      if (listedWithinMs !== null && diedIn.length > 0) deadline = Math.max(deadline, Math.max(...diedIn) + listedWithinMs + boundMs);
      if (end > deadline) {
        late = true;
        const by = end === leg.firstExit ? `its exit ${leg.exitId ?? '(none)'} placed` : 'a new backstop placed';
        problems.push(`leg ${key}: backstop cancelled at ${when(cancel)}, ${by} at ${when(end)}, past ${when(deadline)} (${boundMs} ms of daemon time${diedIn.length > 0 && listedWithinMs !== null ? `, or ${listedWithinMs} + ${boundMs} ms after the daemon died between them` : ''}): the position had no protection at the broker that long`);
        continue;
      }
      died ||= diedIn.length > 0;
      const down = downs.filter((d) => d.to > cancel && d.from < end).reduce((n, d) => n + Math.min(d.to, end) - Math.max(d.from, cancel), 0);
      longestWaitMs = Math.max(longestWaitMs, end - cancel - down);
    }
    if (late) continue;
    timed++;
    if (died) diedBetween++;
    if (backstopFaulted.has(key)) timedBackstopFaulted++;
  }
  return { timed, diedBetween, backstopFaulted: timedBackstopFaulted, leftOut: skipped, longestWaitMs, late: problems.length, problems };
}

/** An order's statuses after which it can no longer fill: `replaced` is a version a trail move replaced by the next (PATCH /v2/orders/{id}). */
const DONE_STATUSES = ['filled', 'canceled', 'expired', 'rejected', 'replaced'];

/** Backstops still resting at the broker (not filled, cancelled, replaced, expired or refused): none may outlive its day. */
export function restingBackstops(orders: readonly BrokerOrder[]): BrokerOrder[] {
  return orders.filter((o) => o.client_order_id.startsWith('tb') && !DONE_STATUSES.includes(o.status));
}

/** A journal row as GET /strategy/{id}/orders answers it, the fields the judge reads. */
export interface JournalRow {
  readonly leg: string;
  readonly slot: string;
  readonly status: string;
  readonly client_order_id: string;
}

export interface JournalVerdict {
  /** Filled exit rows by leg: which exit closed each position. */
  readonly exitsByKind: Readonly<Record<string, number>>;
  /** Per scripted trigger: legs that entered and whose script should fire it, and those closed by it. */
  readonly triggers: Readonly<Record<string, { readonly scripted: number; readonly fired: number }>>;
  readonly unresolvedOrders: number;
  readonly wrongOrders: number;
  readonly problems: readonly string[];
}

const FINAL = new Set(['filled', 'rejected', 'cancelled']);

/**
 * The daemon's journal per strategy and leg (read from the client order id): every row resolved,
 * each filled exit one its spec can take (a TARGET on a strategy without one is a wrong order),
 * which exit closed each scripted leg, and a leg entered only after the one before it closed by an
 * exit its `reentry_after` names.
 */
export function judgeJournal(journals: ReadonlyMap<number, readonly JournalRow[]>, asked: ReadonlyMap<number, Asked>): JournalVerdict {
  const problems: string[] = [];
  const exitsByKind: Record<string, number> = {};
  const triggers: Record<string, { scripted: number; fired: number }> = {};
  let unresolvedOrders = 0;
  let wrongOrders = 0;
  for (const [id, rows] of journals) {
    const kind = asked.get(id)?.kind;
    /** Per day, position (a group's) and leg ("day/position/leg"): whether its entry filled, and the exits that filled. */
    const legs = new Map<string, { day: string; pos: number | ''; legNo: number; entered: boolean; closedBy: Set<string> }>();
    for (const o of rows) {
      if (!FINAL.has(o.status)) {
        unresolvedOrders++;
        problems.push(`strategy ${id}: journal row ${o.client_order_id} still ${o.status}`);
      }
      const p = parsedId(o.client_order_id, `strategy ${id}: journal row`, problems);
      if (p === null) {
        wrongOrders++;
        continue;
      }
      // A position of a multi-position strategy is a leg sequence of its own.
      const pos = p.positionNo ?? '';
      const key = `${p.tradingDate}/${pos}/${p.legNo}`;
      const leg = legs.get(key) ?? { day: p.tradingDate, pos, legNo: p.legNo, entered: false, closedBy: new Set<string>() };
      legs.set(key, leg);
      if (o.slot === 'entry' && o.status === 'filled') leg.entered = true;
      if (o.slot !== 'exit' || o.status !== 'filled') continue;
      exitsByKind[o.leg] = (exitsByKind[o.leg] ?? 0) + 1;
      leg.closedBy.add(o.leg);
      if (kind && !kind.exitLegs.includes(o.leg as ExitLeg)) {
        wrongOrders++;
        problems.push(`strategy ${id} (${kind.name}): exit ${o.client_order_id} filled as ${o.leg}, an exit its spec does not have`);
      }
    }
    for (const leg of legs.values()) {
      if (kind?.trigger && leg.entered) {
        const t = (triggers[kind.trigger] ??= { scripted: 0, fired: 0 });
        t.scripted++;
        // The backstop rests at the stop (and at Kite, an OCO, at the target too): a crossing it filled first is that trigger's exit.
        if (leg.closedBy.has(kind.trigger) || (leg.closedBy.has('BACKSTOP') && kind.trigger !== 'TARGET') || (leg.closedBy.has('BACKSTOP_TARGET') && kind.trigger === 'TARGET')) t.fired++;
      }
      if (leg.legNo === 0 || !kind) continue;
      const before = legs.get(`${leg.day}/${leg.pos}/${leg.legNo - 1}`);
      const allowed = kind.reentryAfter ? REENTRY_AFTER_EXITS[kind.reentryAfter] : [];
      if (!before || ![...before.closedBy].some((x) => allowed.includes(x as ExitLeg))) {
        wrongOrders++;
        problems.push(`strategy ${id} (${kind.name}) on ${leg.day}: leg ${leg.legNo} journaled, yet leg ${leg.legNo - 1} closed by ${before ? [...before.closedBy].join(', ') || 'no filled exit' : 'nothing (no such leg)'}, not by an exit its re-entries follow (${allowed.join(', ') || 'none'})`);
      }
    }
  }
  return { exitsByKind, triggers, unresolvedOrders, wrongOrders, problems };
}
