/** Starting, setting up and stopping the daemon-under-test child. */
import type { BenchContext } from './bench-context';
import { spawnChild, type Child } from './rpc';
import type { RunStats, Setup, StartArgs } from '../children/daemon';
import { figure } from './stats';

export interface DaemonChild {
  readonly child: Child;
  readonly dataDir: string;
  readonly setup: Setup;
}

/** A fresh daemon on a fresh data directory, with a user and the fake Alpaca account connected. */
export async function freshDaemon(ctx: BenchContext, tag: string): Promise<DaemonChild> {
  const dataDir = ctx.tempDir(tag);
  const child = spawnChild('daemon', { nodeFlags: ctx.daemonFlags });
  await child.call('start', { dataDir, clockOffsetMs: ctx.clockOffsetMs } satisfies StartArgs);
  const setup = await child.call<Setup>('setup', { fake: ctx.fakeInfo });
  return { child, dataDir, setup };
}

/** The same data directory in a new process that starts at once (a restart). */
export function restartDaemon(ctx: BenchContext, prev: DaemonChild): Child {
  const args: StartArgs & { setup: Setup } = { dataDir: prev.dataDir, clockOffsetMs: ctx.clockOffsetMs, setup: prev.setup };
  return spawnChild('daemon', { nodeFlags: ctx.daemonFlags, env: { BENCH_DAEMON_AUTOSTART: JSON.stringify(args) } });
}

/** Ends a daemon child: SIGKILL, or a normal exit first when profiling (so the profile is written). */
export async function endDaemon(ctx: BenchContext, child: Child): Promise<void> {
  if (ctx.profileAll) {
    await child.call('exit').catch(() => {});
    await child.waitExit(60_000);
    return;
  }
  await child.kill('SIGKILL');
}

/** Runs `window` under the daemon's CPU profiler when the bench was started with --profile. */
export async function profiled<T>(ctx: BenchContext, child: Child, name: string, window: () => Promise<T>): Promise<T> {
  if (!ctx.profileDir) return window();
  await child.call('profileStart');
  try {
    return await window();
  } finally {
    const file = await child.call<string>('profileStop', { dir: ctx.profileDir, name });
    ctx.log(`profile: ${file}`);
  }
}

/** Runs `window` and returns with it what the daemon went through meanwhile (its `runStats`). */
export async function measuredRun<T>(child: Child, window: () => Promise<T>): Promise<{ result: T; stats: RunStats }> {
  await child.call('markRunStats');
  const result = await window();
  return { result, stats: await child.call<RunStats>('runStats') };
}

/** The daemon's side of a measured run: CPU, journal commits, GC. */
export function daemonFigures({ cpuPct, commits, gcPauses }: RunStats) {
  const pauses = gcPauses.map(([, ms]) => ms);
  return {
    daemon_cpu: figure(cpuPct, '% of one core'),
    daemon_journal_commits: { count: figure(commits.count, 'commits'), p50: figure(commits.p50Ms, 'ms'), longest: figure(commits.longestMs, 'ms') },
    daemon_gc: { pauses: figure(pauses.length, 'pauses'), over_10ms: figure(pauses.filter((d) => d > 10).length, 'pauses'), longest: figure(Math.max(0, ...pauses), 'ms'), total: figure(pauses.reduce((a, b) => a + b, 0), 'ms') },
  };
}
