/**
 * The crash soak's strategy mix: the kinds of strategy a cycle trades, rotated by the strategy's
 * index in the cycle (j mod 7), each with the exit and re-entry keys it sends to POST
 * /strategy/create and, for the kinds that exit on a price, the trades the soak pushes through the
 * fake's data stream (POST /__fake/trades) once a leg's entry has filled at the fake, so the
 * trigger is crossed deterministically whenever a daemon is up to see it, whatever the kills do.
 *
 *   a  long, time exit (a v1 body: a stop-loss price far below)
 *   b  short (side sell), time exit (its stop 5 points above the fill)
 *   c  long, stop 2 points below the fill, crossed at fill − 3            → STOPLOSS
 *   d  short, target 2 points below the fill, crossed at fill − 3         → TARGET
 *   e  long, trail 3 points (stop 2 points), once its backstop rests (or 10 s after the fill) rises
 *      to fill + 5 for a second and falls to fill + 1, over and over, so a daemon that missed the
 *      rise sees it again, and the backstop is moved before the fall → TRAIL_STOP
 *   f  long, stop 2 points below the fill, 2 re-entries after the stop-loss (cut-off 1 s before the
 *      SELL): each leg's stop crossed at that leg's fill − 3, so it re-enters lower each time
 *      → STOPLOSS, up to 3 legs
 *   g  long, stop 2 points below the fill, no script: while a kill has no daemon up, the soak trades
 *      its symbol at fill − 3 (fill − 2.5 at Kite, inside the GTT's LIMIT), so its backstop fires at the fake with nobody watching; the next
 *      daemon must find the fill and send no exit of its own → BACKSTOP (else the SELL time)
 *
 * Every kind trades at Alpaca or Kite (soak-broker.ts), whose default puts a backstop beside each
 * position: at Alpaca a stop order at the stop, at Kite a single-leg GTT whose LIMIT is 1% past
 * its trigger. A scripted crossing of a stop usually fills the backstop first, and its fill is the
 * leg's exit (journal leg BACKSTOP, counted as that stop's trigger firing). At Kite a crossing past
 * the GTT's limit (fill − 3 on a stop 2 below) triggers it, but its LIMIT rests unfilled: the
 * engine's own stop must delete the GTT and cancel that order before it exits. The trail's GTT is
 * modified as the stop moves, at most KITE_GTT_MODIFIES_PER_MINUTE. The short with a target has a
 * two-leg (OCO) GTT at Kite, its take-profit at the target: a crossing it fills first is journal
 * leg BACKSTOP_TARGET, counted as the target firing (found failing the judge in session 11, which
 * still said single GTTs only).
 * At Binance spot (no short sales) the mix is LONGS_ONLY (a, c, e, f, g), on a pair of its own per
 * strategy at 60 000, in fractional quantities (soak-broker.ts), each position with its backstop: a
 * STOP_LOSS at the stop, for the free balance (the buy less its fee in the coin), which Binance fires
 * as a MARKET sell; a trail's move is a cancel and the next version under the next `tb…` id.
 *
 * A kind with a price script trades a symbol of its own in its cycle (the broker's scriptedSymbols[j]),
 * so no other strategy's fill or trigger meets its prices; the time-exit kinds share its symbols, which no
 * script moves. A re-entering kind's body also carries `reentries` and a `reentry_cutoff` the soak
 * sets per cycle (REENTRY_CUTOFF_BEFORE_SELL_MS).
 */

export type KindName = 'long-time' | 'short-time' | 'long-stop' | 'short-target' | 'long-trail' | 'long-stop-reentry' | 'long-backstop';

/**
 * Exit legs of the journal (engine/core/types.ts Leg, less BUY and SQUARE_OFF); BACKSTOP: the
 * backstop's fill at the broker; BACKSTOP_TARGET: its take-profit's (a Kite OCO GTT's target side).
 */
export type ExitLeg = 'SELL' | 'STOPLOSS' | 'TRAIL_STOP' | 'TARGET' | 'MANUAL_EXIT' | 'BACKSTOP' | 'BACKSTOP_TARGET';

export interface SoakKind {
  readonly name: KindName;
  readonly side: 'buy' | 'sell';
  /** The exit keys of its create body. */
  readonly exits: Readonly<Record<string, number | string>>;
  /** How many re-entries its spec allows (its body's `reentries`): legs per day ≤ 1 + this. */
  readonly reentries: number;
  /** Which exit lets it re-enter (its body's `reentry_after`), for a kind with re-entries. */
  readonly reentryAfter?: ReentryAfter;
  /** The exit its price script makes it take; null for a time exit. */
  readonly trigger: Exclude<ExitLeg, 'SELL' | 'MANUAL_EXIT' | 'BACKSTOP' | 'BACKSTOP_TARGET'> | null;
  /**
   * True for the kind whose backstop the soak fires while no daemon is up: at a kill, once its
   * backstop rests at the fake, a trade through its stop, so the next daemon finds the fill.
   */
  readonly firesWhileDown?: boolean;
  /**
   * True for the kind whose script waits (WAIT_FOR_BACKSTOP_MS at most) for its leg's
   * backstop to rest before trading: the trail then always moves a resting backstop (a Kite GTT's
   * modify, an Alpaca stop's replace) instead of racing its placement.
   */
  readonly waitsForBackstop?: boolean;
  /** The prices the soak trades, round and round, from each leg's entry fill price. */
  readonly script: ((fill: number) => readonly number[]) | null;
  /** Every exit the spec can take: another one at the broker is a wrong order. */
  readonly exitLegs: readonly ExitLeg[];
}

export type ReentryAfter = 'stop_loss' | 'target' | 'either';

/** The exits each `reentry_after` lets a run enter again after (a trailing stop is a stop-loss), as the engine's run policy has them. */
export const REENTRY_AFTER_EXITS: Readonly<Record<ReentryAfter, readonly ExitLeg[]>> = {
  stop_loss: ['STOPLOSS', 'TRAIL_STOP', 'BACKSTOP'],
  target: ['TARGET', 'BACKSTOP_TARGET'],
  either: ['STOPLOSS', 'TRAIL_STOP', 'BACKSTOP', 'TARGET', 'BACKSTOP_TARGET'],
};

/** Every kind may also be closed by its backstop (on at Alpaca by default), which rests at its stop. */
const TIME_AND_STOP: readonly ExitLeg[] = ['SELL', 'STOPLOSS', 'MANUAL_EXIT', 'BACKSTOP'];
const cents = (n: number) => Math.round(n * 100) / 100;

export const KINDS: readonly SoakKind[] = [
  { name: 'long-time', side: 'buy', exits: { stop_loss: 1 }, reentries: 0, trigger: null, script: null, exitLegs: TIME_AND_STOP },
  { name: 'short-time', side: 'sell', exits: { stop_loss: 5, stop_loss_mode: 'points' }, reentries: 0, trigger: null, script: null, exitLegs: TIME_AND_STOP },
  {
    name: 'long-stop',
    side: 'buy',
    exits: { stop_loss: 2, stop_loss_mode: 'points' },
    reentries: 0,
    trigger: 'STOPLOSS',
    script: (fill) => [cents(fill - 3)],
    exitLegs: TIME_AND_STOP,
  },
  {
    name: 'short-target',
    side: 'sell',
    exits: { stop_loss: 5, stop_loss_mode: 'points', target: 2, target_mode: 'points' },
    reentries: 0,
    trigger: 'TARGET',
    script: (fill) => [cents(fill - 3)],
    // At Kite its GTT is an OCO with a take-profit at the target: a crossing it fills first is BACKSTOP_TARGET.
    exitLegs: [...TIME_AND_STOP, 'TARGET', 'BACKSTOP_TARGET'],
  },
  {
    name: 'long-trail',
    side: 'buy',
    exits: { stop_loss: 2, stop_loss_mode: 'points', trail: 3, trail_mode: 'points' },
    reentries: 0,
    trigger: 'TRAIL_STOP',
    waitsForBackstop: true,
    // A second high (four steps) before each fall: time for the backstop's move (a Kite GTT's needs a quote slot, one a second) to go out while the price is above the new stop.
    script: (fill) => [cents(fill + 5), cents(fill + 5), cents(fill + 5), cents(fill + 5), cents(fill + 1)],
    exitLegs: [...TIME_AND_STOP, 'TRAIL_STOP'],
  },
  {
    name: 'long-stop-reentry',
    side: 'buy',
    exits: { stop_loss: 2, stop_loss_mode: 'points' },
    reentries: 2,
    reentryAfter: 'stop_loss',
    trigger: 'STOPLOSS',
    script: (fill) => [cents(fill - 3)],
    exitLegs: TIME_AND_STOP,
  },
  { name: 'long-backstop', side: 'buy', exits: { stop_loss: 2, stop_loss_mode: 'points' }, reentries: 0, trigger: null, script: null, firesWhileDown: true, exitLegs: TIME_AND_STOP },
];

/** How long after its leg's entry fill a `waitsForBackstop` script waits for the backstop at most (a restart's recovery may place it); never past 3 s before the SELL. */
export const WAIT_FOR_BACKSTOP_MS = 10_000;

/** A re-entering kind's cut-off, this long before the cycle's SELL time. */
export const REENTRY_CUTOFF_BEFORE_SELL_MS = 1_000;

/** The re-entry keys of a kind's create body for a cycle whose SELL is at `sellAt`; none for a kind that does not re-enter. */
export function reentryKeys(kind: SoakKind, sellAt: number): Readonly<Record<string, number | string>> {
  if (kind.reentries === 0) return {};
  return { reentries: kind.reentries, reentry_after: kind.reentryAfter ?? 'stop_loss', reentry_cutoff: new Date(sellAt - REENTRY_CUTOFF_BEFORE_SELL_MS).toISOString().slice(11, 19) };
}

/**
 * The kinds a spot account without short sales trades (Binance spot: no sell-first): the longs
 * exiting by time, stop and trail, the re-entering long, and (fifth, so a cycle of 5 has it) the
 * long whose backstop fires while no daemon is up.
 */
export const LONGS_ONLY: readonly SoakKind[] = KINDS.filter((k) => k.side === 'buy');

/** The kind of the j-th strategy of a cycle, from the broker's mix (every kind by default). */
export const kindOf = (j: number, mix: readonly SoakKind[] = KINDS): SoakKind => mix[j % mix.length]!;

/** How many re-entries a cycle of `strategiesPerCycle` strategies can make: the hits `before-reentry-journal` can count. */
export function reentriesPerCycle(strategiesPerCycle: number, mix: readonly SoakKind[] = KINDS): number {
  let n = 0;
  for (let j = 0; j < strategiesPerCycle; j++) n += kindOf(j, mix).reentries;
  return n;
}

/** Where a scripted kind's prices start each cycle (the fakes' default price). */
export const SCRIPT_START_PRICE = 100;

/** A broker's symbols for the mix (soak-broker.ts): the time-exit kinds share `symbols`; each scripted kind has one of `scriptedSymbols`. */
export interface MixSymbols {
  readonly symbols: readonly string[];
  readonly scriptedSymbols: readonly string[];
  /** The kinds it trades (KINDS, or LONGS_ONLY). */
  readonly mix: readonly SoakKind[];
}

/** The symbol of the j-th strategy of `cycle`: its own for a kind whose prices the soak moves. */
export function symbolOf(j: number, cycle: number, at: MixSymbols): string {
  const kind = kindOf(j, at.mix);
  if (kind.script === null && !kind.firesWhileDown) return at.symbols[(j + cycle) % at.symbols.length]!;
  const symbol = at.scriptedSymbols[j];
  if (symbol === undefined) throw new Error(`strategiesPerCycle must be at most ${at.scriptedSymbols.length}: strategy ${j} has no symbol of its own for its prices`);
  return symbol;
}

/**
 * The two API cases' strategies among the time-exit kinds (a and b): the one whose START races a
 * PATCH and the one stopped and edited. They swap every two cycles, so the STOP, the edit and the
 * SELL's faults meet a long and a short alike.
 */
export function rolesOf(ids: readonly number[], cycle: number): { readonly racer: number; readonly stopped: number | null } {
  if (ids.length < 2) return { racer: ids[0]!, stopped: null };
  const swap = Math.floor(cycle / 2) % 2 === 1;
  return { racer: ids[swap ? 1 : 0]!, stopped: ids[swap ? 0 : 1]! };
}
