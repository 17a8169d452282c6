/**
 * Sections 3 and 4: recovery and footprint. A daemon arms N strategies (BUY an hour away),
 * its idle footprint is taken with 0 and N armed, then it is SIGKILLed and started again on the
 * same data directory: the time until every strategy is re-armed (runtime keys, jobs) and every
 * symbol subscribed at the fake. The floor of a restart is a node child that loads nothing.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { PASSPHRASE_SCRYPT } from '../../engine/secrets/passphrase-key-provider';
import { buyAndSellTimes, type BenchContext } from '../lib/bench-context';
import { sleep } from '../lib/sleep';
import { endDaemon, freshDaemon, restartDaemon } from '../lib/daemon-child';
import { spawnChild } from '../lib/rpc';
import { figure, type Figure } from '../lib/stats';
import { symbols as symbolList } from '../lib/symbols';

interface Footprint {
  readonly rssMB: number;
  readonly rssAnonMB: number | null;
  readonly rssFileMB: number | null;
  readonly heapUsedMB: number;
  readonly heapTotalMB: number;
  readonly externalMB: number;
  readonly cpuPct: number;
  readonly gcPauses: number;
  readonly majorGcs: number;
}

const footprintFigures = (f: Footprint): Record<string, Figure | Record<string, Figure>> => ({
  rss: figure(f.rssMB, 'MB'),
  ...(f.rssAnonMB === null || f.rssFileMB === null ? {} : { rss_anonymous: figure(f.rssAnonMB, 'MB'), rss_file: figure(f.rssFileMB, 'MB') }),
  heap_used: figure(f.heapUsedMB, 'MB'),
  heap_total: figure(f.heapTotalMB, 'MB'),
  external: figure(f.externalMB, 'MB'),
  cpu: figure(f.cpuPct, '% of one core'),
  gc_in_window: { pauses: figure(f.gcPauses, 'pauses'), major: figure(f.majorGcs, 'pauses') },
});

export async function recoverySection(ctx: BenchContext): Promise<{ recovery: Record<string, unknown>; footprint: Record<string, unknown>; processStartFloorMs: number }> {
  const { sizes } = ctx;
  const n = sizes.recovery.strategies;
  const symbols = symbolList(n, sizes.universe);
  const distinct = new Set(symbols).size;
  const idle = async (child: { call<T>(cmd: string, args?: unknown): Promise<T> }) => {
    await sleep(sizes.footprint.settleMs);
    return child.call<Footprint>('footprint', { windowMs: sizes.footprint.windowMs });
  };

  ctx.log('recovery: the vault key derivation of a passphrase install (scrypt N=2^17), for reference');
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => scrypt('bench passphrase', randomBytes(16), 32, { ...PASSPHRASE_SCRYPT, maxmem: 256 * 2 ** 20 }, (err) => (err ? reject(err) : resolve())));
  const scryptMs = performance.now() - t0;

  ctx.log('recovery: floor (a node child that loads nothing)');
  const hello = spawnChild('hello');
  const helloReady = await hello.once<{ readyAt: number }>('ready');
  const processStartFloorMs = helloReady.readyAt - (performance.timeOrigin + hello.spawnedAt);
  await hello.kill();

  ctx.log('footprint: idle daemon, nothing armed');
  const d = await freshDaemon(ctx, 'recovery');
  const idle0 = await idle(d.child);

  ctx.log(`recovery: arming ${n} strategies`);
  const buyAt = Date.now() + ctx.clockOffsetMs + 3_600_000;
  const armed = await d.child.call<{ createMs: number; startMs: number }>('createStrategies', {
    symbols,
    ...buyAndSellTimes(buyAt),
    stopLoss: 50,
    start: true,
    concurrency: 32,
  });
  const sub0 = await ctx.fake.call<{ subscribed: number }>('waitSubscribed', { n: distinct, timeoutMs: 120_000 });
  if (sub0.subscribed < distinct) throw new Error(`only ${sub0.subscribed}/${distinct} symbols subscribed after arming`);
  ctx.log(`footprint: idle daemon, ${n} armed`);
  const idleN = await idle(d.child);
  if (ctx.profileDir) ctx.log(`heap snapshot: ${await d.child.call<string>('heapSnapshot', { file: `${ctx.profileDir}recovery-idle-after-arming.heapsnapshot` })}`);

  ctx.log('recovery: SIGKILL and restart');
  await d.child.kill('SIGKILL'); // the crash under test: never a clean exit
  await sleep(500);
  await ctx.fake.call('anchor');
  const next = restartDaemon(ctx, d);
  const spawnedWall = performance.timeOrigin + next.spawnedAt;
  try {
    const ready = await next.once<{ startMs: number; doneAt: number; importedAt: number; processStart: number }>('ready', 300_000);
    const sub = await ctx.fake.call<{ subscribed: number; at: number }>('waitSubscribed', { n: distinct, timeoutMs: 120_000 });
    const state = await next.call<{ armed: number }>('state');
    const idleAfter = await idle(next);
    if (ctx.profileDir) ctx.log(`heap snapshot: ${await next.call<string>('heapSnapshot', { file: `${ctx.profileDir}recovery-idle-after-restart.heapsnapshot` })}`);
    const restartToArmed = ready.doneAt - spawnedWall;
    const restartToSubscribed = Math.max(sub.at, ready.doneAt) - spawnedWall;
    return {
      processStartFloorMs,
      recovery: {
        what: 'SIGKILL with N running (armed) strategies, restart on the same data directory: until every strategy is re-armed (runtime keys, jobs) and every symbol subscribed at the fake',
        strategies: n,
        symbols: distinct,
        rearmed: state.armed,
        subscribed: sub.subscribed,
        start_daemon: figure(ready.startMs, 'ms'),
        start_daemon_note: 'startDaemon() on the existing data directory: open SQLite, vault, broker connect, recovery, API listen. The bench install uses the cheapest scrypt cost for the vault key; a passphrase install adds vault_key_derivation, a keychain install a Secret Service lookup',
        vault_key_derivation: figure(scryptMs, 'ms'),
        restart_to_rearmed: figure(restartToArmed, 'ms', processStartFloorMs),
        restart_to_subscribed: figure(restartToSubscribed, 'ms', processStartFloorMs),
        module_loading: figure(ready.importedAt - spawnedWall, 'ms'),
        first_arming: { create: figure(armed.createMs, 'ms'), start: figure(armed.startMs, 'ms') },
        targets: { recovery_under_1s: ready.startMs < 1_000 },
      },
      footprint: {
        what: 'idle daemon (no orders, no ticks): RSS and heap at the end of the window, CPU over it',
        window: figure(sizes.footprint.windowMs, 'ms'),
        armed_0: footprintFigures(idle0),
        [`armed_${n}`]: footprintFigures(idleN),
        [`armed_${n}_after_recovery`]: footprintFigures(idleAfter),
        targets: { idle_rss_under_150MB_with_10k_armed: n === 10_000 ? idleN.rssMB < 150 && idleAfter.rssMB < 150 : null },
      },
    };
  } finally {
    await endDaemon(ctx, next);
  }
}
