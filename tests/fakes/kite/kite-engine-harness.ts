/**
 * The real engine (real SQLite, in-process runtime store, real scheduler) wired to a real Kite
 * broker that talks to the loopback fake. Engine timers run on a FakeClock; the network is real,
 * so time is driven in small steps with real pauses between them (`drive`), and waits on the
 * network are bounded (`waitFor`).
 */
import { FakeClock } from '../../../engine/core/fake-clock';
import { createKiteBroker, type KiteBroker } from '../../../engine/brokers/kite';
import { openTestDb } from '../../../db/test-support';
import { engineOnBroker, type EngineOnBroker, type EngineOnBrokerArgs } from '../../support/engine-harness';
import type { BrokerAccount, Repos, User } from '../../../db/repos';
import type { KiteFake } from './kite-fake';

export interface KiteTestEngine extends EngineOnBroker {
  readonly kite: KiteBroker;
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
  readonly execution?: EngineOnBrokerArgs['execution'];
  readonly stalePrice?: EngineOnBrokerArgs['stalePrice'];
  /** Named moments the test acts at (EngineOnBrokerArgs.crashPoints): a throw there is the process dying. */
  readonly crashPoints?: EngineOnBrokerArgs['crashPoints'];
}

export async function startKiteEngine(args: KiteEngineArgs): Promise<KiteTestEngine> {
  const clock = new FakeClock(Date.parse(args.at));
  const db = args.reuse ? null : openTestDb();
  const repos = args.reuse?.repos ?? db!.repos;
  const closeDb = args.reuse?.closeDb ?? (() => db!.close());
  const kite = createKiteBroker({ clock, credentials: args.fake.credentials(), options: { ...args.fake.options(), ...args.kiteOptions }, random: () => 0.5 });
  const core = await engineOnBroker({
    clock,
    repos,
    broker: kite,
    brokerKind: 'kite',
    strategyDefaults: { symbol: 'INFY', exchange: 'NSE', qty: 10, buy_time: '09:15:00', sell_time: '09:20:00', stop_loss: 95 },
    execution: args.execution,
    stalePrice: args.stalePrice,
    crashPoints: args.crashPoints,
    ...(args.reuse ? { reuse: { user: args.reuse.user, account: args.reuse.account } } : {}),
  });
  let dead = false;
  return {
    ...core,
    kite,
    async drive(iso, stepMs = 1_000) {
      const target = Date.parse(iso);
      while (clock.now() < target) {
        await clock.advance(Math.min(stepMs, target - clock.now()));
        await new Promise((r) => setTimeout(r, 2));
      }
      await core.engine.idle();
    },
    stop: () => (dead ? Promise.resolve() : core.stopEngine()),
    async kill() {
      // A dead process stops nothing gracefully: only its sockets and in-memory store go.
      dead = true;
      await kite.stop();
      await core.runtime.close();
    },
    closeDb,
    async close() {
      if (!dead) await core.stopEngine();
      closeDb();
    },
  };
}
