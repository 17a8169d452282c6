/**
 * What every engine service is given. Built once by createEngine; tests build it with a FakeClock,
 * an in-memory SQLite and the paper broker.
 */
import type { Logger } from 'pino';
import type { Repos } from '../db/repos';
import type { EventBus } from './bus/event-bus';
import type { Clock } from './core/clock';
import type { RuntimeStore } from './runtime/runtime-store';
import type { BrokerSessions } from './brokers/broker-sessions';
import type { InstrumentCache } from './brokers/instrument-cache';
import type { MarketListener } from './market/market-listener';
import type { CrashPoints } from './execution/crash-points';
import type { ClosingGroups } from './execution/closing-groups';

export interface EngineContext {
  readonly repos: Repos;
  readonly runtime: RuntimeStore;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly brokers: BrokerSessions;
  readonly instruments: InstrumentCache;
  readonly market: MarketListener;
  /** 6 base-36 chars, part of every client order id. */
  readonly installId: string;
  /** Test-only kill switches for the crash soak; inert in normal use. */
  readonly crashPoints: CrashPoints;
  /** Groups whose "exit all" is decided and its flag not journaled yet: their runs' steps read it as written. */
  readonly closingGroups: ClosingGroups;
}
