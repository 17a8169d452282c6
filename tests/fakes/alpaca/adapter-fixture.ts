/**
 * An Alpaca adapter wired to a fresh fake, on a FakeClock, for the adapter tests: short
 * heartbeats and backoffs on the fake clock, deterministic jitter, silent logs.
 */
import pino from 'pino';
import { FakeClock } from '../../../engine/core/fake-clock';
import type { OrderReport } from '../../../engine/brokers/broker';
import type { FeedState } from '../../../engine/core/events';
import type { Tick } from '../../../engine/core/types';
import { createAlpacaBroker, type AlpacaBroker, type AlpacaTiming } from '../../../engine/brokers/alpaca';
import { seededUniform } from '../../../engine/brokers/alpaca/backoff';
import { startFakeAlpaca, type FakeAlpaca } from './fake-alpaca';
import type { FakeAlpacaOptions } from './fake-config';

export interface AdapterFixture {
  readonly clock: FakeClock;
  readonly fake: FakeAlpaca;
  readonly broker: AlpacaBroker;
  readonly updates: OrderReport[];
  readonly ticks: Tick[];
  readonly feeds: { state: FeedState; detail: string | null }[];
  /** Another broker on the same fake (other credentials or options). */
  makeBroker(overrides?: { credentials?: unknown; options?: unknown; timing?: Partial<AlpacaTiming> }): AlpacaBroker;
  close(): Promise<void>;
}

export const TEST_TIMING: Partial<AlpacaTiming> = {
  // Generous: the clock steps while real requests are in flight, and a loaded machine is slow.
  requestTimeoutMs: 30_000,
  reconnectBaseMs: 200,
  reconnectMaxMs: 2_000,
  handshakeTimeoutMs: 5_000,
  pingIntervalMs: 1_000,
  staleAfterMs: 3_000,
  deadAfterMs: 6_000,
  orderPollIntervalMs: 500,
};

export async function startAdapterFixture(opts: { fake?: FakeAlpacaOptions; at?: string; timing?: Partial<AlpacaTiming> } = {}): Promise<AdapterFixture> {
  const clock = new FakeClock(Date.parse(opts.at ?? '2026-03-09T14:00:00Z'));
  const fake = await startFakeAlpaca({ now: () => clock.now(), ...opts.fake });
  const logger = pino({ level: 'silent' });
  const brokers: AlpacaBroker[] = [];
  const makeBroker: AdapterFixture['makeBroker'] = (o = {}) => {
    const b = createAlpacaBroker({
      clock,
      credentials: o.credentials ?? fake.credentials(),
      options: o.options ?? fake.connectOptions(),
      logger,
      uniform: seededUniform(42),
      timing: { ...TEST_TIMING, ...opts.timing, ...o.timing },
    });
    brokers.push(b);
    return b;
  };
  const broker = makeBroker();
  const updates: OrderReport[] = [];
  const ticks: Tick[] = [];
  const feeds: { state: FeedState; detail: string | null }[] = [];
  broker.execution.onOrderUpdate((r) => updates.push(r));
  broker.data.onTick((t) => ticks.push(t));
  broker.data.onFeedState((state, detail) => feeds.push({ state, detail }));
  return {
    clock,
    fake,
    broker,
    updates,
    ticks,
    feeds,
    makeBroker,
    async close() {
      for (const b of brokers) await b.stop();
      await fake.close();
    },
  };
}
