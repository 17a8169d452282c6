/**
 * The whole daemon minus the shell: an engine on a FakeClock, broker accounts made through the
 * real BrokerAccountService (paper by default), and the API listening on a real loopback port.
 * Tests talk to it over HTTP (fetch, or node:http for headers fetch will not forge) and the `ws`
 * client, and move time with `advanceTo`.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import WebSocket from 'ws';
import { openDatabase, type Db } from '../../db/client';
import { createRepos, type Repos } from '../../db/repos';
import { LoginLimiter, type LoginLimiterOptions } from '../../engine/auth/login-limiter';
import { TokenService } from '../../engine/auth/tokens';
import type { HashGate } from '../../engine/auth/hash-gate';
import { BrokerAccountService } from '../../engine/brokers/broker-account-service';
import { defaultBrokerKinds, type BrokerKinds } from '../../engine/brokers/broker-kinds';
import { FakeClock } from '../../engine/core/fake-clock';
import { createEngine, type Engine } from '../../engine/engine';
import { createRuntimeStore } from '../../engine/runtime/create-runtime-store';
import { createTradingCalendar } from '../../engine/scheduler/trading-calendar';
import { Vault } from '../../engine/secrets/vault';
import { buildApiServer } from '../../engine/api/server';
import { NotifyService } from '../../engine/notify/notify-service';
import { defaultChannelKinds } from '../../engine/notify/channel-kinds';
import { VapidKeys } from '../../engine/notify/vapid-keys';
import { engineCommands } from '../../engine/notify/trader-commands';
import type { DeliveryOptions } from '../../engine/notify/delivery-worker';

/** Cheap scrypt for tests: the default cost (~0.2 s a hash) would dominate every test. */
export const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 } as const;

export const PASSWORD = 'correct horse battery';

/** Paper options that keep a fake-clock day cheap: one tick a minute, a flat price of 100. */
export const PAPER_OPTIONS = { seed: 1, volatilityBps: 0, tickIntervalMs: 60_000 } as const;

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers | Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The parsed body; undefined when it was empty or not JSON. */
  readonly body: any;
}

export interface CallOptions {
  readonly token?: string | null;
  /** JSON-encoded and sent as application/json. */
  readonly body?: unknown;
  /** Sent as is (with whatever content-type `headers` give). */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  /** Aborts the request (e.g. `AbortSignal.timeout(ms)`): a hung server fails the call instead of the whole test's time limit. */
  readonly signal?: AbortSignal;
}

export interface SocketClient {
  readonly ws: WebSocket;
  readonly messages: any[];
  /** Resolves with the first message (already received or yet to come) matching `pred`. */
  waitFor(pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Resolves when the server closes the socket. */
  readonly closed: Promise<{ code: number; reason: string }>;
}

export interface ApiHarness {
  readonly clock: FakeClock;
  readonly repos: Repos;
  /** The database itself, for a test that damages a row as only a disk or a hand could. */
  readonly db: Db;
  readonly engine: Engine;
  /** Notification channels and their queue, started. */
  readonly notify: NotifyService;
  /** The install's VAPID pair (Web Push). */
  readonly vapid: VapidKeys;
  readonly app: FastifyInstance;
  readonly port: number;
  readonly base: string;
  /** Every log line written (pino JSON), API and engine. */
  readonly logLines: string[];
  /** Every response body text received through `call`, and every WebSocket message text. */
  readonly received: string[];
  call(method: string, path: string, opts?: CallOptions): Promise<ApiResponse>;
  /** node:http, for headers fetch refuses to set (Host). */
  raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<ApiResponse>;
  /** Registers a fresh user; its token and id. */
  register(email?: string): Promise<{ token: string; userId: number; email: string }>;
  /** Connects a paper broker account for the token's user; its id. */
  connectPaper(token: string): Promise<number>;
  /** A strategy on the account, BUY 09:05 and SELL 09:10 New York time unless `body` says otherwise. */
  createStrategy(token: string, accountId: number, body?: Record<string, unknown>): Promise<ApiResponse>;
  /** The HTTP status a WebSocket upgrade of GET /events gets with exactly these headers (101 when accepted). */
  upgradeStatus(headers: Record<string, string>): Promise<number>;
  /** Opens GET /events as a WebSocket; rejects with the HTTP status when the upgrade is refused. */
  openSocket(opts: { token?: string; origin?: string | null; authMessage?: boolean }): Promise<SocketClient>;
  advanceTo(iso: string): Promise<void>;
  close(): Promise<void>;
}

export interface ApiHarnessOptions {
  /** Start of the fake clock. Default Monday 2026-03-09 09:00 New York (13:00Z). */
  readonly at?: string;
  /** A SQLite file; default a private in-memory database. */
  readonly dbPath?: string;
  /** The vault's key (32 bytes), for a second start on the same dbPath; default a random one. */
  readonly vaultKey?: Buffer;
  readonly kinds?: BrokerKinds;
  readonly limiter?: Omit<LoginLimiterOptions, 'now'>;
  readonly logLevel?: pino.LevelWithSilent;
  readonly bodyLimit?: number;
  readonly socketAuthTimeoutMs?: number;
  readonly heartbeatMs?: number;
  readonly staticDir?: string;
  /**
   * Who may register. Default open with a generous per-client limit: tests make many users to
   * check isolation. Pass `{ open: false }` for the single-user install the daemon defaults to.
   */
  readonly registration?: { readonly open: boolean };
  /** Registrations per client: 'server' keeps the server's default (5 per 15 minutes). */
  readonly registerLimit?: 'server';
  /** The Telegram Bot API's root for notification channels (a loopback fake). */
  readonly telegramApiRoot?: string;
  /** Delivery queue tuning (timeouts, backoff). */
  readonly delivery?: Partial<DeliveryOptions>;
  /** Accept http://127.0.0.1 Web Push endpoints (a loopback push-service fake). */
  readonly loopbackPush?: boolean;
  /** Long polling's hold for Telegram commands, seconds. */
  readonly pollTimeoutS?: number;
  /** scrypt cost of new hashes. Default FAST_SCRYPT; the flood tests use the real one. */
  readonly passwordParams?: { readonly N: number; readonly r: number; readonly p: number };
  /** Bounds password hashing (the server's default: one at a time); a test may hold one back. */
  readonly hashGate?: HashGate;
}

let emails = 0;

export async function startApiHarness(opts: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const clock = new FakeClock(Date.parse(opts.at ?? '2026-03-09T13:00:00Z'));
  const db = openDatabase(opts.dbPath ?? ':memory:');
  const repos = createRepos(db);
  const runtime = await createRuntimeStore({});
  const logLines: string[] = [];
  const logger = pino({ level: opts.logLevel ?? 'warn' }, { write: (line: string) => void logLines.push(line) });
  const vault = Vault.fromKey(opts.vaultKey ?? randomBytes(32));
  // The engine opens brokers through the account service, which needs the engine's sessions:
  // the factory is looked up late, when the first broker opens.
  let accounts: BrokerAccountService | undefined;
  const engine = createEngine({
    repos,
    runtime,
    clock,
    logger,
    calendar: createTradingCalendar(),
    brokerFactory: (id) => accounts!.factory()(id),
    installId: 'test01',
  });
  accounts = new BrokerAccountService({ repos, clock, kinds: opts.kinds ?? defaultBrokerKinds(), vault: async () => vault, sessions: () => engine.brokers, instruments: () => engine.ctx.instruments });
  const vapid = new VapidKeys({ repos, vault: async () => vault });
  const notify = new NotifyService({
    repos,
    clock,
    logger,
    vault: async () => vault,
    kinds: defaultChannelKinds({ ...(opts.telegramApiRoot ? { telegramApiRoot: opts.telegramApiRoot } : {}), webPush: { vapid: () => vapid.pair(), allowLoopbackHttp: opts.loopbackPush === true } }),
    vapid,
    notifications: engine.notifications,
    commands: engineCommands(repos, engine.manager),
    ...(opts.telegramApiRoot ? { telegramApiRoot: opts.telegramApiRoot } : {}),
    ...(opts.delivery ? { delivery: opts.delivery } : {}),
    ...(opts.pollTimeoutS === undefined ? {} : { pollTimeoutS: opts.pollTimeoutS }),
  });
  notify.start();
  const app = await buildApiServer(
    {
      engine,
      repos,
      clock,
      logger,
      tokens: new TokenService({ key: randomBytes(32), now: () => clock.now() }),
      loginLimiter: new LoginLimiter({ now: () => clock.now(), ...opts.limiter }),
      brokerAccounts: accounts,
      notify,
      version: '0.0.0-test',
      staticDir: opts.staticDir ?? null,
    },
    {
      passwordParams: opts.passwordParams ?? FAST_SCRYPT,
      ...(opts.hashGate ? { hashGate: opts.hashGate } : {}),
      registration: opts.registration ?? { open: true },
      ...(opts.registerLimit === 'server' ? {} : { registerLimit: { maxFailures: 10_000, windowMs: 60_000 } }),
      socketAuthTimeoutMs: opts.socketAuthTimeoutMs ?? 1_000,
      ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}),
      ...(opts.bodyLimit ? { bodyLimit: opts.bodyLimit } : {}),
    },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  const received: string[] = [];
  const sockets = new Set<WebSocket>();

  const toResponse = (status: number, headers: ApiResponse['headers'], text: string): ApiResponse => {
    received.push(text);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status, headers, text, body };
  };

  const h: ApiHarness = {
    clock,
    repos,
    db,
    engine,
    notify,
    vapid,
    app,
    port,
    base,
    logLines,
    received,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined = o.rawBody;
      if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }), ...(o.signal ? { signal: o.signal } : {}) });
      return toResponse(res.status, res.headers, await res.text());
    },
    raw(method, path, headers, body) {
      return new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(toResponse(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString('utf8'))));
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    async register(email = `trader-${++emails}@example.com`) {
      const res = await h.call('POST', '/auth/register', { body: { email, password: PASSWORD } });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
      return { token: res.body.token as string, userId: res.body.user.id as number, email };
    },
    async connectPaper(token) {
      const res = await h.call('POST', '/broker/connect', { token, body: { broker: 'paper', label: 'Paper', options: PAPER_OPTIONS } });
      if (res.status !== 201) throw new Error(`connect failed: ${res.status} ${res.text}`);
      return res.body.id as number;
    },
    createStrategy(token, accountId, body = {}) {
      return h.call('POST', '/strategy/create', {
        token,
        body: { broker_account_id: accountId, symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:05', sell_time: '09:10', stop_loss: 95, ...body },
      });
    },
    upgradeStatus(headers) {
      const { origin, ...rest } = headers;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/events`, { headers: rest, ...(origin === undefined ? {} : { origin }) });
      return new Promise((resolve, reject) => {
        ws.on('error', () => {});
        ws.on('unexpected-response', (_req, res) => {
          res.resume();
          ws.terminate();
          resolve(res.statusCode ?? 0);
        });
        ws.on('open', () => {
          ws.terminate();
          resolve(101);
        });
        setTimeout(() => reject(new Error('no answer to the upgrade')), 5_000).unref();
      });
    },
    openSocket({ token, origin = base, authMessage = true }) {
      const headers: Record<string, string> = {};
      // A browser (Origin set) signs in by message; any other client by header.
      if (token && origin === null) headers.authorization = `Bearer ${token}`;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/events`, { headers, ...(origin === null ? {} : { origin }) });
      sockets.add(ws);
      const messages: unknown[] = [];
      const waiters: Array<{ pred: (m: unknown) => boolean; resolve: (m: unknown) => void }> = [];
      ws.on('message', (data) => {
        const text = String(data);
        received.push(text);
        const m = JSON.parse(text) as unknown;
        messages.push(m);
        for (const w of [...waiters]) {
          if (w.pred(m)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(m);
          }
        }
      });
      const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
      return new Promise((resolve, reject) => {
        ws.on('unexpected-response', (_req, res) => {
          reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }));
          res.resume();
          ws.terminate();
        });
        ws.on('error', (err) => reject(err));
        ws.on('open', () => {
          if (token && origin !== null && authMessage) ws.send(JSON.stringify({ type: 'auth', token }));
          resolve({
            ws,
            messages,
            closed,
            waitFor(pred, timeoutMs = 5_000) {
              const found = messages.find(pred);
              if (found !== undefined) return Promise.resolve(found);
              return new Promise((res, rej) => {
                const w = { pred, resolve: (m: unknown) => (clearTimeout(timer), res(m)) };
                const timer = setTimeout(() => {
                  waiters.splice(waiters.indexOf(w), 1);
                  rej(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(messages.map((x) => (x as { type: string }).type))}`));
                }, timeoutMs);
                waiters.push(w);
              });
            },
          });
        });
      });
    },
    async advanceTo(iso) {
      await clock.advanceTo(Date.parse(iso));
      await engine.idle();
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await app.close();
      await notify.stop();
      await engine.stop();
      await runtime.close();
      db.close();
    },
  };
  return h;
}
