/**
 * The real engine (as tests/support/engine-harness.ts builds it) trading through the real Alpaca
 * adapter against the fake Alpaca. The engine's timers run on a FakeClock; the network runs in
 * real time on loopback. So the adapter's heartbeats are set far apart here: a clock that leaps
 * minutes in a millisecond would otherwise call every quiet socket dead.
 */
import pino from 'pino';
import { FakeClock } from '../../../engine/core/fake-clock';
import { createAlpacaBroker, type AlpacaBroker } from '../../../engine/brokers/alpaca';
import { seededUniform } from '../../../engine/brokers/alpaca/backoff';
import { openTestDb } from '../../../db/test-support';
import { engineOnBroker, type EngineOnBroker, type EngineOnBrokerArgs } from '../../support/engine-harness';
import { startFakeAlpaca, type FakeAlpaca } from './fake-alpaca';
import type { FakeAlpacaOptions } from './fake-config';

export interface AlpacaTestEngine extends EngineOnBroker {
  readonly fake: FakeAlpaca;
  readonly broker: AlpacaBroker;
  /**
   * The process dies (kill -9) and a new one starts on the same database and the same fake, at
   * `at`: a fresh clock, broker connection, runtime store and engine, with nothing remembered but
   * SQLite. The dead engine's clock never moves again, so nothing it scheduled runs. Call the
   * successor's `engine.recover()` as the daemon does. `execution`: the successor's options (default: the first's).
   */
  restart(at: string, execution?: EngineOnBrokerArgs['execution']): Promise<AlpacaTestEngine>;
  close(): Promise<void>;
}

const HOUR = 3_600_000;

/** `crashPoints`: the first engine's (EngineOnBrokerArgs.crashPoints); a restarted one has none. */
export async function startAlpacaTestEngine(opts: { at: string; fake?: FakeAlpacaOptions; execution?: EngineOnBrokerArgs['execution']; crashPoints?: EngineOnBrokerArgs['crashPoints'] }): Promise<AlpacaTestEngine> {
  let clockNow: () => number = () => Date.parse(opts.at);
  const fake = await startFakeAlpaca({ now: () => clockNow(), ...opts.fake });
  const db = openTestDb();
  let closed = false;
  const closeShared = async () => {
    if (closed) return;
    closed = true;
    db.close();
    await fake.close();
  };

  async function engineAt(at: string, reuse?: Pick<EngineOnBroker, 'user' | 'account'>, execution = opts.execution): Promise<AlpacaTestEngine> {
    const clock = new FakeClock(Date.parse(at));
    clockNow = () => clock.now();
    const broker = createAlpacaBroker({
      clock,
      credentials: fake.credentials(),
      options: fake.connectOptions(),
      logger: pino({ level: 'silent' }),
      uniform: seededUniform(7),
      timing: { pingIntervalMs: 24 * HOUR, staleAfterMs: 48 * HOUR, deadAfterMs: 72 * HOUR, reconnectBaseMs: 200, reconnectMaxMs: 1_000 },
    });
    const core = await engineOnBroker({
      clock,
      repos: db.repos,
      broker,
      brokerKind: 'alpaca',
      strategyDefaults: { symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:30:00', sell_time: '15:55:00', stop_loss: 95 },
      execution,
      ...(reuse ? { reuse: { user: reuse.user, account: reuse.account } } : opts.crashPoints ? { crashPoints: opts.crashPoints } : {}),
    });
    let dead = false;
    return {
      ...core,
      fake,
      broker,
      async restart(next, nextExecution = execution) {
        // A dead process stops nothing gracefully: only its sockets and in-memory store go.
        dead = true;
        await broker.stop();
        await core.runtime.close();
        return engineAt(next, core, nextExecution);
      },
      async close() {
        if (!dead) await core.stopEngine();
        await closeShared();
      },
    };
  }
  return engineAt(opts.at);
}
