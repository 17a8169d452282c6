/**
 * The chart's data, apart from the chart: per-second points from ticks and fills, and how many
 * decimals the prices need. Pure functions, tested without a browser.
 */
import type { UTCTimestamp } from 'lightweight-charts';
import type { OrderDto, PriceBarDto } from '../../lib/api-types';
import type { PricePoint } from '../live/ticks-store';

export const toTime = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;

/** Ticks plus fill prices, one point per second, ascending (what setData requires). */
export function chartData(points: readonly PricePoint[], orders: readonly Pick<OrderDto, 'filled_at' | 'fill_price'>[]): { time: UTCTimestamp; value: number }[] {
  const bySecond = new Map<number, number>();
  for (const p of points) bySecond.set(p.time, p.price);
  for (const o of orders) {
    if (o.filled_at !== null && o.fill_price !== null && !bySecond.has(toTime(o.filled_at))) bySecond.set(toTime(o.filled_at), o.fill_price);
  }
  return [...bySecond.entries()].sort((a, b) => a[0] - b[0]).map(([time, value]) => ({ time: time as UTCTimestamp, value }));
}

/**
 * The recorded 1-minute bars (GET /strategy/:id/bars) before the live ticks: each bar's close at
 * the last second of its minute, only where no live tick has been seen yet, so the chart after a
 * reload shows the day and the ticks take over from where they start.
 */
export function withBars(bars: readonly Pick<PriceBarDto, 'minute' | 'close'>[], points: readonly PricePoint[]): readonly PricePoint[] {
  if (bars.length === 0) return points;
  const firstLive = points[0]?.time ?? Infinity;
  const history = bars.map((b) => ({ time: Math.floor(b.minute / 1000) + 59, price: b.close })).filter((p) => p.time < firstLive);
  return history.length === 0 ? points : [...history, ...points];
}

/** Decimals the prices need (2 to 6): a 0.2501 coin must not read as 0.25. */
export function precisionOf(prices: readonly number[]): number {
  let decimals = 2;
  for (const p of prices) {
    // The fewest decimals that state p exactly (floating-point noise aside).
    while (decimals < 6 && Math.abs(p * 10 ** decimals - Math.round(p * 10 ** decimals)) > 1e-6) decimals++;
  }
  return decimals;
}

