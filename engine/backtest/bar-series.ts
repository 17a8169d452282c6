/**
 * A range of 1-minute bars held as typed arrays (one Float64Array a column), loaded once and
 * sliced by index: the grid reads a year of bars once and replays each day's window of it.
 *
 * @example const s = barSeries(bars); const [lo, hi] = windowOf(s, from, to); s.close[lo]
 */
import type { HistoricalBar } from '../../db/repos/historical-bars';

export interface BarSeries {
  readonly length: number;
  readonly minute: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
}

/** The bars, oldest first, as columns. */
export function barSeries(bars: readonly HistoricalBar[]): BarSeries {
  const n = bars.length;
  const s = { length: n, minute: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n) };
  bars.forEach((b, i) => {
    s.minute[i] = b.minute;
    s.open[i] = b.open;
    s.high[i] = b.high;
    s.low[i] = b.low;
    s.close[i] = b.close;
  });
  return s;
}

/** The index range [lo, hi) of the bars with from ≤ minute < to. */
export function windowOf(s: BarSeries, from: number, to: number): readonly [number, number] {
  return [lowerBound(s.minute, from), lowerBound(s.minute, to)];
}

function lowerBound(minutes: Float64Array, at: number): number {
  let [lo, hi] = [0, minutes.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (minutes[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
