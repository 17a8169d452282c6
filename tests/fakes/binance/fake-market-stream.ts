/**
 * The fake Binance's WebSocket market streams (SOURCES.md): `/ws/<stream>` sends raw payloads,
 * `/stream?streams=<a>/<b>` wraps each as `{"stream":…,"data":…}`; on either, the live
 * `SUBSCRIBE` / `UNSUBSCRIBE` / `LIST_SUBSCRIPTIONS` requests answer `{"result":…,"id":…}`. Only
 * `<symbol>@trade` carries data here; other stream names are accepted and stay silent.
 */
import type { WebSocket, WebSocketServer } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { FakeTrade } from './fake-book';

interface Session {
  readonly ws: WebSocket;
  readonly combined: boolean;
  readonly streams: Set<string>;
  /** A hung connection: nothing read (no pongs), nothing sent. */
  hung: boolean;
}

const STREAM = /^[a-z0-9]+@[a-zA-Z0-9_@]+$/;

export class FakeMarketStream {
  private readonly sessions = new Set<Session>();
  private silent = false;

  constructor(wss: WebSocketServer) {
    wss.on('connection', (ws: WebSocket, req: IncomingMessage) => this.accept(ws, req));
  }

  /** Whether a path is one of the stream endpoints. */
  static serves(path: string): boolean {
    return path === '/ws' || path.startsWith('/ws/') || path === '/stream';
  }

  /** One trade to every session subscribed to `<symbol lower-case>@trade`, in the documented payload. */
  publish(t: FakeTrade): void {
    if (this.silent) return;
    const name = `${t.symbol.toLowerCase()}@trade`;
    const data = { e: 'trade', E: t.at, s: t.symbol, t: t.tradeId, p: t.price, q: t.qty, T: t.at, m: t.buyerMaker, M: true };
    for (const s of this.sessions) if (s.streams.has(name) && !s.hung) s.ws.send(JSON.stringify(s.combined ? { stream: name, data } : data));
  }

  /** Cuts every connection (the client sees an abnormal close). */
  drop(): void {
    for (const s of this.sessions) s.ws.terminate();
  }

  /** Connections stay open but no trade is sent (a feed gone quiet), until `resume`. */
  stall(): void {
    this.silent = true;
  }

  /** The connections hang (no trades, no pongs, nothing read) until `resume`; new ones are served. */
  hang(): void {
    for (const s of this.sessions) {
      s.hung = true;
      socketOf(s.ws)?.pause();
    }
  }

  /** Trades flow again on every connection, hung ones included. */
  resume(): void {
    this.silent = false;
    for (const s of this.sessions) {
      if (!s.hung) continue;
      s.hung = false;
      socketOf(s.ws)?.resume();
    }
  }

  /** Each session's streams, for tests. */
  subscriptions(): string[][] {
    return [...this.sessions].map((s) => [...s.streams]);
  }

  close(): void {
    for (const s of this.sessions) s.ws.terminate();
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const combined = url.pathname === '/stream';
    const initial = combined ? (url.searchParams.get('streams') ?? '').split('/') : url.pathname.slice('/ws/'.length).split('/');
    const session: Session = { ws, combined, streams: new Set(initial.filter((n) => STREAM.test(n))), hung: false };
    this.sessions.add(session);
    ws.on('close', () => this.sessions.delete(session));
    ws.on('message', (raw) => this.request(session, String(raw)));
  }

  private request(s: Session, text: string): void {
    let msg: { method?: unknown; params?: unknown; id?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      s.ws.send(JSON.stringify({ error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } }));
      return;
    }
    const id = msg.id ?? null;
    const params = Array.isArray(msg.params) ? msg.params : [];
    if (msg.method === 'SUBSCRIBE' || msg.method === 'UNSUBSCRIBE') {
      const bad = params.find((p) => typeof p !== 'string' || !STREAM.test(p));
      if (bad !== undefined) return void s.ws.send(JSON.stringify({ error: { code: 2, msg: `Invalid request: unknown variant or stream name ${JSON.stringify(bad)}` }, id }));
      for (const p of params as string[]) msg.method === 'SUBSCRIBE' ? s.streams.add(p) : s.streams.delete(p);
      s.ws.send(JSON.stringify({ result: null, id }));
    } else if (msg.method === 'LIST_SUBSCRIPTIONS') {
      s.ws.send(JSON.stringify({ result: [...s.streams], id }));
    } else {
      s.ws.send(JSON.stringify({ error: { code: 2, msg: 'Invalid request: unknown variant' }, id }));
    }
  }
}

/** The TCP socket under a `ws` WebSocket (its `_socket`, not public API): pausing it stops reads, so no pong. */
function socketOf(ws: WebSocket): { pause(): void; resume(): void } | undefined {
  return (ws as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
}
