/**
 * The fake Binance's WebSocket API (`/ws-api/v3`, SOURCES.md) as far as the user data stream:
 * requests `{id, method, params}`, answers `{id, status, result | error, rateLimits}`;
 * `userDataStream.subscribe.signature` (params signed over their alphabetical `key=value&…`),
 * `userDataStream.unsubscribe`, `ping`; then each order change of the account as
 * `{subscriptionId, event: executionReport}`. Trading over the WS API (`order.place`, …) is not served.
 */
import type { IncomingMessage } from 'node:http';
import Decimal from 'decimal.js';
import type { WebSocket, WebSocketServer } from 'ws';
import { err, type BinanceError, type FakeBinanceBook, type FakeOrderEvent } from './fake-book';
import { checkSigned } from './fake-rest';

interface Session {
  readonly ws: WebSocket;
  /** subscriptionId → the account's API key */
  readonly subscriptions: Map<number, string>;
  weight: number;
}

const WEIGHT: Readonly<Record<string, number>> = { 'userDataStream.subscribe.signature': 2, 'userDataStream.unsubscribe': 2, ping: 1 };

/**
 * The signature payload of a WS API request: every parameter but `signature`, sorted by name, as
 * `name=value` joined by `&` (websocket-api "SIGNED request security", step 1).
 */
export function wsApiPayload(params: Readonly<Record<string, unknown>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
}

export class FakeWsApi {
  private readonly sessions = new Set<Session>();
  private nextSubscription = 0;

  constructor(
    wss: WebSocketServer,
    private readonly book: FakeBinanceBook,
  ) {
    wss.on('connection', (ws: WebSocket, _req: IncomingMessage) => this.accept(ws));
    book.onOrderEvent((e) => this.publish(e));
  }

  static serves(path: string): boolean {
    return path === '/ws-api/v3';
  }

  /** Cuts every connection (the client sees an abnormal close; its subscriptions end with it). */
  drop(): void {
    for (const s of this.sessions) s.ws.terminate();
  }

  /**
   * Ends every user data subscription with `eventStreamTerminated` (user-data-stream.md: sent
   * when the stream stops, e.g. after `userDataStream.unsubscribe` or `session.logout`); the
   * connections stay open.
   */
  terminate(): void {
    for (const s of this.sessions) {
      for (const subscriptionId of s.subscriptions.keys()) s.ws.send(JSON.stringify({ subscriptionId, event: { e: 'eventStreamTerminated', E: this.book.now() } }));
      s.subscriptions.clear();
    }
  }

  /** How many user data subscriptions are open, over all connections. */
  subscriptionCount(): number {
    return [...this.sessions].reduce((n, s) => n + s.subscriptions.size, 0);
  }

  close(): void {
    this.drop();
  }

  private accept(ws: WebSocket): void {
    const session: Session = { ws, subscriptions: new Map(), weight: 0 };
    this.sessions.add(session);
    ws.on('close', () => this.sessions.delete(session));
    ws.on('message', (raw) => this.request(session, String(raw)));
  }

  private request(s: Session, text: string): void {
    let msg: { id?: unknown; method?: unknown; params?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return this.answer(s, null, err(400, -1000, 'Invalid JSON: expected value at line 1 column 1'));
    }
    const id = msg.id ?? null;
    const method = typeof msg.method === 'string' ? msg.method : '';
    const params = (typeof msg.params === 'object' && msg.params !== null ? msg.params : {}) as Record<string, unknown>;
    s.weight += WEIGHT[method] ?? 1;
    if (method === 'ping') return this.answer(s, id, {});
    if (method === 'userDataStream.subscribe.signature') {
      const key = typeof params.apiKey === 'string' ? params.apiKey : null;
      if (key === null) return this.answer(s, id, err(400, -1102, "Mandatory parameter 'apiKey' was not sent, was empty/null, or malformed."));
      const account = this.book.accounts.get(key);
      if (!account) return this.answer(s, id, err(401, -2015, 'Invalid API-key, IP, or permissions for action.'));
      const text = (k: string) => (params[k] === undefined ? null : String(params[k]));
      const refused = checkSigned(account, wsApiPayload(params), text('signature'), text('timestamp'), text('recvWindow'), this.book.now());
      if (refused) return this.answer(s, id, refused);
      const subscriptionId = this.nextSubscription++;
      s.subscriptions.set(subscriptionId, key);
      return this.answer(s, id, { subscriptionId });
    }
    if (method === 'userDataStream.unsubscribe') {
      if (params.subscriptionId === undefined) s.subscriptions.clear();
      else if (!s.subscriptions.delete(Number(params.subscriptionId))) return this.answer(s, id, err(400, -1000, 'Invalid subscriptionId.'));
      return this.answer(s, id, {});
    }
    return this.answer(s, id, err(400, -1000, `Unknown method ${JSON.stringify(method)}.`));
  }

  private answer(s: Session, id: unknown, result: Record<string, unknown> | BinanceError): void {
    const rateLimits = [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000, count: s.weight }];
    const isError = 'code' in result && 'msg' in result && 'status' in result;
    const reply = isError ? { id, status: result.status, error: { code: result.code, msg: result.msg }, rateLimits } : { id, status: 200, result, rateLimits };
    s.ws.send(JSON.stringify(reply));
  }

  private publish(e: FakeOrderEvent): void {
    const event = executionReport(e, this.book.now());
    for (const s of this.sessions) for (const [subscriptionId, key] of s.subscriptions) if (key === e.order.apiKey) s.ws.send(JSON.stringify({ subscriptionId, event }));
  }
}

const D8 = (v: { toFixed(n: number): string }) => v.toFixed(8);

/** The `executionReport` payload, field for field as user-data-stream.md's example. */
export function executionReport(e: FakeOrderEvent, now: number): Record<string, unknown> {
  const o = e.order;
  const f = e.fill;
  const cancelled = e.execution === 'CANCELED';
  return {
    e: 'executionReport',
    E: now,
    s: o.symbol,
    c: cancelled ? e.cancelClientId : o.clientOrderId,
    S: o.side,
    o: o.type,
    f: o.timeInForce ?? 'GTC',
    q: D8(o.origQty),
    p: D8(o.price),
    P: D8(o.stopPrice),
    F: '0.00000000',
    g: -1,
    C: cancelled ? o.clientOrderId : '',
    x: e.execution,
    X: o.status,
    r: 'NONE',
    i: o.orderId,
    l: f ? f.qty : '0.00000000',
    z: D8(o.executedQty),
    L: f ? f.price : '0.00000000',
    n: f ? f.commission : '0',
    N: f ? f.commissionAsset : null,
    T: o.updateTime,
    t: f ? f.tradeId : -1,
    I: o.orderId * 1000 + o.fills.length * 10 + (cancelled ? 1 : 0),
    // "Is the order on the book?": a stop not triggered yet is not.
    w: o.status === 'NEW' && o.working,
    m: false,
    M: false,
    O: o.time,
    Z: D8(o.cummulativeQuoteQty),
    Y: f ? new Decimal(f.price).mul(f.qty).toFixed(8) : '0.00000000',
    Q: '0.00000000',
    W: o.workingTime,
    V: 'EXPIRE_MAKER',
  };
}
