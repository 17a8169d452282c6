/**
 * The fake `trade_updates` stream (PROTOCOLS.md §1.11): authenticate → authorization, listen →
 * listening, then one object per frame (binary frames by default, as the paper host sends them).
 */
import type { WebSocket, WebSocketServer } from 'ws';
import type { FakeDesk } from './fake-desk';

interface Session {
  readonly ws: WebSocket;
  keyId: string | null;
  listening: boolean;
}

export class FakeTradeStream {
  private readonly sessions = new Set<Session>();
  /** While true, new connections are closed at once (a trade stream outage). */
  blocked = false;

  constructor(
    private readonly wss: WebSocketServer,
    private readonly desk: FakeDesk,
    private readonly binary: boolean,
  ) {
    wss.on('connection', (ws) => this.accept(ws));
  }

  /** Sends one trade_updates event to every listening session of the account. */
  publish(keyId: string, data: Record<string, unknown>): void {
    for (const s of this.sessions) if (s.keyId === keyId && s.listening) this.send(s, { stream: 'trade_updates', data });
  }

  /** Cuts every connection (the client sees an abnormal close). */
  drop(): void {
    for (const s of this.sessions) s.ws.terminate();
  }

  /** Sends a frame that is not a documented message. */
  garbage(text = '{"stream":"trade_updates","data":{"event":"fill","order":"not an order"}}'): void {
    for (const s of this.sessions) s.ws.send(text, { binary: this.binary });
  }

  /** The JS SDK's 1-byte heartbeat (§1.11). */
  heartbeat(): void {
    for (const s of this.sessions) s.ws.send(Buffer.from([0x01]), { binary: true });
  }

  /** Sessions that are authorized and listening, by key id. */
  listeners(): string[] {
    return [...this.sessions].filter((s) => s.listening && s.keyId).map((s) => s.keyId!);
  }

  private accept(ws: WebSocket): void {
    if (this.blocked) {
      ws.close(1013, 'try again later');
      return;
    }
    const session: Session = { ws, keyId: null, listening: false };
    this.sessions.add(session);
    ws.on('close', () => this.sessions.delete(session));
    ws.on('error', () => {});
    ws.on('message', (data) => this.onMessage(session, data.toString()));
  }

  private onMessage(s: Session, text: string): void {
    let m: { action?: unknown; data?: { key_id?: unknown; secret_key?: unknown; streams?: unknown } };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return;
    }
    if (m.action === 'authenticate') {
      const account = typeof m.data?.key_id === 'string' ? this.desk.account(m.data.key_id) : undefined;
      const ok = !!account && account.secretKey === m.data?.secret_key;
      s.keyId = ok ? account.keyId : null;
      this.send(s, { stream: 'authorization', data: { status: ok ? 'authorized' : 'unauthorized', action: 'authenticate' } });
      return;
    }
    if (m.action === 'listen') {
      if (!s.keyId) {
        this.send(s, { stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } });
        return;
      }
      // §1.11: the list is the full set; streams the server does not have are left out of the ack.
      const streams = Array.isArray(m.data?.streams) ? m.data.streams.filter((x): x is string => x === 'trade_updates') : [];
      s.listening = streams.includes('trade_updates');
      this.send(s, { stream: 'listening', data: { streams } });
    }
  }

  private send(s: Session, message: unknown): void {
    if (s.ws.readyState === s.ws.OPEN) s.ws.send(JSON.stringify(message), { binary: this.binary });
  }
}
