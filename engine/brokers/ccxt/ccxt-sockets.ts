/**
 * The WebSocket connections of one CCXT instance, seen and kept alive on the injected Clock.
 *
 * CCXT's own WS timers are real (`base/ws/Client.js`: a `setInterval` ping every `keepAlive`, a
 * `setTimeout` connection timeout, a `sleep` before a reconnect dial): the client turns all three
 * off (ccxt-client.ts) and this does their work on the Clock instead:
 * - every connection CCXT opens passes `ex.client(url)`, where a URL that is none of the account's
 *   stream endpoints is refused before anything is dialled (the REST guard's twin, ccxt-fetch.ts);
 * - once open, it is pinged every `pingIntervalMs`; a frame or a pong is "heard"; silence past
 *   `staleAfterMs` is reported stale, past `deadAfterMs` the connection is failed, which rejects
 *   every pending `watch*` call on it (CCXT has no reconnect loop: the next call dials again);
 * - `fail` does the same on request (a handshake that took too long).
 *
 * What stays on real time: the TCP/TLS handshake and the frames themselves, and CCXT's
 * `close()` (one `sleep(0)`; the connections are dropped before it, see `stop`).
 */
import type { Exchange as CcxtExchange } from 'ccxt';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../core/clock';
import type { AlpacaTiming } from '../alpaca/alpaca-config';
import type { UniformSource } from '../alpaca/backoff';
import { OffEndpointError } from './ccxt-fetch';

/**
 * Reconnect and liveness timing of the streams, all on the Clock: the same knobs as Alpaca's streams
 * (a connection, or the order stream's subscription, not ready within `handshakeTimeoutMs` is failed
 * and dialled again).
 */
export type CcxtStreamTiming = Pick<AlpacaTiming, 'reconnectBaseMs' | 'reconnectMaxMs' | 'handshakeTimeoutMs' | 'pingIntervalMs' | 'staleAfterMs' | 'deadAfterMs'>;

/** What each of the account's streams (prices, order updates) is built from. */
export interface CcxtStreamDeps {
  readonly clock: Clock;
  readonly timing: CcxtStreamTiming;
  readonly uniform: UniformSource;
  readonly logger: Logger;
  readonly sockets: CcxtSockets;
  /** The account's instance, markets loaded. */
  readonly exchange: () => Promise<CcxtExchange>;
  /** The stream's URL (Binance: the trade streams' `urls.api.ws.spot`, the user stream's `urls.api.ws['ws-api'].spot`), known once the instance is built. */
  readonly streamUrl: () => Promise<string>;
  readonly secrets: readonly string[];
}

export const DEFAULT_CCXT_STREAM_TIMING: CcxtStreamTiming = {
  reconnectBaseMs: 500,
  reconnectMaxMs: 30_000,
  handshakeTimeoutMs: 10_000,
  pingIntervalMs: 10_000,
  staleAfterMs: 20_000,
  deadAfterMs: 40_000,
};

export type SocketEvent = { readonly kind: 'open' } | { readonly kind: 'closed'; readonly detail: string } | { readonly kind: 'stale'; readonly silentForMs: number } | { readonly kind: 'fresh' };

/** The part of CCXT's `WsClient` this file uses (`base/ws/Client.js`, `WsClient.js`). */
interface WsClientLike {
  readonly url: string;
  connection?: { readyState: number; ping(): void; terminate(): void; on(event: string, fn: (...args: unknown[]) => void): unknown };
  onError(error: Error): void;
}

interface Tracked {
  readonly client: WsClientLike;
  lastHeard: number;
  stale: boolean;
  pingTimer?: TimerHandle;
  /** Why it is being closed, when we close it. */
  reason?: string;
}

const OPEN = 1;

export interface CcxtSocketsDeps {
  readonly clock: Clock;
  readonly timing: CcxtStreamTiming;
  readonly logger: Logger;
  /** Sees every connection before it is dialled (tests check each is on loopback). */
  readonly onConnect?: (url: string) => void;
}

export class CcxtSockets {
  private readonly tracked = new Map<WsClientLike, Tracked>();
  private readonly listeners = new Set<{ readonly prefix: string; readonly fn: (url: string, e: SocketEvent) => void }>();
  private allowed: readonly string[] = [];
  private readonly failures: { readonly prefix: string; readonly needle: string; readonly reason: string }[] = [];
  private stopped = false;

  constructor(private readonly deps: CcxtSocketsDeps) {}

  /**
   * Hooks the instance: `client(url)` (guard, tracking) and `onConnected` (CCXT's hook for a
   * connection that opened). `allowed`: the stream endpoints, each a URL prefix.
   */
  install(ex: CcxtExchange, allowed: readonly string[]): void {
    this.allowed = allowed;
    const hooked = ex as unknown as { client(url: string): WsClientLike; clients?: Record<string, WsClientLike>; onConnected(client: WsClientLike): void };
    const original = hooked.client.bind(ex);
    hooked.client = (url: string) => {
      if (!this.allowed.some((p) => under(url, p))) throw new OffEndpointError(url.split('?')[0]!);
      const known = hooked.clients?.[url];
      const client = original(url);
      if (client !== known && !this.tracked.has(client)) {
        this.deps.onConnect?.(url);
        this.tracked.set(client, { client, lastHeard: this.deps.clock.monotonic(), stale: false });
      }
      return client;
    };
    hooked.onConnected = (client: WsClientLike) => this.opened(client);
  }

  /** Events of the connections whose URL starts with `prefix`; returns the unsubscribe function. */
  on(prefix: string, fn: (url: string, e: SocketEvent) => void): () => void {
    const entry = { prefix, fn };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /**
   * A frame containing `needle` on a connection under `prefix` fails that connection: the venue
   * ended what the watches on it wait for without closing it (Binance's `eventStreamTerminated`).
   */
  failOn(prefix: string, needle: string, reason: string): void {
    this.failures.push({ prefix, needle, reason });
  }

  /** Fails every connection under `prefix` (their pending watches reject), saying why. */
  fail(prefix: string, reason: string): void {
    for (const t of this.tracked.values()) if (under(t.client.url, prefix)) this.failOne(t, reason);
  }

  /**
   * Drops every connection at once and fires nothing more. CCXT's `close()` closes gracefully,
   * which a hung connection holds for `ws`'s 30 s close timeout (real time); dropped here, each
   * is gone from the instance (`onError`) before `close()` looks.
   */
  stop(): void {
    this.stopped = true;
    for (const t of this.tracked.values()) {
      t.pingTimer?.cancel();
      t.client.onError(new Error('closed by Tradeclock'));
      t.client.connection?.terminate();
    }
    this.tracked.clear();
    this.listeners.clear();
  }

  private opened(client: WsClientLike): void {
    const t = this.tracked.get(client);
    const conn = client.connection;
    if (!t || !conn || this.stopped) return;
    const failures = this.failures.filter((f) => under(client.url, f.prefix));
    conn.on('message', (data: unknown) => {
      this.heard(t);
      if (failures.length === 0) return;
      const text = String(data);
      const hit = failures.find((f) => text.includes(f.needle));
      if (hit) this.failOne(t, hit.reason);
    });
    conn.on('pong', () => this.heard(t));
    conn.on('close', (code: unknown) => this.closed(t, code));
    this.heard(t);
    this.schedulePing(t);
    this.emit(client.url, { kind: 'open' });
  }

  private closed(t: Tracked, code: unknown): void {
    t.pingTimer?.cancel();
    if (!this.tracked.delete(t.client) || this.stopped) return;
    const detail = t.reason ?? (code === 1006 ? 'connection lost' : `closed by the server (${String(code)})`);
    this.emit(t.client.url, { kind: 'closed', detail });
  }

  private heard(t: Tracked): void {
    t.lastHeard = this.deps.clock.monotonic();
    if (t.stale) {
      t.stale = false;
      this.emit(t.client.url, { kind: 'fresh' });
    }
  }

  private schedulePing(t: Tracked): void {
    const { clock, timing } = this.deps;
    t.pingTimer = clock.setTimer(timing.pingIntervalMs, () => {
      if (this.stopped || !this.tracked.has(t.client)) return;
      const silentForMs = clock.monotonic() - t.lastHeard;
      if (silentForMs >= timing.deadAfterMs) return this.failOne(t, `nothing heard for ${Math.round(silentForMs / 1000)} s`);
      if (silentForMs >= timing.staleAfterMs && !t.stale) {
        t.stale = true;
        this.emit(t.client.url, { kind: 'stale', silentForMs });
      }
      if (t.client.connection?.readyState === OPEN) t.client.connection.ping();
      this.schedulePing(t);
    });
  }

  private failOne(t: Tracked, reason: string): void {
    t.reason ??= reason;
    t.pingTimer?.cancel();
    this.deps.logger.warn({ url: t.client.url, reason }, 'ccxt stream connection failed; it is dialled again');
    // CCXT's own path for a dead connection (Client.onPingInterval): onError rejects every future
    // waiting on it and drops it from the instance, then the socket goes.
    t.client.onError(new Error(reason));
    if (t.client.connection) t.client.connection.terminate();
    else this.closed(t, 1006);
  }

  private emit(url: string, e: SocketEvent): void {
    for (const l of [...this.listeners]) {
      if (!under(url, l.prefix)) continue;
      try {
        l.fn(url, e);
      } catch (err) {
        this.deps.logger.error({ err }, 'ccxt socket listener failed');
      }
    }
  }
}

/**
 * Whether `url` is `prefix` or below it, a whole path segment at a time: on one loopback origin
 * Binance's trade stream `…/ws` is a string prefix of its WebSocket API `…/ws-api/v3`.
 */
export function under(url: string, prefix: string): boolean {
  return url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);
}
