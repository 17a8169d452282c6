/**
 * The daemon under test: the real composition root (startDaemon) in its own process, on the
 * system clock (shifted by whole days when today is no NYSE trading day), the Alpaca adapter
 * pointed at the fake in the other process. The bench drives it over IPC: set up a user and a
 * broker account through the HTTP API, create and start strategies in process, seed positions
 * straight into SQLite, and report its footprint.
 *
 * With BENCH_DAEMON_AUTOSTART set (a JSON StartArgs) it starts at once and emits "ready": the
 * restart after a SIGKILL.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { startDaemon, type DaemonHandle } from '../../engine/daemon';
import { systemClock, type Clock } from '../../engine/core/clock';
import { createLogger } from '../../engine/logger';
import { defaultBrokerKinds } from '../../engine/brokers/broker-kinds';
import { alpacaBrokerKind } from '../../engine/brokers/alpaca';
import { openDatabase } from '../../db/client';
import { createRepos, type Repos, type TransactionOptions } from '../../db/repos';
import { asBrokerAccountId, asStrategyId, asUserId, clientOrderId } from '../../engine/core/ids';
import type { Strategy } from '../../engine/core/types';
import { specFromV1 } from '../../engine/core/strategy-spec';
import { emit, serve } from '../lib/rpc';
import { stopLevel, trailOffset } from '../lib/symbols';
import type { FakeInfo } from './fake';

const importedAt = performance.timeOrigin + performance.now();

export interface RunStats {
  readonly cpuPct: number;
  readonly commits: { readonly count: number; readonly p50Ms: number; readonly longestMs: number };
  /** The commits that do not wait for the disk (a trail's move, broker answers, the audit log): how many, and their time in all. */
  readonly lazyCommits: { readonly count: number; readonly totalMs: number; readonly p50Ms: number; readonly longestMs: number };
  /** Stops moved (a trail or move-to-cost, at the tick: the market listener's moves that moved the stop). */
  readonly stopMoves: number;
  /** stop_moved events told (one per position per levels write, for all its moves since the last). */
  readonly stopMovedEvents: number;
  /** How late the event loop ran its timers: p99 and the longest, ms. */
  readonly loopDelay: { readonly p99Ms: number; readonly maxMs: number };
  /** Each GC pause: [wall-clock start (epoch ms), duration (ms), a major GC], to match against an order's window. */
  readonly gcPauses: ReadonlyArray<readonly [number, number, boolean]>;
}

/** CPU time and wall time at the last mark (`markRunStats`, `runStats`). */
let cpuMark = { cpu: process.cpuUsage(), at: performance.now() };

/** Durations of the journal's durable commits (each one fsync) since the last mark. */
let commitMs: number[] = [];
/** Durations of the commits that do not wait for the disk, since the last mark. */
let lazyCommitMs: number[] = [];
let stopMoves = 0;
let stopMovedEvents = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

/**
 * Times every outermost transaction of the engine's repos that commits: the durable ones (the
 * journal's group commits; not a rehearsal, which rolls back) and, apart, those that do not wait
 * for the disk.
 */
function timeCommits(repos: Repos): void {
  const inner = repos.transaction.bind(repos);
  let depth = 0;
  repos.transaction = <T>(fn: () => T, options?: TransactionOptions): T => {
    const outer = depth === 0;
    const t0 = performance.now();
    depth++;
    try {
      const result = inner(fn, options);
      if (outer) (options?.durable === false ? lazyCommitMs : commitMs).push(performance.now() - t0);
      return result;
    } finally {
      depth--;
    }
  };
}

/** Garbage-collection pauses since the last mark. */
let gcEntries: PerformanceEntry[] = [];
new PerformanceObserver((list) => void gcEntries.push(...list.getEntries())).observe({ entryTypes: ['gc'] });

/** Starts a measured window: CPU, commits and GC pauses count from here. */
function markRunStats(): void {
  cpuMark = { cpu: process.cpuUsage(), at: performance.now() };
  commitMs = [];
  lazyCommitMs = [];
  stopMoves = 0;
  stopMovedEvents = 0;
  loopDelay.reset();
  gcEntries = [];
}

/** What the daemon went through since the last mark, and a new mark. */
function runStatsSinceMark(): RunStats {
  const used = process.cpuUsage(cpuMark.cpu);
  const wall = performance.now() - cpuMark.at;
  const commits = commitMs.sort((a, b) => a - b);
  const lazy = lazyCommitMs.sort((a, b) => a - b);
  const moves = stopMoves;
  const movedEvents = stopMovedEvents;
  const delay = { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 };
  const entries = gcEntries;
  markRunStats();
  const major = (e: PerformanceEntry) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR;
  return {
    cpuPct: ((used.user + used.system) / 1000 / wall) * 100,
    commits: { count: commits.length, p50Ms: commits[Math.floor(commits.length / 2)] ?? 0, longestMs: commits.at(-1) ?? 0 },
    lazyCommits: { count: lazy.length, totalMs: lazy.reduce((a, b) => a + b, 0), p50Ms: lazy[Math.floor(lazy.length / 2)] ?? 0, longestMs: lazy.at(-1) ?? 0 },
    stopMoves: moves,
    stopMovedEvents: movedEvents,
    loopDelay: delay,
    gcPauses: entries.map((e) => [performance.timeOrigin + e.startTime, e.duration, major(e)] as const),
  };
}

/**
 * Where the vault key comes from: `bench` (default) a passphrase with scrypt's cheapest cost (see
 * seedCheapVaultSalt); `passphrase` STARTUP_PASSPHRASE at the cost of a real install; `keychain`
 * the OS keychain (the Secret Service of scripts/with-keyring.sh), no passphrase.
 */
export type VaultSource = 'bench' | 'passphrase' | 'keychain';

/** TRADECLOCK_PASSPHRASE of the start section's passphrase installs (a bench value, not a secret). */
export const STARTUP_PASSPHRASE = 'bench start passphrase, not a secret';

export interface StartArgs {
  readonly dataDir: string;
  readonly clockOffsetMs: number;
  readonly logLevel?: string;
  readonly vault?: VaultSource;
}

export interface Setup {
  readonly token: string;
  readonly userId: number;
  readonly accountId: number;
}

/**
 * The resident set split (Linux, /proc/self/status): anonymous memory (heaps, malloc) and file
 * pages (the node binary, shared libraries, mapped files). Null elsewhere.
 */
function rssSplit(): { anonMB: number; fileMB: number } | null {
  if (process.platform !== 'linux') return null;
  const status = readFileSync('/proc/self/status', 'utf8');
  const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { anonMB: kB('RssAnon') / 1024, fileMB: kB('RssFile') / 1024 };
}

const PASSWORD = 'bench horse battery staple';
let handle: DaemonHandle | undefined;
/** Ids of the bench's up-side levels (armUpLevels): far above any strategy's. */
const UP_LEVEL_IDS = 1_000_000_000;
let upLevelsArmed = 0;
let setup: Setup | undefined;
let started: StartArgs | undefined;
let profiler: Session | undefined;

function benchClock(offsetMs: number): Clock {
  if (offsetMs === 0) return systemClock;
  return { now: () => systemClock.now() + offsetMs, monotonic: systemClock.monotonic, setTimer: systemClock.setTimer };
}

/**
 * A new install gets a vault salt with scrypt's cheapest allowed cost (N = 2^10): the passphrase
 * mode's deliberate key stretching (N = 2^17, ~0.4 s, once per start; an OS keychain install pays a
 * Secret Service lookup instead) is measured on its own and kept out of the recovery figure.
 */
function seedCheapVaultSalt(dataDir: string): void {
  const file = join(dataDir, 'tradeclock.sqlite');
  if (existsSync(file)) return;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = openDatabase(file);
  try {
    createRepos(db).settings.getOrCreate('vault_salt', () => `scrypt$1024$8$1$${randomBytes(16).toString('base64url')}`);
  } finally {
    db.close();
  }
}

async function start(args: StartArgs): Promise<{ startMs: number; doneAt: number; importedAt: number; processStart: number }> {
  const vault = args.vault ?? 'bench';
  if (vault === 'bench') seedCheapVaultSalt(args.dataDir);
  const logger = createLogger({ level: args.logLevel ?? 'info', dataDir: args.dataDir });
  const t0 = performance.now();
  handle = await startDaemon({
    dataDir: args.dataDir,
    port: 0,
    passphrase: { bench: 'bench passphrase, not a secret', passphrase: STARTUP_PASSPHRASE, keychain: undefined }[vault],
    staticDir: null,
    clock: benchClock(args.clockOffsetMs),
    logger,
    // "A broker that allows that many": Alpaca's 200 requests/min per key would make the bench
    // measure the rate limit, not the engine.
    brokerKinds: { ...defaultBrokerKinds({ logger }), alpaca: alpacaBrokerKind({ logger, timing: { requestsPerWindow: 10_000_000 } }) },
  });
  started = args;
  timeCommits(handle.engine.ctx.repos);
  handle.engine.ctx.bus.onAny((e) => {
    if (e.type === 'stop_moved') stopMovedEvents++;
  });
  handle.engine.market.onLevelsMoved((m) => {
    if (m.moved) stopMoves++;
  });
  const startMs = performance.now() - t0;
  return { startMs, doneAt: performance.timeOrigin + performance.now(), importedAt, processStart: performance.timeOrigin };
}

async function api(method: string, path: string, body?: unknown, token?: string): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${handle!.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

interface CreateArgs {
  /** Symbols of the strategies, one strategy each, in order. */
  readonly symbols: readonly string[];
  readonly buyTime: string;
  readonly sellTime: string;
  readonly stopLoss: number;
  readonly start: boolean;
  readonly concurrency: number;
}

async function createStrategies(args: CreateArgs): Promise<{ createMs: number; startMs: number; ids: number[] }> {
  const { engine } = handle!;
  const userId = asUserId(setup!.userId);
  const t0 = performance.now();
  const created: Strategy[] = new Array(args.symbols.length);
  await pool(args.symbols.length, args.concurrency, async (i) => {
    created[i] = await engine.strategies.create(userId, {
      broker_account_id: setup!.accountId,
      symbol: args.symbols[i],
      exchange: 'NYSE',
      qty: 1,
      buy_time: args.buyTime,
      sell_time: args.sellTime,
      stop_loss: args.stopLoss,
      timezone: 'UTC',
    });
  });
  const t1 = performance.now();
  if (args.start) await pool(created.length, args.concurrency, async (i) => void (await engine.manager.start(userId, created[i]!.id)));
  const t2 = performance.now();
  return { createMs: t1 - t0, startMs: t2 - t1, ids: created.map((s) => s.id) };
}

/**
 * Writes `symbols.length` running strategies straight into SQLite, each with today's run in
 * position (bought a minute ago, SELL hours away) and its filled BUY in the journal: what the
 * daemon holds after a morning of BUYs. Strategy i on symbol s gets the next stop level of s.
 * With `sellPassedMs`, the SELL time passed that long ago instead (the daemon was down at its
 * SELL): the next start exits at once. With `trailing`, each also trails by the next distance of
 * s (trailOffset), its levels kept as a fill at 100 on a one-cent tick leaves them.
 */
function seedPositions(args: { symbols: readonly string[]; sellPassedMs?: number; trailing?: boolean }): { seeded: number; ms: number } {
  if (handle) throw new Error('stop the daemon before seeding');
  const t0 = performance.now();
  const db = openDatabase(join(started!.dataDir, 'tradeclock.sqlite'));
  try {
    const repos = createRepos(db);
    const installId = repos.settings.getOrCreate('install_id', () => 'bench0');
    const now = Date.now() + started!.clockOffsetMs;
    const userId = asUserId(setup!.userId);
    const accountId = asBrokerAccountId(setup!.accountId);
    const rank = new Map<string, number>();
    const sellAt = args.sellPassedMs === undefined ? now + 6 * 3_600_000 : now - args.sellPassedMs;
    const buyAt = Math.min(now, sellAt) - 60_000;
    const tradingDate = new Date(buyAt).toISOString().slice(0, 10);
    repos.transaction(() => {
      for (const symbol of args.symbols) {
        const r = rank.get(symbol) ?? 0;
        rank.set(symbol, r + 1);
        const spec = specFromV1({ broker_account_id: accountId, symbol, exchange: 'NYSE', qty: 1, buy_time: '00:00:00', sell_time: '23:59:59', stop_loss: stopLevel(r), timezone: 'UTC', repeat: 'once', buy_grace_ms: 60_000 });
        const trail = args.trailing ? trailOffset(r) : null;
        const s = repos.strategies.create({ userId, status: 'running', spec: trail === null ? spec : { ...spec, trail } }, now);
        const levels = trail === null ? null : { entry: 100, tick: 0.01, stop: 100 - trail, stopKind: 'TRAIL_STOP' as const, target: null, trail: { offset: trail, mode: 'points' as const, best: 100 }, costAt: null };
        const run = repos.runs.create(
          { strategyId: s.id, userId, tradingDate, state: 'IN_POSITION', buyAt, sellAt, positionQty: 1, entryPrice: 100, lastAction: 'BUY_FILLED', lastActionAt: buyAt + 1_000, levels },
          now,
        );
        repos.orders.insert(
          { runId: run.id, strategyId: s.id, userId, brokerAccountId: accountId, leg: 'BUY', side: 'buy', slot: 'entry', clientOrderId: clientOrderId(installId, s.id, tradingDate, 'entry'), symbol, exchange: 'NYSE', qty: 1, status: 'filled', scheduledAt: buyAt, dispatchedAt: buyAt, ackedAt: buyAt, filledAt: buyAt + 1_000, filledQty: 1, fillPrice: 100 },
          now,
        );
      }
    });
  } finally {
    db.close();
  }
  return { seeded: args.symbols.length, ms: performance.now() - t0 };
}

async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

serve({
  start: (args: StartArgs) => start(args),
  async setup(args: { fake: FakeInfo }): Promise<Setup> {
    const session = await api('POST', '/auth/register', { email: 'bench@example.com', password: PASSWORD });
    const token = session.token as string;
    const userId = (session.user as { id: number }).id;
    const account = await api('POST', '/broker/connect', { broker: 'alpaca', label: 'Alpaca (bench fake)', credentials: args.fake.credentials, options: args.fake.options }, token);
    setup = { token, userId, accountId: account.id as number };
    return setup;
  },
  createStrategies: (args: CreateArgs) => createStrategies(args),
  seedPositions: (args: { symbols: readonly string[]; sellPassedMs?: number; trailing?: boolean }) => seedPositions(args),
  /**
   * Arms `n` up-side levels no run owns, spread over `symbols`' feeds at 110.00, 110.01, … (ticks
   * trade near 100, so none fires): what a populated up side costs each tick. `n` 0 clears them.
   */
  armUpLevels(args: { symbols: readonly string[]; n: number }): { armed: number } {
    const { market } = handle!.engine;
    const accountId = asBrokerAccountId(setup!.accountId);
    for (let i = 0; i < upLevelsArmed; i++) market.clearTriggers(asStrategyId(UP_LEVEL_IDS + i));
    for (let i = 0; i < args.n; i++) {
      const symbol = args.symbols[i % args.symbols.length]!;
      market.setTriggers(accountId, `NYSE:${symbol}`, asStrategyId(UP_LEVEL_IDS + i), 0, [{ kind: 'STOPLOSS', level: 110 + Math.floor(i / args.symbols.length) / 100, dir: 'up' }]);
    }
    upLevelsArmed = args.n;
    return { armed: market.armedTriggers() };
  },
  async state(): Promise<{ armed: number; stops: number; now: number }> {
    const { engine } = handle!;
    return { armed: (await engine.ctx.runtime.armedStrategyIds()).length, stops: engine.market.armedTriggers(), now: engine.ctx.clock.now() };
  },
  /** Idle footprint: CPU over `windowMs` (percent of one core) and memory at its end. */
  async footprint(args: { windowMs: number }): Promise<{ rssMB: number; rssAnonMB: number | null; rssFileMB: number | null; heapUsedMB: number; heapTotalMB: number; externalMB: number; cpuPct: number; gcPauses: number; majorGcs: number }> {
    markRunStats();
    await new Promise((r) => setTimeout(r, args.windowMs));
    const { cpuPct, gcPauses } = runStatsSinceMark();
    const mem = process.memoryUsage();
    const mb = (b: number) => b / 2 ** 20;
    // A major GC in the window (V8's memory reducer, some seconds after the last allocations) is most of its CPU.
    const majorGcs = gcPauses.filter(([, , major]) => major).length;
    const split = rssSplit();
    return { rssMB: mb(mem.rss), rssAnonMB: split?.anonMB ?? null, rssFileMB: split?.fileMB ?? null, heapUsedMB: mb(mem.heapUsed), heapTotalMB: mb(mem.heapTotal), externalMB: mb(mem.external), cpuPct, gcPauses: gcPauses.length, majorGcs };
  },
  async stop() {
    await handle?.stop();
    handle = undefined;
  },
  /** Starts a measured window (`measuredRun` in bench/lib/daemon-child.ts). */
  markRunStats,
  /**
   * What the daemon went through since the mark (the tick runs and the 1-strategy trial report
   * it): its CPU use in percent of one core, its durable journal commits, its GC pauses.
   */
  runStats: runStatsSinceMark,
  /** Diagnostics: a heap snapshot (open in DevTools, or summarize with bench/heap-top.ts). */
  heapSnapshot(args: { file: string }): string {
    return writeHeapSnapshot(args.file);
  },
  /** CPU profile of a measured window only (bench --profile), written to `dir`/`name`.cpuprofile. */
  async profileStart() {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
    await profiler.post('Profiler.start');
  },
  async profileStop(args: { dir: string; name: string }): Promise<string> {
    const { profile } = await profiler!.post('Profiler.stop');
    profiler!.disconnect();
    profiler = undefined;
    const file = join(args.dir, `${args.name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  },
  /** Ends the process normally (a --cpu-prof profile is written only then). */
  exit() {
    setImmediate(() => process.exit(0));
  },
});

const auto = process.env.BENCH_DAEMON_AUTOSTART;
if (auto) {
  const parsed = JSON.parse(auto) as StartArgs & { setup: Setup };
  setup = parsed.setup;
  start(parsed).then(
    (r) => emit('ready', r),
    (err: unknown) => {
      process.stderr.write(`daemon failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
