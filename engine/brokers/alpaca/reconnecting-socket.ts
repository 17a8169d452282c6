/**
 * One WebSocket that stays connected: reconnects with capped, jittered backoff; pings, and calls
 * a silent connection 'stale' and then dead; gives up a handshake that takes too long. Both
 * Alpaca streams (market data, trade_updates) run on it; each supplies its protocol.
 * Every timer is on the injected clock.
 */
import WebSocket from 'ws';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../core/clock';
import { backoffDelay, type UniformSource } from './backoff';
import type { AlpacaTiming } from './alpaca-config';

/** What a stream protocol does with the connection. */
export interface SocketProtocol {
  /** A new connection is open; start the handshake. */
  onOpen(): void;
  /** One frame as text (binary frames are decoded as UTF-8: Alpaca's paper trade stream sends binary, §6.1). */
  onMessage(text: string): void;
  /** The connection is gone; a reconnect is scheduled (unless stopped). */
  onClose(detail: string): void;
  /** Nothing heard for staleAfterMs, or heard again after that. */
  onStale(silentForMs: number): void;
  onFresh(): void;
}

export interface ReconnectingSocketOptions {
  readonly name: string;
  readonly url: string;
  readonly clock: Clock;
  readonly timing: AlpacaTiming;
  readonly uniform: UniformSource;
  readonly logger: Logger;
}

export class ReconnectingSocket {
  private ws: WebSocket | undefined;
  private protocol: SocketProtocol | undefined;
  private attempt = 0;
  private running = false;
  private handshakeDone = false;
  private stale = false;
  private lastHeard = 0;
  private reconnectTimer: TimerHandle | undefined;
  private handshakeTimer: TimerHandle | undefined;
  private pingTimer: TimerHandle | undefined;
  /** Why the next close happens, when we caused it. */
  private closeReason: string | undefined;

  constructor(private readonly opts: ReconnectingSocketOptions) {}

  /** Connects, and keeps reconnecting until `stop()`. */
  start(protocol: SocketProtocol): void {
    if (this.running) return;
    this.protocol = protocol;
    this.running = true;
    this.connect();
  }

  /** Closes for good; no protocol callback fires afterwards. */
  stop(): void {
    this.running = false;
    this.clearTimers();
    this.reconnectTimer?.cancel();
    const ws = this.ws;
    this.ws = undefined;
    ws?.removeAllListeners();
    ws?.on('error', () => {});
    ws?.terminate();
  }

  /** True while a connection is open (authenticated or not). */
  isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Sends a JSON message; false when there is no open connection (the caller resends on reconnect). */
  send(message: unknown): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** The protocol's handshake succeeded: stop the handshake clock and reset the backoff. */
  handshakeSucceeded(): void {
    this.handshakeDone = true;
    this.handshakeTimer?.cancel();
    this.attempt = 0;
  }

  /** Drops the connection (the server misbehaved or refused us); a reconnect follows with backoff. */
  reconnect(reason: string): void {
    if (!this.ws) return;
    this.closeReason = reason;
    this.ws.terminate();
  }

  private connect(): void {
    if (!this.running) return;
    const { url, clock, timing } = this.opts;
    this.handshakeDone = false;
    this.stale = false;
    this.closeReason = undefined;
    this.lastHeard = clock.monotonic();
    const ws = new WebSocket(url, { perMessageDeflate: true });
    this.ws = ws;
    this.handshakeTimer = clock.setTimer(timing.handshakeTimeoutMs, () => {
      if (this.ws === ws && !this.handshakeDone) this.reconnect(`no completed handshake within ${timing.handshakeTimeoutMs} ms`);
    });
    ws.on('open', () => {
      if (this.ws !== ws) return;
      this.heard();
      this.schedulePing(ws);
      this.protocol?.onOpen();
    });
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws) return;
      this.heard();
      const buf = toBuffer(data);
      // The JS SDK treats a 1-byte 0x01 frame as a heartbeat (PROTOCOLS.md §1.11).
      if (isBinary && buf.length === 1 && buf[0] === 0x01) return;
      this.protocol?.onMessage(buf.toString('utf8'));
    });
    ws.on('pong', () => {
      if (this.ws === ws) this.heard();
    });
    ws.on('error', (err) => {
      if (this.ws === ws) this.closeReason ??= err.message;
    });
    ws.on('close', (code, reasonBuf) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.clearTimers();
      const reason = reasonBuf.toString('utf8');
      const detail = this.closeReason ?? (code === 1006 ? 'connection lost' : `closed by the server (${code}${reason ? ` ${reason}` : ''})`);
      this.protocol?.onClose(detail);
      this.scheduleReconnect(detail);
    });
  }

  private scheduleReconnect(detail: string): void {
    if (!this.running) return;
    const { clock, timing, uniform, logger, name } = this.opts;
    const delayMs = backoffDelay(this.attempt++, timing.reconnectBaseMs, timing.reconnectMaxMs, uniform);
    logger.warn({ stream: name, detail, delayMs, attempt: this.attempt }, 'alpaca stream disconnected; reconnecting');
    this.reconnectTimer = clock.setTimer(delayMs, () => this.connect());
  }

  private heard(): void {
    this.lastHeard = this.opts.clock.monotonic();
    if (this.stale) {
      this.stale = false;
      this.protocol?.onFresh();
    }
  }

  private schedulePing(ws: WebSocket): void {
    const { clock, timing } = this.opts;
    this.pingTimer = clock.setTimer(timing.pingIntervalMs, () => {
      if (this.ws !== ws) return;
      const silentFor = clock.monotonic() - this.lastHeard;
      if (silentFor >= timing.deadAfterMs) {
        this.reconnect(`nothing heard for ${silentFor} ms`);
        return;
      }
      if (silentFor >= timing.staleAfterMs && !this.stale) {
        this.stale = true;
        this.protocol?.onStale(silentFor);
      }
      if (ws.readyState === WebSocket.OPEN) ws.ping();
      this.schedulePing(ws);
    });
  }

  private clearTimers(): void {
    this.handshakeTimer?.cancel();
    this.pingTimer?.cancel();
    this.handshakeTimer = undefined;
    this.pingTimer = undefined;
  }
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
