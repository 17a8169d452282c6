/**
 * The crash soak: the daemon as a child process, trading on an Alpaca account pointed at the
 * Alpaca fake in another process, killed with SIGKILL at random moments and at every named crash
 * point, restarted each time.
 *
 * Mixed with the kills, every cycle plays the cases of invariants 8 and 9 through the daemon's HTTP
 * API, as a trader would:
 *
 * - edit after STOP: one strategy, its BUY filled and its SELL ahead, is stopped (its exit held at
 *   the broker, so the run is surely unfinished) and then edited to another symbol: 409 expected.
 * - PATCH racing START: another strategy gets a PATCH (symbol or qty) and its START at once;
 *   either may go first, but what START armed is what is bought, and what is sold.
 * - a 429 storm on the exits: just before the SELL, POST /v2/orders answers 429 (not processed)
 *   more times than the adapter waits out, so at least one exit comes back "not placed yet" and
 *   is placed again by the engine under the same client order id.
 * - a refused exit: just before the SELL, one POST /v2/orders is answered 422 without being
 *   processed; the adapter finds no such order and reports a refusal that may pass, and the engine
 *   sells with attempt 2 under its own client order id.
 *
 * The broker's own record is the judge, per strategy and trading day: exactly one BUY, for the
 * symbol and quantity the strategy had when START armed it; exit orders (a refused attempt and a
 * filled one) whose filled quantities sum to exactly the bought quantity; every order for the
 * bought symbol; no client order id accepted twice. Then every journal row resolved, and PRAGMA
 * integrity_check ok at the end.
 *
 * Every run must be over a minute after its SELL; a late cycle is waited for longer (the first up to
 * three minutes) before the next one starts, so its orders do not meet the next cycle's kill and
 * faults, and the problem line says what the broker holds.
 *
 * When the soak finds a problem (or fails), it keeps its data dir — the database, the daemon's log
 * (logs/tradeclock.log), every daemon's stdout and stderr (soak-daemons.log) and the fake's record
 * of every placement, order and request (soak-broker.json) — and says where; otherwise it removes it.
 *
 * Used by tests/integration/crash-soak.test.ts (a short run in CI) and scripts/soak.ts (long runs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seededUniform } from '../../engine/brokers/paper/paper-random';
import { DEFAULT_ALPACA_TIMING } from '../../engine/brokers/alpaca/alpaca-config';
import { firstLine, startDaemonProcess, TSX, type Daemon } from '../support/daemon-process';
import { CRASH_POINTS } from '../../engine/execution/crash-points';
import { parseClientOrderId } from '../../engine/core/ids';

const root = join(import.meta.dirname, '..', '..');

/** How many 429s the Alpaca adapter waits out before it answers "not placed yet" (alpaca-rest.ts). */
const RATE_LIMIT_RETRIES = DEFAULT_ALPACA_TIMING.rateLimitRetries;

export interface SoakOptions {
  readonly cycles: number;
  readonly strategiesPerCycle: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
  /** The daemon's log level; default 'info', so a kept data dir has a log worth reading. */
  readonly logLevel?: string;
  /** Keep the data dir even when nothing was found. */
  readonly keepDataDir?: boolean;
}

export interface SoakReport {
  readonly cycles: number;
  readonly strategies: number;
  readonly kills: { readonly random: number; readonly crashPoints: Readonly<Record<string, number>> };
  readonly restarts: number;
  readonly ordersAtBroker: {
    readonly buys: number;
    /** Exit orders the broker holds (every attempt it accepted). */
    readonly exitOrders: number;
    /** Positions closed in full at the broker. */
    readonly exitedPositions: number;
    /** Exit orders at the broker by attempt ("1" is the `X` id, "2".."9" the digit). */
    readonly exitAttempts: Readonly<Record<string, number>>;
    /** Placements the broker refused as a reused client order id (a resend of an order it has). */
    readonly refusedResends: number;
    /** Placements an injected fault kept from the broker's desk (429, 422 not processed). */
    readonly faulted: number;
  };
  /** Edit after STOP: a PATCH while the stopped strategy's exit is in flight. */
  readonly editsAfterStop: {
    readonly refused: number;
    /** 200, but the run was over (its exit filled) before the PATCH was sent: allowed. */
    readonly acceptedAfterRunOver: number;
    /** The BUY had not filled in time (a kill, a crash point), so the case was not played. */
    readonly skipped: number;
  };
  /** PATCH racing START: which one the daemon served first. */
  readonly patchStartRaces: { readonly patchFirst: number; readonly startFirst: number };
  /** 429 storms on POST /v2/orders just before a SELL. */
  readonly storms: {
    readonly injected: number;
    /** 429s that hit an exit. */
    readonly rateLimitedExits: number;
    /** Exits the adapter gave up on (more 429s than it waits out) and the engine placed again under the same id. */
    readonly placedAgain: number;
    /** Storms after which an exit was placed again and every run of the cycle ended in time. */
    readonly survived: number;
    /** Not injected: a position of the cycle was not open in time for the fault to hit only exits. */
    readonly skipped: number;
  };
  /** One 422 (not processed) on POST /v2/orders just before a SELL. */
  readonly refusedExits: {
    readonly injected: number;
    /** The refusal hit an exit, and a later attempt of that exit was accepted. */
    readonly retriedAsNewAttempt: number;
    readonly skipped: number;
  };
  readonly duplicates: number;
  readonly lostExits: number;
  /** Orders for another symbol than the one bought, or a BUY unlike what START armed. */
  readonly wrongOrders: number;
  readonly missedBuys: number;
  readonly unresolvedOrders: number;
  readonly problems: readonly string[];
  readonly integrity: string;
  readonly seconds: number;
  /** Where the data dir was kept (a problem, a failure, or keepDataDir); null when it was removed. */
  readonly kept: { readonly dataDir: string; readonly daemonLog: string; readonly daemonOutput: string; readonly brokerRecord: string } | null;
}

interface Fake {
  readonly proc: ChildProcess;
  readonly restUrl: string;
  readonly tradeStreamUrl: string;
  readonly dataStreamUrl: string;
  readonly adminUrl: string;
  readonly credentials: { key_id: string; secret_key: string };
}

/** An order as the fake lists it (GET /__fake/orders), the fields the judge reads. */
interface BrokerOrder {
  readonly client_order_id: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly status: string;
  readonly qty: string;
  readonly filled_qty: string;
  readonly created_at: string;
  readonly filled_at: string | null;
}

/** One POST /v2/orders as the fake received it (GET /__fake/received). */
interface Received {
  readonly clientOrderId: string | null;
  readonly side: string | null;
  readonly symbol: string | null;
  readonly outcome: string;
}

interface Http {
  readonly status: number;
  readonly body: any;
}

/** A fault injected before a cycle's SELL. */
interface Injection {
  readonly kind: 'storm' | 'refusal';
  readonly cycle: number;
  /** Index in the fake's received list at injection, and at the end of its cycle. */
  readonly from: number;
  to?: number;
  readonly times: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

async function startFake(): Promise<Fake> {
  const proc = spawn(process.execPath, [...TSX, join(root, 'tests/fakes/alpaca/run.ts')], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const json = await firstLine(proc, (l) => (l.startsWith('{') ? l : null), 'alpaca fake');
  return { proc, ...(JSON.parse(json) as Omit<Fake, 'proc'>) };
}

function soakDaemon(dataDir: string, crashPoint: string | null, logLevel: string): Promise<Daemon> {
  return startDaemonProcess(
    dataDir,
    {
      TRADECLOCK_PASSPHRASE: 'crash-soak passphrase, not a secret',
      TRADECLOCK_TEST_HOOKS: '1',
      TRADECLOCK_TEST_CALENDAR: 'always-open',
      TRADECLOCK_CRASH_POINT: crashPoint ?? '',
    },
    logLevel,
  );
}

/** One request to the daemon; throws only when no answer came (the daemon is down). */
async function request(base: string, method: string, path: string, token: string | null, body?: unknown): Promise<Http> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

async function call(daemon: Daemon, method: string, path: string, token: string | null, body?: unknown): Promise<any> {
  const res = await request(daemon.url, method, path, token, body);
  if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function admin(fake: Fake, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${fake.adminUrl}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  const json = await res.json();
  if (!res.ok) throw new Error(`fake ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function brokerOrders(fake: Fake): Promise<BrokerOrder[]> {
  const byKey: Record<string, BrokerOrder[]> = await admin(fake, 'GET', '/orders');
  return Object.values(byKey).flat();
}

const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const DAY_OVER = new Set(['SOLD', 'EXITED_BY_SL', 'MISSED_BUY', 'SKIPPED', 'STOPPED']);
/** Orders the fake holds open: 'hold' behaviour (the edit-after-STOP case) leaves an order `new`. */
const HELD = new Set(['accepted', 'new']);
const SYMBOLS = ['AAPL', 'MSFT', 'IBM', 'SPY'];
/** The edit-after-STOP case starts at least this long before the SELL, so its exit is out before the faults go in. */
const EDIT_BEFORE_SELL_MS = 1_200;
/** A refusal that may pass (placement-refusal.ts: not lasting), answered without processing. */
const REFUSAL = { kind: 'status', status: 422, body: { code: 42210000, message: 'order could not be placed: the price is outside the allowed band, try again' } };

export async function runCrashSoak(opts: SoakOptions): Promise<SoakReport> {
  const log = opts.log ?? (() => {});
  const logLevel = opts.logLevel ?? 'info';
  const rand = seededUniform(opts.seed, 'crash-soak');
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeclock-soak-'));
  const daemonOutput = join(dataDir, 'soak-daemons.log');
  const brokerRecord = join(dataDir, 'soak-broker.json');
  const fake = await startFake();
  let daemonNo = 0;
  let daemon!: Daemon;
  const launch = async (crashPoint: string | null) => {
    daemonNo++;
    appendFileSync(daemonOutput, `=== daemon #${daemonNo}${crashPoint ? ` crash point ${crashPoint}` : ''} starting at ${new Date().toISOString()}\n`);
    try {
      daemon = await soakDaemon(dataDir, crashPoint, logLevel);
    } catch (err) {
      appendFileSync(daemonOutput, `=== daemon #${daemonNo} did not start: ${err instanceof Error ? err.message : String(err)}\n`);
      throw err;
    }
    appendFileSync(daemonOutput, `=== daemon #${daemonNo} ready at ${daemon.url}\n`);
  };
  /** Appends what the daemon wrote (its stdout log lines, its stderr tail) to soak-daemons.log. */
  const saveOutput = (d: Daemon, no: number) => {
    appendFileSync(daemonOutput, `=== daemon #${no} ended (${d.proc.exitCode ?? d.proc.signalCode}); stdout:\n${d.stdout.join('\n')}\n=== daemon #${no} stderr (last 4000 chars):\n${d.stderr()}\n`);
    d.stdout.length = 0;
  };
  let restarts = 0;
  const kills = { random: 0, crashPoints: Object.fromEntries(CRASH_POINTS.map((p) => [p, 0])) as Record<string, number> };
  const problems: string[] = [];
  const strategyIds: number[] = [];
  /** What START armed, per strategy (its answer): what the BUY must be. */
  const armed = new Map<number, { symbol: string; qty: number }>();
  const injections: Injection[] = [];
  /** Cycles whose runs did not all end before the deadline. */
  const lateCycles = new Set<number>();
  const editsAfterStop = { refused: 0, acceptedAfterRunOver: 0, skipped: 0 };
  const patchStartRaces = { patchFirst: 0, startFirst: 0 };
  let stormsSkipped = 0;
  let refusalsSkipped = 0;
  let missedBuys = 0;
  let failed = true;

  /** The slowest restart so far (kill to ready): a loaded machine needs a longer cycle for its cases. */
  let slowestRestartMs = 0;
  const restart = async (crashPoint: string | null) => {
    const t0 = Date.now();
    const old = daemon;
    if (old.proc.exitCode === null && old.proc.signalCode === null) old.proc.kill('SIGKILL');
    await old.exited;
    saveOutput(old, daemonNo);
    await launch(crashPoint);
    restarts++;
    slowestRestartMs = Math.max(slowestRestartMs, Date.now() - t0);
  };

  try {
    await launch(null);
    const email = `soak-${opts.seed}@example.com`;
    const { token } = await call(daemon!, 'POST', '/auth/register', null, { email, password: 'crash soak password' });
    const account = await call(daemon!, 'POST', '/broker/connect', token, {
      broker: 'alpaca',
      label: 'Alpaca (fake)',
      credentials: fake.credentials,
      options: { paper: true, rest_url: fake.restUrl, trade_stream_url: fake.tradeStreamUrl, data_stream_url: fake.dataStreamUrl },
    });

    /** A request to whichever daemon runs now, tried again while none answers (killed, restarting) until `until`. */
    const alive = async (method: string, path: string, body?: unknown, until = Date.now() + 30_000): Promise<Http> => {
      for (;;) {
        try {
          return await request(daemon.url, method, path, token, body);
        } catch (err) {
          if (Date.now() > until) throw err;
          await sleep(150);
        }
      }
    };
    const runState = async (id: number, until?: number): Promise<string | null> => {
      const res = await alive('GET', `/strategy/${id}`, undefined, until);
      return res.status === 200 ? (res.body?.runtime?.state ?? null) : null;
    };

    /** Fills every order the fake has held open for more than `olderThanMs` (the 'hold' of an edit-after-STOP). */
    const releaseHeld = async (olderThanMs: number, strategyId?: number): Promise<number> => {
      let n = 0;
      for (const o of await brokerOrders(fake)) {
        if (!HELD.has(o.status) || Date.now() - Date.parse(o.created_at) < olderThanMs) continue;
        if (strategyId !== undefined && parseClientOrderId(o.client_order_id).strategyId !== strategyId) continue;
        await admin(fake, 'POST', '/fill', { client_order_id: o.client_order_id });
        n++;
      }
      return n;
    };

    /** The broker's orders of these strategies, in a few words, for a problem line. */
    const brokerView = async (ids: readonly number[]): Promise<string> => {
      const mine = (await brokerOrders(fake)).filter((o) => ids.includes(parseClientOrderId(o.client_order_id).strategyId));
      return mine.map((o) => `${o.client_order_id} ${o.side} ${o.symbol} ${o.status} ${o.filled_qty}/${o.qty}${o.filled_at ? ` at ${o.filled_at.slice(11, 23)}` : ''}`).join(', ') || 'no orders';
    };

    /**
     * Edit after STOP (invariant 8): the BUY filled and the SELL ahead, STOP (its exit held open at
     * the broker, so the run is surely unfinished), then PATCH another symbol: 409. A 200 is allowed
     * only if the exit had filled, so the run was over, by the time the PATCH was answered.
     */
    const editAfterStop = async (cycle: number, id: number, all: readonly number[], symbol: string, sellAt: number): Promise<void> => {
      // Every BUY of the cycle settled (none armed or in flight), so the next order the desk accepts is this STOP's exit.
      let states: (string | null)[] = [];
      while (Date.now() < sellAt - EDIT_BEFORE_SELL_MS) {
        states = await Promise.all(all.map((x) => runState(x, sellAt).catch(() => null)));
        if (states.every((s) => s !== null && s !== 'ARMED' && s !== 'BUYING')) break;
        await sleep(100);
      }
      const state = states[all.indexOf(id)];
      if (state !== 'IN_POSITION' || Date.now() >= sellAt - EDIT_BEFORE_SELL_MS) {
        editsAfterStop.skipped++;
        log(`cycle ${cycle}: edit after STOP not played (runs ${states.join(', ')} ${sellAt - Date.now()} ms before the SELL)`);
        return;
      }
      await admin(fake, 'POST', '/behavior', { behavior: 'hold', once: true });
      const stop = await alive('POST', '/strategy/stop', { strategy_id: id });
      // A STOP sent again after the daemon died before replying finds the strategy stopped already.
      if (stop.status !== 200 && !(stop.status === 409 && /not running/.test(JSON.stringify(stop.body)))) {
        problems.push(`cycle ${cycle}: strategy ${id}: STOP with its position open → ${stop.status} ${JSON.stringify(stop.body)}`);
      }
      const other = SYMBOLS.find((s) => s !== symbol)!;
      const patch = await alive('PATCH', `/strategy/${id}`, { symbol: other });
      const answeredAt = Date.now();
      if (patch.status === 409) editsAfterStop.refused++;
      else if (patch.status === 200) {
        const exits = (await brokerOrders(fake)).filter((o) => parseClientOrderId(o.client_order_id).strategyId === id && o.side === 'sell');
        const overBefore = exits.some((o) => o.status === 'filled' && o.filled_at !== null && Date.parse(o.filled_at) <= answeredAt) && !exits.some((o) => HELD.has(o.status));
        if (overBefore) editsAfterStop.acceptedAfterRunOver++;
        else problems.push(`cycle ${cycle}: strategy ${id}: PATCH {symbol: ${other}} after STOP accepted (200) while its exit was still open at the broker (${exits.map((o) => `${o.client_order_id} ${o.status}`).join(', ') || 'no exit yet'})`);
      } else {
        problems.push(`cycle ${cycle}: strategy ${id}: PATCH after STOP → ${patch.status} ${JSON.stringify(patch.body)} (expected 409)`);
      }
      // Let the held exit fill (if another order took the hold, the cycle's sweep fills that one).
      for (const until = Date.now() + 3_000; Date.now() < until; await sleep(100)) {
        if ((await releaseHeld(0, id)) > 0) break;
        const mine = (await brokerOrders(fake)).filter((o) => parseClientOrderId(o.client_order_id).strategyId === id && o.side === 'sell');
        if (mine.some((o) => o.status === 'filled')) break;
      }
    };

    /**
     * Invariant 9 at the broker's door: between the BUY and the SELL, once every position of the
     * cycle that will SELL is open and nothing else is in flight (so the fault can hit exits only),
     * the next POST /v2/orders answer 429 more often than the adapter waits out (`storm`), or the
     * next one 422 without the desk processing it (`refusal`). The SELL's exits meet them.
     */
    const injectBeforeSell = async (cycle: number, kind: 'storm' | 'refusal', all: readonly number[], sellAt: number): Promise<void> => {
      // Open positions waiting for their SELL, every other run over (the stopped one): no BUY and no exit in flight.
      let sellers = 0;
      let ready = false;
      while (!ready && Date.now() < sellAt - 300) {
        try {
          const states = await Promise.all(all.map((id) => request(daemon.url, 'GET', `/strategy/${id}`, token)));
          ready = states.every((s) => s.status === 200 && (s.body?.runtime?.state === 'IN_POSITION' || DAY_OVER.has(s.body?.runtime?.state)));
          sellers = states.filter((s) => s.body?.runtime?.state === 'IN_POSITION').length;
        } catch {
          ready = false; // the daemon is down (a kill): wait for it and its recovery
        }
        if (!ready) await sleep(100);
      }
      if (!ready || sellers === 0 || Date.now() > sellAt - 300) {
        log(`cycle ${cycle}: ${kind} not injected (${ready ? `${sellers} open positions` : 'runs not ready or daemon down'}, ${sellAt - Date.now()} ms before the SELL)`);
        if (kind === 'storm') stormsSkipped++;
        else refusalsSkipped++;
        return;
      }
      const from = ((await admin(fake, 'GET', '/received')) as Received[]).length;
      // Each exit's placement waits out RATE_LIMIT_RETRIES 429s and gives up on the next: with one
      // more than sellers × retries, at least one exit comes back "not placed yet", whatever the interleaving.
      const times = kind === 'storm' ? sellers * RATE_LIMIT_RETRIES + 1 : 1;
      const fault = kind === 'storm' ? { kind: 'rate-limit', resetInMs: 300 } : REFUSAL;
      await admin(fake, 'POST', '/faults', { route: 'POST /v2/orders', fault, times });
      injections.push({ kind, cycle, from, times });
    };

    for (let cycle = 0; cycle < opts.cycles; cycle++) {
      // The first cycles go through every named crash point; the rest kill at a random moment.
      const crashPoint = cycle < CRASH_POINTS.length ? `${CRASH_POINTS[cycle]}:${1 + Math.floor(rand() * opts.strategiesPerCycle)}` : null;
      if (crashPoint) await restart(crashPoint);
      while (new Date(Date.now() + 25_000).getUTCDate() !== new Date().getUTCDate()) await sleep(1_000); // no run across UTC midnight
      // A whole second, with time to create and start every strategy of the cycle before it (~20 ms each here).
      const buyAt = Math.ceil((Date.now() + opts.strategiesPerCycle * 40) / 1000) * 1000 + 4_000;
      // Room after the BUY for a restart (a crash point kills at the BUY) and recovery before the
      // edit-after-STOP case and the faults: 5 s on a quiet machine, more where restarts are slow.
      const sellAt = buyAt + Math.min(15_000, Math.max(5_000, slowestRestartMs + 3_500));
      const ids: number[] = [];
      const symbolOf = new Map<number, string>();
      for (let j = 0; j < opts.strategiesPerCycle; j++) {
        const symbol = SYMBOLS[(j + cycle) % SYMBOLS.length]!;
        const s = await call(daemon!, 'POST', '/strategy/create', token, {
          broker_account_id: account.id,
          symbol,
          exchange: 'NYSE',
          qty: 1 + (j % 3),
          buy_time: hhmmss(buyAt),
          sell_time: hhmmss(sellAt),
          stop_loss: 1,
          timezone: 'UTC',
        });
        ids.push(s.id);
        symbolOf.set(s.id, symbol);
      }
      // Roles: the first strategy's START races a PATCH; the second is stopped and edited; the rest just trade.
      const racer = ids[0]!;
      const stopped = ids.length > 1 ? ids[1]! : null;
      for (const id of ids) {
        if (id !== racer) {
          const s = await call(daemon!, 'POST', '/strategy/start', token, { strategy_id: id });
          armed.set(id, { symbol: s.symbol, qty: s.qty });
          continue;
        }
        // PATCH racing START (invariant 8): either order is fine, but START arms one consistent strategy.
        const patchBody = cycle % 2 === 0 ? { symbol: SYMBOLS.find((x) => x !== symbolOf.get(id))! } : { qty: 7 };
        const send = [() => request(daemon.url, 'PATCH', `/strategy/${id}`, token, patchBody), () => request(daemon.url, 'POST', '/strategy/start', token, { strategy_id: id })];
        const first = rand() < 0.5 ? 0 : 1;
        const answers = await Promise.all([send[first]!(), send[1 - first]!()]);
        const [patch, start] = first === 0 ? answers : [answers[1]!, answers[0]!];
        if (start.status !== 200) {
          problems.push(`cycle ${cycle}: strategy ${id}: START racing a PATCH → ${start.status} ${JSON.stringify(start.body)}`);
          // Arm it all the same, so the cycle goes on and the rest is judged.
          const again = await call(daemon!, 'POST', '/strategy/start', token, { strategy_id: id });
          armed.set(id, { symbol: again.symbol, qty: again.qty });
          continue;
        }
        armed.set(id, { symbol: start.body.symbol, qty: start.body.qty });
        const patched = Object.entries(patchBody).every(([k, v]) => start.body[k] === v);
        if (patch.status === 200) {
          patchStartRaces.patchFirst++;
          if (!patched) problems.push(`cycle ${cycle}: strategy ${id}: PATCH ${JSON.stringify(patchBody)} accepted, yet START armed ${start.body.symbol} × ${start.body.qty}: the edit landed on a running strategy`);
        } else if (patch.status === 409) {
          patchStartRaces.startFirst++;
          if (patched) problems.push(`cycle ${cycle}: strategy ${id}: PATCH refused, yet START armed the patched ${JSON.stringify(patchBody)}`);
        } else {
          problems.push(`cycle ${cycle}: strategy ${id}: PATCH racing START → ${patch.status} ${JSON.stringify(patch.body)}`);
        }
      }
      strategyIds.push(...ids);

      // The cases of the cycle run alongside the kill below, against whichever daemon is up.
      // Storms and refusals take turns; one that could not be injected (a kill at the wrong moment) goes first next cycle.
      const storms = injections.filter((i) => i.kind === 'storm').length;
      const refusals = injections.length - storms;
      const faultKind = storms < refusals ? 'storm' : refusals < storms ? 'refusal' : cycle % 2 === 0 ? 'refusal' : 'storm';
      const cases = (async () => {
        if (stopped !== null) await editAfterStop(cycle, stopped, ids, armed.get(stopped)!.symbol, sellAt);
        await injectBeforeSell(cycle, faultKind, ids, sellAt);
      })().catch((err: unknown) => {
        problems.push(`cycle ${cycle}: a case failed to run: ${err instanceof Error ? err.message : String(err)}`);
      });

      if (crashPoint) {
        // The daemon kills itself at the crash point (if the cycle reaches it); bring it back.
        await Promise.race([daemon!.exited, sleep(sellAt - Date.now() + 2_000)]);
        if (daemon!.proc.signalCode === 'SIGKILL') kills.crashPoints[crashPoint.split(':')[0]!]!++;
        log(`cycle ${cycle}: ${daemon!.proc.signalCode === 'SIGKILL' ? 'died at its crash point' : 'killed'} ${Date.now() - buyAt} ms after the BUY time`);
        await restart(null);
      } else {
        await sleep(Math.floor(rand() * (sellAt - Date.now() + 1_000)));
        kills.random++;
        log(`cycle ${cycle}: killed ${Date.now() - buyAt} ms after the BUY time`);
        await restart(null);
      }
      log(`cycle ${cycle}: daemon back ${Date.now() - buyAt} ms after the BUY time`);
      await cases;

      // A minute after the SELL every run must be over. A late cycle is waited for a while longer
      // (the first one up to 3 minutes, to tell slow from stuck), so the next cycle's kill, restart
      // and faults do not meet its orders; a restart would also hide what kept it.
      const deadline = sellAt + 60_000;
      const giveUpAt = sellAt + (lateCycles.size === 0 ? 180_000 : 60_000);
      let lastSweep = 0;
      for (;;) {
        const runs = await Promise.all(ids.map((id) => call(daemon!, 'GET', `/strategy/${id}`, token)));
        const over = (s: any) => s.runtime && (DAY_OVER.has(s.runtime.state) || (s.runtime.state === 'ERROR' && s.runtime.position_qty === 0));
        if (runs.every(over)) {
          missedBuys += runs.filter((s) => s.runtime.state === 'MISSED_BUY' || s.runtime.state === 'ERROR').length;
          if (lateCycles.has(cycle)) problems.push(`cycle ${cycle}: runs over ${Math.round((Date.now() - sellAt) / 1000)} s after the SELL, with no restart in between`);
          break;
        }
        if (Date.now() > deadline && !lateCycles.has(cycle)) {
          lateCycles.add(cycle);
          const late = runs.filter((s) => !over(s));
          const atBroker = await brokerView(late.map((s) => s.id));
          problems.push(`cycle ${cycle}: runs not over a minute after the SELL: ${runs.map((s) => `${s.id}=${s.runtime?.state}`).join(', ')}; at the broker: ${atBroker}`);
          log(problems.at(-1)!);
        }
        if (Date.now() > giveUpAt) {
          problems.push(`cycle ${cycle}: runs still not over ${Math.round((Date.now() - sellAt) / 1000)} s after the SELL, with no restart in between: ${runs.map((s) => `${s.id}=${s.runtime?.state}`).join(', ')}; the soak goes on`);
          break;
        }
        // An order held open by the edit-after-STOP case that went to another order than its exit.
        if (Date.now() - lastSweep > 1_000) {
          lastSweep = Date.now();
          await releaseHeld(1_000);
        }
        await sleep(250);
      }
      const receivedNow = ((await admin(fake, 'GET', '/received')) as Received[]).length;
      for (const inj of injections) if (inj.cycle === cycle) inj.to = receivedNow;
      log(`cycle ${cycle + 1}/${opts.cycles}${crashPoint ? ` crash point ${crashPoint}` : ' random kill'} done (${faultKind})`);
    }

    // The judge: the broker's own record.
    const received: Received[] = await admin(fake, 'GET', '/received');
    const orders = await brokerOrders(fake);
    const per = new Map<string, { strategyId: number; day: string; buys: BrokerOrder[]; exits: BrokerOrder[] }>();
    const exitAttempts: Record<string, number> = {};
    for (const o of orders) {
      const parsed = parseClientOrderId(o.client_order_id);
      const key = `${parsed.strategyId}/${parsed.tradingDate}`;
      const entry = per.get(key) ?? { strategyId: parsed.strategyId, day: parsed.tradingDate, buys: [], exits: [] };
      if (parsed.slot === 'entry') entry.buys.push(o);
      else {
        entry.exits.push(o);
        exitAttempts[parsed.attempt] = (exitAttempts[parsed.attempt] ?? 0) + 1;
      }
      per.set(key, entry);
    }
    let duplicates = 0;
    let lostExits = 0;
    let wrongOrders = 0;
    let buys = 0;
    let exitOrders = 0;
    let exitedPositions = 0;
    const seen = new Set<number>(strategyIds);
    for (const { strategyId } of per.values()) {
      if (!seen.has(strategyId)) problems.push(`strategy ${strategyId}: orders at the broker for a strategy the soak never made`);
    }
    for (const { strategyId: id, day, buys: b, exits: x } of per.values()) {
      const tag = `strategy ${id} on ${day}`;
      buys += b.length;
      exitOrders += x.length;
      if (b.length > 1) {
        duplicates += b.length - 1;
        problems.push(`${tag}: ${b.length} BUYs at the broker (${b.map((o) => o.client_order_id).join(', ')})`);
      }
      const bought = b.reduce((n, o) => n + Number(o.filled_qty), 0);
      const sold = x.reduce((n, o) => n + Number(o.filled_qty), 0);
      if (bought !== sold) {
        lostExits++;
        problems.push(`${tag}: bought ${bought}, sold ${sold} at the broker after its SELL time (exits: ${x.map((o) => `${o.client_order_id} ${o.status} ${o.filled_qty}/${o.qty}`).join(', ') || 'none'})`);
      } else if (bought > 0) exitedPositions++;
      // Every order for the symbol bought; the BUY as START armed it.
      const symbol = b[0]?.symbol;
      const wrong = [...b, ...x].filter((o) => o.symbol !== symbol);
      if (symbol === undefined && x.length > 0) {
        wrongOrders += x.length;
        problems.push(`${tag}: exits with no BUY at the broker: ${x.map((o) => `${o.client_order_id} ${o.symbol}`).join(', ')}`);
      } else if (wrong.length > 0) {
        wrongOrders += wrong.length;
        problems.push(`${tag}: bought ${symbol}, yet ${wrong.map((o) => `${o.client_order_id} ${o.side} ${o.symbol}`).join(', ')}`);
      }
      const want = armed.get(id);
      if (want && b[0] && (b[0].symbol !== want.symbol || Number(b[0].qty) !== want.qty)) {
        wrongOrders++;
        problems.push(`${tag}: START armed ${want.symbol} × ${want.qty}, the BUY was ${b[0].symbol} × ${b[0].qty}`);
      }
    }
    // No client order id placed twice: the broker accepts each id once.
    const acceptedIds = new Map<string, number>();
    for (const r of received) if (r.outcome === 'accepted' && r.clientOrderId) acceptedIds.set(r.clientOrderId, (acceptedIds.get(r.clientOrderId) ?? 0) + 1);
    for (const [cid, n] of acceptedIds) {
      if (n > 1) {
        duplicates += n - 1;
        problems.push(`client order id ${cid} accepted ${n} times`);
      }
    }

    // What the injected faults did, from the fake's record of every placement after each injection.
    const storms = { injected: 0, rateLimitedExits: 0, placedAgain: 0, survived: 0, skipped: stormsSkipped };
    const refusedExits = { injected: 0, retriedAsNewAttempt: 0, skipped: refusalsSkipped };
    for (const inj of injections) {
      const after = received.slice(inj.from, inj.to);
      const faulted = after.filter((r) => r.outcome.startsWith('not processed'));
      const hitBuys = faulted.filter((r) => r.clientOrderId && parseClientOrderId(r.clientOrderId).slot === 'entry');
      if (hitBuys.length > 0) problems.push(`cycle ${inj.cycle}: the ${inj.kind} meant for exits hit BUYs: ${hitBuys.map((r) => r.clientOrderId).join(', ')}`);
      if (inj.kind === 'storm') {
        storms.injected++;
        const limited = faulted.filter((r) => r.outcome === 'not processed (rate-limit)' && r.clientOrderId && parseClientOrderId(r.clientOrderId).slot === 'exit');
        storms.rateLimitedExits += limited.length;
        const perId = new Map<string, number>();
        for (const r of limited) perId.set(r.clientOrderId!, (perId.get(r.clientOrderId!) ?? 0) + 1);
        // More 429s than one placement waits out, then accepted: the engine placed it again under the same id.
        const again = [...perId].filter(([cid, n]) => n > RATE_LIMIT_RETRIES && after.some((r) => r.clientOrderId === cid && r.outcome === 'accepted')).length;
        storms.placedAgain += again;
        if (again > 0 && !lateCycles.has(inj.cycle)) storms.survived++;
      } else {
        refusedExits.injected++;
        for (const r of faulted) {
          const p = r.clientOrderId ? parseClientOrderId(r.clientOrderId) : null;
          if (!p || p.slot !== 'exit') continue;
          const next = after.some((o) => {
            const q = o.clientOrderId ? parseClientOrderId(o.clientOrderId) : null;
            return q?.slot === 'exit' && q.strategyId === p.strategyId && q.tradingDate === p.tradingDate && q.attempt > p.attempt && o.outcome === 'accepted';
          });
          if (next) refusedExits.retriedAsNewAttempt++;
        }
      }
    }

    let unresolvedOrders = 0;
    for (const id of strategyIds) {
      const { orders: journal } = await call(daemon!, 'GET', `/strategy/${id}/orders`, token);
      for (const o of journal as Array<{ status: string; client_order_id: string }>) {
        if (!['filled', 'rejected', 'cancelled'].includes(o.status)) {
          unresolvedOrders++;
          problems.push(`strategy ${id}: journal row ${o.client_order_id} still ${o.status}`);
        }
      }
    }
    daemon!.proc.kill('SIGTERM');
    await daemon!.exited;
    const db = new Database(join(dataDir, 'tradeclock.sqlite'), { readonly: true });
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    db.close();
    if (integrity !== 'ok') problems.push(`integrity_check: ${integrity}`);
    failed = false;
    const keep = problems.length > 0 || opts.keepDataDir === true;
    return {
      cycles: opts.cycles,
      strategies: strategyIds.length,
      kills,
      restarts,
      ordersAtBroker: {
        buys,
        exitOrders,
        exitedPositions,
        exitAttempts,
        refusedResends: received.filter((r) => /client_order_id must be unique/.test(r.outcome)).length,
        faulted: received.filter((r) => r.outcome.startsWith('not processed')).length,
      },
      editsAfterStop,
      patchStartRaces,
      storms,
      refusedExits,
      duplicates,
      lostExits,
      wrongOrders,
      missedBuys,
      unresolvedOrders,
      problems,
      integrity,
      seconds: Math.round((Date.now() - started) / 1000),
      kept: keep ? { dataDir, daemonLog: join(dataDir, 'logs', 'tradeclock.log'), daemonOutput, brokerRecord } : null,
    };
  } finally {
    const d = daemon as Daemon | undefined;
    if (d) {
      if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill('SIGKILL');
      await d.exited;
      saveOutput(d, daemonNo);
    }
    const keep = failed || problems.length > 0 || opts.keepDataDir === true;
    if (keep) {
      try {
        const record = { received: await admin(fake, 'GET', '/received'), orders: await admin(fake, 'GET', '/orders'), requests: await admin(fake, 'GET', '/requests') };
        writeFileSync(brokerRecord, JSON.stringify(record, null, 1));
      } catch (err) {
        writeFileSync(brokerRecord, JSON.stringify({ error: `the fake's record could not be read: ${String(err)}` }));
      }
    }
    fake.proc.kill('SIGTERM');
    if (keep) {
      const where = `crash soak${failed ? ' failed' : ` found ${problems.length} problem(s)`}: data dir kept at ${dataDir} (daemon log ${join(dataDir, 'logs', 'tradeclock.log')}, daemons' output ${daemonOutput}, the fake's record ${brokerRecord})`;
      log(where);
      process.stderr.write(`${where}\n`);
    } else {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}
