/** What every section gets: sizes, the fake, temp dirs, the day shift, progress logging. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Child } from './rpc';
import type { FakeInfo } from '../children/fake';
import { createTradingCalendar } from '../../engine/scheduler/trading-calendar';

export interface Sizes {
  readonly universe: number;
  readonly trigger: { readonly rounds: number; readonly n: readonly number[] };
  readonly ticks: {
    readonly stops: readonly number[];
    readonly rates: readonly number[];
    readonly durationMs: number;
    readonly crossingsPerSecond: number;
    /** Up-side levels (never crossed) armed beside the largest set of stops, for one more run at the first rate. */
    readonly upLevels: number;
    /** Positions with trailing stops, on a daemon of their own, for one more run at the first rate on rising prices. */
    readonly trails: number;
    readonly ramp: readonly number[];
    readonly rampDurationMs: number;
  };
  readonly recovery: { readonly strategies: number };
  readonly footprint: { readonly settleMs: number; readonly windowMs: number };
  /** Starts of `tradeclock daemon` timed per vault key source. */
  readonly startup: { readonly runs: number };
  readonly maxInFlight: number;
  /** Extra ms per strategy to allow between arming and the BUY second. */
  readonly leadPerStrategyMs: number;
  readonly minLeadMs: number;
}

export const FULL: Sizes = {
  universe: 5_000,
  trigger: { rounds: 120, n: [1, 1_000, 10_000] },
  ticks: { stops: [1_000, 100_000], rates: [10_000, 100_000], durationMs: 10_000, crossingsPerSecond: 20, upLevels: 10_000, trails: 10_000, ramp: [10_000, 25_000, 50_000, 100_000, 150_000, 200_000, 300_000], rampDurationMs: 10_000 },
  recovery: { strategies: 10_000 },
  footprint: { settleMs: 20_000, windowMs: 5_000 },
  startup: { runs: 15 },
  maxInFlight: 64,
  leadPerStrategyMs: 2,
  minLeadMs: 5_000,
};

export const QUICK: Sizes = {
  universe: 50,
  trigger: { rounds: 2, n: [1, 20] },
  ticks: { stops: [100], rates: [1_000], durationMs: 1_000, crossingsPerSecond: 10, upLevels: 100, trails: 100, ramp: [1_000, 2_000], rampDurationMs: 500 },
  recovery: { strategies: 100 },
  footprint: { settleMs: 200, windowMs: 500 },
  startup: { runs: 2 },
  maxInFlight: 64,
  leadPerStrategyMs: 5,
  minLeadMs: 2_500,
};

export interface BenchContext {
  readonly quick: boolean;
  readonly sizes: Sizes;
  readonly fake: Child;
  readonly fakeInfo: FakeInfo;
  /** Whole days the daemon's clock is shifted so that its "today" is an NYSE trading day. */
  readonly clockOffsetMs: number;
  /** node flags for daemon children: those of `npm run daemon`, and --cpu-prof with --profile-all. */
  readonly daemonFlags: readonly string[];
  /** --profile-all: daemons exit normally so that node writes their whole-process profiles. */
  readonly profileAll: boolean;
  /** --profile: each measured window of a daemon is profiled into this directory. */
  readonly profileDir: string | null;
  log(msg: string): void;
  tempDir(tag: string): string;
  cleanup(): void;
}

const DAY = 86_400_000;

/**
 * Strategies run in UTC on NYSE; the engine arms only on NYSE trading days. The bench shifts the
 * daemon's clock by whole days (UTC has no DST, so times of day stay exact) until both the UTC
 * date and the New York date of the next few hours are trading days.
 */
export function tradingDayOffset(now = Date.now()): number {
  const calendar = createTradingCalendar();
  const nyDate = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
  const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  for (let d = 0; d < 14; d++) {
    const ok = [0, 60_000, 3 * 3_600_000].every((dt) => {
      const t = now + d * DAY + dt;
      return calendar.isTradingDay('NYSE', utcDate(t)) && calendar.isTradingDay('NYSE', nyDate(t));
    });
    if (ok) return d * DAY;
  }
  throw new Error('no NYSE trading day within two weeks');
}

export function makeTempDirs(): { tempDir(tag: string): string; cleanup(): void } {
  const dirs: string[] = [];
  return {
    tempDir(tag) {
      const d = mkdtempSync(join(tmpdir(), `tc-bench-${tag}-`));
      dirs.push(d);
      return d;
    },
    cleanup() {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** "HH:MM:SS" of an instant in UTC. */
function utcTimeOfDay(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/**
 * The BUY and SELL times of day (UTC) of a strategy that buys at `buyAt` and must not sell during
 * the measurement: an hour later, or the last second of the UTC day when that hour would cross
 * midnight (the engine refuses a SELL time of day before the BUY's).
 */
export function buyAndSellTimes(buyAt: number): { buyTime: string; sellTime: string } {
  const lastSecond = Math.floor(buyAt / DAY) * DAY + DAY - 1_000;
  const sellAt = Math.min(buyAt + 3_600_000, lastSecond);
  if (sellAt - buyAt < 1_000) throw new Error(`a BUY at ${utcTimeOfDay(buyAt)} UTC leaves no later SELL time that day: run the bench again after midnight UTC`);
  return { buyTime: utcTimeOfDay(buyAt), sellTime: utcTimeOfDay(sellAt) };
}
