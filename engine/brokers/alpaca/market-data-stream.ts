/**
 * Prices from Alpaca's market-data stream v2 (PROTOCOLS.md §1.10): connect, wait for
 * "connected", authenticate, subscribe to trades of the running strategies' symbols, and after
 * every reconnect subscribe to all of them again. The feed is 'up' once the server confirms the
 * subscriptions, 'stale' when it falls silent or refuses some symbols, 'down' when disconnected.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock';
import type { FeedState } from '../../core/events';
import type { Exchange, Tick } from '../../core/types';
import type { BrokerData, Instrument, Quote } from '../broker';
import type { AlpacaCredentials, AlpacaTiming } from './alpaca-config';
import type { UniformSource } from './backoff';
import { Listeners } from './listeners';
import { DATA_ERROR_ACTIONS, parseDataFrame, type DataMessage } from './market-data-messages';
import { ReconnectingSocket } from './reconnecting-socket';
import type { AlpacaLatestTrades } from './latest-trades';

export interface MarketDataDeps {
  readonly url: string;
  readonly credentials: AlpacaCredentials;
  readonly clock: Clock;
  readonly timing: AlpacaTiming;
  readonly uniform: UniformSource;
  readonly logger: Logger;
  /** The REST cross-check of a silent stream (the market-data host's latest trades). */
  readonly latestTrades: AlpacaLatestTrades;
}

type Phase = 'closed' | 'connected' | 'authenticating' | 'ready';

export class AlpacaMarketData implements BrokerData {
  /** symbol → exchanges wanting it (a tick is delivered once per exchange the engine asked for). */
  private readonly wanted = new Map<string, Set<Exchange>>();
  private readonly ticks: Listeners<[Tick]>;
  private readonly feeds: Listeners<[FeedState, string | null]>;
  private readonly socket: ReconnectingSocket;
  private phase: Phase = 'closed';
  private state: { feed: FeedState; detail: string | null } | undefined;
  /** Set when the server refused some subscriptions (405/410); cleared by a full subscription ack. */
  private partial: string | null = null;
  private silent = false;
  private stopped = false;
  /** Subscribe/unsubscribe requests not yet answered: an ack is judged only when it answers the last. */
  private outstanding = 0;
  /**
   * Changes not yet sent, coalesced per turn of the event loop: the server answers every request
   * with the full subscription list, so arming 5 000 symbols one call at a time would make it send
   * 5 000 ever-longer lists. One request per turn instead.
   */
  private readonly toAdd = new Set<string>();
  private readonly toRemove = new Set<string>();
  private flushScheduled = false;

  constructor(private readonly deps: MarketDataDeps) {
    this.ticks = new Listeners(deps.logger, 'alpaca tick');
    this.feeds = new Listeners(deps.logger, 'alpaca feed state');
    this.socket = new ReconnectingSocket({ name: 'market-data', url: deps.url, clock: deps.clock, timing: deps.timing, uniform: deps.uniform, logger: deps.logger });
  }

  start(): void {
    if (this.stopped) throw new Error('alpaca market data was stopped; create a new broker');
    this.socket.start({
      onOpen: () => {
        this.phase = 'connected';
        this.silent = false;
        this.partial = null;
        this.outstanding = 0;
      },
      onMessage: (text) => this.onFrame(text),
      onClose: (detail) => {
        this.phase = 'closed';
        // Already down (a refusal, or an earlier failed attempt): keep that reason, it says what to fix.
        if (this.state?.feed !== 'down') this.setFeed('down', detail);
      },
      onStale: (ms) => {
        this.silent = true;
        if (this.phase !== 'ready') return;
        this.setFeed('stale', `no message from the market-data stream for ${Math.round(ms / 1000)} s`);
      },
      onFresh: () => {
        this.silent = false;
        this.refreshFeed();
      },
    });
  }

  stop(): void {
    this.stopped = true;
    this.socket.stop();
    this.ticks.clear();
    this.feeds.clear();
  }

  /** The seam's REST quote: the latest trade of each instrument (latest-trades.ts). */
  quote(instruments: readonly Instrument[]): Promise<Quote[]> {
    return this.deps.latestTrades.quote(instruments);
  }

  subscribe(instruments: readonly Instrument[]): void {
    for (const { symbol, exchange } of instruments) {
      const set = this.wanted.get(symbol) ?? new Set<Exchange>();
      if (set.size === 0 && !this.toRemove.delete(symbol)) this.toAdd.add(symbol);
      set.add(exchange);
      this.wanted.set(symbol, set);
    }
    this.scheduleFlush();
  }

  unsubscribe(instruments: readonly Instrument[]): void {
    for (const { symbol, exchange } of instruments) {
      const set = this.wanted.get(symbol);
      if (!set?.delete(exchange) || set.size > 0) continue;
      this.wanted.delete(symbol);
      if (!this.toAdd.delete(symbol)) this.toRemove.add(symbol);
    }
    this.scheduleFlush();
  }

  onTick(listener: (tick: Tick) => void): () => void {
    return this.ticks.add(listener);
  }

  onFeedState(listener: (state: FeedState, detail: string | null) => void): () => void {
    return this.feeds.add(listener);
  }

  /** Symbols the engine wants prices for, for tests and diagnostics. */
  wantedSymbols(): readonly string[] {
    return [...this.wanted.keys()];
  }

  private onFrame(text: string): void {
    for (const message of parseDataFrame(text)) {
      if (this.stopped) return;
      this.onMessage(message);
    }
  }

  private onMessage(m: DataMessage): void {
    const { logger, credentials } = this.deps;
    switch (m.kind) {
      case 'success':
        if (m.msg === 'connected' && this.phase === 'connected') {
          this.phase = 'authenticating';
          // §1.10: {"action":"auth","key":…,"secret":…} within 10 s of connecting.
          this.socket.send({ action: 'auth', key: credentials.key_id, secret: credentials.secret_key });
        } else if (m.msg === 'authenticated' && this.phase === 'authenticating') {
          this.phase = 'ready';
          this.socket.handshakeSucceeded();
          // Everything wanted goes in this one request; changes waiting to be sent are in it.
          this.toAdd.clear();
          this.toRemove.clear();
          const symbols = [...this.wanted.keys()];
          if (symbols.length > 0) this.request({ action: 'subscribe', trades: symbols });
          else this.refreshFeed();
        }
        return;
      case 'subscription': {
        this.outstanding = Math.max(0, this.outstanding - 1);
        if (this.outstanding > 0) return;
        const confirmed = new Set(m.trades);
        const missing = [...this.wanted.keys()].filter((s) => !confirmed.has(s));
        if (missing.length === 0) this.partial = null;
        else {
          this.partial ??= `the stream did not confirm trades for ${missing.join(', ')}; they get no prices`;
          logger.warn({ missing }, 'alpaca subscription ack lacks symbols we asked for');
        }
        this.refreshFeed();
        return;
      }
      case 'error':
        this.onError(m.code, m.msg);
        return;
      case 'trade': {
        const exchanges = this.wanted.get(m.symbol);
        // Trades of a symbol just unsubscribed may still arrive from Alpaca's buffer (§1.10); drop them.
        if (!exchanges) return;
        for (const exchange of exchanges) this.ticks.emit({ symbol: m.symbol, exchange, price: m.price, at: m.at });
        return;
      }
      case 'other':
        return;
      case 'invalid':
        logger.warn({ reason: m.reason, raw: m.raw }, 'alpaca market-data message dropped');
    }
  }

  private onError(code: number, msg: string): void {
    const known = DATA_ERROR_ACTIONS[code];
    const detail = `${known?.explain ?? `error ${code}`} (Alpaca ${code} "${msg}")`;
    this.deps.logger.warn({ code, msg }, `alpaca market-data error: ${detail}`);
    switch (known?.action ?? 'reconnect') {
      case 'ignore':
        return;
      case 'partial':
        this.outstanding = Math.max(0, this.outstanding - 1);
        // The connection stays and the earlier subscriptions stand (§1.10); the feed is not whole.
        this.partial = detail;
        this.refreshFeed();
        return;
      case 'refused':
      case 'reconnect':
        this.setFeed('down', detail);
        this.socket.reconnect(detail);
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || (this.toAdd.size === 0 && this.toRemove.size === 0)) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushChanges());
  }

  /** Sends the coalesced changes. Not ready yet: the handshake subscribes to everything wanted. */
  private flushChanges(): void {
    this.flushScheduled = false;
    const removed = [...this.toRemove];
    const added = [...this.toAdd];
    this.toRemove.clear();
    this.toAdd.clear();
    if (this.phase !== 'ready' || this.stopped) return;
    if (removed.length > 0) this.request({ action: 'unsubscribe', trades: removed });
    if (added.length > 0) this.request({ action: 'subscribe', trades: added });
  }

  private request(message: { action: 'subscribe' | 'unsubscribe'; trades: string[] }): void {
    if (this.socket.send(message)) this.outstanding++;
  }

  /** The feed state that follows from what we know, once the connection is ready. */
  private refreshFeed(): void {
    if (this.phase !== 'ready') return;
    if (this.partial) this.setFeed('stale', this.partial);
    else if (!this.silent) this.setFeed('up', null);
  }

  private setFeed(feed: FeedState, detail: string | null): void {
    if (this.stopped) return;
    if (this.state?.feed === feed && this.state.detail === detail) return;
    this.state = { feed, detail };
    this.feeds.emit(feed, detail);
  }
}
