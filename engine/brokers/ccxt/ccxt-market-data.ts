/**
 * Prices from the venue's trade stream through CCXT (`watchTrades`; Binance: `<symbol>@trade`),
 * one watch per pair, all on one connection (`streamLimits` 1 in the venue table), each kept
 * going by a WatchLoop. The feed is 'up' while that connection is open, 'stale' while it is
 * silent (no frame and no pong: a hung connection; a quiet pair on a live connection is the
 * stale-price watch's business, through `quote`), 'down' while it is gone.
 *
 * The REST quote is the venue's last price of every pair asked in one request (CCXT
 * `fetchLastPrices`; Binance `GET /api/v3/ticker/price?symbols=[…]`, weight 4), which states no
 * time: the stale-price watch then compares prices, as at Kite.
 */
import type { Exchange as CcxtExchange, Trade } from 'ccxt';
import type { FeedState } from '../../core/events';
import type { Tick } from '../../core/types';
import type { BrokerData, Instrument, Quote } from '../broker';
import { Listeners } from '../alpaca/listeners';
import { under, type CcxtStreamDeps, type SocketEvent } from './ccxt-sockets';
import { BudgetReservedError } from './ccxt-fetch';
import { errorKinds, scrub } from './ccxt-scrub';
import { WatchLoop } from './ccxt-watch-loop';

export interface CcxtMarketDataDeps extends CcxtStreamDeps {
  readonly title: string;
  /** A REST call under the account's budget and call context, its errors scrubbed; `optional`: skipped (BudgetReservedError) rather than spend the orders' reserve. */
  readonly rest: <T>(fn: (ex: CcxtExchange) => Promise<T>, optional?: boolean) => Promise<T>;
}

/** How long a form's quote of a pair is served again without asking (optionalQuote). */
const OPTIONAL_QUOTE_TTL_MS = 5_000;

export class CcxtMarketData implements BrokerData {
  private readonly wanted = new Map<string, { readonly instrument: Instrument; readonly loop: WatchLoop }>();
  private readonly ticks: Listeners<[Tick]>;
  private readonly feeds: Listeners<[FeedState, string | null]>;
  private state: { feed: FeedState; detail: string | null } | undefined;
  private started = false;
  private stopped = false;
  private offSockets: (() => void) | undefined;
  /** The form's last quote of each pair, and when it was asked (engine clock). */
  private readonly optionalQuotes = new Map<string, { readonly quote: Quote | null; readonly askedAt: number }>();

  constructor(private readonly deps: CcxtMarketDataDeps) {
    this.ticks = new Listeners(deps.logger, 'ccxt tick');
    this.feeds = new Listeners(deps.logger, 'ccxt feed state');
  }

  async start(): Promise<void> {
    if (this.stopped) throw new Error(`${this.deps.title} market data was stopped; create a new broker`);
    if (this.started) return;
    this.started = true;
    const prefix = await this.deps.streamUrl();
    if (this.stopped) return;
    this.offSockets = this.deps.sockets.on(prefix, (_url, e) => this.onSocket(e));
    for (const w of this.wanted.values()) w.loop.start();
  }

  stop(): void {
    this.stopped = true;
    this.offSockets?.();
    for (const w of this.wanted.values()) w.loop.stop();
    this.ticks.clear();
    this.feeds.clear();
  }

  subscribe(instruments: readonly Instrument[]): void {
    for (const instrument of instruments) {
      if (this.wanted.has(instrument.symbol)) continue;
      const loop = this.loopFor(instrument);
      this.wanted.set(instrument.symbol, { instrument, loop });
      if (this.started && !this.stopped && this.offSockets) loop.start();
    }
  }

  unsubscribe(instruments: readonly Instrument[]): void {
    for (const { symbol } of instruments) {
      const w = this.wanted.get(symbol);
      if (!w) continue;
      this.wanted.delete(symbol);
      w.loop.stop();
      if (!this.started || this.stopped) continue;
      // The venue stops sending it; until it has, its trades are dropped here.
      void this.deps
        .exchange()
        .then((ex) => ex.unWatchTrades(symbol))
        .catch((err: unknown) => this.deps.logger.warn({ symbol, reason: scrub(err instanceof Error ? err.message : String(err), this.deps.secrets) }, 'ccxt trade stream unsubscribe failed'));
    }
  }

  onTick(listener: (tick: Tick) => void): () => void {
    return this.ticks.add(listener);
  }

  onFeedState(listener: (state: FeedState, detail: string | null) => void): () => void {
    return this.feeds.add(listener);
  }

  /** The last price of each instrument over REST, in one request; pairs the venue has no price for are left out. */
  async quote(instruments: readonly Instrument[]): Promise<Quote[]> {
    return this.quotes(instruments, false);
  }

  private async quotes(instruments: readonly Instrument[], optional: boolean): Promise<Quote[]> {
    if (instruments.length === 0) return [];
    const symbols = [...new Set(instruments.map((i) => i.symbol))];
    const ids = [...new Set(instruments.map((i) => i.brokerRef))];
    const prices = await this.deps.rest((ex) => ex.fetchLastPrices(symbols, { symbols: JSON.stringify(ids) }), optional);
    const quotes: Quote[] = [];
    for (const i of instruments) {
      const price = prices[i.symbol]?.price;
      if (typeof price !== 'number') continue;
      if (!(Number.isFinite(price) && price > 0)) throw new Error(`${this.deps.title}'s last price of ${i.symbol} cannot be read: ${String(price)}`);
      const at = prices[i.symbol]?.timestamp;
      quotes.push({ symbol: i.symbol, exchange: i.exchange, price, at: typeof at === 'number' && Number.isFinite(at) ? at : null });
    }
    return quotes;
  }

  /**
   * One pair's last price for a form, as optional work (BrokerData.optionalQuote): kept
   * OPTIONAL_QUOTE_TTL_MS per pair, and null, without a request, while only the budget's reserve
   * for orders is left.
   */
  async optionalQuote(instrument: Instrument): Promise<Quote | null> {
    const now = this.deps.clock.now();
    const kept = this.optionalQuotes.get(instrument.symbol);
    if (kept && now - kept.askedAt < OPTIONAL_QUOTE_TTL_MS) return kept.quote;
    let quotes: Quote[];
    try {
      quotes = await this.quotes([instrument], true);
    } catch (err) {
      // Scrubbed on its way out (ccxt-scrub.ts), its class kept by name.
      if (errorKinds(err).includes(BudgetReservedError.name)) return null;
      throw err;
    }
    const quote = quotes[0] ?? null;
    this.optionalQuotes.set(instrument.symbol, { quote, askedAt: now });
    return quote;
  }

  /** Pairs the engine wants prices for, for tests and diagnostics. */
  wantedSymbols(): readonly string[] {
    return [...this.wanted.keys()];
  }

  private loopFor(instrument: Instrument): WatchLoop {
    const { clock, timing, uniform, logger, sockets, secrets } = this.deps;
    const { symbol } = instrument;
    return new WatchLoop({
      name: `trades ${symbol}`,
      clock,
      timing,
      uniform,
      logger,
      run: async (ready, live) => {
        const ex = await this.deps.exchange();
        const prefix = await this.deps.streamUrl();
        for (;;) {
          const watching = ex.watchTrades(symbol);
          // CCXT dials (or joins) the connection inside the call. Joining an open one ends the
          // handshake; the pair counts as served (backoff reset) at its first trade.
          if (this.open(ex, prefix)) ready(false);
          const trades = await watching;
          if (!live() || this.stopped) return;
          ready();
          for (const t of trades) this.emitTrade(instrument, t);
        }
      },
      onDown: (detail) => {
        if (this.stopped) return;
        logger.warn({ symbol, detail: scrub(detail, secrets) }, 'ccxt trade watch ended');
      },
      onHandshakeTimeout: () => void this.deps.streamUrl().then((prefix) => sockets.fail(prefix, `no trade stream connection within ${Math.round(timing.handshakeTimeoutMs / 1000)} s`)),
    });
  }

  private open(ex: CcxtExchange, prefix: string): boolean {
    const clients = (ex as unknown as { clients?: Record<string, { url: string; connection?: { readyState: number } }> }).clients ?? {};
    return Object.values(clients).some((c) => under(c.url, prefix) && c.connection?.readyState === 1);
  }

  private onSocket(e: SocketEvent): void {
    switch (e.kind) {
      case 'open':
        // Every pair's watch is served by this connection; those waiting out a backoff join it now.
        for (const w of this.wanted.values()) w.loop.connected();
        this.setFeed('up', null);
        return;
      case 'closed':
        this.setFeed('down', scrub(e.detail, this.deps.secrets));
        return;
      case 'stale':
        this.setFeed('stale', `no message from ${this.deps.title}'s trade stream for ${Math.round(e.silentForMs / 1000)} s`);
        return;
      case 'fresh':
        this.setFeed('up', null);
        return;
    }
  }

  private emitTrade(instrument: Instrument, t: Trade): void {
    const w = this.wanted.get(instrument.symbol);
    // A trade of a pair just unsubscribed may still arrive: dropped.
    if (!w) return;
    const price = t.price;
    const at = t.timestamp;
    if (!(typeof price === 'number' && Number.isFinite(price) && price > 0) || !(typeof at === 'number' && Number.isFinite(at))) {
      this.deps.logger.warn({ symbol: instrument.symbol, price, at }, 'ccxt trade dropped: no usable price or time');
      return;
    }
    this.ticks.emit({ symbol: instrument.symbol, exchange: instrument.exchange, price, at });
  }

  private setFeed(feed: FeedState, detail: string | null): void {
    if (this.stopped) return;
    if (this.state?.feed === feed && this.state.detail === detail) return;
    this.state = { feed, detail };
    this.feeds.emit(feed, detail);
  }
}
