/**
 * The crash soak: the daemon as a child process, trading on an Alpaca, a Kite or a Binance account
 * pointed at that broker's fake in another process (soak-broker.ts; `broker`, Alpaca by default),
 * killed with SIGKILL at random moments and at every named crash point, restarted each time. At
 * Binance the mix is the longs only, in fractional quantities, each with its backstop (a STOP_LOSS),
 * and the judge weighs each pair's fills with the fees taken in the coin bought (soak-judge.ts
 * FeeInKind).
 *
 * Each cycle trades the strategy mix of soak-mix.ts, rotated by the strategy's index: a long and a
 * short with a time exit, a long whose stop (in points) is crossed, a short whose target is
 * crossed, a long whose trailing stop follows a rise and is crossed on the fall, and a long that
 * re-enters twice after its stop (three legs, each leg's stop crossed). The crossings are the
 * fake's trades, pushed by the soak from each leg's entry fill price at the fake until an exit of
 * that leg has filled there, so every price kind hits its trigger whenever a daemon is up to see
 * it, while the kills stay random.
 *
 * Mixed with the kills, every cycle plays the cases of invariants 8 and 9 through the daemon's HTTP
 * API, as a trader would, on the two time-exit strategies (a long and a short, swapping roles every
 * two cycles); at Kite only the PATCH racing START (its fake cannot hold an order open) and Kite's
 * own faults, both kinds armed before each BUY for the cycle's exits instead of one before the SELL
 * (kite-faults.ts: 429s, an OrderException and an RMS rejection); at Binance the PATCH and the
 * faults (binance-faults.ts). At Kite each cycle also trades a group of option positions
 * (group-kinds.ts), judged per position by group-judge.ts. The cases:
 *
 * - edit after STOP: one strategy, its entry filled and its SELL ahead, is stopped (its exit held at
 *   the broker, so the run is surely unfinished) and then edited to another symbol: 409 expected.
 * - PATCH racing START: another strategy gets a PATCH (symbol or qty) and its START at once;
 *   either may go first, but what START armed is what is entered, and what is exited.
 * - a 429 storm on the exits: just before the SELL, POST /v2/orders (Binance: /api/v3/order)
 *   answers 429 (not processed) more times than the adapter waits out, so at least one exit comes
 *   back "not placed yet" and is placed again by the engine under the same client order id.
 * - a refused exit: just before the SELL, one POST /v2/orders is answered 422 (Binance: -2010
 *   "Market is closed.") without being processed; the adapter reports a refusal that may pass, and
 *   the engine exits with attempt 2 under its own client order id.
 *
 * The broker's own record is the judge (soak-judge.ts), per strategy, trading day and leg: exactly
 * one entry, on the spec's side, as START armed it; every exit on the other side, their fills
 * summing to exactly the entry's; every order for the entered symbol; at most 1 + re-entries legs,
 * each entered after the one before was closed; no client order id accepted twice, each one
 * parseable and at most 20 characters. After each cycle the fake holds no position in any symbol.
 * Then every journal row resolved, every filled exit one the strategy's spec has (counted by kind),
 * each re-entry after an exit its `reentry_after` names, and PRAGMA integrity_check ok at the end.
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
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seededUniform } from '../../engine/brokers/paper/paper-random';
import { startDaemonProcess, type Daemon } from '../support/daemon-process';
import { CRASH_POINTS, GROUP_CRASH_POINTS, type CrashPoint } from '../../engine/execution/crash-points';
import { KINDS, kindOf, reentriesPerCycle, reentryKeys, rolesOf, symbolOf, WAIT_FOR_BACKSTOP_MS, type KindName, type SoakKind } from './soak-mix';
import { startSoakBroker, type SoakBroker, type SoakBrokerName } from './soak-broker';
import { judgeBackstops, judgeBroker, judgeCancelToExit, judgeJournal, legKey, metFault, orderKey, restingBackstops, type Asked, type BrokerOrder, type Downtime, type JournalRow, type Received } from './soak-judge';
import { closedByMtm, groupCreateBody, groupRuns, groupStates, keyOf, mtmCycle, openGroupMarket, playGroupMtm } from './group-kinds';
import { judgeGroups, type GroupAsked, type GroupVerdict } from './group-judge';

export interface SoakOptions {
  /** The broker (and its fake) the soak trades on; Alpaca by default. */
  readonly broker?: SoakBrokerName;
  /** Binance: how long its account's free balance lags a cancel (soak-broker.ts BINANCE_STALE_BALANCE_MS by default). */
  readonly staleBalanceAfterCancelMs?: number;
  /**
   * The crash points the first cycles die at, one entry a cycle; every one (CRASH_POINTS) by
   * default. An entry that lists several dies at each in turn within its cycle, each restart armed
   * with the next (so a short run meets more points in fewer cycles); FIRE_WHILE_DOWN in a list is
   * a kill as soon as a long-backstop's backstop rests, so it fires while no daemon is up. A point
   * dies at a random hit of those its cycle makes, or at the one it names ("after-send:2").
   */
  readonly crashPoints?: ReadonlyArray<CrashPoint | readonly SoakKill[]>;
  readonly cycles: number;
  readonly strategiesPerCycle: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
  /** The daemon's log level; default 'info', so a kept data dir has a log worth reading. */
  readonly logLevel?: string;
  /** Keep the data dir even when nothing was found. */
  readonly keepDataDir?: boolean;
}

/** A kill the soak makes itself within a crash-point cycle: once a long-backstop's backstop rests, so the soak fires it with no daemon up. */
export const FIRE_WHILE_DOWN = 'fire-while-down';
export type SoakKill = CrashPoint | `${CrashPoint}:${number}` | typeof FIRE_WHILE_DOWN;

export interface SoakReport {
  readonly broker: SoakBrokerName;
  readonly cycles: number;
  readonly strategies: number;
  readonly kills: { readonly random: number; readonly crashPoints: Readonly<Record<string, number>> };
  readonly restarts: number;
  /** Strategies per kind of the mix (soak-mix.ts). */
  readonly kinds: Readonly<Record<KindName, number>>;
  readonly ordersAtBroker: {
    /** Entries the broker holds, one per leg entered, and by side (sell: a short). */
    readonly entries: number;
    readonly entriesBySide: { readonly buy: number; readonly sell: number };
    /** Exit orders the broker holds (every attempt it accepted). */
    readonly exitOrders: number;
    /** Legs closed in full at the broker. */
    readonly exitedLegs: number;
    /** Exit orders at the broker by attempt ("1" is the `X` id, "2".."9" the digit). */
    readonly exitAttempts: Readonly<Record<string, number>>;
    /** Strategy-days by how many legs they entered at the broker. */
    readonly legsPerRun: Readonly<Record<string, number>>;
    /** Placements the broker refused as a reused client order id (a resend of an order it has). */
    readonly refusedResends: number;
    /** Placements an injected fault kept from the broker's desk (429, 422 not processed). */
    readonly faulted: number;
  };
  /** Filled exits by the journal's leg: SELL (time), STOPLOSS, TRAIL_STOP, TARGET, MANUAL_EXIT (STOP). */
  readonly exitsByKind: Readonly<Record<string, number>>;
  /** Per scripted trigger: strategies that entered with a script crossing it, and those it closed. */
  readonly triggers: Readonly<Record<string, { readonly scripted: number; readonly fired: number }>>;
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
  /** Orders for another symbol or side than the leg's entry and spec say, an entry unlike what START armed, an exit the spec lacks. */
  readonly wrongOrders: number;
  /** Strategy-days whose first entry was missed (late, or refused: ERROR at leg 0). */
  readonly missedBuys: number;
  readonly reentries: {
    /** Re-entries the strategy-days of re-entering kinds could make once their first leg entered (N each). */
    readonly allowed: number;
    /** Entries of legs 1 and up at the broker. */
    readonly entered: number;
    /** Re-entries' placements a fault meant for exits met (a re-entry goes out as soon as its leg's stop fills). */
    readonly hitByFaults: number;
    /** Runs that ended in ERROR between legs, nothing held (a re-entry's entry refused). */
    readonly errored: number;
  };
  /** The backstops (issue 20): stop orders on the exit side under `tb…` ids, on by default at Alpaca. */
  readonly backstops: {
    /** Backstop orders at the broker (every version), and the legs one of them closed. */
    readonly orders: number;
    readonly firedLegs: number;
    /** Fired by a trade the soak pushed while no daemon was up (kind long-backstop), the next daemon ending the leg with that fill. */
    readonly firedWhileDown: number;
    /** Entries filled at the broker; protected by a backstop within the bound; closed by an exit before any backstop. */
    readonly filledEntries: number;
    readonly protectedInTime: number;
    readonly exitFirst: number;
    /** The longest a position waited for its backstop at the broker while a daemon was up. */
    readonly longestWaitMs: number;
    /** Neither protected nor exited in time, the leg's exit met by an injected fault (soak-judge.ts judgeBackstops). */
    readonly faultMet: number;
    readonly unprotected: number;
    /** Backstops still resting at the broker after their day. */
    readonly leftResting: number;
    /** Backstop placements a fault meant for exits met. */
    readonly hitByFaults: number;
    /**
     * From a backstop's cancel for an exit to that exit at the broker (soak-judge.ts
     * judgeCancelToExit): legs timed, those a daemon died in between, those timed where a fault
     * met a backstop's placement, those a fault met at their exit (not timed), the longest wait
     * while a daemon was up, and those too late.
     */
    readonly cancelToExit: { readonly timed: number; readonly diedBetween: number; readonly backstopFaulted: number; readonly leftOut: number; readonly longestWaitMs: number; readonly late: number };
    /** Kite: GTT modifications (a trailing stop's moves) and the most one GTT took in a minute, against the engine's budget; null at Alpaca. */
    readonly modifies: { readonly total: number; readonly maxPerMinute: number; readonly budgetPerMinute: number } | null;
  };
  /**
   * The multi-position strategy of each cycle (group-kinds.ts; Kite), judged per position
   * (group-judge.ts; its duplicates, lost exits and wrong orders are in the totals above too):
   * strategies, the days closed by the MTM target's "exit all" and by the SELL time; null where none.
   */
  readonly groups: (Omit<GroupVerdict, 'problems'> & { readonly strategies: number; readonly mtmDays: number; readonly sellDays: number }) | null;
  readonly unresolvedOrders: number;
  /** Cycles after which the fake still held a position. */
  readonly openAfterDay: number;
  readonly problems: readonly string[];
  readonly integrity: string;
  readonly seconds: number;
  /** Where the data dir was kept (a problem, a failure, or keepDataDir); null when it was removed. */
  readonly kept: { readonly dataDir: string; readonly daemonLog: string; readonly daemonOutput: string; readonly brokerRecord: string } | null;
}

interface Http {
  readonly status: number;
  readonly body: any;
}

/** A fault put in for a cycle's exits (SoakFaults: before its SELL, or armed at its start). */
interface Injection {
  readonly kind: 'storm' | 'refusal';
  readonly cycle: number;
  /** Index in the fake's received list at injection, and at the end of its cycle. */
  readonly from: number;
  to?: number;
  readonly times: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
const withoutProblems = ({ problems: _, ...rest }: GroupVerdict): Omit<GroupVerdict, 'problems'> => rest;

function soakDaemon(dataDir: string, crashPoint: string | null, logLevel: string, clockOffsetMs: number): Promise<Daemon> {
  return startDaemonProcess(
    dataDir,
    {
      TRADECLOCK_PASSPHRASE: 'crash-soak passphrase, not a secret',
      TRADECLOCK_TEST_HOOKS: '1',
      TRADECLOCK_TEST_CALENDAR: 'always-open',
      TRADECLOCK_CRASH_POINT: crashPoint ?? '',
      TRADECLOCK_TEST_CLOCK_OFFSET_MS: String(clockOffsetMs),
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

/** The time of day (UTC) of `ms` on a daemon whose clock runs `offsetMs` ahead. */
const hhmmss = (ms: number, offsetMs: number) => new Date(ms + offsetMs).toISOString().slice(11, 19);
const DAY_OVER = new Set(['SOLD', 'EXITED_BY_SL', 'EXITED_BY_TARGET', 'MISSED_BUY', 'SKIPPED', 'STOPPED']);
/** States with an order in flight. */
const IN_FLIGHT = new Set(['ARMED', 'BUYING', 'EXITING']);
/** Orders the fake holds open: 'hold' behaviour (the edit-after-STOP case) leaves an order `new`. */
const HELD = new Set(['accepted', 'new']);
/** How often a price script trades its next price. */
const SCRIPT_STEP_MS = 250;
/** The edit-after-STOP case starts at least this long before the SELL, so its exit is out before the faults go in. */
const EDIT_BEFORE_SELL_MS = 1_200;
/** A fault waits for the scripted runs to be over until this long before the SELL, then goes in all the same. */
const SCRIPTS_OVER_BEFORE_SELL_MS = 1_500;
/**
 * How long a filled entry may wait for its backstop at the broker while a daemon is up: one
 * placement's round trip, with room for a loaded 2-core machine and a daemon that just started.
 */
const BACKSTOP_BOUND_MS = 3_000;
/**
 * How long after a restarted daemon answers its broker's order stream may take to listen (a
 * connection, and Kite's ticker's first frame: a heartbeat a second in the soak's fake). An entry
 * that daemon sent before its stream listened is looked up then (Reconciler.lookUpOnListening) if
 * its placement was answered by then, else at its answer (Reconciler.lookUpIfListenedSince), and
 * the bound runs from then (soak-judge.ts judgeBackstops).
 */
const STREAM_LISTENS_MS = 2_000;

export async function runCrashSoak(opts: SoakOptions): Promise<SoakReport> {
  const log = opts.log ?? (() => {});
  const logLevel = opts.logLevel ?? 'info';
  const rand = seededUniform(opts.seed, 'crash-soak');
  // The nth hit a crash point's cycle dies at: every strategy journals, sends and fills at least
  // one order, but only the re-entering kinds' re-entries hit before-reentry-journal.
  // A backstop cancelled (not found fired) before an exit comes only for the exits that do not
  // cross a stop (the SELL, the STOP, a target): the first two of the cycle's come for sure.
  const hitsPerCycle = (point: CrashPoint) =>
    point === 'after-exit-all' ? 1 : point === 'before-reentry-journal' ? Math.max(1, reentriesPerCycle(opts.strategiesPerCycle, broker.mix)) : point === 'after-backstop-cancel' ? 2 : opts.strategiesPerCycle;
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeclock-soak-'));
  const daemonOutput = join(dataDir, 'soak-daemons.log');
  const brokerRecord = join(dataDir, 'soak-broker.json');
  const broker: SoakBroker = await startSoakBroker(opts.broker ?? 'alpaca', opts.staleBalanceAfterCancelMs);
  // Without backstops, the backstop crash points are never reached.
  // With a group in every cycle (Kite), the group's crash point too.
  const crashPoints = (opts.crashPoints ?? [...CRASH_POINTS.filter((p) => broker.backstops || !p.includes('backstop')), ...(broker.group ? GROUP_CRASH_POINTS : [])]).map((p): readonly SoakKill[] => (typeof p === 'string' ? [p] : p));
  /** The cycle's kills: crash points as TRADECLOCK_CRASH_POINT specs, each at a random hit of those its cycle makes. */
  const cycleSpecs = (cycle: number): string[] => (crashPoints[cycle] ?? []).map((p) => (p === FIRE_WHILE_DOWN || p.includes(':') ? p : `${p}:${1 + Math.floor(rand() * hitsPerCycle(p as CrashPoint))}`));
  /** The daemon to start for a kill of the cycle: armed with its crash point, or none for the soak's own kill. */
  const armedWith = (spec: string | undefined) => (spec === undefined || spec === FIRE_WHILE_DOWN ? null : spec);
  let daemonNo = 0;
  let daemon!: Daemon;
  /** The crash point a daemon died at while starting (its recovery reached it before the ready line); the next one started unarmed. */
  let diedStarting: string | null = null;
  const launch = async (crashPoint: string | null): Promise<void> => {
    daemonNo++;
    appendFileSync(daemonOutput, `=== daemon #${daemonNo}${crashPoint ? ` crash point ${crashPoint}` : ''} starting at ${new Date().toISOString()}\n`);
    try {
      daemon = await soakDaemon(dataDir, crashPoint, logLevel, broker.clockOffsetMs);
      armedNow = crashPoint;
    } catch (err) {
      appendFileSync(daemonOutput, `=== daemon #${daemonNo} did not start: ${err instanceof Error ? err.message : String(err)}\n`);
      // Armed mid-cycle, its recovery's own exits may reach the crash point before it is ready: that is the kill; start the next unarmed.
      if (crashPoint !== null && /exited \(SIGKILL\) before it was ready/.test(err instanceof Error ? err.message : '')) {
        deaths.push(Date.now());
        diedStarting = crashPoint;
        kills.crashPoints[crashPoint.split(':')[0]!]!++;
        restarts++;
        return launch(null);
      }
      throw err;
    }
    appendFileSync(daemonOutput, `=== daemon #${daemonNo} ready at ${daemon.url}\n`);
    lastDeathAt = null;
    void daemon.exited.then(() => {
      lastDeathAt = Date.now();
    });
  };
  /** Appends what the daemon wrote (its stdout log lines, its stderr tail) to soak-daemons.log. */
  const saveOutput = (d: Daemon, no: number) => {
    appendFileSync(daemonOutput, `=== daemon #${no} ended (${d.proc.exitCode ?? d.proc.signalCode}); stdout:\n${d.stdout.join('\n')}\n=== daemon #${no} stderr (last 4000 chars):\n${d.stderr()}\n`);
    d.stdout.length = 0;
  };
  let restarts = 0;
  const kills = { random: 0, crashPoints: Object.fromEntries([...CRASH_POINTS, ...GROUP_CRASH_POINTS].map((p) => [p, 0])) as Record<string, number> };
  /** The crash point the daemon up now was armed with (null: none). */
  let armedNow: string | null = null;
  /** Each group strategy (group-kinds.ts) and its contracts; the days closed by its MTM target and by the SELL time. */
  const groupsAsked = new Map<number, GroupAsked>();
  let groupMtmDays = 0;
  let groupSellDays = 0;
  const problems: string[] = [];
  const strategyIds: number[] = [];
  /** Each strategy's kind, and what START armed (its answer): what the entry must be. */
  const asked = new Map<number, Asked>();
  const armedBy = (id: number, kind: SoakKind, answer: { symbol: string; qty: number; side: string }) =>
    asked.set(id, { kind, armed: { symbol: answer.symbol, qty: answer.qty, side: answer.side } });
  const injections: Injection[] = [];
  /** Cycles whose runs did not all end before the deadline. */
  const lateCycles = new Set<number>();
  const editsAfterStop = { refused: 0, acceptedAfterRunOver: 0, skipped: 0 };
  const patchStartRaces = { patchFirst: 0, startFirst: 0 };
  let stormsSkipped = 0;
  let refusalsSkipped = 0;
  let missedBuys = 0;
  let reentriesErrored = 0;
  let openAfterDay = 0;
  let failed = true;
  /** When no daemon was up (a kill or crash point to the next one's start answering), for the backstop's bound. */
  const downs: Downtime[] = [];
  /** When each daemon died, one that died while starting too (its death is inside a downtime): judgeCancelToExit's listing allowance. */
  const deaths: number[] = [];
  let lastDeathAt: number | null = null;
  /** The cycle's long-backstop strategies, and those whose backstop fired while no daemon was up. */
  let downFirers: number[] = [];
  const firedWhileDown = new Set<number>();
  let backstopsLeftResting = 0;

  /** The slowest restart so far (kill to ready): a loaded machine needs a longer cycle for its cases. */
  let slowestRestartMs = 0;
  const restart = async (crashPoint: string | null) => {
    const t0 = Date.now();
    const old = daemon;
    if (old.proc.exitCode === null && old.proc.signalCode === null) old.proc.kill('SIGKILL');
    await old.exited;
    const diedAt = Math.min(lastDeathAt ?? t0, t0);
    saveOutput(old, daemonNo);
    await fireWhileDown();
    deaths.push(diedAt);
    await launch(crashPoint);
    downs.push({ from: diedAt, to: Date.now() });
    restarts++;
    slowestRestartMs = Math.max(slowestRestartMs, Date.now() - t0);
  };

  /** A long-backstop of the cycle whose backstop rests at the fake, its leg open: its entry order. */
  const restingDownFirers = async (): Promise<{ id: number; entry: BrokerOrder }[]> => {
    const orders = await broker.orders();
    const resting = restingBackstops(orders);
    return downFirers.flatMap((id) => {
      const mine = orders.filter((o) => orderKey(o.client_order_id).strategyId === id);
      const entry = mine.find((o) => orderKey(o.client_order_id).role === 'entry' && o.status === 'filled');
      const closed = mine.some((o) => orderKey(o.client_order_id).role !== 'entry' && Number(o.filled_qty) > 0);
      const rests = resting.some((o) => orderKey(o.client_order_id).strategyId === id);
      return entry && rests && !closed && !firedWhileDown.has(id) ? [{ id, entry }] : [];
    });
  };

  /**
   * No daemon is up: each long-backstop whose backstop rests gets a trade through its stop, so the
   * fake fires it with nobody watching (its order fills at that price); the next daemon's recovery
   * must find that fill and end the leg with it, sending no exit of its own.
   */
  const fireWhileDown = async (): Promise<void> => {
    for (const { id, entry } of await restingDownFirers()) {
      const price = Math.round((Number(entry.filled_avg_price) - broker.fireBelowFill) * 100) / 100;
      await broker.trade([{ symbol: entry.symbol, price }]);
      for (const until = Date.now() + 3_000; Date.now() < until; await sleep(50)) {
        const fired = (await broker.orders()).some((o) => o.client_order_id.startsWith('tb') && orderKey(o.client_order_id).strategyId === id && o.status === 'filled');
        if (fired) {
          firedWhileDown.add(id);
          log(`strategy ${id}: its backstop fired at ${price} while no daemon was up`);
          break;
        }
      }
    }
  };

  try {
    for (let j = 0; j < opts.strategiesPerCycle; j++) symbolOf(j, 0, broker); // says so before anything starts when a strategy would have no symbol
    // The first cycle's first crash point arms the first daemon: no restart before it.
    let armed = cycleSpecs(0);
    await launch(armedWith(armed[0]));
    const email = `soak-${opts.seed}@example.com`;
    const { token } = await call(daemon!, 'POST', '/auth/register', null, { email, password: 'crash soak password' });
    const account = await call(daemon!, 'POST', '/broker/connect', token, broker.connectBody());
    /** The Alpaca fake's admin API, for the case only it can play (a held order); the faults are the broker's. */
    const alpaca = broker.alpacaAdmin;
    const faults = broker.faults;

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
      if (alpaca === null) return 0; // nothing is ever held
      let n = 0;
      for (const o of await broker.orders()) {
        // A backstop rests 'new' by nature: only a market order is ever held.
        if (o.type === 'stop' || !HELD.has(o.status) || Date.now() - Date.parse(o.created_at) < olderThanMs) continue;
        if (strategyId !== undefined && orderKey(o.client_order_id).strategyId !== strategyId) continue;
        await alpaca('POST', '/fill', { client_order_id: o.client_order_id });
        n++;
      }
      return n;
    };

    /** Whether `o` closes a position of strategy `id` (a long's sell, a short's buy): an exit or its backstop. */
    const isExitOf = (o: BrokerOrder, id: number) => {
      const p = orderKey(o.client_order_id);
      return p.strategyId === id && p.role !== 'entry';
    };

    /** The broker's orders of these strategies, in a few words, for a problem line. */
    const brokerView = async (ids: readonly number[]): Promise<string> => {
      const mine = (await broker.orders()).filter((o) => ids.includes(orderKey(o.client_order_id).strategyId));
      return mine.map((o) => `${o.client_order_id} ${o.side} ${o.symbol} ${o.status} ${o.filled_qty}/${o.qty}${o.filled_at ? ` at ${o.filled_at.slice(11, 23)}` : ''}`).join(', ') || 'no orders';
    };

    /**
     * Edit after STOP (invariant 8): the entry filled and the SELL ahead, STOP (its exit held open at
     * the broker, so the run is surely unfinished), then PATCH another symbol: 409. A 200 is allowed
     * only if the exit had filled, so the run was over, by the time the PATCH was answered.
     */
    const editAfterStop = async (cycle: number, id: number, all: readonly number[], scripted: readonly number[], symbol: string, sellAt: number): Promise<void> => {
      // Every order of the cycle settled (no entry or exit in flight) and every scripted run over
      // (its trigger's exit filled), so the next order the desk accepts is this STOP's exit.
      let states: (string | null)[] = [];
      let quiet = false;
      while (!quiet && Date.now() < sellAt - EDIT_BEFORE_SELL_MS) {
        states = await Promise.all(all.map((x) => runState(x, sellAt).catch(() => null)));
        quiet = states.every((s, i) => s !== null && !IN_FLIGHT.has(s) && (!scripted.includes(all[i]!) || DAY_OVER.has(s)));
        if (!quiet) await sleep(100);
      }
      const state = states[all.indexOf(id)];
      if (!quiet || state !== 'IN_POSITION' || Date.now() >= sellAt - EDIT_BEFORE_SELL_MS) {
        editsAfterStop.skipped++;
        log(`cycle ${cycle}: edit after STOP not played (runs ${states.join(', ')} ${sellAt - Date.now()} ms before the SELL)`);
        return;
      }
      await alpaca!('POST', '/behavior', { behavior: 'hold', once: true });
      const stop = await alive('POST', '/strategy/stop', { strategy_id: id });
      // A STOP sent again after the daemon died before replying finds the strategy stopped already.
      if (stop.status !== 200 && !(stop.status === 409 && /not running/.test(JSON.stringify(stop.body)))) {
        problems.push(`cycle ${cycle}: strategy ${id}: STOP with its position open → ${stop.status} ${JSON.stringify(stop.body)}`);
      }
      const other = broker.symbols.find((s) => s !== symbol)!;
      const patch = await alive('PATCH', `/strategy/${id}`, { symbol: other });
      const answeredAt = Date.now();
      if (patch.status === 409) editsAfterStop.refused++;
      else if (patch.status === 200) {
        const exits = (await broker.orders()).filter((o) => isExitOf(o, id));
        const overBefore = exits.some((o) => o.status === 'filled' && o.filled_at !== null && Date.parse(o.filled_at) <= answeredAt) && !exits.some((o) => HELD.has(o.status));
        if (overBefore) editsAfterStop.acceptedAfterRunOver++;
        else problems.push(`cycle ${cycle}: strategy ${id}: PATCH {symbol: ${other}} after STOP accepted (200) while its exit was still open at the broker (${exits.map((o) => `${o.client_order_id} ${o.status}`).join(', ') || 'no exit yet'})`);
      } else {
        problems.push(`cycle ${cycle}: strategy ${id}: PATCH after STOP → ${patch.status} ${JSON.stringify(patch.body)} (expected 409)`);
      }
      // Let the held exit fill (if another order took the hold, the cycle's sweep fills that one).
      for (const until = Date.now() + 3_000; Date.now() < until; await sleep(100)) {
        if ((await releaseHeld(0, id)) > 0) break;
        const mine = (await broker.orders()).filter((o) => isExitOf(o, id));
        if (mine.some((o) => o.status === 'filled')) break;
      }
    };

    /**
     * Invariant 9 at the broker's door: between the BUY and the SELL, once every position of the
     * cycle that will SELL is open and nothing else is in flight (so no exit is in flight either),
     * the next exits' placements answer 429 more often than the adapter waits out (`storm`), or the
     * next one a refusal that may pass without the desk processing it (`refusal`). The SELL's exits
     * meet them, or a stop's exit, when a re-entering long is still in a leg; never an entry, a
     * re-entry or a backstop (the fake's rule is `exitsOnly`).
     */
    const injectBeforeSell = async (cycle: number, kind: 'storm' | 'refusal', all: readonly number[], scripted: readonly number[], sellAt: number): Promise<void> => {
      // Open positions waiting for their SELL, every other run over (the stopped one): no BUY and no exit in flight.
      // The faults hit exits only (SoakFaults), so a backstop a restarted daemon places late (at Binance seconds after
      // its runs read IN_POSITION, once its broker session is open), a trail's next version or a re-entry goes through.
      // The scripted runs over too, until SCRIPTS_OVER_BEFORE_SELL_MS before the SELL (at Alpaca the edit-after-STOP case
      // waited for them already): else at Binance a fault right after the BUY meets a stop's exit while a crash point may
      // still kill at its answer (a kill there leaves the leg without exit or backstop while the next daemon waits for
      // the exit to be listed: see the plan).
      let sellers = 0;
      let ready = false;
      while (!ready && Date.now() < sellAt - 300) {
        try {
          const states = await Promise.all(all.map((id) => request(daemon.url, 'GET', `/strategy/${id}`, token)));
          const scriptsOver = Date.now() >= sellAt - SCRIPTS_OVER_BEFORE_SELL_MS || states.every((s, i) => !scripted.includes(all[i]!) || DAY_OVER.has(s.body?.runtime?.state));
          ready = scriptsOver && states.every((s) => s.status === 200 && (s.body?.runtime?.state === 'IN_POSITION' || DAY_OVER.has(s.body?.runtime?.state)));
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
      const from = (await broker.received()).length;
      const { times, what } = await faults!.inject(kind, sellers);
      injections.push({ kind, cycle, from, times });
      log(`cycle ${cycle}: ${what} injected, ${sellAt - Date.now()} ms before the SELL`);
    };

    /**
     * The cycle's price scripts (soak-mix.ts), per leg: once a scripted strategy's latest leg has
     * its entry filled at the fake, its prices from that fill are traded round and round, one step
     * every SCRIPT_STEP_MS, until an exit of that leg has filled there; then a re-entering kind's
     * next leg is waited for and crossed the same way, until its last leg (1 + reentries) is
     * closed or the SELL time has come. A daemon that was down when the price crossed sees it
     * cross again once it is back.
     */
    const playScripts = async (cycle: number, scripted: readonly { id: number; kind: SoakKind }[], sellAt: number): Promise<void> => {
      /** Prices traded per strategy and leg ("id/leg"). */
      const steps = new Map<string, number>();
      /** Per strategy, how far its script got: its latest leg entered, and whether that leg is closed. */
      const reached = new Map<number, { legNo: number; closed: boolean }>();
      const done = new Set<number>();
      while (Date.now() < sellAt && done.size < scripted.length) {
        const orders = await broker.orders();
        const trades: { symbol: string; price: number }[] = [];
        for (const { id, kind } of scripted) {
          if (done.has(id)) continue;
          const entries = orders.filter((o) => !isExitOf(o, id) && orderKey(o.client_order_id).strategyId === id && o.status === 'filled');
          const legNo = Math.max(-1, ...entries.map((o) => orderKey(o.client_order_id).legNo));
          if (legNo < 0) continue;
          const entry = entries.find((o) => orderKey(o.client_order_id).legNo === legNo)!;
          const closed = orders.some((o) => isExitOf(o, id) && orderKey(o.client_order_id).legNo === legNo && o.status === 'filled');
          reached.set(id, { legNo, closed });
          if (closed) {
            if (legNo >= kind.reentries) done.add(id);
            continue;
          }
          const legBackstopRests = restingBackstops(orders).some((o) => orderKey(o.client_order_id).strategyId === id && orderKey(o.client_order_id).legNo === legNo);
          const waitUntil = Math.min(Date.parse(entry.filled_at ?? entry.created_at) + WAIT_FOR_BACKSTOP_MS, sellAt - 3_000);
          if (kind.waitsForBackstop && broker.backstops && !legBackstopRests && !steps.has(`${id}/${legNo}`) && Date.now() < waitUntil) continue;
          const prices = kind.script!(Number(entry.filled_avg_price));
          const step = steps.get(`${id}/${legNo}`) ?? 0;
          steps.set(`${id}/${legNo}`, step + 1);
          trades.push({ symbol: entry.symbol, price: prices[step % prices.length]! });
        }
        if (trades.length > 0) await broker.trade(trades);
        await sleep(SCRIPT_STEP_MS);
      }
      for (const { id, kind } of scripted) {
        if (done.has(id)) continue;
        const at = reached.get(id);
        const where = at === undefined ? 'no entry filled' : `leg ${at.legNo} of ${1 + kind.reentries} ${at.closed ? 'closed, no next leg entered' : `open, ${steps.get(`${id}/${at.legNo}`) ?? 0} prices traded`}`;
        log(`cycle ${cycle}: strategy ${id} (${kind.name}) not through its script before the SELL (${where})`);
      }
    };

    for (let cycle = 0; cycle < opts.cycles; cycle++) {
      // The first cycles go through every named crash point; the rest kill at a random moment.
      const specs = cycle === 0 ? armed : cycleSpecs(cycle);
      if (cycle > 0 && specs.length > 0) await restart(armedWith(specs[0]));
      armed = [];
      const crashPoint = specs.length > 0 ? specs.join(', ') : null;
      // A daemon just started opens its broker session at its first request that needs one: at
      // Binance, CCXT's import and loadMarkets, ~11 s under load, which made the first create of a
      // cycle end after its BUY time (the runs then armed for the next day). Opened before the times are set.
      await call(daemon!, 'GET', `/broker/${account.id}/quote?symbol=${encodeURIComponent(broker.symbols[0]!)}&exchange=${broker.exchange}`, token);
      // Room after the BUY for a restart (a crash point kills at the BUY) and recovery before the
      // edit-after-STOP case and the faults: 5 s on a quiet machine, more where restarts are slow;
      // and a restart more for each further kill of a cycle that dies more than once.
      // A restart is timed to its ready line; the broker session its recovery opens after it comes on top.
      const restartMs = slowestRestartMs + broker.sessionOpensMs;
      const moreRestartsMs = Math.max(0, specs.length - 1) * (Math.max(restartMs, 2_500) + 500);
      const sellAfterBuyMs = Math.min(15_000, Math.max(5_000, restartMs + 3_500)) + moreRestartsMs;
      // No cycle across the daemon's UTC midnight, from its creates to a minute after its SELL (when
      // its runs must be over): the runs' trading date, and their client order ids', would turn
      // within it. At Alpaca and Binance (24/7, UTC) the daemon's clock is the real one, so a soak
      // running at 23:59 meets it; a slow cycle (several kills, slow restarts) spans more than a minute.
      const daemonDate = (ms: number) => new Date(ms + broker.clockOffsetMs).getUTCDate();
      const cycleSpanMs = opts.strategiesPerCycle * 40 + 5_000 + sellAfterBuyMs + 60_000;
      while (daemonDate(Date.now() + cycleSpanMs) !== daemonDate(Date.now())) await sleep(1_000);
      // A whole second, with time to create and start every strategy of the cycle before it (~20 ms each here).
      const buyAt = Math.ceil((Date.now() + opts.strategiesPerCycle * 40) / 1000) * 1000 + 4_000;
      const sellAt = buyAt + sellAfterBuyMs;
      // The scripted symbols start the cycle where their scripts expect no crossing yet.
      await broker.trade(broker.scriptedSymbols.map((symbol) => ({ symbol, price: broker.startPrice })));
      if (broker.group) await openGroupMarket(broker, broker.group.kind, broker.group.contracts);
      const ids: number[] = [];
      const kindOfId = new Map<number, SoakKind>();
      const createdSymbol = new Map<number, string>();
      for (let j = 0; j < opts.strategiesPerCycle; j++) {
        const kind = kindOf(j, broker.mix);
        const symbol = symbolOf(j, cycle, broker);
        const s = await call(daemon!, 'POST', '/strategy/create', token, {
          broker_account_id: account.id,
          symbol,
          exchange: broker.exchange,
          side: kind.side,
          qty: broker.qtyOf(j),
          buy_time: hhmmss(buyAt, broker.clockOffsetMs),
          sell_time: hhmmss(sellAt, broker.clockOffsetMs),
          ...kind.exits,
          ...reentryKeys(kind, sellAt + broker.clockOffsetMs),
          // Asked for, not left to the account's default (on at every broker today; a broker's may change).
          backstop: broker.backstops,
          timezone: 'UTC',
        });
        ids.push(s.id);
        kindOfId.set(s.id, kind);
        createdSymbol.set(s.id, symbol);
        asked.set(s.id, { kind });
      }
      downFirers = ids.filter((id) => kindOfId.get(id)!.firesWhileDown === true);
      // Roles: a time-exit strategy's START races a PATCH; the other is stopped and edited; the rest just trade.
      // Chosen among the time-exit kinds (no script, none fired while down): at Binance the second strategy is a
      // scripted stop, whose PATCHed symbol would carry its script's prices onto a time-exit kind's pair.
      const timeExits = ids.filter((id) => kindOfId.get(id)!.script === null && kindOfId.get(id)!.firesWhileDown !== true);
      const { racer, stopped } = rolesOf(timeExits.length > 0 ? timeExits : ids, cycle);
      for (const id of ids) {
        const kind = kindOfId.get(id)!;
        if (id !== racer) {
          armedBy(id, kind, await call(daemon!, 'POST', '/strategy/start', token, { strategy_id: id }));
          continue;
        }
        // PATCH racing START (invariant 8): either order is fine, but START arms one consistent strategy.
        const patchBody = cycle % 2 === 0 ? { symbol: broker.symbols.find((x) => x !== createdSymbol.get(id))! } : { qty: broker.patchQty };
        const send = [() => request(daemon.url, 'PATCH', `/strategy/${id}`, token, patchBody), () => request(daemon.url, 'POST', '/strategy/start', token, { strategy_id: id })];
        const first = rand() < 0.5 ? 0 : 1;
        const answers = await Promise.all([send[first]!(), send[1 - first]!()]);
        const [patch, start] = first === 0 ? answers : [answers[1]!, answers[0]!];
        if (start.status !== 200) {
          problems.push(`cycle ${cycle}: strategy ${id}: START racing a PATCH → ${start.status} ${JSON.stringify(start.body)}`);
          // Arm it all the same, so the cycle goes on and the rest is judged.
          armedBy(id, kind, await call(daemon!, 'POST', '/strategy/start', token, { strategy_id: id }));
          continue;
        }
        armedBy(id, kind, start.body);
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
      // The cycle's group (group-kinds.ts), entering at the same BUY time: one MTM cycle in two (and
      // every one that kills at after-exit-all, its crossing held until that daemon is up), else the SELL's.
      const groupIds: number[] = [];
      let groupScript: Promise<void> = Promise.resolve();
      if (broker.group) {
        const g = await call(daemon!, 'POST', '/strategy/create', token, groupCreateBody(broker.group.kind, account.id, hhmmss(buyAt, broker.clockOffsetMs), hhmmss(sellAt, broker.clockOffsetMs)));
        await call(daemon!, 'POST', '/strategy/start', token, { strategy_id: g.id });
        groupIds.push(g.id);
        groupsAsked.set(g.id, broker.group);
        if (mtmCycle(cycle, specs)) {
          const waitsForKill = specs.some((x) => x.startsWith('after-exit-all'));
          groupScript = playGroupMtm({ broker, ...broker.group, id: g.id, sellAt, stepMs: SCRIPT_STEP_MS, gate: () => !waitsForKill || armedNow?.startsWith('after-exit-all') === true })
            .then((how) => log(`cycle ${cycle}: group ${g.id}'s MTM crossing: ${how}`))
            .catch((err: unknown) => {
              problems.push(`cycle ${cycle}: the group's MTM crossing failed to run: ${err instanceof Error ? err.message : String(err)}`);
            });
        }
      }

      // Faults armed at the cycle's start (Kite, kite-faults.ts), before the BUY for the cycle's exits:
      // the fake turns them on placements that would close a position, whenever the kills let those go.
      if (faults?.at === 'cycle-start') {
        const from = (await broker.received()).length;
        for (const kind of ['storm', 'refusal'] as const) {
          const { times, what } = await faults.inject(kind, ids.length);
          injections.push({ kind, cycle, from, times });
          log(`cycle ${cycle}: ${what} armed for the exits, ${buyAt - Date.now()} ms before the BUY`);
        }
      }

      // The cases of the cycle run alongside the kill below, against whichever daemon is up.
      // Storms and refusals take turns; one that could not be injected (a kill at the wrong moment) goes first next cycle.
      const storms = injections.filter((i) => i.kind === 'storm').length;
      const refusals = injections.length - storms;
      const faultKind = storms < refusals ? 'storm' : refusals < storms ? 'refusal' : cycle % 2 === 0 ? 'refusal' : 'storm';
      const scripted = ids.filter((id) => kindOfId.get(id)!.script !== null).map((id) => ({ id, kind: kindOfId.get(id)! }));
      const scripts = playScripts(cycle, scripted, sellAt).catch((err: unknown) => {
        problems.push(`cycle ${cycle}: a price script failed to run: ${err instanceof Error ? err.message : String(err)}`);
      });
      const cases = (async () => {
        if (alpaca !== null && stopped !== null) await editAfterStop(cycle, stopped, ids, scripted.map((x) => x.id), asked.get(stopped)!.armed!.symbol, sellAt);
        if (faults?.at === 'before-sell') await injectBeforeSell(cycle, faultKind, ids, scripted.map((x) => x.id), sellAt);
      })().catch((err: unknown) => {
        problems.push(`cycle ${cycle}: a case failed to run: ${err instanceof Error ? err.message : String(err)}`);
      });

      if (specs.length > 0) {
        // The daemon kills itself at the crash point (if the cycle reaches it); bring it back, armed with the cycle's next one.
        for (let k = 0; k < specs.length; k++) {
          if (specs[k] === FIRE_WHILE_DOWN) {
            // Killed once a long-backstop's backstop rests (recovery may be placing it), for the restart to fire it.
            for (const until = Math.max(sellAt, Date.now() + 10_000); Date.now() < until && (await restingDownFirers()).length === 0; ) await sleep(100);
            kills.random++;
            log(`cycle ${cycle}: killed with a backstop resting ${Date.now() - buyAt} ms after the BUY time`);
          } else if (diedStarting === specs[k]) {
            // It died at this point while starting (launch counted it) and its unarmed successor is up.
            diedStarting = null;
            log(`cycle ${cycle}: died at its crash point ${specs[k]} while starting ${Date.now() - buyAt} ms after the BUY time`);
            if (k + 1 < specs.length) await restart(armedWith(specs[k + 1]));
            continue;
          } else {
            await Promise.race([daemon!.exited, sleep(sellAt - Date.now() + 2_000)]);
            if (daemon!.proc.signalCode === 'SIGKILL') kills.crashPoints[specs[k]!.split(':')[0]!]!++;
            log(`cycle ${cycle}: ${daemon!.proc.signalCode === 'SIGKILL' ? `died at its crash point ${specs[k]}` : 'killed'} ${Date.now() - buyAt} ms after the BUY time`);
          }
          await restart(armedWith(specs[k + 1]));
        }
      } else {
        let waitMs: number;
        if (firedWhileDown.size === 0 && downFirers.length > 0) {
          // Until a backstop has fired with no daemon up, a random kill comes within a second of one resting.
          while (Date.now() < sellAt - 1_500 && (await restingDownFirers()).length === 0) await sleep(100);
          waitMs = Math.floor(rand() * Math.max(0, Math.min(1_000, sellAt - 1_500 - Date.now())));
        } else waitMs = Math.floor(rand() * (sellAt - Date.now() + 1_000));
        await sleep(waitMs);
        kills.random++;
        log(`cycle ${cycle}: killed ${Date.now() - buyAt} ms after the BUY time`);
        await restart(null);
      }
      log(`cycle ${cycle}: daemon back ${Date.now() - buyAt} ms after the BUY time`);
      await cases;
      await scripts;
      await groupScript;

      // A minute after the SELL every run must be over. A late cycle is waited for a while longer
      // (the first one up to 3 minutes, to tell slow from stuck), so the next cycle's kill, restart
      // and faults do not meet its orders; a restart would also hide what kept it.
      const deadline = sellAt + 60_000;
      const giveUpAt = sellAt + (lateCycles.size === 0 ? 180_000 : 60_000);
      let lastSweep = 0;
      for (;;) {
        const runs = await Promise.all(ids.map((id) => call(daemon!, 'GET', `/strategy/${id}`, token)));
        const groups = await Promise.all(groupIds.map((id) => call(daemon!, 'GET', `/strategy/${id}`, token)));
        const runOver = (r: any) => r && (DAY_OVER.has(r.state) || (r.state === 'ERROR' && r.position_qty === 0));
        const over = (s: any) => runOver(s.runtime);
        // A group's day is over once every position's run is.
        const groupOver = (g: any) => groupRuns(g).length > 0 && groupRuns(g).every(runOver);
        if (runs.every(over) && groups.every(groupOver)) {
          for (const g of groups) {
            if (closedByMtm(g)) groupMtmDays++;
            else groupSellDays++;
          }
          // An ERROR with nothing held: the first entry refused (a missed entry), or a re-entry's (the run ends between legs).
          missedBuys += runs.filter((s) => s.runtime.state === 'MISSED_BUY' || (s.runtime.state === 'ERROR' && s.runtime.leg_no === 0)).length;
          reentriesErrored += runs.filter((s) => s.runtime.state === 'ERROR' && s.runtime.leg_no > 0).length;
          if (lateCycles.has(cycle)) problems.push(`cycle ${cycle}: runs over ${Math.round((Date.now() - sellAt) / 1000)} s after the SELL, with no restart in between`);
          break;
        }
        if (Date.now() > deadline && !lateCycles.has(cycle)) {
          lateCycles.add(cycle);
          const late = [...runs.filter((s) => !over(s)), ...groups.filter((g) => !groupOver(g))];
          const atBroker = await brokerView(late.map((s) => s.id));
          problems.push(`cycle ${cycle}: runs not over a minute after the SELL: ${[...runs.map((s) => `${s.id}=${s.runtime?.state}`), ...groups.map((g) => `${g.id}=${groupStates(g).join('/')}`)].join(', ')}; at the broker: ${atBroker}`);
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
      // The day is over: the broker holds no position from it, long or short, in any symbol.
      const open = await broker.positions();
      if (open.length > 0) {
        openAfterDay++;
        problems.push(`cycle ${cycle}: positions open at the broker after the day: ${open.join(', ')}`);
      }
      // No backstop outlives its day at the broker.
      const left = restingBackstops(await broker.orders());
      if (left.length > 0) {
        backstopsLeftResting += left.length;
        problems.push(`cycle ${cycle}: backstops still resting at the broker after the day: ${left.map((o) => `${o.client_order_id} ${o.side} ${o.symbol} ${o.status}`).join(', ')}`);
      }
      const receivedNow = (await broker.received()).length;
      for (const inj of injections) if (inj.cycle === cycle) inj.to = receivedNow;
      log(`cycle ${cycle + 1}/${opts.cycles}${crashPoint ? ` crash point ${crashPoint}` : ' random kill'} done (${faults === null ? 'no faults at this broker' : faults.at === 'cycle-start' ? 'storm and refusals' : faultKind})`);
    }

    // The judge: the broker's own record, per leg.
    const received: Received[] = await broker.received();
    const finalOrders = await broker.orders();
    // A group's orders are judged per position (group-judge.ts); the rest per strategy's leg.
    const ofGroup = (o: BrokerOrder) => {
      const k = keyOf(o);
      return k !== null && groupsAsked.has(k.strategyId);
    };
    const verdict = judgeBroker(finalOrders.filter((o) => !ofGroup(o)), received, asked, broker.feeInKind);
    problems.push(...verdict.problems);
    const groupVerdict = broker.group ? judgeGroups(finalOrders, received, groupsAsked) : null;
    problems.push(...(groupVerdict?.problems ?? []));
    // A leg whose exit an injected fault met (a 429 storm, a refused exit, an RMS rejection) waits for the fault, not
    // for the cancel or the backstop: left out. A leg where one met only a backstop's placement is timed all the
    // same, and counted apart.
    const faultedLegs = (role: 'exit' | 'backstop') =>
      new Set(
        received.flatMap((r) => {
          if (!metFault(r) || r.clientOrderId === null) return [];
          const k = orderKey(r.clientOrderId);
          return k.role === role ? [legKey(k)] : [];
        }),
      );
    const protection = broker.backstops
      ? judgeBackstops(finalOrders, downs, BACKSTOP_BOUND_MS, STREAM_LISTENS_MS, faultedLegs('exit'))
      : { filledEntries: 0, protectedInTime: 0, exitFirst: 0, longestWaitMs: 0, faultMet: 0, unprotected: 0, problems: [] };
    problems.push(...protection.problems);
    const cancelToExit = judgeCancelToExit(finalOrders, downs, deaths, BACKSTOP_BOUND_MS, broker.placedOrderListedWithinMs, faultedLegs('exit'), faultedLegs('backstop'));
    problems.push(...cancelToExit.problems);
    const modifies = await broker.modifies();
    if (modifies && modifies.maxPerMinute > modifies.budgetPerMinute) problems.push(`a backstop was modified ${modifies.maxPerMinute} times within a minute at the broker, over the engine's budget of ${modifies.budgetPerMinute}`);

    // What the injected faults did, from the fake's record of every placement after each injection.
    const storms = { injected: 0, rateLimitedExits: 0, placedAgain: 0, survived: 0, skipped: stormsSkipped };
    let reentriesHitByFaults = 0;
    let backstopsHitByFaults = 0;
    const refusedExits = { injected: 0, retriedAsNewAttempt: 0, skipped: refusalsSkipped };
    for (const inj of injections) {
      const after = received.slice(inj.from, inj.to);
      // Each injection's own: a 429 meets a storm, anything else a refusal (Kite queues both in one window).
      const faulted = after.filter((r) => metFault(r) && (r.outcome === 'not processed (rate-limit)') === (inj.kind === 'storm'));
      // Injected once every entry of the day's first legs has filled: a fault meets exits, and the
      // re-entries those exits let go (a re-entry leaves at once after its leg's stop fills).
      const hitEntries = faulted.flatMap((r) => (r.clientOrderId && orderKey(r.clientOrderId).role === 'entry' ? [{ cid: r.clientOrderId, legNo: orderKey(r.clientOrderId).legNo }] : []));
      // A backstop placed again at a restart may meet a fault too: the placement is looked up and tried again.
      backstopsHitByFaults += faulted.filter((r) => r.clientOrderId && orderKey(r.clientOrderId).role === 'backstop').length;
      const hitFirstEntries = hitEntries.filter((h) => h.legNo === 0);
      reentriesHitByFaults += hitEntries.length - hitFirstEntries.length;
      if (hitFirstEntries.length > 0) problems.push(`cycle ${inj.cycle}: the ${inj.kind} meant for exits hit first entries: ${hitFirstEntries.map((h) => h.cid).join(', ')}`);
      if (inj.kind === 'storm') {
        storms.injected++;
        const limited = faulted.filter((r) => r.outcome === 'not processed (rate-limit)' && r.clientOrderId && orderKey(r.clientOrderId).role === 'exit');
        storms.rateLimitedExits += limited.length;
        const perId = new Map<string, number>();
        for (const r of limited) perId.set(r.clientOrderId!, (perId.get(r.clientOrderId!) ?? 0) + 1);
        // More 429s than one placement waits out, then accepted: the engine placed it again under the same id.
        const again = [...perId].filter(([cid, n]) => n > broker.faults!.rateLimitRetries && after.some((r) => r.clientOrderId === cid && r.outcome === 'accepted')).length;
        storms.placedAgain += again;
        if (again > 0 && !lateCycles.has(inj.cycle)) storms.survived++;
      } else {
        refusedExits.injected++;
        for (const r of faulted) {
          const p = r.clientOrderId ? orderKey(r.clientOrderId) : null;
          if (!p || p.role !== 'exit') continue;
          const next = after.some((o) => {
            const q = o.clientOrderId ? orderKey(o.clientOrderId) : null;
            return q?.role === 'exit' && legKey(q) === legKey(p) && q.attempt > p.attempt && o.outcome === 'accepted';
          });
          if (next) refusedExits.retriedAsNewAttempt++;
        }
      }
    }

    // The journal: every row resolved, and which exit closed each leg.
    const journals = new Map<number, JournalRow[]>();
    for (const id of [...strategyIds, ...groupsAsked.keys()]) journals.set(id, (await call(daemon!, 'GET', `/strategy/${id}/orders`, token)).orders);
    const journal = judgeJournal(journals, asked);
    problems.push(...journal.problems);
    daemon!.proc.kill('SIGTERM');
    await daemon!.exited;
    const db = new Database(join(dataDir, 'tradeclock.sqlite'), { readonly: true });
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    db.close();
    if (integrity !== 'ok') problems.push(`integrity_check: ${integrity}`);
    failed = false;
    const keep = problems.length > 0 || opts.keepDataDir === true;
    return {
      broker: broker.name,
      cycles: opts.cycles,
      strategies: strategyIds.length,
      kills,
      restarts,
      kinds: Object.fromEntries(KINDS.map((k) => [k.name, [...asked.values()].filter((a) => a.kind.name === k.name).length])) as Record<KindName, number>,
      ordersAtBroker: {
        entries: verdict.entries,
        entriesBySide: verdict.entriesBySide,
        exitOrders: verdict.exitOrders,
        exitedLegs: verdict.exitedLegs,
        exitAttempts: verdict.exitAttempts,
        legsPerRun: verdict.legsPerRun,
        refusedResends: received.filter((r) => /client_order_id must be unique/.test(r.outcome)).length,
        faulted: received.filter(metFault).length,
      },
      exitsByKind: journal.exitsByKind,
      triggers: journal.triggers,
      editsAfterStop,
      patchStartRaces,
      storms,
      refusedExits,
      duplicates: verdict.duplicates + (groupVerdict?.duplicates ?? 0),
      lostExits: verdict.lostExits + (groupVerdict?.lostExits ?? 0),
      wrongOrders: verdict.wrongOrders + journal.wrongOrders + (groupVerdict?.wrongOrders ?? 0),
      missedBuys,
      reentries: { allowed: verdict.reentriesAllowed, entered: verdict.reentries, hitByFaults: reentriesHitByFaults, errored: reentriesErrored },
      backstops: {
        orders: verdict.backstops.orders,
        firedLegs: verdict.backstops.firedLegs,
        firedWhileDown: firedWhileDown.size,
        filledEntries: protection.filledEntries,
        protectedInTime: protection.protectedInTime,
        exitFirst: protection.exitFirst,
        longestWaitMs: protection.longestWaitMs,
        faultMet: protection.faultMet,
        unprotected: protection.unprotected,
        leftResting: backstopsLeftResting,
        hitByFaults: backstopsHitByFaults,
        cancelToExit: { timed: cancelToExit.timed, diedBetween: cancelToExit.diedBetween, backstopFaulted: cancelToExit.backstopFaulted, leftOut: cancelToExit.leftOut, longestWaitMs: cancelToExit.longestWaitMs, late: cancelToExit.late },
        modifies,
      },
      groups: groupVerdict === null ? null : { ...withoutProblems(groupVerdict), strategies: groupsAsked.size, mtmDays: groupMtmDays, sellDays: groupSellDays },
      unresolvedOrders: journal.unresolvedOrders,
      openAfterDay,
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
        writeFileSync(brokerRecord, JSON.stringify(await broker.record(), null, 1));
      } catch (err) {
        writeFileSync(brokerRecord, JSON.stringify({ error: `the fake's record could not be read: ${String(err)}` }));
      }
    }
    broker.close();
    if (keep) {
      const where = `crash soak${failed ? ' failed' : ` found ${problems.length} problem(s)`}: data dir kept at ${dataDir} (daemon log ${join(dataDir, 'logs', 'tradeclock.log')}, daemons' output ${daemonOutput}, the fake's record ${brokerRecord})`;
      log(where);
      process.stderr.write(`${where}\n`);
    } else {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}
