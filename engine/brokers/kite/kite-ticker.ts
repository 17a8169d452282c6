/**
 * The Kite WebSocket ticker connection: subscribe and mode messages, binary ticks, 1-byte
 * heartbeats, JSON text frames (order updates, errors), a watchdog for a silent connection, a 403
 * on a bad token, and reconnects with capped, jittered backoff that resubscribe everything. All
 * timers run on the injected clock; a malformed frame is reported and dropped, never thrown.
 */
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../core/clock';
import type { FeedState } from '../../core/events';
import { reconnectDelay, type BackoffPolicy, type Uniform } from './backoff';
import { parseKiteJson } from './kite-json';
import { isHeartbeat, parseTickerFrame, type KitePacket, type KiteTickMode } from './ticker-parser';

export interface KiteTickerConfig {
  readonly url: string;
  readonly apiKey: string;
  readonly accessToken: () => string | null;
  readonly clock: Clock;
  readonly random: Uniform;
  readonly mode: KiteTickMode;
  /** No frame at all (not even a heartbeat) for this long means the connection is dead. */
  readonly staleAfterMs: number;
  readonly backoff: BackoffPolicy;
}

/** Something worth telling the trader or the log that is not a tick. */
export type KiteTickerNotice =
  | { readonly kind: 'malformed_frame'; readonly detail: string }
  | { readonly kind: 'kite_error'; readonly detail: string }
  | { readonly kind: 'kite_message'; readonly detail: string }
  | { readonly kind: 'token_rejected'; readonly detail: string };

export interface KiteTickerEvents {
  onPackets(packets: readonly KitePacket[]): void;
  onOrder(data: unknown): void;
  onState(state: FeedState, detail: string | null): void;
  onNotice(notice: KiteTickerNotice): void;
}

/** One ticker connection at a time, kept alive until `stop()`. */
export class KiteTicker {
  private ws: WebSocket | null = null;
  private readonly tokens = new Set<number>();
  private attempt = 0;
  private reconnectTimer: TimerHandle | null = null;
  private watchdog: TimerHandle | null = null;
  private started = false;
  private state: FeedState | null = null;
  /** Set by a 403: retrying quickly with the same token cannot help. */
  private tokenRejected = false;

  constructor(
    private readonly config: KiteTickerConfig,
    private readonly events: KiteTickerEvents,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  stop(): void {
    this.started = false;
    this.reconnectTimer?.cancel();
    this.watchdog?.cancel();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
    }
  }

  /** Drops the connection and connects again at once (a new access token). */
  reconnectNow(): void {
    if (!this.started) return;
    this.tokenRejected = false;
    this.attempt = 0;
    this.dropSocket();
    this.reconnectTimer?.cancel();
    this.connect();
  }

  subscribe(tokens: readonly number[]): void {
    const fresh = tokens.filter((t) => !this.tokens.has(t));
    for (const t of fresh) this.tokens.add(t);
    if (fresh.length > 0) this.sendSubscription(fresh);
  }

  unsubscribe(tokens: readonly number[]): void {
    const gone = tokens.filter((t) => this.tokens.delete(t));
    if (gone.length > 0) this.send({ a: 'unsubscribe', v: gone });
  }

  subscribed(): readonly number[] {
    return [...this.tokens];
  }

  private connect(): void {
    if (!this.started) return;
    const token = this.config.accessToken();
    if (!token) {
      this.setState('down', 'no Kite access token: log in to Kite from Tradeclock to receive prices');
      return;
    }
    const url = new URL(this.config.url);
    url.searchParams.set('api_key', this.config.apiKey);
    url.searchParams.set('access_token', token);
    const ws = new WebSocket(url.toString(), { headers: { 'X-Kite-Version': '3' }, perMessageDeflate: false });
    this.ws = ws;
    ws.binaryType = 'nodebuffer';
    // Bounds the handshake too: a server that accepts TCP and then says nothing is a dead feed.
    this.armWatchdog(ws);
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 403) {
        this.tokenRejected = true;
        const detail = 'Kite refused the ticker connection (HTTP 403): the access token is invalid or expired; log in to Kite again';
        this.events.onNotice({ kind: 'token_rejected', detail });
        this.lost(ws, detail);
      } else this.lost(ws, `Kite ticker refused the connection with HTTP ${status}`);
    });
    ws.on('open', () => {
      if (this.ws !== ws) return;
      if (this.tokens.size > 0) this.sendSubscription([...this.tokens]);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onFrame(ws, data, isBinary));
    ws.on('error', (err) => this.lost(ws, `Kite ticker connection error: ${err.message}`));
    ws.on('close', (code) => this.lost(ws, `Kite ticker connection closed (code ${code})`));
  }

  private onFrame(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    if (this.ws !== ws || !this.started) return;
    this.armWatchdog(ws);
    // A healthy frame proves the connection: only now is the backoff forgotten.
    this.attempt = 0;
    this.tokenRejected = false;
    this.setState('up', null);
    if (!isBinary) {
      this.onText(data.toString('utf8'));
      return;
    }
    if (isHeartbeat(data)) return;
    const parsed = parseTickerFrame(data);
    if (!parsed.ok) {
      this.events.onNotice({ kind: 'malformed_frame', detail: `dropped a malformed ${data.length}-byte ticker frame: ${parsed.error}` });
      return;
    }
    for (const s of parsed.skipped) this.events.onNotice({ kind: 'malformed_frame', detail: s });
    if (parsed.packets.length > 0) this.events.onPackets(parsed.packets);
  }

  private onText(text: string): void {
    let msg: unknown;
    try {
      msg = parseKiteJson(text);
    } catch {
      this.events.onNotice({ kind: 'malformed_frame', detail: `dropped a ticker text frame that is not JSON (${text.slice(0, 80)})` });
      return;
    }
    const m = typeof msg === 'object' && msg !== null ? (msg as Record<string, unknown>) : {};
    if (m.type === 'order') this.events.onOrder(m.data);
    else if (m.type === 'error') this.events.onNotice({ kind: 'kite_error', detail: `Kite ticker error: ${String(m.data)}` });
    else if (m.type === 'message') this.events.onNotice({ kind: 'kite_message', detail: `Kite: ${String(m.data)}` });
  }

  private sendSubscription(tokens: number[]): void {
    // Kite subscribes new tokens in quote mode; say the mode we want right after.
    this.send({ a: 'subscribe', v: tokens });
    this.send({ a: 'mode', v: [this.config.mode, tokens] });
  }

  private send(msg: unknown): void {
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }

  private armWatchdog(ws: WebSocket): void {
    this.watchdog?.cancel();
    this.watchdog = this.config.clock.setTimer(this.config.staleAfterMs, () => {
      if (this.ws !== ws) return;
      this.setState('stale', `no data from the Kite ticker for ${Math.round(this.config.staleAfterMs / 1000)} s; reconnecting`);
      this.lost(ws, null);
    });
  }

  /** The connection `ws` is gone (or given up on): clean up once and schedule the next try. */
  private lost(ws: WebSocket, detail: string | null): void {
    if (this.ws !== ws) return;
    this.dropSocket();
    if (!this.started) return;
    const delay = this.tokenRejected ? this.config.backoff.maxMs : reconnectDelay(this.attempt, this.config.backoff, this.config.random);
    this.attempt++;
    this.setState('down', `${detail ?? 'Kite ticker connection lost'}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
    this.reconnectTimer?.cancel();
    this.reconnectTimer = this.config.clock.setTimer(delay, () => this.connect());
  }

  private dropSocket(): void {
    this.watchdog?.cancel();
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.removeAllListeners();
    ws.on('error', () => {});
    ws.terminate();
  }

  private setState(state: FeedState, detail: string | null): void {
    if (this.state === state && state === 'up') return;
    this.state = state;
    this.events.onState(state, detail);
  }
}
