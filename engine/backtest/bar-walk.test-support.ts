/**
 * Hand-checkable random bars for the backtest's property tests: a walk of whole ticks (0.05) from
 * 100, one bar a minute from `first`; a step marked missing leaves its minute out (the price still
 * walks through it).
 */
import type { HistoricalBar } from '../../db/repos/historical-bars';

/** One minute's step: gap from the last close, wick up, wick down, open → close move (in ticks), missing. */
export type BarStep = readonly [gap: number, up: number, down: number, move: number, missing?: boolean];

export function walkBars(steps: readonly BarStep[], first: number): HistoricalBar[] {
  const bars: HistoricalBar[] = [];
  let price = 2000; // in ticks
  steps.forEach(([gap, up, down, move, missing], i) => {
    const open = Math.max(40, price + gap);
    const close = Math.max(40, open + move);
    const high = Math.max(open, close) + up;
    const low = Math.max(20, Math.min(open, close) - down);
    if (!missing) bars.push({ minute: first + i * 60_000, open: open / 20, high: high / 20, low: low / 20, close: close / 20, volume: 100 });
    price = close;
  });
  return bars;
}
