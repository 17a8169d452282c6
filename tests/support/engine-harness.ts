/**
 * A whole engine on a FakeClock: real in-memory SQLite with the real migrations, the in-process
 * runtime store, the real paper broker. Tests drive time with `clock.advanceTo(...)`.
 */
import pino from 'pino';
import { FakeClock } from '../../engine/core/fake-clock';
import type { EngineEvent, EngineEventType, EventOf } from '../../engine/core/events';
import type { StrategyId } from '../../engine/core/ids';
import type { Order, Run, Strategy } from '../../engine/core/types';
import { createEngine, type Engine, type EngineDeps } from '../../engine/engine';
import { armedCrashPoints, type CrashPoint } from '../../engine/execution/crash-points';
import { createPaperBroker, type PaperBroker } from '../../engine/brokers/paper/paper-broker';
import type { PaperBrokerUserOptions } from '../../engine/brokers/paper/paper-config';
import type { Broker } from '../../engine/brokers/broker';
import { createRuntimeStore } from '../../engine/runtime/create-runtime-store';
import type { RuntimeStore } from '../../engine/runtime/runtime-store';
import { createTradingCalendar } from '../../engine/scheduler/trading-calendar';
import { openTestDb } from '../../db/test-support';
import type { Db } from '../../db/client';
import type { BrokerAccount, Repos, User } from '../../db/repos';

/** An engine on a FakeClock around one broker, with the helpers every engine test uses. */
export interface EngineOnBroker {
  readonly clock: FakeClock;
  readonly repos: Repos;
  readonly runtime: RuntimeStore;
  readonly engine: Engine;
  readonly user: User;
  readonly account: BrokerAccount;
  /** Every event published, in order. */
  readonly events: EngineEvent[];
  /** Creates a strategy through StrategyService: the harness's defaults, then `body`. */
  create(body?: Record<string, unknown>): Promise<Strategy>;
  start(id: StrategyId): Promise<Run>;
  orders(id: StrategyId): Order[];
  run(id: StrategyId): Run;
  eventsOf<T extends EngineEventType>(type: T): EventOf<T>[];
  /** The fake clock moved to the ISO instant, then the engine left to finish what came due. */
  until(iso: string): Promise<void>;
  /** Stops the engine and its runtime store; the database stays open. Once, however often called. */
  stopEngine(): Promise<void>;
}

export interface EngineOnBrokerArgs {
  readonly clock: FakeClock;
  readonly repos: Repos;
  readonly broker: Broker;
  /** Kind stored on the broker account row. */
  readonly brokerKind: string;
  /** Strategy body fields every `create` starts from. */
  readonly strategyDefaults: Record<string, unknown>;
  /** Reuse the user and account of an earlier engine on the same database (a restart). */
  readonly reuse?: { readonly user: User; readonly account: BrokerAccount };
  /** The engine checkpoints the WAL through this (EngineDeps.checkpoint), as the daemon does. */
  readonly checkpoint?: EngineDeps['checkpoint'];
  readonly execution?: EngineDeps['execution'];
  /** Named moments a test acts at (EngineDeps.crashPoints): a throw there is a crash before anything of that step is written. */
  readonly crashPoints?: EngineDeps['crashPoints'];
  /** The stale-price watch's bounds (EngineDeps.stalePrice); the engine's defaults when left out. */
  readonly stalePrice?: EngineDeps['stalePrice'];
}

/**
 * The common core of the engine harnesses (paper here, Alpaca and Kite beside their fakes):
 * a user and a broker account in `repos`, the in-process runtime store, the real engine.
 */
export async function engineOnBroker(args: EngineOnBrokerArgs): Promise<EngineOnBroker> {
  const { clock, repos, broker } = args;
  const runtime = await createRuntimeStore({});
  const user = args.reuse?.user ?? repos.users.create({ email: 'trader@example.com', passwordHash: 'not-used', createdAt: clock.now() });
  const account =
    args.reuse?.account ??
    repos.brokerAccounts.create({ userId: user.id, broker: args.brokerKind, label: args.brokerKind, status: 'connected', credentialsCiphertext: null, createdAt: clock.now() });
  const engine = createEngine({
    repos,
    runtime,
    clock,
    logger: pino({ level: 'silent' }),
    calendar: createTradingCalendar(),
    brokerFactory: async (id) => ({ broker, account: { id, userId: user.id } }),
    installId: 'test01',
    checkpoint: args.checkpoint,
    execution: args.execution,
    crashPoints: args.crashPoints,
    stalePrice: args.stalePrice,
  });
  const events: EngineEvent[] = [];
  engine.bus.onAny((e) => events.push(e));
  let stopped: Promise<void> | undefined;
  return {
    clock,
    repos,
    runtime,
    engine,
    user,
    account,
    events,
    create: (body = {}) => engine.strategies.create(user.id, { broker_account_id: account.id, ...args.strategyDefaults, ...body }),
    start: async (id) => (await engine.manager.start(user.id, id)).run,
    orders: (id) => repos.orders.list(user.id, id),
    run: (id) => repos.runs.latestInternal(id)!,
    eventsOf: <T extends EngineEventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type),
    async until(iso) {
      await clock.advanceTo(Date.parse(iso));
      await engine.idle();
    },
    stopEngine() {
      stopped ??= (async () => {
        await engine.stop();
        await runtime.close();
      })();
      return stopped;
    },
  };
}

export interface TestEngine extends EngineOnBroker {
  /** The SQLite handle under `repos`, for tests that make storage fail. */
  readonly db: Db;
  readonly paper: PaperBroker;
  /**
   * A process restart: this engine stopped, a new one on the same database, clock, user and
   * account, with a new paper broker (a paper book lives in memory, so it starts empty). Call the
   * new engine's `recover()` yourself.
   */
  restart(paper?: PaperBrokerUserOptions): Promise<TestEngine>;
  close(): Promise<void>;
}

/** The harness's paper market prices every instrument once a minute: fake-clock days stay cheap. */
const HARNESS_BEAT_MS = 60_000;

/**
 * The process killed at the `nth` hit (default the first) of a crash point, as the crash soak's
 * SIGKILL kills the daemon: the engine ends there (its jobs, timers and queue stopped before the
 * step goes on) and the throw that unwinds the step is the engine's to log, not an unhandled error.
 */
export interface CrashAt {
  readonly point: CrashPoint;
  readonly nth?: number;
}

type PaperEngineOptions = { paper?: PaperBrokerUserOptions; crashAt?: CrashAt } & Pick<EngineOnBrokerArgs, 'checkpoint' | 'execution' | 'crashPoints'>;

/** The engine on the paper broker: AAPL on NYSE, qty 10, BUY 09:30, SELL 15:55 New York, stop 95. */
export async function startTestEngine(opts: { at: string } & PaperEngineOptions): Promise<TestEngine> {
  const clock = new FakeClock(Date.parse(opts.at));
  return paperEngine(clock, openTestDb(), opts);
}

async function paperEngine(clock: FakeClock, db: ReturnType<typeof openTestDb>, opts: PaperEngineOptions & { reuse?: EngineOnBrokerArgs['reuse'] }): Promise<TestEngine> {
  const paper = createPaperBroker({ clock, seed: 1, volatilityBps: 0, tickIntervalMs: HARNESS_BEAT_MS, ...opts.paper });
  const { crashAt } = opts;
  const crashPoints = crashAt
    ? armedCrashPoints({ point: crashAt.point, nth: crashAt.nth ?? 1 }, () => {
        void core.stopEngine();
        throw new Error(`the process died at ${crashAt.point}`);
      })
    : opts.crashPoints;
  const core: EngineOnBroker = await engineOnBroker({
    clock,
    repos: db.repos,
    broker: paper,
    brokerKind: 'paper',
    strategyDefaults: { symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:30:00', sell_time: '15:55:00', stop_loss: 95 },
    checkpoint: opts.checkpoint,
    execution: opts.execution,
    crashPoints,
    reuse: opts.reuse,
    // Silence between the harness's beats is no stale stream: the watch is told two beats. A test
    // that sets its own beat (a frozen stream: a day-long one) keeps the engine's 15 s.
    stalePrice: opts.paper?.tickIntervalMs === undefined ? { staleAfterMs: 2 * HARNESS_BEAT_MS } : undefined,
  });
  return {
    ...core,
    db: db.db,
    paper,
    async restart(paperOpts) {
      await core.stopEngine();
      // A process started again: no crash point armed.
      return paperEngine(clock, db, { ...opts, crashPoints: undefined, crashAt: undefined, paper: paperOpts ?? opts.paper, reuse: { user: core.user, account: core.account } });
    },
    async close() {
      await core.stopEngine();
      db.close();
    },
  };
}
