/**
 * Live prices of the instruments running strategies watch: the last tick per instrument, and a
 * per-second series for the chart (the last price in each second), kept for the last hour.
 */
import { create } from 'zustand';
import type { TickMessage } from '../../lib/api-types';

export interface PricePoint {
  /** Epoch seconds. */
  readonly time: number;
  readonly price: number;
}

export interface LastPrice {
  readonly price: number;
  readonly at: number;
}

const KEEP_SECONDS = 3600;

/** One instrument on one broker account: the same symbol may be priced differently elsewhere. */
export const instrumentKey = (brokerAccountId: number, exchange: string, symbol: string): string => `${brokerAccountId}:${exchange}:${symbol}`;

interface TicksStore {
  readonly last: Readonly<Record<string, LastPrice>>;
  readonly series: Readonly<Record<string, readonly PricePoint[]>>;
  add(tick: TickMessage): void;
  clear(): void;
}

export const useTicks = create<TicksStore>()((set) => ({
  last: {},
  series: {},
  add: (tick) =>
    set((s) => {
      const key = instrumentKey(tick.broker_account_id, tick.exchange, tick.symbol);
      const time = Math.floor(tick.at / 1000);
      const prev = s.series[key] ?? [];
      const tail = prev.at(-1);
      let next: PricePoint[];
      if (tail && tail.time === time) next = [...prev.slice(0, -1), { time, price: tick.price }];
      else if (tail && tail.time > time) return s; // out of order: the chart needs ascending times
      else next = [...prev, { time, price: tick.price }];
      if (next.length > KEEP_SECONDS) next = next.slice(next.length - KEEP_SECONDS);
      return { last: { ...s.last, [key]: { price: tick.price, at: tick.at } }, series: { ...s.series, [key]: next } };
    }),
  clear: () => set({ last: {}, series: {} }),
}));
