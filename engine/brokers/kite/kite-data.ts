/**
 * The seam's price stream over the Kite ticker: instruments in, ticks out. A tick's time is the
 * exchange timestamp when the packet has one (full mode), else the moment it arrived.
 */
import type { Clock } from '../../core/clock';
import type { FeedState } from '../../core/events';
import type { Tick } from '../../core/types';
import type { BrokerData, Instrument, Quote } from '../broker';
import type { KiteLtp } from './kite-ltp';
import type { KiteTicker } from './kite-ticker';
import type { KitePacket } from './ticker-parser';

/** The seam's data part for Kite; the broker feeds it the ticker's packets and feed states. */
export class KiteData implements BrokerData {
  private readonly byToken = new Map<number, Instrument>();
  private readonly tickListeners = new Set<(t: Tick) => void>();
  private readonly feedListeners = new Set<(s: FeedState, d: string | null) => void>();
  private stopped = false;

  constructor(
    private readonly ticker: KiteTicker,
    private readonly clock: Clock,
    private readonly ltp: KiteLtp,
  ) {}

  /** The seam's REST quote: Kite's LTP of each instrument (kite-ltp.ts). */
  quote(instruments: readonly Instrument[]): Promise<Quote[]> {
    return this.ltp.quote(instruments);
  }

  subscribe(instruments: readonly Instrument[]): void {
    const tokens: number[] = [];
    for (const i of instruments) {
      const token = Number(i.brokerRef);
      if (!Number.isSafeInteger(token) || token <= 0) throw new Error(`"${i.brokerRef}" is not a Kite instrument token (${i.exchange}:${i.symbol})`);
      this.byToken.set(token, i);
      tokens.push(token);
    }
    this.ticker.subscribe(tokens);
  }

  unsubscribe(instruments: readonly Instrument[]): void {
    const tokens = instruments.map((i) => Number(i.brokerRef)).filter((t) => this.byToken.delete(t));
    this.ticker.unsubscribe(tokens);
  }

  onTick(listener: (tick: Tick) => void): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  onFeedState(listener: (state: FeedState, detail: string | null) => void): () => void {
    this.feedListeners.add(listener);
    return () => this.feedListeners.delete(listener);
  }

  /** Ticker packets → ticks for subscribed instruments; a zero price (no trade yet) is not a price. */
  handlePackets(packets: readonly KitePacket[]): void {
    if (this.stopped) return;
    const now = this.clock.now();
    for (const p of packets) {
      const instrument = this.byToken.get(p.instrumentToken);
      if (!instrument || !(p.lastPrice > 0)) continue;
      const tick: Tick = { symbol: instrument.symbol, exchange: instrument.exchange, price: p.lastPrice, at: p.exchangeTimestamp ?? now };
      for (const l of this.tickListeners) l(tick);
    }
  }

  handleFeedState(state: FeedState, detail: string | null): void {
    if (this.stopped) return;
    for (const l of this.feedListeners) l(state, detail);
  }

  stop(): void {
    this.stopped = true;
    this.tickListeners.clear();
    this.feedListeners.clear();
  }
}
