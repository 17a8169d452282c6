/**
 * The signed-in WebSockets, per user. Owns the heartbeat: every interval each socket is pinged,
 * a socket that did not answer the previous ping is dropped (a laptop that slept, a dead
 * network), and one whose token no longer verifies (signed out, expired) is closed. Ending a
 * session closes its sockets at once rather than at the next beat.
 *
 * The interval is an I/O-layer timer, not engine time: it measures real network liveness, so it
 * uses the real setInterval (unref'd, so it never holds the process open).
 */
import type { WebSocket } from 'ws';
import type { UserId } from '../core/ids';

/** Close codes the client can act on (4000–4999 are the application's own). */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_TOO_SLOW = 4408;

interface Live {
  readonly userId: UserId;
  readonly token: string;
  alive: boolean;
}

export class LiveSockets {
  private readonly sockets = new Map<WebSocket, Live>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: {
      readonly heartbeatMs: number;
      /** Whether the token a socket signed in with still verifies for that user. */
      readonly stillValid: (token: string, userId: UserId) => Promise<boolean>;
    },
  ) {}

  /** Tracks a signed-in socket until it closes. */
  add(socket: WebSocket, userId: UserId, token: string): void {
    const live: Live = { userId, token, alive: true };
    this.sockets.set(socket, live);
    socket.on('pong', () => {
      live.alive = true;
    });
    socket.once('close', () => this.sockets.delete(socket));
    this.timer ??= setInterval(() => void this.beat(), this.options.heartbeatMs).unref();
  }

  /**
   * Closes, now, each socket of the user whose token no longer verifies (its session was signed
   * out); the user's other sockets stay open.
   */
  async closeEnded(userId: UserId, reason: string): Promise<void> {
    const mine = [...this.sockets].filter(([, live]) => live.userId === userId);
    await Promise.all(
      mine.map(async ([socket, live]) => {
        if (!(await this.options.stillValid(live.token, live.userId).catch(() => false))) socket.close(CLOSE_UNAUTHORIZED, reason);
      }),
    );
  }

  get size(): number {
    return this.sockets.size;
  }

  /** Stops the heartbeat and closes every socket (server shutdown). */
  closeAll(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const socket of this.sockets.keys()) socket.close(1001, 'server shutting down');
    this.sockets.clear();
  }

  private async beat(): Promise<void> {
    for (const [socket, live] of this.sockets) {
      if (!live.alive) {
        socket.terminate();
        continue;
      }
      live.alive = false;
      socket.ping();
      if (!(await this.options.stillValid(live.token, live.userId).catch(() => false))) socket.close(CLOSE_UNAUTHORIZED, 'session ended: sign in again');
    }
  }
}
