/**
 * Section 6: start to first exit. An install holds a position whose SELL time passed while the
 * daemon was down; `tradeclock daemon` (the bundled engine/cli.ts, under the node flags of
 * `npm run daemon`) is spawned on a copy of its data directory, and the time is taken from the
 * spawn to the moment the fake Alpaca receives the SELL. Once with the vault key in the OS
 * keychain (the Secret Service of scripts/with-keyring.sh, when this bench runs inside it), once
 * derived from TRADECLOCK_PASSPHRASE at a real install's scrypt cost.
 *
 * The daemon's own log lines (pino, epoch ms) give the steps in between. Every start is on a
 * fresh copy, so each one finds the same overdue position.
 */
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../db/client';
import { createRepos } from '../../db/repos';
import { KEY_CHECK_SETTING, parseKeyCheck } from '../../engine/secrets/key-check';
import { STARTUP_PASSPHRASE, type Setup, type StartArgs, type VaultSource } from '../children/daemon';
import type { Arrival } from '../children/fake';
import { buyAndSellTimes, type BenchContext } from '../lib/bench-context';
import { spawnChild } from '../lib/rpc';
import { sleep } from '../lib/sleep';
import { figure, percentile, round } from '../lib/stats';
import { symbols } from '../lib/symbols';
import { anchor, wallNow } from '../lib/wall-clock';

/** Log lines whose times are reported, in the order a start passes them. */
const STEPS: ReadonlyArray<readonly [string, RegExp]> = [
  ['first_log_line', /./],
  ['vault_check_begins', /^checking that the vault key unseals/],
  ['recovery_read', /^recovery read the unfinished runs/],
  ['recovery_done', /^recovery done$/],
  ['ready', /^tradeclock daemon ready$/],
];

/** The SELL time of the seeded position passed this long before the start. */
const SELL_PASSED_MS = 5 * 60_000;

interface Sample {
  readonly firstExitMs: number;
  readonly steps: Record<string, number>;
}

/**
 * `baselineCli`: another build of the command (`--baseline-cli`, e.g. the commit before a change),
 * timed on the same installs with its starts interleaved with these, so that both see the same
 * machine.
 */
export async function startupSection(ctx: BenchContext, cliFile: string, baselineCli?: string): Promise<Record<string, unknown>> {
  const runs = ctx.sizes.startup.runs;
  const floors: number[] = [];
  const out: Record<string, unknown> = {
    what: 'spawn of `node --max-semi-space-size=8 cli.mjs daemon` on a data directory with one position whose SELL passed while it was down → that SELL received by the fake Alpaca',
    machine_load_1min: figure(loadavg()[0]!, 'runnable processes (2 cores)'),
    runs,
  };
  for (const vault of ['keychain', 'passphrase'] as const) {
    const template = await prepareInstall(ctx, vault);
    if (typeof template !== 'string') {
      out[vault] = { skipped: template.skipped };
      ctx.log(`start: ${vault}: skipped (${template.skipped})`);
      continue;
    }
    const samples: Sample[] = [];
    const baseline: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      floors.push(await processStartFloor());
      // Alternating which goes first: a spell of load lands on both alike.
      const order = i % 2 === 0 ? [false, true] : [true, false];
      for (const isBaseline of order) {
        if (isBaseline && !baselineCli) continue;
        const sample = await timedStart(ctx, isBaseline ? baselineCli! : cliFile, template, vault, `${i}${isBaseline ? 'b' : ''}`);
        (isBaseline ? baseline : samples).push(sample);
        ctx.log(`start: ${vault}${isBaseline ? ' (baseline)' : ''} ${i + 1}/${runs}: first exit after ${sample.firstExitMs.toFixed(0)} ms`);
      }
    }
    const target = vault === 'keychain' ? 1_000 : 2_000;
    const exits = samples.map((s) => s.firstExitMs);
    out[vault] = {
      ...summary(samples),
      target: { [`under_${target}_ms`]: median(exits) < target, p95_under: percentile(sorted(exits), 95) < target },
      ...(baselineCli ? { baseline: { cli: baselineCli, ...summary(baseline) } } : {}),
    };
  }
  out.process_start_floor = { ...spread(floors), what: 'fork of a node child that loads nothing, until it says ready; once before each start' };
  out.machine_load_1min_after = figure(loadavg()[0]!, 'runnable processes (2 cores)');
  return out;
}

function summary(samples: readonly Sample[]) {
  const exits = samples.map((s) => s.firstExitMs);
  return {
    first_exit: spread(exits),
    // A step a build does not log (an older one) is left out.
    steps_p50: Object.fromEntries(
      STEPS.flatMap(([name]) => {
        const times = samples.flatMap((s) => (s.steps[name] === undefined ? [] : [s.steps[name]]));
        return times.length === 0 ? [] : [[name, figure(median(times), 'ms after spawn')]];
      }),
    ),
    samples_ms: exits.map((ms) => round(ms, 1)),
  };
}

async function processStartFloor(): Promise<number> {
  const hello = spawnChild('hello');
  const ready = await hello.once<{ readyAt: number }>('ready');
  await hello.kill();
  return ready.readyAt - (performance.timeOrigin + hello.spawnedAt);
}

/**
 * A data directory with a user, the fake Alpaca account (its credentials sealed with the vault
 * key from `vault`) and one position past its SELL; a reason instead when that key source is not
 * to be had here.
 */
async function prepareInstall(ctx: BenchContext, vault: VaultSource): Promise<string | { skipped: string }> {
  if (vault === 'keychain' && !process.env.DBUS_SESSION_BUS_ADDRESS) return { skipped: 'no D-Bus session, so no Secret Service: run the bench inside `bash scripts/with-keyring.sh`' };
  const dataDir = ctx.tempDir(`start-${vault}`);
  const child = spawnChild('daemon', { nodeFlags: ctx.daemonFlags, env: sessionEnv(vault) });
  try {
    await child.call('start', { dataDir, clockOffsetMs: 0, vault } satisfies StartArgs);
    try {
      await child.call<Setup>('setup', { fake: ctx.fakeInfo });
    } catch (err) {
      if (vault === 'keychain') return { skipped: `the OS keychain did not take the vault key: ${(err as Error).message.split('\n')[0]}` };
      throw err;
    }
    // Created through the engine, as the trader did before the BUY: its instrument is stored, so
    // a start within the day looks none up.
    await child.call('createStrategies', { symbols: symbols(1), ...buyAndSellTimes(Date.now() + 3_600_000), stopLoss: 50, start: false, concurrency: 1 });
    await child.call('stop');
    await child.call('seedPositions', { symbols: symbols(1), sellPassedMs: SELL_PASSED_MS });
  } finally {
    await child.kill('SIGKILL');
  }
  const sealedWith = keyCheckSource(dataDir);
  if (sealedWith !== vault) return { skipped: `the credentials were sealed with ${sealedWith ?? 'no'} key source, not ${vault}` };
  return dataDir;
}

/**
 * A passphrase install is a machine without a Secret Service (a headless server): inside
 * with-keyring.sh its session bus is hidden, or the keychain, tried first, would take the key.
 */
function sessionEnv(vault: VaultSource): Record<string, string> {
  return vault === 'passphrase' ? { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/tradeclock-bench-no-bus' } : {};
}

function keyCheckSource(dataDir: string): string | null {
  const db = openDatabase(join(dataDir, 'tradeclock.sqlite'));
  try {
    return parseKeyCheck(createRepos(db).settings.get(KEY_CHECK_SETTING))?.source ?? null;
  } finally {
    db.close();
  }
}

async function timedStart(ctx: BenchContext, cliFile: string, template: string, vault: VaultSource, tag: string): Promise<Sample> {
  const dataDir = ctx.tempDir(`start-${vault}-${tag}`);
  cpSync(template, dataDir, { recursive: true });
  const from = await ctx.fake.call<number>('count');
  await ctx.fake.call('anchor');
  anchor();
  const env: NodeJS.ProcessEnv = { ...process.env, ...sessionEnv(vault), TRADECLOCK_TEST_HOOKS: '1', TRADECLOCK_TEST_CALENDAR: 'always-open' };
  delete env.TRADECLOCK_PASSPHRASE;
  if (vault === 'passphrase') env.TRADECLOCK_PASSPHRASE = STARTUP_PASSPHRASE;
  const spawnedAt = wallNow();
  // ctx.daemonFlags: those of `npm run daemon`, and --cpu-prof with --profile-all.
  const proc = spawn(process.execPath, [...ctx.daemonFlags, cliFile, 'daemon', '--data-dir', dataDir, '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  proc.stdout.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  proc.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  try {
    const exit = await firstSell(ctx, from, () => proc.exitCode !== null || proc.signalCode !== null);
    if (!exit) throw new Error(`no SELL reached the fake within 30 s (${vault}); daemon stderr: ${stderr}; log: ${lines.slice(-5).join('\n')}`);
    // The steps after the exit (the API listening) are reported too.
    for (let t = 0; t < 300 && !lines.some((l) => l.includes('"tradeclock daemon ready"')); t++) await sleep(10);
    return { firstExitMs: exit[3] - spawnedAt, steps: stepTimes(lines, spawnedAt) };
  } finally {
    // A clean stop writes a --profile-all profile; otherwise the crash is the cheaper end.
    proc.kill(ctx.profileAll ? 'SIGTERM' : 'SIGKILL');
    await exited;
  }
}

async function firstSell(ctx: BenchContext, from: number, gone: () => boolean): Promise<Arrival | null> {
  const until = performance.now() + 30_000;
  while (performance.now() < until && !gone()) {
    const sell = (await ctx.fake.call<Arrival[]>('arrivals', { from })).find(([, , side]) => side === 'sell');
    if (sell) return sell;
    await sleep(5);
  }
  return null;
}

/** ms after the spawn of each step's first log line (pino's `time`, whole ms). */
function stepTimes(lines: readonly string[], spawnedAt: number): Record<string, number> {
  const entries = lines.flatMap((l) => {
    try {
      const e = JSON.parse(l) as { time?: number; msg?: string };
      return typeof e.time === 'number' && typeof e.msg === 'string' ? [{ time: e.time, msg: e.msg }] : [];
    } catch {
      return [];
    }
  });
  const steps: Record<string, number> = {};
  for (const [name, re] of STEPS) {
    const hit = entries.find((e) => re.test(e.msg));
    if (hit) steps[name] = hit.time - spawnedAt;
  }
  return steps;
}

const sorted = (samples: readonly number[]) => [...samples].sort((a, b) => a - b);
const median = (samples: readonly number[]) => percentile(sorted(samples), 50);

function spread(samples: readonly number[]) {
  return { median: figure(median(samples), 'ms'), p95: figure(percentile(sorted(samples), 95), 'ms'), min: figure(Math.min(...samples), 'ms'), max: figure(Math.max(...samples), 'ms') };
}
