/**
 * Runs the readiness checks of a strategy: N minutes before each entry (its first and each
 * re-entry), at START and on demand. It gathers what the checks read (the broker's login, one
 * account snapshot shared by every strategy of the account for a while, the feed, the journal),
 * keeps each strategy's latest report for the API, and raises a `readiness` event when a check
 * warns or fails, so the terminal, the audit log and the renderer's notifications say what to fix
 * while there is time. It never throws: a check that cannot answer is 'unknown', naming why.
 */
import type { TimerHandle } from '../core/clock';
import type { BrokerAccountId, RunId, StrategyId } from '../core/ids';
import { READINESS_CHECKS, worstStatus, type ReadinessCheck, type ReadinessStatus, type ReadinessTrigger } from '../core/readiness';
import { instrumentKey, type Run, type Strategy } from '../core/types';
import { isDayOver } from '../core/run-state';
import type { EngineContext } from '../context';
import type { Broker, BrokerSessionInfo } from '../brokers/broker';
import { saysIpNotAllowed } from '../brokers/ip-refusal';
import type { JobScheduler } from '../scheduler/job-timer';
import type { TradingCalendar } from '../scheduler/trading-calendar';
import { planRun } from '../scheduler/trigger-times';
import type { AccountAnswer, AssetsAnswer, FeedFacts, PairAnswer, ReadinessInputs } from './readiness-inputs';
import { feedKey } from '../market/price-freshness';
import { runChecks } from './readiness-checks';
import { INSTALL_SETTING_RULES, type InstallSettingKey } from '../settings/install-settings';

/** Minutes before an entry its readiness is checked, unless the install's setting says otherwise. */
export const READINESS_LEAD_MINUTES = INSTALL_SETTING_RULES.readiness_lead_minutes.default;
/** The install setting (settings table, install-settings.ts) that overrides it. */
export const READINESS_LEAD_SETTING = 'readiness_lead_minutes' satisfies InstallSettingKey;
/** How long a check waits for the broker (its login check, its account snapshot) before answering 'unknown'. */
export const READINESS_BROKER_TIMEOUT_MS = 10_000;
/** One account snapshot (and login check), and one answer per pair, serve every strategy of the account checked within this time. */
export const READINESS_SHARED_MS = 30_000;
/** Orders of the account the IP check reads, newest first. */
const JOURNAL_WINDOW = 50;

/** A strategy's latest readiness: what was checked, for which entry, and each check's answer. */
export interface ReadinessReport {
  readonly strategyId: StrategyId;
  /** The run checked for; null when the strategy has no run under way (an on-demand check of a stopped strategy: its next entry by its plan). */
  readonly runId: RunId | null;
  readonly trigger: ReadinessTrigger;
  readonly checkedAt: number;
  readonly entryAt: number;
  readonly exitAt: number;
  readonly status: ReadinessStatus;
  readonly checks: readonly ReadinessCheck[];
}

/** What the venue listed for one pair of an account, shared for READINESS_SHARED_MS as the account's probe is. */
interface PairProbe {
  readonly at: number;
  readonly answer: Promise<PairAnswer>;
}

/** What a broker account answered, shared for READINESS_SHARED_MS. */
interface AccountProbe {
  readonly at: number;
  readonly answer: Promise<{ readonly session: BrokerSessionInfo | null; readonly account: AccountAnswer }>;
}

export class ReadinessService {
  private readonly jobs = new Map<StrategyId, TimerHandle>();
  private readonly latest = new Map<StrategyId, ReadinessReport>();
  private readonly running = new Map<StrategyId, Promise<ReadinessReport | null>>();
  private readonly probes = new Map<BrokerAccountId, AccountProbe>();
  /** By "<account id> <symbol>". */
  private readonly pairs = new Map<string, PairProbe>();
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly scheduler: JobScheduler,
    private readonly calendar: TradingCalendar,
    private leadMs: number,
  ) {
    const { bus } = ctx;
    this.unsubscribe.push(
      // Armed by START (whose own check follows), a day's turnover or recovery: the check before its entry.
      bus.on('strategy_armed', (e) => {
        // A new run (the next day's, or START's): the last report was for an entry that has passed.
        if (this.latest.get(e.strategyId)?.runId !== e.runId) this.latest.delete(e.strategyId);
        this.scheduleAt(e.strategyId, e.buyAt, false);
      }),
      // A re-entry may be due sooner than the lead: then it is checked at once.
      bus.on('reentry_scheduled', (e) => this.scheduleAt(e.strategyId, e.dueAt, true)),
      bus.on('strategy_stopped', (e) => this.forget(e.strategyId)),
      bus.on('strategy_completed', (e) => this.forget(e.strategyId)),
    );
  }

  /** The strategy's latest report; undefined before its first check (or since it stopped). */
  report(strategyId: StrategyId): ReadinessReport | undefined {
    return this.latest.get(strategyId);
  }

  /**
   * A new lead time (the install setting changed): every running strategy's check moves to it; one
   * still to come whose new time has passed runs now (its entry still ahead).
   */
  setLeadMs(ms: number): void {
    this.leadMs = ms;
    this.scheduleRunning((id) => this.jobs.has(id));
  }

  /** Schedules the check before the next entry of every running strategy (after recovery, which re-arms without events). */
  scheduleRunning(late: (strategyId: StrategyId) => boolean = () => false): void {
    for (const s of this.ctx.repos.strategies.listByStatusInternal('running')) {
      const run = this.ctx.repos.runs.latestInternal(s.id);
      const entryAt = run && entryOf(run);
      if (entryAt) this.scheduleAt(s.id, entryAt, late(s.id));
    }
  }

  /**
   * Runs the checks now (one at a time per strategy: a second call meanwhile gets the same
   * answer). Null when the strategy does not exist or cannot be read.
   */
  check(strategyId: StrategyId, trigger: ReadinessTrigger): Promise<ReadinessReport | null> {
    const under = this.running.get(strategyId);
    if (under) return under;
    const p = this.checkNow(strategyId, trigger)
      .catch((err: unknown) => {
        this.ctx.logger.error({ err, strategyId }, 'readiness check failed');
        return null;
      })
      .finally(() => this.running.delete(strategyId));
    this.running.set(strategyId, p);
    return p;
  }

  /** Engine shutdown: no check is scheduled or raised from now on. */
  close(): void {
    this.closed = true;
    for (const u of this.unsubscribe) u();
    for (const j of this.jobs.values()) j.cancel();
    this.jobs.clear();
  }

  /** The check `leadMs` before `entryAt`; when that has passed, one now if `late` says so and the entry is still ahead. */
  private scheduleAt(strategyId: StrategyId, entryAt: number, late: boolean): void {
    if (this.closed) return;
    this.jobs.get(strategyId)?.cancel();
    this.jobs.delete(strategyId);
    const at = entryAt - this.leadMs;
    if (at <= this.ctx.clock.now()) {
      if (late && entryAt > this.ctx.clock.now()) void this.check(strategyId, 'scheduled');
      return;
    }
    this.jobs.set(strategyId, this.scheduler.at(at, () => void this.check(strategyId, 'scheduled')));
  }

  private forget(strategyId: StrategyId): void {
    this.jobs.get(strategyId)?.cancel();
    this.jobs.delete(strategyId);
    this.latest.delete(strategyId);
  }

  private async checkNow(strategyId: StrategyId, trigger: ReadinessTrigger): Promise<ReadinessReport | null> {
    const { repos, clock, bus } = this.ctx;
    const strategy = repos.strategies.getInternal(strategyId);
    if (!strategy) return null;
    const run = repos.runs.latestInternal(strategyId);
    const live = run && !isDayOver(run) ? run : undefined;
    const planned = live ? null : planRun(clock.now(), strategy.spec, this.calendar);
    const entryAt = live ? (entryOf(live) ?? live.buyAt) : planned!.buyAt;
    const exitAt = live ? (live.squareOffAt ?? live.sellAt) : (planned!.squareOffAt ?? planned!.sellAt);
    const checks = await this.gather(strategy, entryAt, exitAt);
    const report: ReadinessReport = { strategyId, runId: live?.id ?? null, trigger, checkedAt: clock.now(), entryAt, exitAt, status: worstStatus(checks), checks };
    // Kept (and raised) only for a strategy that runs: a stop while it ran, or an on-demand check of a
    // stopped strategy, answers the caller and leaves nothing behind on its row.
    if (this.closed || repos.strategies.getInternal(strategyId)?.status !== 'running') return report;
    this.latest.set(strategyId, report);
    if (live && (report.status === 'warn' || report.status === 'fail')) {
      bus.publish({ type: 'readiness', userId: strategy.userId, strategyId, runId: live.id, trigger, entryAt, status: report.status, checks, at: clock.now() });
    }
    return report;
  }

  private async gather(strategy: Strategy, entryAt: number, exitAt: number): Promise<ReadinessCheck[]> {
    const { clock, market, repos } = this.ctx;
    let broker: Broker;
    try {
      broker = await this.bounded(this.ctx.brokers.get(strategy.brokerAccountId), 'opening the broker connection');
    } catch (err) {
      const why = `the broker account could not be opened (${reasonOf(err)})`;
      return READINESS_CHECKS.map((check) => ({ check, status: 'unknown' as const, message: `Not checked: ${why}. Check the broker account in Tradeclock.` }));
    }
    this.warmOptionChain(strategy, broker);
    const [{ session, account }, pair, assets] = await Promise.all([this.probe(strategy.brokerAccountId, broker), this.pairOf(strategy, broker), this.assetsOf(strategy, broker)]);
    const inputs: ReadinessInputs = {
      now: clock.now(),
      brokerName: nameOf(broker.capabilities.kind),
      capabilities: broker.capabilities,
      symbol: strategy.symbol,
      exchange: strategy.exchange,
      side: strategy.spec.side,
      qty: strategy.spec.qty,
      timezone: strategy.spec.timezone,
      entryAt,
      exitAt,
      session,
      account,
      pair,
      assets,
      feed: feedFacts(market, strategy.brokerAccountId, instrumentKey(strategy.exchange, strategy.symbol)),
      orders: broker.capabilities.ordersFromRegisteredIp ? journalFacts(repos.orders.recentForAccountInternal(strategy.brokerAccountId, JOURNAL_WINDOW)) : { lastIpRefusalAt: null, lastTakenAt: null },
      calendar: this.calendar,
    };
    return runChecks(inputs);
  }

  /**
   * A strategy on NFO/BFO chooses its contract from the broker's option chain a few seconds before
   * its entry, from the chain held then (never downloading at that moment): this check, minutes
   * before, loads it when due. In the background, so a slow download delays no check; a failure
   * is logged and the load tried again at the next check, or by resolution as a last resort.
   */
  private warmOptionChain(strategy: Strategy, broker: Broker): void {
    const { exchange } = strategy;
    if (!broker.optionChains || (exchange !== 'NFO' && exchange !== 'BFO')) return;
    broker.optionChains.warm(exchange).catch((err: unknown) => {
      this.ctx.logger.warn({ strategyId: strategy.id, exchange, err: reasonOf(err) }, `the ${exchange} option chain could not be loaded before the entry`);
    });
  }

  /** The account's login and snapshot, asked once per READINESS_SHARED_MS for all its strategies. */
  private probe(accountId: BrokerAccountId, broker: Broker): AccountProbe['answer'] {
    const now = this.ctx.clock.now();
    const held = this.probes.get(accountId);
    if (held && now - held.at < READINESS_SHARED_MS) return held.answer;
    const answer = (async () => {
      const login = broker.login;
      const session = login ? await this.bounded(login.check(), 'the login check').catch(() => login.current()) : null;
      let account: AccountAnswer = { kind: 'none' };
      if (broker.account) {
        try {
          account = { kind: 'answered', snapshot: await this.bounded(broker.account.snapshot(), 'the account request') };
        } catch (err) {
          account = { kind: 'failed', reason: reasonOf(err) };
        }
      }
      return { session, account };
    })();
    this.probes.set(accountId, { at: now, answer });
    return answer;
  }

  /**
   * What the venue lists for the strategy's pair now (its own status, its permission sets), asked
   * once per READINESS_SHARED_MS for every strategy of the account on that pair (Binance's
   * exchangeInfo?symbol= weighs 20); none where the broker has no such list.
   */
  private pairOf(strategy: Strategy, broker: Broker): Promise<PairAnswer> {
    const ask = broker.account?.pair;
    if (!ask) return Promise.resolve({ kind: 'none' });
    const now = this.ctx.clock.now();
    const key = `${strategy.brokerAccountId} ${strategy.symbol}`;
    const held = this.pairs.get(key);
    if (held && now - held.at < READINESS_SHARED_MS) return held.answer;
    const answer = this.bounded(ask.call(broker.account, strategy.symbol), "the pair's status request").then(
      (facts): PairAnswer => ({ kind: 'answered', facts }),
      (err: unknown): PairAnswer => ({ kind: 'failed', reason: reasonOf(err) }),
    );
    this.pairs.set(key, { at: now, answer });
    return answer;
  }

  /** The pair's two assets from the broker's loaded markets (no request); none where the broker has no such list. */
  private async assetsOf(strategy: Strategy, broker: Broker): Promise<AssetsAnswer> {
    const ask = broker.account?.assets;
    if (!ask) return { kind: 'none' };
    try {
      return { kind: 'answered', assets: await this.bounded(ask.call(broker.account, strategy.symbol), "the pair's assets") };
    } catch (err) {
      return { kind: 'failed', reason: reasonOf(err) };
    }
  }

  /** `p`, or a rejection naming `what` when the broker takes longer than READINESS_BROKER_TIMEOUT_MS. */
  private bounded<T>(p: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.ctx.clock.setTimer(READINESS_BROKER_TIMEOUT_MS, () => reject(new Error(`no answer to ${what} within ${READINESS_BROKER_TIMEOUT_MS / 1_000} s`)));
      p.then(
        (v) => {
          timer.cancel();
          resolve(v);
        },
        (err: unknown) => {
          timer.cancel();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }
}

/** When the run's next entry is due: its first entry while armed, the next leg's while it waits; null once entered. */
function entryOf(run: Run): number | null {
  if (run.state === 'ARMED') return run.buyAt;
  if (run.state === 'WAITING_REENTRY' && run.reentryAt !== null) return run.reentryAt;
  return null;
}

/** The last refusal for the IP rule and the last order taken, from the account's recent orders. */
function journalFacts(orders: ReadonlyArray<{ status: string; rejectReason: string | null; brokerOrderId: string | null; ackedAt: number | null; updatedAt: number }>): ReadinessInputs['orders'] {
  let lastIpRefusalAt: number | null = null;
  let lastTakenAt: number | null = null;
  for (const o of orders) {
    if (o.status === 'rejected' && saysIpNotAllowed(o.rejectReason)) lastIpRefusalAt = Math.max(lastIpRefusalAt ?? 0, o.updatedAt);
    // Taken: the broker gave it an id (a refusal at placement has none, though its answer time is kept).
    else if (o.brokerOrderId !== null) lastTakenAt = Math.max(lastTakenAt ?? 0, o.ackedAt ?? o.updatedAt);
  }
  return { lastIpRefusalAt, lastTakenAt };
}

/** "kite" → "Kite": how a sentence names the broker. */
function nameOf(kind: string): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

function reasonOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/[.\s]+$/, '');
}

/** The feed as the price-feed check reads it: the broker's state and words, and the instrument's stream price by our clock (price-freshness.ts). */
function feedFacts(market: EngineContext['market'], accountId: BrokerAccountId, instrument: string): FeedFacts {
  const stream = market.freshness.of(feedKey(accountId, instrument));
  return {
    state: market.feedState(accountId),
    detail: market.feedDetail(accountId),
    lastPrice: stream?.price != null && stream.receivedAt != null ? { price: stream.price, at: stream.receivedAt } : null,
    streamStale: stream?.stale ?? false,
  };
}
