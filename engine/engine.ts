/**
 * createEngine: the engine's wiring, with every dependency passed in. The daemon, the desktop
 * app and the tests all build the engine here; nothing in it reads the environment.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/client';
import type { Repos } from '../db/repos';
import type { Clock } from './core/clock';
import { EventBus } from './bus/event-bus';
import { recordEvents } from './bus/audit-log';
import { BrokerSessions, type BrokerFactory } from './brokers/broker-sessions';
import { InstrumentCache } from './brokers/instrument-cache';
import { MarketListener } from './market/market-listener';
import { BarRecorder } from './market/bar-recorder';
import { LevelsWriter } from './execution/levels-writer';
import { DEFAULT_STALE_PRICE_OPTIONS, StalePriceWatch, type StalePriceOptions } from './market/stale-price-watch';
import { WalCheckpoints } from './execution/wal-checkpoints';
import { ExecutionEngine, type ExecutionOptions } from './execution/execution-engine';
import { ClosingGroups } from './execution/closing-groups';
import { JobScheduler } from './scheduler/job-timer';
import type { TradingCalendar } from './scheduler/trading-calendar';
import type { RuntimeStore } from './runtime/runtime-store';
import { StrategyService } from './strategy/strategy-service';
import { StrategyManager } from './strategy/strategy-manager';
import { StrategyLocks } from './strategy/strategy-locks';
import { recover, type RecoverOptions, type RecoveryReport } from './strategy/recovery';
import type { EngineContext } from './context';
import { noCrashPoints, type CrashPoints } from './execution/crash-points';
import { ReadinessService } from './readiness/readiness-service';
import { InstallSettings } from './settings/install-settings';
import { Notifier } from './notify/notifier';
import { orderSides, strategyLabels } from './notify/labels';

export interface EngineDeps {
  readonly repos: Repos;
  readonly runtime: RuntimeStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly calendar: TradingCalendar;
  readonly brokerFactory: BrokerFactory;
  /** 6 base-36 chars (settings.install_id). */
  readonly installId: string;
  readonly execution?: ExecutionOptions;
  /** The crash soak's kill points; none by default. */
  readonly crashPoints?: CrashPoints;
  /** Checkpoints the SQLite WAL (Db.checkpoint): the engine does it when no order is due (WalCheckpoints). */
  readonly checkpoint?: Db['checkpoint'];
  /**
   * When a position's silent price stream is cross-checked, and how often (StalePriceWatch);
   * defaults: 15 s, 5 s, a quiet market at most every 60 s. The install's `stale_price_seconds`
   * overrides `staleAfterMs`.
   */
  readonly stalePrice?: Partial<StalePriceOptions>;
}

export interface Engine {
  readonly ctx: EngineContext;
  readonly bus: EventBus;
  readonly strategies: StrategyService;
  readonly manager: StrategyManager;
  readonly execution: ExecutionEngine;
  readonly market: MarketListener;
  /** Positions whose price stream fell silent: what each strategy's stop is watching. */
  readonly stalePrices: Pick<StalePriceWatch, 'staleOf'>;
  readonly brokers: BrokerSessions;
  /** The readiness check before each entry (issue 20): its schedule, each strategy's latest report, and checks on demand. */
  readonly readiness: ReadinessService;
  /** The install's settings (the readiness lead, the stale bound): read at start, applied at once when changed. */
  readonly settings: InstallSettings;
  /** The 1-minute price bars being recorded (what is not written yet, for the chart). */
  readonly bars: Pick<BarRecorder, 'unwritten'>;
  /** The one notification policy's output (issue 21): the desktop shell and the delivery queue listen here. */
  readonly notifications: Pick<Notifier, 'onNotification'>;
  /** The exchanges' trading days (a backtest plans its runs on it). */
  readonly calendar: TradingCalendar;
  /**
   * Rebuilds runtime state from SQLite; call once after createEngine. With `actAfter`, the
   * unfinished runs are read at once and nothing is armed, scheduled or sent until it resolves
   * (the daemon's vault key check); when it rejects, recovery rejects with its reason, having done
   * nothing.
   */
  recover(options?: RecoverOptions): Promise<RecoveryReport>;
  /**
   * After a resume from sleep or a wall-clock step: every trigger is re-checked against the clock
   * at once (a BUY past its grace is missed, a SELL past due exits now) and every order without a
   * final answer is looked up, as at a restart.
   */
  onClockJump(): void;
  /** Resolves when no order is queued or being placed. */
  idle(): Promise<void>;
  /** Cancels every job, lets in-flight orders finish, closes brokers. The caller closes db and store. */
  stop(): Promise<void>;
}

export function createEngine(deps: EngineDeps): Engine {
  const bus = new EventBus((err, event) => deps.logger.error({ err, event: event.type }, 'event listener failed'));
  const brokers = new BrokerSessions(deps.brokerFactory);
  // The stale bound and the readiness lead: the install's settings, else the engine's options, else the defaults.
  const settings = new InstallSettings(deps.repos.settings, deps.logger, deps.stalePrice?.staleAfterMs === undefined ? {} : { stale_price_seconds: deps.stalePrice.staleAfterMs / 1000 });
  const stalePrice = { ...DEFAULT_STALE_PRICE_OPTIONS, ...deps.stalePrice, staleAfterMs: settings.values().stale_price_seconds * 1000 };
  const market = new MarketListener({ bus, clock: deps.clock, logger: deps.logger, staleAfterMs: stalePrice.staleAfterMs });
  // Trails and moves to cost are made at the tick (market listener); their levels written batched.
  const levelsWriter = new LevelsWriter({ repos: deps.repos, bus, clock: deps.clock, logger: deps.logger });
  market.onLevelsMoved((m) => levelsWriter.moved(m));
  const ctx: EngineContext = {
    repos: deps.repos,
    runtime: deps.runtime,
    bus,
    clock: deps.clock,
    logger: deps.logger,
    brokers,
    instruments: new InstrumentCache({ brokers, repos: deps.repos, clock: deps.clock, logger: deps.logger }),
    market,
    installId: deps.installId,
    crashPoints: deps.crashPoints ?? noCrashPoints,
    closingGroups: new ClosingGroups(),
  };
  const execution = new ExecutionEngine(ctx, deps.execution);
  brokers.onOpen((account, broker) => {
    market.attach(account, broker);
    execution.attach(account, broker);
    broker.login?.onChange((session) =>
      bus.publish({ type: 'broker_session_changed', userId: account.userId, brokerAccountId: account.id, state: session.state, expiresAt: session.expiresAt, message: session.message, at: deps.clock.now() }),
    );
  });
  const scheduler = new JobScheduler(deps.clock, { onError: (err) => deps.logger.error({ err }, 'trigger failed') });
  const locks = new StrategyLocks();
  const manager = new StrategyManager(ctx, execution, scheduler, deps.calendar, locks);
  const readiness = new ReadinessService(ctx, scheduler, deps.calendar, settings.values().readiness_lead_minutes * 60_000);
  // Behind this turn's journal commit (one more turn), and behind the orders of a burst.
  const stopAudit = recordEvents(bus, deps.repos, deps.logger, (write) => execution.whenOrdersOut(() => setImmediate(write)));
  // Worked out behind this turn's orders, as the audit log: a notification never delays one.
  const notifier = new Notifier({
    bus,
    lookup: strategyLabels(deps.repos),
    orderSide: orderSides(deps.repos),
    clock: deps.clock,
    defer: (fn) => execution.whenOrdersOut(() => setImmediate(fn)),
    onError: (err) => deps.logger.error({ err }, 'notification failed'),
  });
  const checkpoints = deps.checkpoint
    ? new WalCheckpoints({ clock: deps.clock, checkpoint: deps.checkpoint, busy: () => !execution.isIdle(), nextJobAt: () => scheduler.nextAt(), logger: deps.logger })
    : null;
  checkpoints?.start();
  // 1-minute bars of the watched instruments, for the chart after a reload.
  const bars = new BarRecorder({ onTick: (l) => market.onTick(l), repos: deps.repos, clock: deps.clock, logger: deps.logger });
  bars.start();
  const stalePrices = new StalePriceWatch({
    market,
    clock: deps.clock,
    bus,
    calendar: deps.calendar,
    logger: deps.logger,
    options: stalePrice,
    runOf: (strategyId) => {
      const run = deps.repos.runs.latestInternal(strategyId);
      return run && { userId: run.userId, runId: run.id };
    },
  });
  const offSettings = settings.onChange((values, changed) => {
    if (changed.includes('readiness_lead_minutes')) readiness.setLeadMs(values.readiness_lead_minutes * 60_000);
    if (changed.includes('stale_price_seconds')) stalePrices.setStaleAfterMs(values.stale_price_seconds * 1000);
  });

  return {
    ctx,
    bus,
    strategies: new StrategyService(ctx, locks),
    manager,
    execution,
    market,
    stalePrices,
    brokers,
    bars,
    calendar: deps.calendar,
    readiness,
    settings,
    notifications: notifier,
    async recover(options) {
      const report = await recover(ctx, manager, execution, deps.calendar, options);
      readiness.scheduleRunning();
      return report;
    },
    onClockJump() {
      manager.recheckTriggers();
      execution.reconciler.trackUnresolved();
    },
    idle: () => execution.idle(),
    async stop() {
      checkpoints?.stop();
      offSettings();
      stalePrices.close();
      manager.close();
      readiness.close();
      scheduler.cancelAll();
      await execution.stop();
      await manager.settle();
      await brokers.closeAll();
      levelsWriter.stop();
      bars.stop();
      notifier.stop();
      stopAudit();
    },
  };
}
