/**
 * Realized profit or loss of a run: (average exit price − entry price) × quantity sold, the other
 * way round for a short (it sold first, so it earns when the buy back is cheaper). The run's
 * exitPrice is already the quantity-weighted average of every exit fill (core/run-policy/exit.ts
 * averageExitPrice), and the quantity sold is what the entry bought less what is still held and
 * what was left unsold (runs.unsold_qty: a fee taken in the coin bought, dust under one step), so
 * an exit that took several attempts, or sold only part, is counted exactly once per share sold.
 *
 * A run that re-entered (legs 0..n, each closed flat before the next began) earns the sum of its
 * legs (legFills, runPnl).
 *
 * Money is added in decimal (decimal.js), not binary floating point: 0.1 × 3 is 0.3 here, and a
 * day's total does not drift with the number of runs. Rounding is the screen's business.
 */
import Decimal from 'decimal.js';

/** What the journal knows about a run's fills. */
export interface RunFills {
  readonly entryPrice: number | null;
  /** Quantity-weighted average of all exit fills; null before the first exit fill. */
  readonly exitPrice: number | null;
  /** Filled quantity of the entry order; null when there is none (a missed BUY). */
  readonly boughtQty: number | null;
  /** What the run still holds (the run's positionQty). */
  readonly heldQty: number;
  /** What the exits found not held at the broker and left unsold (runs.unsold_qty); absent: none. */
  readonly unsoldQty?: number;
  /** The entry sold first (a short): the exits buy back. Absent: a long. */
  readonly short?: boolean;
}

/** Quantity sold so far: bought less still held and left unsold; 0 before any exit fill. */
export function soldQty(f: RunFills): number {
  if (f.boughtQty === null || f.exitPrice === null) return 0;
  return Math.max(0, new Decimal(f.boughtQty).minus(f.heldQty).minus(f.unsoldQty ?? 0).toNumber());
}

/**
 * The run's realized P&L, or null when nothing has been sold (no entry, no exit fill yet).
 *
 * @example realizedPnl({ entryPrice: 100, exitPrice: 103.5, boughtQty: 10, heldQty: 0 })?.toNumber() === 35
 * @example realizedPnl({ entryPrice: 100, exitPrice: 103.5, boughtQty: 10, heldQty: 0, short: true })?.toNumber() === -35
 */
export function realizedPnl(f: RunFills): Decimal | null {
  const sold = soldQty(f);
  if (f.entryPrice === null || f.exitPrice === null || sold === 0) return null;
  const perShare = new Decimal(f.exitPrice).minus(f.entryPrice);
  return (f.short ? perShare.neg() : perShare).times(sold);
}

/** realizedPnl as a plain number for the wire (DTOs carry numbers, not Decimal instances). */
export function realizedPnlNumber(f: RunFills): number | null {
  return realizedPnl(f)?.toNumber() ?? null;
}

/** Sum of realized P&Ls in decimal; nulls (nothing sold) are skipped. */
export function sumPnl(values: Iterable<Decimal | number | null>): Decimal {
  let total = new Decimal(0);
  for (const v of values) if (v !== null) total = total.plus(v);
  return total;
}

/** A filled journal row as the P&L reads it (db/repos/orders.ts OrderFill). */
export interface LegFill {
  readonly legNo: number;
  readonly slot: 'entry' | 'exit';
  readonly filledQty: number;
  readonly fillPrice: number | null;
}

/** What the run row says of its latest leg. */
export interface RunRowFills {
  readonly entryPrice: number | null;
  readonly exitPrice: number | null;
  readonly heldQty: number;
  readonly unsoldQty?: number;
  readonly short?: boolean;
}

/**
 * A run's fills leg by leg. The run row (entry and exit price, what is held) tells of its latest
 * leg with an entry fill, as it always did for the one leg (waiting to re-enter, or with the next
 * entry still in flight, that is the leg just closed); an earlier leg is read from its journal
 * rows: its entry's fill, its exits' fills weighted by quantity, what they did not close still
 * held. `boughtQty`: the entry fills summed over legs (null: no entry order), for a run with no
 * leg filled. `fills`: the run's filled rows; none for a run that never re-entered.
 *
 * @example legFills({ entryPrice: 102, exitPrice: 104, heldQty: 0 }, 20, [{ legNo: 0, slot: 'entry', filledQty: 10, fillPrice: 100 }, { legNo: 0, slot: 'exit', filledQty: 10, fillPrice: 95 }, { legNo: 1, slot: 'entry', filledQty: 10, fillPrice: 102 }])
 *   // [{ entryPrice: 100, exitPrice: 95, boughtQty: 10, heldQty: 0 }, { entryPrice: 102, exitPrice: 104, boughtQty: 10, heldQty: 0 }]
 */
export function legFills(run: RunRowFills, boughtQty: number | null, fills: readonly LegFill[]): RunFills[] {
  const short = run.short ?? false;
  const entered = fills.filter((f) => f.slot === 'entry' && f.filledQty > 0);
  const unsoldQty = run.unsoldQty ?? 0;
  if (entered.length === 0) return [{ entryPrice: run.entryPrice, exitPrice: run.exitPrice, boughtQty, heldQty: run.heldQty, unsoldQty, short }];
  const latest = Math.max(...entered.map((f) => f.legNo));
  const legs = journaledLegs(fills, latest, short);
  legs.push({ entryPrice: run.entryPrice, exitPrice: run.exitPrice, boughtQty: sumQty(entered.filter((f) => f.legNo === latest)), heldQty: run.heldQty, unsoldQty, short });
  return legs;
}

/** Legs 0 to `before` − 1 as their journal rows tell them (a leg without an entry fill left out). */
function journaledLegs(fills: readonly LegFill[], before: number, short: boolean): RunFills[] {
  const legs: RunFills[] = [];
  for (let leg = 0; leg < before; leg++) {
    const entries = fills.filter((f) => f.slot === 'entry' && f.legNo === leg && f.filledQty > 0);
    if (entries.length === 0) continue;
    const exits = fills.filter((f) => f.slot === 'exit' && f.legNo === leg && f.filledQty > 0);
    const bought = sumQty(entries);
    legs.push({ entryPrice: weighted(entries), exitPrice: weighted(exits), boughtQty: bought, heldQty: Math.max(0, new Decimal(bought).minus(sumQty(exits)).toNumber()), short });
  }
  return legs;
}

/**
 * What the legs before leg `before` realized, from their journal rows alone (0 when none sold):
 * the run row tells only of its latest leg, and clears its prices when the next leg's entry is
 * journaled, so a group's MTM (strategy/group-exits.ts) sums a re-entered position's closed legs
 * from here and its current leg from the row.
 * @example closedLegsPnl([{ legNo: 0, slot: 'entry', filledQty: 65, fillPrice: 100 }, { legNo: 0, slot: 'exit', filledQty: 65, fillPrice: 130 }], 1, true).toNumber() === -1950
 */
export function closedLegsPnl(fills: readonly LegFill[], before: number, short: boolean): Decimal {
  return sumPnl(journaledLegs(fills, before, short).map(realizedPnl));
}

/** The realized P&L over a run's legs, or null when no leg has sold anything. */
export function runPnl(legs: readonly RunFills[]): Decimal | null {
  const pnls = legs.map(realizedPnl).filter((p) => p !== null);
  return pnls.length === 0 ? null : sumPnl(pnls);
}

/** Quantity sold (a short: bought back) over a run's legs. */
export function runSoldQty(legs: readonly RunFills[]): number {
  return legs.reduce((total, leg) => total.plus(soldQty(leg)), new Decimal(0)).toNumber();
}

function sumQty(fills: readonly LegFill[]): number {
  return fills.reduce((total, f) => total.plus(f.filledQty), new Decimal(0)).toNumber();
}

/** Quantity-weighted average fill price; null without a priced fill. */
function weighted(fills: readonly LegFill[]): number | null {
  const priced = fills.flatMap((f) => (f.fillPrice === null || f.filledQty <= 0 ? [] : [{ ...f, fillPrice: f.fillPrice }]));
  if (priced.length === 0) return null;
  const value = priced.reduce((total, f) => total.plus(new Decimal(f.fillPrice).times(f.filledQty)), new Decimal(0));
  return value.dividedBy(sumQty(priced)).toNumber();
}
