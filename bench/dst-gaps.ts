/**
 * What the DST-gap check costs a strategy create or edit (engine/scheduler/dst-gaps.ts), on the
 * main thread: `refuseDstGaps` for one strategy, timed call by call. Prints one JSON document.
 *
 *   npx tsx bench/dst-gaps.ts                     this work tree
 *   npx tsx bench/dst-gaps.ts --root /tmp/old     another checkout (e.g. `git archive` of an
 *                                                 older commit, node_modules linked in)
 *   --calls 200                                   calls per case (after 20 to warm up)
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { round, summarize } from './lib/stats';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback);
const root = arg('--root', join(import.meta.dirname, '..'));
const calls = Number(arg('--calls', '200'));

type Exchange = 'NYSE' | 'NSE' | 'CRYPTO';
interface Case {
  readonly name: string;
  readonly strategy: { buyTime: string; sellTime: string; timezone: string; exchange: Exchange };
}

const cases: readonly Case[] = [
  { name: 'NYSE 09:30/15:55 New York (no gap)', strategy: { buyTime: '09:30', sellTime: '15:55', timezone: 'America/New_York', exchange: 'NYSE' } },
  { name: 'NSE 09:20/15:10 Kolkata (no DST)', strategy: { buyTime: '09:20', sellTime: '15:10', timezone: 'Asia/Kolkata', exchange: 'NSE' } },
  { name: 'CRYPTO 02:15/02:45 New York (both refused)', strategy: { buyTime: '02:15', sellTime: '02:45', timezone: 'America/New_York', exchange: 'CRYPTO' } },
  { name: 'CRYPTO 01:30/23:00 London (buy refused)', strategy: { buyTime: '01:30', sellTime: '23:00', timezone: 'Europe/London', exchange: 'CRYPTO' } },
];

const { refuseDstGaps } = (await import(pathToFileURL(join(root, 'engine/scheduler/dst-gaps.ts')).href)) as {
  refuseDstGaps: (s: Case['strategy'], now: number) => void;
};
const now = Date.parse('2026-01-05T15:00:00Z');

const results: Record<string, { p50_ms: number; p99_ms: number; max_ms: number; refused: boolean }> = {};
for (const c of cases) {
  let refused = false;
  const once = () => {
    try {
      refuseDstGaps(c.strategy, now);
    } catch {
      refused = true;
    }
  };
  for (let i = 0; i < 20; i++) once();
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    once();
    samples.push(performance.now() - t0);
  }
  const s = summarize(samples);
  results[c.name] = { p50_ms: round(s.p50), p99_ms: round(s.p99), max_ms: round(s.max), refused };
}

process.stdout.write(
  `${JSON.stringify({ root, node: process.version, cpus: cpus().length, load_average: loadavg().map((l) => round(l, 2)), calls_per_case: calls, refuseDstGaps: results }, null, 2)}\n`,
);
