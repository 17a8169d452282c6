/**
 * The real engine (real SQLite, in-process runtime store, real scheduler) wired to a real Kite
 * broker that talks to the loopback fake. Engine timers run on a FakeClock; the network is real,
 * so time is driven in small steps with real pauses between them (`drive`), and waits on the
 * network are bounded (`waitFor`).
 */
import pino from 'pino';
import { FakeClock } from '../../../engine/core/fake-clock';
import type { EngineEvent, EngineEventType, EventOf } from '../../../engine/core/events';
import type { StrategyId } from '../../../engine/core/ids';
import type { Order, Run, Strategy } from '../../../engine/core/types';
import { createEngine, type Engine } from '../../../engine/engine';
import { createKiteBroker, type KiteBroker } from '../../../engine/brokers/kite';
import { createRuntimeStore } from '../../../engine/runtime/create-runtime-store';
import type { RuntimeStore } from '../../../engine/runtime/runtime-store';
import { createTradingCalendar } from '../../../engine/scheduler/trading-calendar';
import { openTestDb } from '../../../db/test-support';
import type { BrokerAccount, Repos, User } from '../../../db/repos';
import type { KiteFake } from './kite-fake';

export interface KiteTestEngine {
  readonly clock: FakeClock;
  readonly repos: Repos;
  readonly engine: Engine;
  readonly kite: KiteBroker;
  readonly user: User;
  readonly account: BrokerAccount;
  readonly events: EngineEvent[];
  create(body?: Record<string, unknown>): Promise<Strategy>;
  start(id: StrategyId): Promise<Run>;
  orders(id: StrategyId): Order[];
  run(id: StrategyId): Run;
  eventsOf<T extends EngineEventType>(type: T): EventOf<T>[];
  /** Advances engine time to `iso` in `stepMs` steps, letting real I/O run between steps. */
  drive(iso: string, stepMs?: number): Promise<void>;
  /** Stops the engine and its runtime store; the database stays open for a successor. */
  stop(): Promise<void>;
  /**
   * The process dies: its broker connections close and its runtime store is gone; its clock never
   * moves again, so nothing it had scheduled ever runs. The database is left for a successor.
   */
  kill(): Promise<void>;
  /** Closes the database (once every engine on it is done). */
  closeDb(): void;
  close(): Promise<void>;
}

export interface KiteEngineArgs {
  readonly fake: KiteFake;
  readonly at: string;
  /** Share a database with an earlier engine (a restart after a crash). */
  readonly reuse?: { readonly repos: Repos; readonly user: User; readonly account: BrokerAccount; readonly closeDb: () => void };
  readonly kiteOptions?: Record<string, unknown>;
}

export async function startKiteEngine(args: KiteEngineArgs): Promise<KiteTestEngine> {
  const clock = new FakeClock(Date.parse(args.at));
  const db = args.reuse ? null : openTestDb();
  const repos = args.reuse?.repos ?? db!.repos;
  const closeDb = args.reuse?.closeDb ?? (() => db!.close());
  const runtime: RuntimeStore = await createRuntimeStore({});
  const user = args.reuse?.user ?? repos.users.create({ email: 'trader@example.in', passwordHash: 'not-used', createdAt: clock.now() });
  const account = args.reuse?.account ?? repos.brokerAccounts.create({ userId: user.id, broker: 'kite', label: 'Kite', status: 'connected', credentialsCiphertext: null, createdAt: clock.now() });
  const kite = createKiteBroker({ clock, credentials: args.fake.credentials(), options: { ...args.fake.options(), ...args.kiteOptions }, random: () => 0.5 });
  const engine = createEngine({
    repos,
    runtime,
    clock,
    logger: pino({ level: 'silent' }),
    calendar: createTradingCalendar(),
    brokerFactory: async (id) => ({ broker: kite, account: { id, userId: user.id } }),
    installId: 'test01',
  });
  const events: EngineEvent[] = [];
  engine.bus.onAny((e) => events.push(e));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await engine.stop();
    await runtime.close();
  };
  return {
    clock,
    repos,
    engine,
    kite,
    user,
    account,
    events,
    create: (body = {}) =>
      engine.strategies.create(user.id, { broker_account_id: account.id, symbol: 'INFY', exchange: 'NSE', qty: 10, buy_time: '09:15:00', sell_time: '09:20:00', stop_loss: 95, ...body }),
    start: async (id) => (await engine.manager.start(user.id, id)).run,
    orders: (id) => repos.orders.list(user.id, id),
    run: (id) => repos.runs.latestInternal(id)!,
    eventsOf: <T extends EngineEventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type),
    async drive(iso, stepMs = 1_000) {
      const target = Date.parse(iso);
      while (clock.now() < target) {
        await clock.advance(Math.min(stepMs, target - clock.now()));
        await new Promise((r) => setTimeout(r, 2));
      }
      await engine.idle();
    },
    stop,
    async kill() {
      stopped = true;
      await kite.stop();
      await runtime.close();
    },
    closeDb,
    async close() {
      await stop();
      closeDb();
    },
  };
}
