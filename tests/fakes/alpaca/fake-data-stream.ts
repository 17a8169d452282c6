/**
 * The fake market-data stream v2 (PROTOCOLS.md §1.10): "connected" on connect, auth within the
 * timeout, subscriptions with the full set in every reply, one authenticated session per account
 * and feed (406), the IEX symbol limit (405), the plan's feeds (409), and trades, batched or not.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { FakeDesk } from './fake-desk';
import { alpacaTime } from './fake-entities';

const CHANNELS = ['trades', 'quotes', 'bars', 'updatedBars', 'dailyBars', 'statuses', 'lulds'] as const;
type Channel = (typeof CHANNELS)[number];

/** §1.10 error table; the server closes the connection after the ones marked. */
const ERRORS: Readonly<Record<number, { msg: string; close: boolean }>> = {
  400: { msg: 'invalid syntax', close: false },
  401: { msg: 'not authenticated', close: false },
  402: { msg: 'auth failed', close: true },
  403: { msg: 'already authenticated', close: false },
  404: { msg: 'auth timeout', close: true },
  405: { msg: 'symbol limit exceeded', close: false },
  406: { msg: 'connection limit exceeded', close: true },
  407: { msg: 'slow client', close: true },
  408: { msg: 'v2 not enabled', close: true },
  409: { msg: 'insufficient subscription', close: true },
  410: { msg: 'invalid subscribe action for this feed', close: false },
  411: { msg: 'insufficient scope', close: true },
  500: { msg: 'internal error', close: true },
};

interface Session {
  readonly ws: WebSocket;
  readonly feed: string;
  keyId: string | null;
  readonly subs: Record<Channel, Set<string>>;
  authTimer: NodeJS.Timeout | undefined;
  stalled: boolean;
}

export interface FakeTrade {
  readonly symbol: string;
  readonly price: number;
  readonly size?: number;
  /** Epoch ms; default the fake's now. */
  readonly at?: number;
}

export class FakeDataStream {
  /** symbol → its latest trade, for GET /v2/stocks/trades/latest. */
  private readonly latest = new Map<string, Record<string, unknown>>();
  private readonly sessions = new Set<Session>();
  private tradeId = 1000;

  constructor(
    wss: WebSocketServer,
    private readonly desk: FakeDesk,
    private readonly opts: { readonly symbolLimit: number; readonly authTimeoutMs: number },
  ) {
    wss.on('connection', (ws, req: IncomingMessage) => this.accept(ws, (req.url ?? '').split('/').pop() ?? ''));
  }

  /** Sends trades to every session subscribed to their symbols; `batch` puts them in one array. */
  trades(trades: readonly FakeTrade[], batch = true): void {
    for (const t of trades) {
      this.desk.setPrice(t.symbol, t.price);
      // Traded whether or not a session hears it (a stalled stream): the REST latest trade shows it.
      const { T: _type, S: _symbol, ...trade } = this.tradeMessage(t);
      this.latest.set(t.symbol, trade);
    }
    for (const s of this.sessions) {
      if (!s.keyId || s.stalled) continue;
      const mine = trades.filter((t) => s.subs.trades.has(t.symbol) || s.subs.trades.has('*')).map((t) => this.tradeMessage(t));
      if (mine.length === 0) continue;
      if (batch) this.send(s, mine);
      else for (const m of mine) this.send(s, [m]);
    }
  }

  /** Sends any text to every session, e.g. garbage or a hand-made frame. */
  raw(text: string): void {
    for (const s of this.sessions) if (!s.stalled) s.ws.send(text);
  }

  /** Sends a documented error to every session and closes it where the server would. */
  error(code: number): void {
    for (const s of this.sessions) this.fail(s, code);
  }

  drop(): void {
    for (const s of this.sessions) s.ws.terminate();
  }

  /** The server stops reading and writing (a hung connection): no data, no pongs. */
  stall(): void {
    for (const s of this.sessions) {
      s.stalled = true;
      socketOf(s.ws)?.pause();
    }
  }

  resume(): void {
    for (const s of this.sessions) {
      s.stalled = false;
      socketOf(s.ws)?.resume();
    }
  }

  /** The symbol's latest trade in the REST shape (the stream's message without `T` and `S`), if it ever traded. */
  latestTrade(symbol: string): Record<string, unknown> | undefined {
    return this.latest.get(symbol);
  }

  /** Authenticated sessions with their trade subscriptions. */
  info(): { keyId: string; feed: string; trades: string[] }[] {
    return [...this.sessions].filter((s) => s.keyId).map((s) => ({ keyId: s.keyId!, feed: s.feed, trades: [...s.subs.trades] }));
  }

  /** Every connection, authenticated or not. */
  connections(): number {
    return this.sessions.size;
  }

  private accept(ws: WebSocket, feed: string): void {
    const subs = Object.fromEntries(CHANNELS.map((c) => [c, new Set<string>()])) as Record<Channel, Set<string>>;
    const s: Session = { ws, feed, keyId: null, subs, authTimer: undefined, stalled: false };
    this.sessions.add(s);
    ws.on('close', () => {
      clearTimeout(s.authTimer);
      this.sessions.delete(s);
    });
    ws.on('error', () => {});
    ws.on('message', (data) => this.onMessage(s, data.toString()));
    this.send(s, [{ T: 'success', msg: 'connected' }]);
    s.authTimer = setTimeout(() => {
      if (!s.keyId) this.fail(s, 404);
    }, this.opts.authTimeoutMs);
  }

  private onMessage(s: Session, text: string): void {
    if (s.stalled) return;
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(text) as Record<string, unknown>;
      if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('not an object');
    } catch {
      return this.fail(s, 400);
    }
    if (m.action === 'auth') return this.auth(s, m);
    if (m.action !== 'subscribe' && m.action !== 'unsubscribe') return this.fail(s, 400);
    if (!s.keyId) return this.fail(s, 401);
    const lists: Partial<Record<Channel, string[]>> = {};
    for (const c of CHANNELS) {
      const v = m[c];
      if (v === undefined) continue;
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return this.fail(s, 400);
      lists[c] = v as string[];
    }
    const next = Object.fromEntries(CHANNELS.map((c) => [c, new Set(s.subs[c])])) as Record<Channel, Set<string>>;
    for (const [c, symbols] of Object.entries(lists) as [Channel, string[]][]) {
      for (const sym of symbols) (m.action === 'subscribe' ? next[c].add(sym) : next[c].delete(sym));
    }
    // §1.10: IEX allows 30 symbols for trades and quotes; on 405 the subscriptions stay as they were.
    if (s.feed === 'iex' && new Set([...next.trades, ...next.quotes]).size > this.opts.symbolLimit) return this.fail(s, 405);
    Object.assign(s.subs, next);
    // Newer servers list every channel; corrections and cancelErrors follow trades (JS mock).
    const reply: Record<string, unknown> = { T: 'subscription' };
    for (const c of CHANNELS) reply[c] = [...s.subs[c]];
    reply.corrections = [...s.subs.trades];
    reply.cancelErrors = [...s.subs.trades];
    this.send(s, [reply]);
  }

  private auth(s: Session, m: Record<string, unknown>): void {
    if (s.keyId) return this.fail(s, 403);
    const account = typeof m.key === 'string' ? this.desk.account(m.key) : undefined;
    if (!account || account.secretKey !== m.secret) return this.fail(s, 402);
    if (!account.feeds.includes(s.feed)) return this.fail(s, 409);
    const taken = [...this.sessions].some((o) => o !== s && o.keyId === account.keyId && o.feed === s.feed);
    if (taken) return this.fail(s, 406);
    clearTimeout(s.authTimer);
    s.keyId = account.keyId;
    this.send(s, [{ T: 'success', msg: 'authenticated' }]);
  }

  private fail(s: Session, code: number): void {
    const e = ERRORS[code] ?? { msg: 'internal error', close: true };
    this.send(s, [{ T: 'error', code, msg: e.msg }]);
    if (e.close) s.ws.close(1008, e.msg);
  }

  private tradeMessage(t: FakeTrade): Record<string, unknown> {
    const exchange = this.desk.assets.get(t.symbol)?.exchange;
    // §1.10 trade: x = exchange code (V = IEX), z = tape (A NYSE, B ARCA/AMEX, C NASDAQ).
    const tape = exchange === 'NASDAQ' ? 'C' : exchange === 'NYSE' ? 'A' : 'B';
    return { T: 't', i: this.tradeId++, S: t.symbol, x: 'V', p: t.price, s: t.size ?? 100, t: alpacaTime(t.at ?? this.desk.now()), c: ['@'], z: tape };
  }

  private send(s: Session, messages: unknown[]): void {
    if (s.ws.readyState === s.ws.OPEN && !s.stalled) s.ws.send(JSON.stringify(messages));
  }
}

function socketOf(ws: WebSocket): { pause(): void; resume(): void } | undefined {
  return (ws as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
}
