/**
 * Section 2: tick to order. The fake streams trades over its market-data WebSocket at a fixed
 * rate to a daemon holding K armed stop-losses (positions seeded into SQLite, armed by recovery);
 * one more run at the first rate adds up-side levels that never fire, beside the largest K.
 * Now and then a trade crosses the top stop of one symbol; the figure is the time from that
 * frame leaving the fake to the SELL request arriving back at the fake, both on the fake's clock.
 * The floor is a bare relay: parse each frame, send one request per crossing trade. A second
 * floor, the durable relay, also commits one row to a SQLite journal (WAL, synchronous=FULL)
 * before each request: what invariant 2 costs by itself on this disk.
 *
 * The trailing row: a daemon of its own holds positions with trailing stops (and no other
 * levels), and each symbol's trades climb a cent per trade, so every trade takes the RATCHET of
 * its symbol's trails: the market listener moves the stop and arms it and the next ratchet again
 * in the tick, and the levels writer writes the moved levels batched (each position at most once
 * a second, one stop_moved per write). The crossings (half a point under a trail's stop) are
 * timed as in the other rows, against the same floors.
 */
import { join } from 'node:path';
import type { BenchContext } from '../lib/bench-context';
import { sleep } from '../lib/sleep';
import { daemonFigures, endDaemon, freshDaemon, measuredRun, profiled, type DaemonChild } from '../lib/daemon-child';
import { spawnChild } from '../lib/rpc';
import { figure, latencyFigures, summarize, type Summary } from '../lib/stats';
import { symbols as symbolList } from '../lib/symbols';
import type { Arrival, TickResult } from '../children/fake';

interface TickRun {
  readonly rate: number;
  readonly achievedRate: number;
  readonly latency: Summary;
  readonly crossings: number;
  readonly answered: number;
}

/** Pairs each crossing with the first later SELL of its symbol. */
function match(result: TickResult, arrivals: readonly Arrival[]): number[] {
  const bySymbol = new Map<string, number[]>();
  for (const [, symbol, side, at] of arrivals) {
    if (side !== 'sell') continue;
    const list = bySymbol.get(symbol) ?? [];
    list.push(at);
    bySymbol.set(symbol, list);
  }
  const out: number[] = [];
  for (const [symbol, t0] of result.crossings) {
    const list = bySymbol.get(symbol);
    const i = list?.findIndex((at) => at >= t0) ?? -1;
    if (i < 0) continue;
    out.push(list![i]! - t0);
    list!.splice(i, 1);
  }
  return out;
}

/** Stops already taken per symbol, and how many crossings went out, across the runs on one daemon. */
interface Taken {
  readonly bySymbol: Record<string, number>;
  crossings: number;
}

async function tickRun(ctx: BenchContext, rate: number, durationMs: number, symbols: string[], taken: Taken, rising = false): Promise<TickRun> {
  const from = await ctx.fake.call<number>('count');
  await ctx.fake.call('anchor');
  const result = await ctx.fake.call<TickResult>('ticks', {
    rate,
    durationMs,
    symbols,
    crossingsPerSecond: ctx.sizes.ticks.crossingsPerSecond,
    crossSymbols: symbols,
    takenBefore: taken.bySymbol,
    crossFrom: taken.crossings,
    rising,
  });
  Object.assign(taken.bySymbol, result.taken);
  taken.crossings += result.crossings.length;
  await sleep(1_000);
  let arrivals = await ctx.fake.call<Arrival[]>('arrivals', { from });
  // A daemon behind its ticks (the trailing row) sends its exits late: they are waited for (up to a minute), not dropped.
  for (let waited = 0; rising && match(result, arrivals).length < result.crossings.length && waited < 60_000; waited += 1_000) {
    await sleep(1_000);
    arrivals = await ctx.fake.call<Arrival[]>('arrivals', { from });
  }
  const latencies = match(result, arrivals);
  return { rate, achievedRate: (result.sent / result.elapsedMs) * 1000, latency: summarize(latencies), crossings: result.crossings.length, answered: latencies.length };
}

/** A daemon restarted on `k` seeded positions (stop-losses, or trailing stops: a stop and a ratchet each). */
async function seededDaemon(ctx: BenchContext, k: number, trailing = false): Promise<{ d: DaemonChild; symbols: string[]; recoverMs: number }> {
  const d = await freshDaemon(ctx, `ticks-${k}${trailing ? '-trailing' : ''}`);
  await d.child.call('stop');
  const all = symbolList(k, ctx.sizes.universe);
  const triggers = trailing ? 2 * k : k;
  await d.child.call('seedPositions', { symbols: all, trailing });
  const started = await d.child.call<{ startMs: number }>('start', { dataDir: d.dataDir, clockOffsetMs: ctx.clockOffsetMs });
  const symbols = [...new Set(all)];
  const sub = await ctx.fake.call<{ subscribed: number }>('waitSubscribed', { n: symbols.length, timeoutMs: 120_000 });
  const state = await d.child.call<{ stops: number }>('state');
  if (sub.subscribed < symbols.length || state.stops !== triggers) throw new Error(`seeded daemon not ready: ${sub.subscribed}/${symbols.length} subscribed, ${state.stops}/${triggers} levels armed`);
  return { d, symbols, recoverMs: started.startMs };
}

function runFigures(run: TickRun, floor?: TickRun) {
  return {
    ticks_per_second: run.rate,
    achieved_ticks_per_second: Math.round(run.achievedRate),
    crossings: { sent: run.crossings, answered: run.answered },
    latency: latencyFigures(run.latency, floor?.latency),
  };
}

export async function ticksSection(ctx: BenchContext): Promise<{ section: Record<string, unknown>; floors: Record<string, unknown>[] }> {
  const { sizes } = ctx;
  const floors = new Map<number, TickRun>();
  const durableFloors = new Map<number, TickRun>();
  // Floors first: the relay and the daemon cannot share the fake's one data session per key.
  // Stops spread over the universe: K ≤ universe gives one stop per symbol.
  const maxStops = Math.max(...sizes.ticks.stops);
  const relaySymbols = [...new Set(symbolList(maxStops, sizes.universe))];
  for (const rate of sizes.ticks.rates) {
    for (const durable of [false, true]) {
      ctx.log(`ticks: ${durable ? 'durable relay' : 'relay'} floor at ${rate}/s over ${relaySymbols.length} symbols`);
      const relay = spawnChild('floor-relay');
      try {
        const journal = durable ? join(ctx.tempDir(`relay-journal-${rate}`), 'journal.sqlite') : undefined;
        await relay.call('connect', { dataStreamUrl: ctx.fakeInfo.dataStreamUrl, restUrl: ctx.fakeInfo.restUrl, credentials: ctx.fakeInfo.credentials, symbols: relaySymbols, below: 95, journal });
        (durable ? durableFloors : floors).set(rate, await tickRun(ctx, rate, sizes.ticks.durationMs, relaySymbols, { bySymbol: {}, crossings: 0 }));
      } finally {
        await relay.call('close').catch(() => {});
        await relay.kill();
      }
      await sleep(300);
    }
  }

  const runs: Record<string, unknown>[] = [];
  let sustained: Record<string, unknown> | undefined;
  for (const k of sizes.ticks.stops) {
    ctx.log(`ticks: seeding ${k} positions and restarting the daemon`);
    const { d, symbols, recoverMs } = await seededDaemon(ctx, k);
    const taken: Taken = { bySymbol: {}, crossings: 0 };
    try {
      for (const rate of sizes.ticks.rates) {
        ctx.log(`ticks: ${k} stops, ${rate} ticks/s`);
        const { result: run, stats } = await measuredRun(d.child, () => profiled(ctx, d.child, `ticks-${k}-${rate}`, () => tickRun(ctx, rate, sizes.ticks.durationMs, symbols, taken)));
        runs.push({
          armed_stops: k,
          symbols: symbols.length,
          ...runFigures(run, floors.get(rate)),
          latency_vs_durable_relay: latencyFigures(run.latency, durableFloors.get(rate)?.latency),
          ...daemonFigures(stats),
          recovery_of_positions: figure(recoverMs, 'ms'),
        });
      }
      if (k === maxStops) {
        // The same stops and ticks with the other side of the index populated (levels above every
        // trade, never crossed): each tick now also compares the head of its feed's up side.
        const rate = sizes.ticks.rates[0]!;
        const up = await d.child.call<{ armed: number }>('armUpLevels', { symbols, n: sizes.ticks.upLevels });
        ctx.log(`ticks: ${k} stops and ${sizes.ticks.upLevels} up levels, ${rate} ticks/s`);
        const { result: run, stats } = await measuredRun(d.child, () => profiled(ctx, d.child, `ticks-${k}-up-${rate}`, () => tickRun(ctx, rate, sizes.ticks.durationMs, symbols, taken)));
        runs.push({
          armed_stops: k,
          armed_up_levels: sizes.ticks.upLevels,
          armed_levels_at_start: up.armed,
          symbols: symbols.length,
          ...runFigures(run, floors.get(rate)),
          latency_vs_durable_relay: latencyFigures(run.latency, durableFloors.get(rate)?.latency),
          ...daemonFigures(stats),
        });
        await d.child.call('armUpLevels', { symbols, n: 0 });
        const steps: Record<string, unknown>[] = [];
        let best = 0;
        let stopReason = 'every rate tried passed';
        await sleep(2_000); // the daemon settles after the last run (its fills, its GC)
        for (const rate of sizes.ticks.ramp) {
          ctx.log(`ticks: ramp ${rate}/s with ${k} stops`);
          const run = await tickRun(ctx, rate, sizes.ticks.rampDurationMs, symbols, taken);
          steps.push({ ticks_per_second: rate, achieved: Math.round(run.achievedRate), p99_ms: Number(run.latency.p99.toFixed(3)), answered: `${run.answered}/${run.crossings}` });
          const fakeKeptUp = run.achievedRate >= rate * 0.9;
          if (!fakeKeptUp) {
            stopReason = `the fake could only send ${Math.round(run.achievedRate)}/s of ${rate}/s`;
            break;
          }
          if (!(run.latency.p99 < 5) || run.answered < run.crossings) {
            stopReason = `p99 ${run.latency.p99.toFixed(2)} ms (${run.answered}/${run.crossings} answered) at ${rate}/s`;
            break;
          }
          best = rate;
          await sleep(500);
        }
        sustained = { armed_stops: k, highest_rate_with_p99_under_5ms: figure(best, 'ticks/s'), stopped_because: stopReason, steps };
      }
    } finally {
      await endDaemon(ctx, d.child);
    }
    await sleep(300);
  }
  if (sizes.ticks.trails > 0) runs.push(await trailingRun(ctx, floors, durableFloors));
  const target = runs.find((r) => r.armed_stops === maxStops && r.armed_up_levels === undefined && r.ticks_per_second === 10_000) as
    | { latency: { p99: { ratio_to_floor?: number } }; latency_vs_durable_relay: { p99: { ratio_to_floor?: number } } }
    | undefined;
  return {
    section: {
      what: 'crossing trade leaving the fake (market-data WebSocket) → the stop-loss SELL arriving at the fake (REST), both timed by the fake',
      floor_program: 'bare relay: the same WebSocket and trades; JSON.parse each frame, one POST /v2/orders per trade below the stop',
      durable_floor_program: 'the same relay committing one row to a SQLite journal (WAL, synchronous=FULL) before each POST: invariant 2 by itself',
      runs,
      sustained,
      targets: {
        p99_under_2x_relay_floor_at_10k_ticks_100k_stops: target?.latency.p99.ratio_to_floor === undefined ? null : target.latency.p99.ratio_to_floor < 2,
        p99_under_2x_durable_relay_floor_at_10k_ticks_100k_stops: target?.latency_vs_durable_relay.p99.ratio_to_floor === undefined ? null : target.latency_vs_durable_relay.p99.ratio_to_floor < 2,
      },
    },
    floors: [...[...floors.values()].map((f) => ({ f, durable: false })), ...[...durableFloors.values()].map((f) => ({ f, durable: true }))].map(({ f, durable }) => ({
      ticks_per_second: f.rate,
      durable,
      achieved_ticks_per_second: Math.round(f.achievedRate),
      crossings: { sent: f.crossings, answered: f.answered },
      latency: latencyFigures(f.latency),
    })),
  };
}

/**
 * The trailing row: `sizes.ticks.trails` trailing positions on a daemon of their own, at the first
 * rate, every trade a new high of its symbol. Beside the latency: how many stops moved, and the
 * time the commits that do not wait for the disk took (the levels' writes among them).
 */
async function trailingRun(ctx: BenchContext, floors: Map<number, TickRun>, durableFloors: Map<number, TickRun>): Promise<Record<string, unknown>> {
  const { sizes } = ctx;
  const k = sizes.ticks.trails;
  const rate = sizes.ticks.rates[0]!;
  ctx.log(`ticks: seeding ${k} trailing positions and restarting the daemon`);
  const { d, symbols, recoverMs } = await seededDaemon(ctx, k, true);
  try {
    ctx.log(`ticks: ${k} trailing stops, ${rate} rising ticks/s`);
    const t0 = performance.now();
    const { result: run, stats } = await measuredRun(d.child, () =>
      profiled(ctx, d.child, `ticks-${k}-trailing-${rate}`, () => tickRun(ctx, rate, sizes.ticks.durationMs, symbols, { bySymbol: {}, crossings: 0 }, true)),
    );
    const wallMs = performance.now() - t0;
    return {
      armed_trails: k,
      symbols: symbols.length,
      prices: 'each symbol one cent higher with each trade: every trade moves its trails',
      ...runFigures(run, floors.get(rate)),
      latency_vs_durable_relay: latencyFigures(run.latency, durableFloors.get(rate)?.latency),
      stops_moved: {
        count: figure(stats.stopMoves, 'moves'),
        per_second: figure(stats.stopMoves / (wallMs / 1000), 'moves/s'),
        daemon_cpu_per_move: figure(stats.stopMoves === 0 ? Number.NaN : (stats.cpuPct * 10 * wallMs) / stats.stopMoves, 'µs (all its CPU in the window over the moves)'),
        stop_moved_events: figure(stats.stopMovedEvents, 'events (one per position per levels write)'),
      },
      daemon_lazy_commits: {
        what: 'outermost transactions not waiting for the disk: the moved levels (batched), broker answers, audit log',
        count: figure(stats.lazyCommits.count, 'commits'),
        p50: figure(stats.lazyCommits.p50Ms, 'ms'),
        longest: figure(stats.lazyCommits.longestMs, 'ms'),
        total: figure(stats.lazyCommits.totalMs, 'ms'),
        share_of_window: figure((stats.lazyCommits.totalMs / wallMs) * 100, '% of the wall time'),
      },
      daemon_event_loop_delay: { p99: figure(stats.loopDelay.p99Ms, 'ms'), max: figure(stats.loopDelay.maxMs, 'ms') },
      ...daemonFigures(stats),
      recovery_of_positions: figure(recoverMs, 'ms'),
    };
  } finally {
    await endDaemon(ctx, d.child);
  }
}
