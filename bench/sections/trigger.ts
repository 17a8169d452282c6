/**
 * Section 1: trigger precision. N strategies share one BUY second; for each order, the time from
 * the scheduled instant to the request arriving at the fake (another process, loopback HTTP).
 * N = 1 is repeated over consecutive seconds to get a distribution. The floor is a bare program
 * that sleeps with setTimeout until the same kind of instant and sends the same requests. For
 * N = 1 two floors run in the same minutes as the engine, on the thirds of a second between its
 * instants (so a spell of noise on the VM lands on all three): the bare one, and a durable one
 * that journals each order in SQLite before sending it, as invariant 2 asks of the engine.
 */
import { join } from 'node:path';
import { buyAndSellTimes, type BenchContext } from '../lib/bench-context';
import { sleep, sleepUntil } from '../lib/sleep';
import { daemonFigures, endDaemon, freshDaemon, measuredRun, profiled, type DaemonChild } from '../lib/daemon-child';
import type { RunStats } from '../children/daemon';
import { spawnChild } from '../lib/rpc';
import { figure, latencyFigures, round, summarize, type Summary } from '../lib/stats';
import { symbolOf, symbols as symbolList } from '../lib/symbols';
import type { Arrival } from '../children/fake';
import { WARM_UP_LEAD_MS } from '../../engine/strategy/strategy-manager';

interface Trial {
  /** Scheduled instants (real epoch ms), one per round. */
  readonly instants: number[];
  readonly perInstant: number;
}

interface Measured {
  readonly lateness: Summary;
  /** The latest order of each round, worst first: [round, lateness ms, the round's instant]. */
  readonly worst: ReadonlyArray<readonly [number, number, number]>;
  /** The latest order of the first round: the first after the program started. */
  readonly first: number;
  /** Last arrival after its instant, worst round. */
  readonly allOutMs: number;
  readonly arrived: number;
  readonly expected: number;
}

/** Lateness of each arrival against the latest instant at or before it (instants are ≥ 1 s apart). */
function measure(trial: Trial, arrivals: readonly Arrival[]): Measured {
  const late: number[] = [];
  const lastPerRound = new Map<number, number>();
  for (const [, , , at] of arrivals) {
    // 2 ms of slack for the cross-process clock anchor: nothing fires before its instant.
    let r = -1;
    for (let i = 0; i < trial.instants.length; i++) if (trial.instants[i]! <= at + 2) r = i;
    if (r < 0) continue;
    const l = at - trial.instants[r]!;
    late.push(l);
    lastPerRound.set(r, Math.max(lastPerRound.get(r) ?? 0, l));
  }
  const worst = [...lastPerRound]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([r, ms]) => [r, ms, trial.instants[r]!] as const);
  return { lateness: summarize(late), worst, first: lastPerRound.get(0) ?? Number.NaN, allOutMs: worst[0]?.[1] ?? Number.NEGATIVE_INFINITY, arrived: late.length, expected: trial.instants.length * trial.perInstant };
}

async function collect(ctx: BenchContext, from: number, trial: Trial): Promise<Arrival[]> {
  const expected = trial.instants.length * trial.perInstant;
  const deadline = trial.instants.at(-1)! + 30_000 + trial.perInstant * 20;
  await sleepUntil(trial.instants.at(-1)!);
  for (;;) {
    const count = await ctx.fake.call<number>('count');
    if (count - from >= expected || Date.now() > deadline) break;
    await sleep(100);
  }
  await sleep(200); // a straggler beyond the expected count would show up as an error, not hide
  return ctx.fake.call<Arrival[]>('arrivals', { from });
}

/** Anchors the fake's sub-ms wall clock shortly before the first instant. */
async function anchorBefore(ctx: BenchContext, at: number): Promise<void> {
  await sleepUntil(at - 1_500);
  await ctx.fake.call('anchor');
}

/** The floor child's `fire` arguments: the same requests, warm-up and concurrency as the engine's. */
function fireArgs(ctx: BenchContext, trial: Trial, idPrefix: string, symbols: readonly string[], journal?: string) {
  return {
    restUrl: ctx.fakeInfo.restUrl,
    credentials: ctx.fakeInfo.credentials,
    instants: trial.instants,
    perInstant: trial.perInstant,
    concurrency: ctx.sizes.maxInFlight,
    idPrefix,
    symbols,
    warmLeadMs: WARM_UP_LEAD_MS, // as the engine warms
    journal,
  };
}

async function floorTrial(ctx: BenchContext, trial: Trial, tag: string): Promise<Measured> {
  const floor = spawnChild('floor-timer');
  try {
    const from = await ctx.fake.call<number>('count');
    const firing = floor.call('fire', fireArgs(ctx, trial, `floor-${tag}-${Date.now()}`, symbolList(Math.min(trial.perInstant, ctx.sizes.universe))));
    await anchorBefore(ctx, trial.instants[0]!);
    const arrivals = await collect(ctx, from, trial);
    await firing;
    return measure(trial, arrivals);
  } finally {
    await floor.kill();
  }
}

/** The arming of a trial ran past its first instant; `armMs` is how long it took. */
class ArmingTooSlow extends Error {
  constructor(
    readonly armMs: number,
    strategies: number,
    leadMs: number,
  ) {
    super(`arming ${strategies} strategies took ${Math.round(armMs)} ms, past the lead of ${leadMs} ms`);
  }
}

/**
 * Arms `n` strategies on each of `rounds` consecutive whole seconds, the first at least `leadMs`
 * away; throws ArmingTooSlow when the arming ran past the first second.
 */
async function armRounds(ctx: BenchContext, d: DaemonChild, n: number, rounds: number, leadMs: number): Promise<{ engine: Trial; armMs: number }> {
  const first = Math.ceil((Date.now() + leadMs) / 1000) * 1000;
  const engine: Trial = { instants: Array.from({ length: rounds }, (_, r) => first + r * 1000), perInstant: n };
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    const buyAt = engine.instants[r]! + ctx.clockOffsetMs;
    await d.child.call('createStrategies', {
      symbols: symbolList(n, ctx.sizes.universe, r),
      ...buyAndSellTimes(buyAt),
      stopLoss: 50,
      start: true,
      concurrency: 32,
    });
  }
  const armMs = performance.now() - t0;
  if (Date.now() > first - 500) throw new ArmingTooSlow(armMs, n * rounds, leadMs);
  return { engine, armMs };
}

/** Runs `trial` with `leadMs`, and once more with the lead the arming really needed if it ran out. */
async function withArmingRetry<T>(ctx: BenchContext, leadMs: number, trial: (leadMs: number, retry: boolean) => Promise<T>): Promise<T> {
  try {
    return await trial(leadMs, false);
  } catch (err) {
    if (!(err instanceof ArmingTooSlow)) throw err;
    ctx.log(`trigger: ${String(err)}; retrying with a longer lead`);
    return trial(Math.round(err.armMs) * 1.5 + 4_000, true);
  }
}

/**
 * N = 1: the engine on whole seconds, the bare floor a third of a second later, the durable floor
 * (which journals each order first, as invariant 2 asks) two thirds later, all in the same minutes.
 */
async function interleavedTrial(ctx: BenchContext, rounds: number, leadMs: number): Promise<{ engine: Measured; floor: Measured; durableFloor: Measured; armMs: number; daemon: RunStats }> {
  const d = await freshDaemon(ctx, 'trigger-n1');
  const floors = [spawnChild('floor-timer'), spawnChild('floor-timer')] as const;
  try {
    const { engine, armMs } = await armRounds(ctx, d, 1, rounds, leadMs);
    const floor: Trial = { instants: engine.instants.map((t) => t + 333), perInstant: 1 };
    const durableFloor: Trial = { instants: engine.instants.map((t) => t + 667), perInstant: 1 };
    const from = await ctx.fake.call<number>('count');
    const stamp = Date.now();
    const prefixes = [`floor-n1-${stamp}`, `durable-n1-${stamp}`] as const;
    const journal = join(ctx.tempDir('trigger-floor-journal'), 'journal.sqlite');
    const firing = [floors[0].call('fire', fireArgs(ctx, floor, prefixes[0], [symbolOf(0)])), floors[1].call('fire', fireArgs(ctx, durableFloor, prefixes[1], [symbolOf(0)], journal))];
    await anchorBefore(ctx, engine.instants[0]!);
    const all = [...engine.instants, ...floor.instants, ...durableFloor.instants].sort((a, b) => a - b);
    const { result: arrivals, stats: daemon } = await measuredRun(d.child, () => profiled(ctx, d.child, 'trigger-n1', () => collect(ctx, from, { instants: all, perInstant: 1 })));
    await Promise.all(firing);
    const of = (prefix: string) => arrivals.filter((a) => a[0].startsWith(prefix));
    return {
      engine: measure(engine, arrivals.filter((a) => !prefixes.some((p) => a[0].startsWith(p)))),
      floor: measure(floor, of(prefixes[0])),
      durableFloor: measure(durableFloor, of(prefixes[1])),
      armMs,
      daemon,
    };
  } finally {
    for (const f of floors) await f.kill();
    await endDaemon(ctx, d.child);
  }
}

/**
 * The first second (each program's first order since it started) and the three latest seconds of
 * the engine and of each floor, to tell a cold first order or a GC pause (the daemon's pauses
 * inside the window from 3 ms before the instant to the arrival) from noise that hits all three.
 */
function worstSeconds(engine: Measured, floor: Measured, durableFloor: Measured, daemon: RunStats) {
  const gcIn = (from: number, to: number) => daemon.gcPauses.filter(([at, ms]) => at < to && at + ms > from).reduce((sum, [, ms]) => sum + ms, 0);
  const seconds = (m: Measured) => m.worst.map(([second, ms]) => ({ second, lateness_ms: round(ms, 2) }));
  return {
    first_second_ms: { engine: round(engine.first, 2), floor: round(floor.first, 2), durable_floor: round(durableFloor.first, 2) },
    engine: engine.worst.map(([second, ms, instant]) => ({ second, lateness_ms: round(ms, 2), daemon_gc_ms_in_window: round(gcIn(instant - 3, instant + ms), 2) })),
    floor: seconds(floor),
    durable_floor: seconds(durableFloor),
  };
}

async function engineTrial(ctx: BenchContext, n: number, rounds: number, tag: string, leadMs: number): Promise<{ m: Measured; armMs: number }> {
  const d = await freshDaemon(ctx, `trigger-${tag}`);
  try {
    const { engine, armMs } = await armRounds(ctx, d, n, rounds, leadMs);
    const from = await ctx.fake.call<number>('count');
    await anchorBefore(ctx, engine.instants[0]!);
    const arrivals = await profiled(ctx, d.child, `trigger-${tag}`, () => collect(ctx, from, engine));
    return { m: measure(engine, arrivals), armMs };
  } finally {
    await endDaemon(ctx, d.child);
  }
}

export async function triggerSection(ctx: BenchContext): Promise<Record<string, unknown>> {
  const { sizes } = ctx;
  const runs: Record<string, unknown>[] = [];
  for (const n of sizes.trigger.n) {
    const rounds = n === 1 ? sizes.trigger.rounds : 1;
    const lead = Math.max(sizes.minLeadMs, 4_000 + n * rounds * sizes.leadPerStrategyMs);
    let floor: Measured;
    let durableFloor: Measured | undefined;
    let result: { m: Measured; armMs: number };
    let diagnosis: Record<string, unknown> = {};
    if (n === 1) {
      ctx.log(`trigger: engine, floor and durable floor, 1 order each × ${rounds} second(s), interleaved, lead ${lead} ms`);
      const all = await withArmingRetry(ctx, lead, (leadMs) => interleavedTrial(ctx, rounds, leadMs));
      floor = all.floor;
      durableFloor = all.durableFloor;
      result = { m: all.engine, armMs: all.armMs };
      diagnosis = { worst_seconds: worstSeconds(all.engine, all.floor, all.durableFloor, all.daemon), ...daemonFigures(all.daemon) };
    } else {
      ctx.log(`trigger: floor, ${n} order(s) × ${rounds} second(s)`);
      const firstFloor = Math.ceil((Date.now() + sizes.minLeadMs) / 1000) * 1000;
      floor = await floorTrial(ctx, { instants: Array.from({ length: rounds }, (_, r) => firstFloor + r * 1000), perInstant: n }, `n${n}`);
      ctx.log(`trigger: engine, ${n} strategies × ${rounds} second(s), lead ${lead} ms`);
      result = await withArmingRetry(ctx, lead, (leadMs, retry) => engineTrial(ctx, n, rounds, `n${n}${retry ? '-retry' : ''}`, leadMs));
    }
    const { m, armMs } = result;
    runs.push({
      strategies_per_second: n,
      seconds: rounds,
      orders: { expected: m.expected, arrived: m.arrived, floor_arrived: floor.arrived },
      lateness: latencyFigures(m.lateness, floor.lateness),
      ...(durableFloor ? { lateness_vs_durable_floor: latencyFigures(m.lateness, durableFloor.lateness), p99_minus_durable_floor_p99: figure(m.lateness.p99 - durableFloor.lateness.p99, 'ms') } : {}),
      all_orders_out: figure(m.allOutMs, 'ms', floor.allOutMs),
      p99_minus_floor_p99: figure(m.lateness.p99 - floor.lateness.p99, 'ms'),
      arming: figure(armMs, 'ms'),
      ...diagnosis,
    });
  }
  const one = runs.find((r) => r.strategies_per_second === 1) as { p99_minus_floor_p99: { value: number }; p99_minus_durable_floor_p99?: { value: number } } | undefined;
  const big = runs.find((r) => r.strategies_per_second === 10_000) as { all_orders_out: { value: number } } | undefined;
  return {
    what: 'scheduled BUY instant → POST /v2/orders arriving at the fake Alpaca (separate process, loopback HTTP)',
    floor_program: 'bare Node: setTimeout until the instant, then the same POST /v2/orders (same warm-up 2.5 s before, same 64 requests in flight)',
    durable_floor_program: 'the same, committing one row to a SQLite journal (WAL, synchronous=FULL) before each POST: invariant 2 by itself (1 strategy only)',
    runs,
    targets: {
      one_strategy_p99_within_1ms_of_floor: one ? one.p99_minus_floor_p99.value <= 1 : null,
      one_strategy_p99_within_1ms_of_durable_floor: one?.p99_minus_durable_floor_p99 ? one.p99_minus_durable_floor_p99.value <= 1 : null,
      ten_thousand_out_under_1s: big ? big.all_orders_out.value < 1_000 : null,
    },
  };
}
