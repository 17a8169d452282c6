/**
 * The fake ticker: a loopback WebSocket server speaking Kite's ticker protocol. It checks
 * api_key/access_token on the upgrade (403 otherwise), takes subscribe/unsubscribe/mode messages,
 * starts new tokens in quote mode and sends the latest tick at once (as Kite does), sends 1-byte
 * heartbeats, binary ticks per connection mode, and `order` text messages. Faults: drop every
 * connection, stall (send nothing), a garbage frame, refuse upgrades with any status.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { frame, packetFor, type FakeQuote, type FakeTickMode } from './fake-packets';

interface Conn {
  readonly ws: WebSocket;
  readonly modes: Map<number, FakeTickMode>;
}

export interface FakeTickerDeps {
  readonly isValid: (apiKey: string | null, accessToken: string | null) => boolean;
  readonly quoteOf: (token: number) => FakeQuote | undefined;
  readonly heartbeatMs: number;
}

export class FakeTicker {
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private heartbeat: NodeJS.Timeout | null = null;
  private stalled = false;
  private refuseWith: number | null = null;
  /** Every client message, parsed, in order. */
  readonly received: unknown[] = [];
  /** Upgrade attempts and their answers. */
  readonly upgrades: { status: number }[] = [];

  constructor(private readonly deps: FakeTickerDeps) {
    this.http = createServer((_req, res) => res.writeHead(426).end());
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.heartbeat = setInterval(() => this.broadcastRaw(Buffer.from([0])), this.deps.heartbeatMs);
    return `ws://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** Open connections and what each is subscribed to, with its mode. */
  connections(): { tokens: Record<number, FakeTickMode> }[] {
    return [...this.conns].map((c) => ({ tokens: Object.fromEntries(c.modes) }));
  }

  /** Sends the instrument's current quote to every connection subscribed to it, in its mode. */
  tick(quote: FakeQuote): number {
    let sent = 0;
    for (const c of this.conns) {
      const mode = c.modes.get(quote.token);
      if (mode && this.send(c, frame([packetFor(mode, quote)]))) sent++;
    }
    return sent;
  }

  /** Sends raw bytes (a hand-made frame, garbage) to every connection. */
  broadcastRaw(data: Buffer): void {
    for (const c of this.conns) this.send(c, data);
  }

  /** Sends a JSON text frame to every connection. */
  broadcastText(message: unknown): void {
    for (const c of this.conns) if (!this.stalled && c.ws.readyState === WebSocket.OPEN) c.ws.send(JSON.stringify(message));
  }

  /** Kills every connection without a close frame, as a network drop does. */
  drop(): void {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
  }

  /** While stalled, nothing is sent: no ticks, no heartbeats, no order messages. */
  stall(on: boolean): void {
    this.stalled = on;
  }

  /** Answers upgrades with this HTTP status until called with null. */
  refuseUpgrades(status: number | null): void {
    this.refuseWith = status;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'ws://fake');
    const status = this.refuseWith ?? (this.deps.isValid(url.searchParams.get('api_key'), url.searchParams.get('access_token')) ? 101 : 403);
    this.upgrades.push({ status });
    if (status !== 101) {
      const body = status === 403 ? 'invalid api_key or access_token' : 'refused by the fake';
      socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, modes: new Map() };
      this.conns.add(conn);
      ws.on('message', (data, isBinary) => this.onMessage(conn, data.toString(), isBinary));
      ws.on('close', () => this.conns.delete(conn));
      ws.on('error', () => this.conns.delete(conn));
    });
  }

  private onMessage(conn: Conn, text: string, isBinary: boolean): void {
    let msg: { a?: unknown; v?: unknown };
    try {
      msg = isBinary ? {} : JSON.parse(text);
    } catch {
      conn.ws.send(JSON.stringify({ type: 'error', data: 'Invalid message' }));
      return;
    }
    this.received.push(msg);
    const tokens = (v: unknown) => (Array.isArray(v) ? v.filter((t): t is number => Number.isInteger(t)) : []);
    if (msg.a === 'subscribe') {
      for (const t of tokens(msg.v)) {
        if (conn.modes.has(t)) continue;
        conn.modes.set(t, 'quote');
        const q = this.deps.quoteOf(t);
        if (q) this.send(conn, frame([packetFor('quote', q)]));
      }
    } else if (msg.a === 'unsubscribe') {
      for (const t of tokens(msg.v)) conn.modes.delete(t);
    } else if (msg.a === 'mode' && Array.isArray(msg.v) && ['ltp', 'quote', 'full'].includes(msg.v[0])) {
      for (const t of tokens(msg.v[1])) if (conn.modes.has(t)) conn.modes.set(t, msg.v[0]);
    } else {
      conn.ws.send(JSON.stringify({ type: 'error', data: `Unknown action ${String(msg.a)}` }));
    }
  }

  private send(c: Conn, data: Buffer): boolean {
    if (this.stalled || c.ws.readyState !== WebSocket.OPEN) return false;
    c.ws.send(data, { binary: true });
    return true;
  }
}
