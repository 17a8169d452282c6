/**
 * What the NFO instrument master costs: a realistic dump of ~100 000 rows (index options with
 * weeklies and wide strike ranges, ~200 stocks' monthly options and futures, in Kite's CSV layout)
 * streamed through the real reader and builder, as the download would feed it (64 KiB chunks).
 * Prints one JSON document: parse time (wall and CPU: the machine may be shared), the longest the
 * event loop was held, the heap the master keeps, and for comparison the heap the same rows keep
 * as parsed objects (csv-parse's sync API with columns, as the equity dump is read).
 *
 *   npx tsx bench/option-master.ts [--rows 100000] [--runs 5]
 */
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { buildDerivativesMaster } from '../engine/brokers/kite/build-derivatives-master';
import { csvRows } from '../engine/csv/csv-rows';
import type { DerivativesMaster } from '../engine/brokers/kite/derivatives-master';
import { resolveLegContract } from '../engine/options/resolve-leg-contract';
import { instrumentsCsv } from '../tests/fakes/kite/fake-instruments';
import { fakeOptionChain, type FakeUnderlyingSpec } from '../tests/fakes/kite/fake-option-chain';
import { figure, round } from './lib/stats';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const targetRows = arg('--rows', 100_000);
const runs = arg('--runs', 5);
const TODAY = '2026-12-07';

/** NSE's index chains as listed: NIFTY weekly and wide, the others monthly. */
const INDICES: FakeUnderlyingSpec[] = [
  { name: 'NIFTY', exchange: 'NFO', step: 50, lotSize: 65, spot: 26000, weekly: true, weekday: 2 },
  { name: 'BANKNIFTY', exchange: 'NFO', step: 100, lotSize: 30, spot: 59000, weekly: false, weekday: 2 },
  { name: 'FINNIFTY', exchange: 'NFO', step: 50, lotSize: 60, spot: 27500, weekly: false, weekday: 2 },
  { name: 'MIDCPNIFTY', exchange: 'NFO', step: 25, lotSize: 120, spot: 13500, weekly: false, weekday: 2 },
  { name: 'NIFTYNXT50', exchange: 'NFO', step: 100, lotSize: 25, spot: 70000, weekly: false, weekday: 2 },
];
const STOCK_STEPS = [2.5, 5, 10, 20, 50];

function dump(): { csv: string; rows: number; samples: string[] } {
  const indexRows = fakeOptionChain({ today: TODAY, underlyings: INDICES, weeklies: 5, monthlies: 6, strikesEachSide: 150 });
  // Stocks: monthly only, 3 expiries, ~40 strikes a side, enough of them to reach the target.
  const perStock = 3 * (81 * 2 + 1);
  const stocks: FakeUnderlyingSpec[] = Array.from({ length: Math.max(0, Math.ceil((targetRows - indexRows.length) / perStock)) }, (_, i) => {
    const step = STOCK_STEPS[i % STOCK_STEPS.length]!;
    return { name: `STOCK${String(i).padStart(3, '0')}`, exchange: 'NFO', step, lotSize: 100 + 25 * (i % 40), spot: step * (100 + (i % 7) * 20), weekly: false, weekday: 2 };
  });
  const stockRows = fakeOptionChain({ today: TODAY, underlyings: stocks, monthlies: 3, strikesEachSide: 40 });
  // Stock tokens continue after the indices' so every token is distinct, as in Kite's dump.
  const shift = indexRows.length * 256;
  const rows = [...indexRows, ...stockRows.map((r) => ({ ...r, token: r.token + shift }))];
  const samples = [rows[0]!, rows[Math.floor(rows.length / 2)]!, rows[rows.length - 1]!].map((r) => r.tradingsymbol);
  return { csv: instrumentsCsv(rows, 'NFO'), rows: rows.length, samples };
}

function* chunksOf(bytes: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Full collections until the heap stops shrinking, with turns of the loop between (streams free late). */
async function settle(): Promise<void> {
  let prev = Infinity;
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    const now = heldBytes();
    if (now >= prev - 64 * 1024) return;
    prev = now;
  }
}

const heldBytes = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

async function main(): Promise<void> {
  const { csv, rows, samples: symbols } = dump();
  const bytes = Buffer.from(csv);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let blockedMs = 0;
  let blockedCpuMs = 0;
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let r = 0; r < runs; r++) {
    // A 1 ms interval's longest late arrival: the longest stretch the build held the event loop,
    // in wall time (stretched when the machine is shared) and in this process's CPU time.
    let last = performance.now();
    let lastCpu = cpuMs();
    const watch = setInterval(() => {
      const now = performance.now();
      const cpu = cpuMs();
      blockedMs = Math.max(blockedMs, now - last - 1);
      blockedCpuMs = Math.max(blockedCpuMs, cpu - lastCpu);
      [last, lastCpu] = [now, cpu];
    }, 1);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await buildDerivativesMaster(csvRows(chunksOf(bytes)), 'NFO', 0);
    times.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    clearInterval(watch);
    blockedMs = Math.max(blockedMs, performance.now() - last - 1);
    blockedCpuMs = Math.max(blockedCpuMs, cpuMs() - lastCpu);
  }

  await settle();
  const before = heldBytes();
  let master: DerivativesMaster | null = await buildDerivativesMaster(csvRows(chunksOf(bytes)), 'NFO', 0);
  await settle();
  const retained = heldBytes() - before;

  const nifty = { kind: 'option', underlying: 'NIFTY', expiry: { kind: 'current_week' }, right: 'CE', strike: { kind: 'atm_offset', steps: 2 } } as const;
  const n = 20_000;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) resolveLegContract(master, nifty, { today: TODAY, spot: 25000 + (i % 2000) });
  const resolveUs = ((performance.now() - t0) * 1000) / n;
  t0 = performance.now();
  for (let i = 0; i < n; i++) if (!master.bySymbol(symbols[i % symbols.length]!)) throw new Error(`${symbols[i % symbols.length]} not found`);
  const bySymbolUs = ((performance.now() - t0) * 1000) / n;
  const contracts = master.report.contracts;
  master = null;

  await settle();
  const beforeObjects = heldBytes();
  let objects: Record<string, string>[] | null = parse(csv, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  await settle();
  const objectsRetained = heldBytes() - beforeObjects;
  const objectRows = objects.length;
  objects = null;

  const sorted = [...times].sort((a, b) => a - b);
  const cpuSorted = [...cpuTimes].sort((a, b) => a - b);
  process.stdout.write(
    JSON.stringify(
      {
        bench: 'option-master',
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, load_1m: round(loadavg()[0]!, 2) },
        dump: { rows, contracts, objects_rows: objectRows, csv: figure(bytes.length / 2 ** 20, 'MiB'), gzip: figure(gzipSync(bytes).length / 2 ** 20, 'MiB') },
        parse: {
          runs,
          wall_median: figure(sorted[Math.floor(sorted.length / 2)]!, 'ms'),
          wall_min: figure(sorted[0]!, 'ms'),
          cpu_median: figure(cpuSorted[Math.floor(cpuSorted.length / 2)]!, 'ms'),
          longest_event_loop_block: figure(blockedMs, 'ms'),
          longest_event_loop_block_cpu: figure(blockedCpuMs, 'ms'),
        },
        retained: {
          master: figure(retained / 2 ** 20, 'MiB'),
          per_contract: figure(retained / contracts, 'bytes'),
          same_rows_as_parsed_objects: figure(objectsRetained / 2 ** 20, 'MiB'),
        },
        peak_rss: figure(process.resourceUsage().maxRSS / 1024, 'MiB'),
        lookups: { resolve_leg_contract: figure(resolveUs, 'µs'), by_symbol: figure(bySymbolUs, 'µs') },
      },
      null,
      2,
    ) + '\n',
  );
}

await main();
