/**
 * A whole engine on a FakeClock: real in-memory SQLite with the real migrations, the in-process
 * runtime store, the real paper broker. Tests drive time with `clock.advanceTo(...)`.
 */
import pino from 'pino';
import { FakeClock } from '../../engine/core/fake-clock';
import type { EngineEvent, EngineEventType, EventOf } from '../../engine/core/events';
import type { StrategyId } from '../../engine/core/ids';
import type { Order, Run, Strategy } from '../../engine/core/types';
import { createEngine, type Engine } from '../../engine/engine';
import { createPaperBroker, type PaperBroker } from '../../engine/brokers/paper/paper-broker';
import type { PaperBrokerUserOptions } from '../../engine/brokers/paper/paper-config';
import { createRuntimeStore } from '../../engine/runtime/create-runtime-store';
import type { RuntimeStore } from '../../engine/runtime/runtime-store';
import { createTradingCalendar } from '../../engine/scheduler/trading-calendar';
import { openTestDb } from '../../db/test-support';
import type { Db } from '../../db/client';
import type { BrokerAccount, Repos, User } from '../../db/repos';

export interface TestEngine {
  readonly clock: FakeClock;
  readonly repos: Repos;
  /** The SQLite handle under `repos`, for tests that make storage fail. */
  readonly db: Db;
  readonly runtime: RuntimeStore;
  readonly engine: Engine;
  readonly paper: PaperBroker;
  readonly user: User;
  readonly account: BrokerAccount;
  /** Every event published, in order. */
  readonly events: EngineEvent[];
  /** Creates a strategy through StrategyService with sensible defaults for the rest of the body. */
  create(body?: Record<string, unknown>): Promise<Strategy>;
  start(id: StrategyId): Promise<Run>;
  orders(id: StrategyId): Order[];
  run(id: StrategyId): Run;
  eventsOf<T extends EngineEventType>(type: T): EventOf<T>[];
  close(): Promise<void>;
}

export async function startTestEngine(opts: { at: string; paper?: PaperBrokerUserOptions }): Promise<TestEngine> {
  const clock = new FakeClock(Date.parse(opts.at));
  const db = openTestDb();
  const { repos } = db;
  const runtime = await createRuntimeStore({});
  const user = repos.users.create({ email: 'trader@example.com', passwordHash: 'not-used', createdAt: clock.now() });
  const account = repos.brokerAccounts.create({ userId: user.id, broker: 'paper', label: 'Paper', status: 'connected', credentialsCiphertext: null, createdAt: clock.now() });
  const paper = createPaperBroker({ clock, seed: 1, volatilityBps: 0, tickIntervalMs: 60_000, ...opts.paper });
  const engine = createEngine({
    repos,
    runtime,
    clock,
    logger: pino({ level: 'silent' }),
    calendar: createTradingCalendar(),
    brokerFactory: async (id) => ({ broker: paper, account: { id, userId: user.id } }),
    installId: 'test01',
  });
  const events: EngineEvent[] = [];
  engine.bus.onAny((e) => events.push(e));
  return {
    clock,
    repos,
    db: db.db,
    runtime,
    engine,
    paper,
    user,
    account,
    events,
    create: (body = {}) =>
      engine.strategies.create(user.id, {
        broker_account_id: account.id,
        symbol: 'AAPL',
        exchange: 'NYSE',
        qty: 10,
        buy_time: '09:30:00',
        sell_time: '15:55:00',
        stop_loss: 95,
        ...body,
      }),
    start: async (id) => (await engine.manager.start(user.id, id)).run,
    orders: (id) => repos.orders.list(user.id, id),
    run: (id) => repos.runs.latestInternal(id)!,
    eventsOf: <T extends EngineEventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type),
    async close() {
      await engine.stop();
      await runtime.close();
      db.close();
    },
  };
}
