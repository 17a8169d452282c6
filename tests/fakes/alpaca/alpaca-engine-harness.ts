/**
 * The real engine (as tests/support/engine-harness.ts builds it) trading through the real Alpaca
 * adapter against the fake Alpaca. The engine's timers run on a FakeClock; the network runs in
 * real time on loopback. So the adapter's heartbeats are set far apart here: a clock that leaps
 * minutes in a millisecond would otherwise call every quiet socket dead.
 */
import pino from 'pino';
import { FakeClock } from '../../../engine/core/fake-clock';
import type { EngineEvent, EngineEventType, EventOf } from '../../../engine/core/events';
import type { StrategyId } from '../../../engine/core/ids';
import type { Order, Run, Strategy } from '../../../engine/core/types';
import { createEngine, type Engine } from '../../../engine/engine';
import { createAlpacaBroker, type AlpacaBroker } from '../../../engine/brokers/alpaca';
import { seededUniform } from '../../../engine/brokers/alpaca/backoff';
import { createRuntimeStore } from '../../../engine/runtime/create-runtime-store';
import type { RuntimeStore } from '../../../engine/runtime/runtime-store';
import { createTradingCalendar } from '../../../engine/scheduler/trading-calendar';
import { openTestDb } from '../../../db/test-support';
import type { BrokerAccount, Repos, User } from '../../../db/repos';
import { startFakeAlpaca, type FakeAlpaca } from './fake-alpaca';
import type { FakeAlpacaOptions } from './fake-config';

export interface AlpacaTestEngine {
  readonly clock: FakeClock;
  readonly fake: FakeAlpaca;
  readonly broker: AlpacaBroker;
  readonly repos: Repos;
  readonly engine: Engine;
  readonly user: User;
  readonly account: BrokerAccount;
  readonly events: EngineEvent[];
  create(body?: Record<string, unknown>): Promise<Strategy>;
  start(id: StrategyId): Promise<Run>;
  orders(id: StrategyId): Order[];
  run(id: StrategyId): Run;
  eventsOf<T extends EngineEventType>(type: T): EventOf<T>[];
  close(): Promise<void>;
}

const HOUR = 3_600_000;

export async function startAlpacaTestEngine(opts: { at: string; fake?: FakeAlpacaOptions }): Promise<AlpacaTestEngine> {
  const clock = new FakeClock(Date.parse(opts.at));
  const fake = await startFakeAlpaca({ now: () => clock.now(), ...opts.fake });
  const db = openTestDb();
  const { repos } = db;
  const runtime: RuntimeStore = await createRuntimeStore({});
  const logger = pino({ level: 'silent' });
  const user = repos.users.create({ email: 'trader@example.com', passwordHash: 'not-used', createdAt: clock.now() });
  const options = fake.connectOptions();
  const account = repos.brokerAccounts.create({ userId: user.id, broker: 'alpaca', label: 'Alpaca paper', status: 'connected', credentialsCiphertext: null, options, createdAt: clock.now() });
  const broker = createAlpacaBroker({
    clock,
    credentials: fake.credentials(),
    options,
    logger,
    uniform: seededUniform(7),
    timing: { pingIntervalMs: 24 * HOUR, staleAfterMs: 48 * HOUR, deadAfterMs: 72 * HOUR, reconnectBaseMs: 200, reconnectMaxMs: 1_000 },
  });
  const engine = createEngine({
    repos,
    runtime,
    clock,
    logger,
    calendar: createTradingCalendar(),
    brokerFactory: async (id) => ({ broker, account: { id, userId: user.id } }),
    installId: 'test01',
  });
  const events: EngineEvent[] = [];
  engine.bus.onAny((e) => events.push(e));
  return {
    clock,
    fake,
    broker,
    repos,
    engine,
    user,
    account,
    events,
    create: (body = {}) =>
      engine.strategies.create(user.id, { broker_account_id: account.id, symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:30:00', sell_time: '15:55:00', stop_loss: 95, ...body }),
    start: async (id) => (await engine.manager.start(user.id, id)).run,
    orders: (id) => repos.orders.list(user.id, id),
    run: (id) => repos.runs.latestInternal(id)!,
    eventsOf: <T extends EngineEventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type),
    async close() {
      await engine.stop();
      await runtime.close();
      db.close();
      await fake.close();
    },
  };
}
