/**
 * The armed price levels of every run, per feed, on two sides: `down` fires when the price falls
 * to its level or below (a long's stop), `up` when it rises to its level or above (a long's
 * target; a short mirrors both). Each side is kept sorted so that its crossed entries sit at its
 * head: `down` highest level first, `up` lowest first. A tick walks each head and stops at the
 * first entry not crossed, so its cost is the number of entries it fires, not the number armed.
 *
 * An entry fires once: `take` removes it. The index never puts one back; whether the exit it
 * asked for goes out is the run policy's call (journal_exit), and where that call suppresses
 * the exit no trigger is needed any more (see StrategyManager.onCrossing and
 * tests/integration/crossing-suppressed.test.ts). A RATCHET asks for no exit: the run's levels
 * are set again, tightened (a new set replaces the run's entries whole), by the market listener
 * in the tick itself, or by the run's step a turn or more later when the listener holds no
 * levels for it. That set is `moved`: the same position's levels moved. If an exit level of that
 * leg fired first (on the same tick, or a later tick before the step), its exit is submitted and
 * the moved set changes nothing: put back, the level would fire again at the last price and
 * report a second hit of one exit.
 */
import type { Trigger, TriggerKind } from '../core/run-policy/types';
import { MAX_POSITION_NO } from '../core/ids';

export type { TriggerKind };
export type TriggerDir = Trigger['dir'];
/** One level to arm (the run policy's Trigger). */
export type TriggerItem = Trigger;

export interface Armed {
  readonly strategyId: number;
  /** The strategy's position the level watches (0 for a strategy without `positions`). */
  readonly positionNo: number;
  /** The leg the level was set for: a hit for a leg that is no longer current is stale. */
  readonly legNo: number;
  readonly kind: TriggerKind;
  readonly level: number;
  readonly dir: TriggerDir;
}

interface Sides {
  /** level descending: crossed while level >= price. */
  readonly down: Armed[];
  /** level ascending: crossed while level <= price. */
  readonly up: Armed[];
}

/**
 * One number per (strategy, position): each position of a multi-position strategy is a run with
 * its own levels, so one position's set never replaces another's. Position 0 (every strategy
 * without `positions`) is strategyId × 16: positions 0–9 fit, and the key stays a small integer.
 */
export function runKey(strategyId: number, positionNo: number): number {
  return strategyId * 16 + positionNo;
}

/** How many positions a strategy may have. */
export const POSITIONS = MAX_POSITION_NO + 1;

export class TriggerIndex {
  private readonly byFeed = new Map<string, Sides>();
  /** runKey → where its entries are, to clear them without a scan of every feed. */
  private readonly of = new Map<number, { readonly feed: string; readonly items: Armed[] }>();
  /** runKey → the leg an exit level of it fired for since its levels were last set afresh. */
  private readonly exitFired = new Map<number, number>();

  /**
   * Replaces the run's set (all its levels, on this feed) with `items`; an empty list clears it.
   * A level that is not a finite number throws and leaves the run's set as it was. `moved`: the
   * same position's levels moved (a ratchet's step), which change nothing once an exit level of
   * leg `legNo` has fired (its exit is under way). `positionNo`: which of the strategy's positions
   * (each its own run and set); 0 for a strategy without `positions`.
   */
  set(feed: string, strategyId: number, legNo: number, items: readonly TriggerItem[], moved = false, positionNo = 0): void {
    for (const item of items) {
      if (!Number.isFinite(item.level)) throw new Error(`trigger level of strategy ${strategyId} must be a finite number, got ${item.level}`);
    }
    const key = runKey(strategyId, positionNo);
    if (moved && this.exitFired.get(key) === legNo) return;
    this.clearRun(key);
    if (items.length === 0) return;
    let sides = this.byFeed.get(feed);
    if (!sides) this.byFeed.set(feed, (sides = { down: [], up: [] }));
    const armed: Armed[] = [];
    for (const item of items) {
      const a: Armed = { strategyId, positionNo, legNo, kind: item.kind, level: item.level, dir: item.dir };
      const list = sides[item.dir];
      list.splice(insertionPoint(list, a.level, item.dir), 0, a);
      armed.push(a);
    }
    this.of.set(key, { feed, items: armed });
  }

  /**
   * Drops every level of the run of position `positionNo` (and what fired of them), or of every
   * position of the strategy when left out; whether it had any.
   */
  clear(strategyId: number, positionNo?: number): boolean {
    if (positionNo !== undefined) return this.clearRun(runKey(strategyId, positionNo));
    let had = false;
    for (let p = 0; p < POSITIONS; p++) had = this.clearRun(runKey(strategyId, p)) || had;
    return had;
  }

  private clearRun(key: number): boolean {
    this.exitFired.delete(key);
    const at = this.of.get(key);
    if (!at) return false;
    this.of.delete(key);
    const sides = this.byFeed.get(at.feed);
    if (!sides) return false;
    for (const a of at.items) {
      const list = sides[a.dir];
      const i = list.indexOf(a);
      if (i >= 0) list.splice(i, 1);
    }
    if (sides.down.length === 0 && sides.up.length === 0) this.byFeed.delete(at.feed);
    return true;
  }

  /**
   * Removes every entry on `feed` that `price` crosses, writes them into `out` from index 0 (down
   * side first, each side in its order, ties in arming order) and returns how many. Nothing is
   * allocated and `out` is left untouched when nothing is crossed.
   */
  take(feed: string, price: number, out: Armed[]): number {
    const sides = this.byFeed.get(feed);
    if (sides === undefined) return 0;
    const { down, up } = sides;
    let d = 0;
    while (d < down.length && down[d]!.level >= price) d++;
    let u = 0;
    while (u < up.length && up[u]!.level <= price) u++;
    if (d === 0 && u === 0) return 0;
    let n = 0;
    for (let i = 0; i < d; i++) out[n++] = down[i]!;
    for (let i = 0; i < u; i++) out[n++] = up[i]!;
    out.length = n;
    if (d > 0) down.splice(0, d);
    if (u > 0) up.splice(0, u);
    for (let i = 0; i < n; i++) {
      const a = out[i]!;
      if (a.kind !== 'RATCHET') this.exitFired.set(runKey(a.strategyId, a.positionNo), a.legNo);
      this.forget(a);
    }
    if (down.length === 0 && up.length === 0) this.byFeed.delete(feed);
    return n;
  }

  /**
   * Whether the run of position `positionNo` has an entry of `kind` armed (any, without `kind`);
   * without `positionNo`, whether any position of the strategy has.
   */
  isArmed(strategyId: number, kind?: TriggerKind, positionNo?: number): boolean {
    const armed = (p: number) => {
      const at = this.of.get(runKey(strategyId, p));
      return at !== undefined && (kind === undefined || at.items.some((a) => a.kind === kind));
    };
    if (positionNo !== undefined) return armed(positionNo);
    for (let p = 0; p < POSITIONS; p++) if (armed(p)) return true;
    return false;
  }

  /** Entries armed, over every feed and side. */
  size(): number {
    let n = 0;
    for (const at of this.of.values()) n += at.items.length;
    return n;
  }

  /** Drops a fired entry from its run's set; the run leaves the index with its last entry. */
  private forget(a: Armed): void {
    const key = runKey(a.strategyId, a.positionNo);
    const at = this.of.get(key);
    if (!at) return;
    const i = at.items.indexOf(a);
    if (i >= 0) at.items.splice(i, 1);
    if (at.items.length === 0) this.of.delete(key);
  }
}

/** Where a new level goes on its side: after every entry that fires no later than it (ties keep arming order). */
function insertionPoint(list: readonly Armed[], level: number, dir: TriggerDir): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = list[mid]!.level;
    if (dir === 'down' ? m >= level : m <= level) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
