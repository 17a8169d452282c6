/**
 * Realized profit or loss of a run: (average exit price − entry price) × quantity sold, the other
 * way round for a short (it sold first, so it earns when the buy back is cheaper). The run's
 * exitPrice is already the quantity-weighted average of every exit fill (core/run-policy/exit.ts
 * averageExitPrice), and the quantity sold is what the entry bought less what is still held, so
 * an exit that took several attempts, or sold only part, is counted exactly once per share sold.
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
  /** The entry sold first (a short): the exits buy back. Absent: a long. */
  readonly short?: boolean;
}

/** Quantity sold so far: bought less still held; 0 before any exit fill. */
export function soldQty(f: RunFills): number {
  if (f.boughtQty === null || f.exitPrice === null) return 0;
  return Math.max(0, new Decimal(f.boughtQty).minus(f.heldQty).toNumber());
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
