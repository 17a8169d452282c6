/**
 * `npm run bench`: Tradeclock's engine against the physical floor of this machine. Prints one
 * JSON document on stdout (progress goes to stderr):
 *
 *   1. trigger precision   2. tick to order   3. recovery   4. footprint   5. the floors
 *   6. start to first exit (`startup`: the keychain part needs `bash scripts/with-keyring.sh`)
 *
 * Every process under test runs on its own: the fake Alpaca (tests/fakes/alpaca) in one child,
 * the daemon (engine/daemon.ts startDaemon) in another, the floor programs in a third; all on
 * 127.0.0.1. Figures carry their unit, and where a floor exists, the floor and the ratio to it.
 *
 *   npx tsx bench/run.ts            full sizes (a few minutes on 2 cores)
 *   npx tsx bench/run.ts --quick    small sizes, seconds; asserts nothing about speed
 *   --only trigger,ticks,recovery,startup   run some sections
 *   --baseline-cli <cli.mjs>        the start section also times this build of the command
 *                                   (e.g. dist-daemon/cli.mjs of an older commit), interleaved
 *   --start-runs <n>                starts per key source in the start section (full 15, quick 2)
 *   --profile                       each measured window of a daemon → bench/profiles/<section>.cpuprofile
 *   --profile-all                   whole daemon processes (node --cpu-prof) → bench/profiles/
 *   (read one with: npx tsx bench/profile-top.ts <file> [--inclusive])
 */
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FULL, QUICK, makeTempDirs, tradingDayOffset, type BenchContext, type Sizes } from './lib/bench-context';
import { spawnChild, useBundledChildren } from './lib/rpc';
import { buildChildren } from './lib/build-children';
import { DAEMON_NODE_FLAGS } from '../scripts/build-daemon';
import type { FakeInfo } from './children/fake';
import { triggerSection } from './sections/trigger';
import { ticksSection } from './sections/ticks';
import { recoverySection } from './sections/recovery';
import { startupSection } from './sections/startup';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const profile = argv.includes('--profile');
const profileAll = argv.includes('--profile-all');
const onlyArg = argv[argv.indexOf('--only') + 1];
const only = argv.includes('--only') && onlyArg ? new Set(onlyArg.split(',')) : null;
const wants = (s: string) => only === null || only.has(s);
const baselineCli = argv.includes('--baseline-cli') ? argv[argv.indexOf('--baseline-cli') + 1] : undefined;
const startRuns = argv.includes('--start-runs') ? Number(argv[argv.indexOf('--start-runs') + 1]) : undefined;
const profileDir = fileURLToPath(new URL('./profiles/', import.meta.url));

async function main(): Promise<void> {
  const started = performance.now();
  if (startRuns !== undefined && !(Number.isInteger(startRuns) && startRuns >= 1)) throw new Error('--start-runs wants a whole number of at least 1');
  const sizes: Sizes = { ...(quick ? QUICK : FULL), ...(startRuns === undefined ? {} : { startup: { runs: startRuns } }) };
  const dirs = makeTempDirs();
  const log = (msg: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
  if (profile) mkdirSync(profileDir, { recursive: true });
  const built = await buildChildren();
  useBundledChildren(built.dir);
  try {
    await runSections(quick, sizes, dirs, log, started, join(built.dir, 'cli.mjs'));
  } finally {
    // Profiles point into the bundles: their source maps stay for bench/profile-top.ts.
    if (profile || profileAll) log(`bundles kept for the profiles' source maps: ${built.dir}`);
    else built.remove();
  }
}

async function runSections(quick: boolean, sizes: typeof FULL, dirs: ReturnType<typeof makeTempDirs>, log: (msg: string) => void, started: number, cliFile: string): Promise<void> {
  const fake = spawnChild('fake');
  const fakeInfo = await fake.call<FakeInfo>('start', { symbols: sizes.universe });
  const ctx: BenchContext = {
    quick,
    sizes,
    fake,
    fakeInfo,
    clockOffsetMs: tradingDayOffset(),
    daemonFlags: [...DAEMON_NODE_FLAGS, ...(profileAll ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    profileAll,
    profileDir: profile ? profileDir : null,
    log,
    ...dirs,
  };
  if (ctx.clockOffsetMs !== 0) log(`today is no NYSE trading day: the daemon's clock runs ${ctx.clockOffsetMs / 86_400_000} day(s) ahead`);

  const out: Record<string, unknown> = {
    bench: 'tradeclock',
    mode: quick ? 'quick' : 'full',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', memory_GB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` },
    setup: {
      broker: 'fake Alpaca (tests/fakes/alpaca) in its own process: REST + trade_updates + market-data WebSockets on 127.0.0.1; no rate or symbol limit',
      daemon: 'startDaemon() in its own process: SQLite file (WAL, synchronous=FULL), in-process runtime store, system clock, default log level',
      universe_symbols: sizes.universe,
      clock_shift_days: ctx.clockOffsetMs / 86_400_000,
    },
  };
  const floors: Record<string, unknown> = {};
  try {
    if (wants('trigger')) {
      const t = await triggerSection(ctx);
      out.trigger_precision = t;
      floors.trigger = (t.runs as Array<Record<string, unknown>>).map((r) => ({
        strategies_per_second: r.strategies_per_second,
        seconds: r.seconds,
        lateness: Object.fromEntries(Object.entries(r.lateness as Record<string, { floor: number }>).map(([k, v]) => [k, { value: v.floor, unit: 'ms' }])),
        all_orders_out: { value: (r.all_orders_out as { floor: number }).floor, unit: 'ms' },
      }));
    }
    if (wants('ticks')) {
      const t = await ticksSection(ctx);
      out.tick_to_order = t.section;
      floors.relay = t.floors;
    }
    if (wants('recovery')) {
      const r = await recoverySection(ctx);
      out.recovery = r.recovery;
      out.footprint = r.footprint;
      floors.process_start = { value: Number(r.processStartFloorMs.toFixed(1)), unit: 'ms', what: 'fork of a node child that loads nothing, until it says ready' };
    }
    if (wants('startup')) out.start_to_first_exit = await startupSection(ctx, cliFile, baselineCli);
    out.floors = {
      what: 'the same work without the engine, measured in this run on this machine',
      trigger: 'floor_program of trigger_precision',
      relay: 'floor_program of tick_to_order',
      ...floors,
    };
    out.duration = { value: Number(((performance.now() - started) / 1000).toFixed(1)), unit: 's' };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await fake.call('close').catch(() => {});
    await fake.kill();
    if (!process.env.BENCH_KEEP) dirs.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
