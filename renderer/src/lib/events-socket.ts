/**
 * The /events WebSocket: signs in with a first `{type:'auth', token}` message (browsers cannot set
 * headers on a WebSocket; engine/api/routes/events.ts), hands every message to `onMessage`, and
 * reconnects on its own with capped exponential backoff. Its state is published so the UI can
 * say "engine disconnected" instead of showing stale numbers as if they were live.
 */
import { apiBase } from './api-client';
import type { ServerMessage } from './api-types';

export type SocketState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'connecting'; readonly attempt: number }
  | { readonly kind: 'open'; readonly since: number }
  | { readonly kind: 'disconnected'; readonly attempt: number; readonly retryAt: number; readonly reason: string };

export interface EventsSocketOptions {
  readonly token: () => string | null;
  readonly onMessage: (message: ServerMessage) => void;
  readonly onState: (state: SocketState) => void;
  /** The server closed with 4401: the token is no longer good; do not retry with it. */
  readonly onUnauthorized: () => void;
}

/** Close code the API uses for a missing, wrong or expired token (engine/api/live-sockets.ts). */
export const CLOSE_UNAUTHORIZED = 4401;

/**
 * Delay before reconnect attempt `attempt` (0-based): 0.5 s doubling up to `capMs`, with ±20 %
 * jitter so many tabs do not hammer a restarting engine in step.
 *
 * @example backoffMs(0, () => 0.5) === 500; backoffMs(10, () => 0.5) === 10_000
 */
export function backoffMs(attempt: number, random: () => number = Math.random, capMs = 10_000): number {
  const base = Math.min(capMs, 500 * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function eventsUrl(base: string, location: Pick<Location, 'protocol' | 'host'>): string {
  if (base) return `${base.replace(/^http/, 'ws')}/events`;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/events`;
}

export class EventsSocket {
  private socket: WebSocket | null = null;
  private retryTimer: number | null = null;
  private attempt = 0;
  private stopped = true;

  constructor(private readonly options: EventsSocketOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearRetry();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'signed out');
    this.options.onState({ kind: 'idle' });
  }

  /** Skips the wait ("Retry now"). */
  retryNow(): void {
    if (this.stopped || this.socket) return;
    this.clearRetry();
    this.connect();
  }

  private connect(): void {
    const token = this.options.token();
    if (!token) return;
    this.options.onState({ kind: 'connecting', attempt: this.attempt });
    const socket = new WebSocket(eventsUrl(apiBase(), window.location));
    this.socket = socket;
    let signedIn = false;

    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
    socket.addEventListener('message', (e: MessageEvent) => {
      if (typeof e.data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(e.data) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'hello') {
        signedIn = true;
        this.attempt = 0;
        this.options.onState({ kind: 'open', since: Date.now() });
      }
      this.options.onMessage(message);
    });
    socket.addEventListener('close', (e: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (e.code === CLOSE_UNAUTHORIZED) {
        this.stopped = true;
        this.options.onState({ kind: 'idle' });
        this.options.onUnauthorized();
        return;
      }
      // A socket that never got to hello counts as a failed attempt; one that did starts over.
      if (!signedIn) this.attempt++;
      else this.attempt = 0;
      const delay = backoffMs(this.attempt);
      this.options.onState({
        kind: 'disconnected',
        attempt: this.attempt,
        retryAt: Date.now() + delay,
        reason: e.reason || (signedIn ? 'connection lost' : 'engine not reachable'),
      });
      this.retryTimer = window.setTimeout(() => {
        this.retryTimer = null;
        this.connect();
      }, delay);
    });
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
