/**
 * The real engine (as tests/support/engine-harness.ts builds it) trading through the real CCXT
 * adapter (a `binance` account) against the Binance fake. The engine's timers run on a FakeClock;
 * the network runs in real time on loopback, so the streams' ping and stale bounds are a day long
 * here: a clock that leaps minutes in a millisecond would otherwise call every quiet socket dead.
 * A BTC/USDT strategy of 0.0015 on CRYPTO (UTC): BUY 03:00, SELL 03:01, stop 55 000.
 */
import pino from 'pino';
import { FakeClock } from '../../../engine/core/fake-clock';
import { createCcxtAccount, type CcxtAccount } from '../../../engine/brokers/ccxt/ccxt-account';
import { BINANCE } from '../../../engine/brokers/ccxt/ccxt-venues';
import { seededUniform } from '../../../engine/brokers/alpaca/backoff';
import { openTestDb } from '../../../db/test-support';
import type { Db } from '../../../db/client';
import { engineOnBroker, type EngineOnBroker, type EngineOnBrokerArgs } from '../../support/engine-harness';
import { startFakeBinance, type FakeBinance, type FakeBinanceOptions } from './fake-binance';

export interface CcxtTestEngine extends EngineOnBroker {
  /** The SQLite handle under `repos`, for tests that make storage fail. */
  readonly db: Db;
  readonly fake: FakeBinance;
  readonly broker: CcxtAccount;
  /**
   * The process dies (kill -9) and a new one starts on the same database and the same fake, at
   * `at`: a fresh clock, CCXT instance, connections, runtime store and engine, with nothing
   * remembered but SQLite. The dead engine's clock never moves again, so nothing it scheduled
   * runs. Call the successor's `engine.recover()` as the daemon does.
   */
  restart(at: string): Promise<CcxtTestEngine>;
  close(): Promise<void>;
}

const DAY = 24 * 3_600_000;

/**
 * Binance's fake: BTCUSDT at 60 000, 10 000 USDT and no BTC unless `fake` says otherwise.
 * `crashPoints`, `timeoutMs`: the first engine's (a successor has none, and 60 s). A request
 * timeout is real time (CCXT's `timeout`): a short one lets a stalled placement end as unknown
 * within a test, before the process is killed. `testnet`: the account's option (default on, as
 * the option's own default): false builds CCXT's live URLs, moved to the fake, /sapi among them.
 */
export async function startCcxtTestEngine(opts: { at: string; fake?: FakeBinanceOptions; crashPoints?: EngineOnBrokerArgs['crashPoints']; timeoutMs?: number; clockSkewMs?: number; testnet?: boolean }): Promise<CcxtTestEngine> {
  let clockNow: () => number = () => Date.parse(opts.at);
  // `clockSkewMs`: the exchange's clock runs this far ahead of the engine's (negative: behind).
  const skew = opts.clockSkewMs ?? 0;
  const fake = await startFakeBinance({ now: () => clockNow() + skew, prices: { BTCUSDT: '60000' }, balances: { USDT: '10000' }, ...opts.fake });
  const db = openTestDb();
  let closed = false;
  const closeShared = async () => {
    if (closed) return;
    closed = true;
    db.close();
    await fake.close();
  };

  async function engineAt(at: string, reuse?: Pick<EngineOnBroker, 'user' | 'account'>): Promise<CcxtTestEngine> {
    const clock = new FakeClock(Date.parse(at));
    clockNow = () => clock.now();
    const { apiKey, secret } = fake.credentials();
    const broker = createCcxtAccount({
      venue: BINANCE,
      clock,
      credentials: { api_key: apiKey, secret },
      options: { rest_url: fake.url, timeout_ms: reuse ? 60_000 : (opts.timeoutMs ?? 60_000), ...(opts.testnet === undefined ? {} : { testnet: opts.testnet }) },
      logger: pino({ level: 'silent' }),
      uniform: seededUniform(7),
      timing: { pingIntervalMs: DAY, staleAfterMs: 2 * DAY, deadAfterMs: 3 * DAY, handshakeTimeoutMs: DAY, reconnectBaseMs: 200, reconnectMaxMs: 1_000 },
    });
    const core = await engineOnBroker({
      clock,
      repos: db.repos,
      broker,
      brokerKind: 'binance',
      strategyDefaults: { symbol: 'BTC/USDT', exchange: 'CRYPTO', qty: '0.0015', buy_time: '03:00:00', sell_time: '03:01:00', stop_loss: 55_000 },
      // The fake trades only when a test moves the price: a quiet stream is no stale one here.
      stalePrice: { staleAfterMs: DAY },
      ...(reuse ? { reuse: { user: reuse.user, account: reuse.account } } : opts.crashPoints ? { crashPoints: opts.crashPoints } : {}),
    });
    let dead = false;
    return {
      ...core,
      db: db.db,
      fake,
      broker,
      async restart(next) {
        // A dead process stops nothing gracefully: only its sockets and in-memory store go.
        dead = true;
        await broker.stop();
        await core.runtime.close();
        return engineAt(next, core);
      },
      async close() {
        if (!dead) await core.stopEngine();
        await closeShared();
      },
    };
  }
  return engineAt(opts.at);
}
