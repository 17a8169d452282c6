/**
 * `npm run soak -- [--cycles 200] [--strategies 5] [--seed 1]`: the long crash soak. Prints the
 * counts as one JSON document; exits 1 if any order was doubled or lost, any journal row left
 * unresolved, or the database failed its integrity check.
 */
import { runCrashSoak } from '../tests/soak/crash-soak';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

const report = await runCrashSoak({
  cycles: arg('cycles', 200),
  strategiesPerCycle: arg('strategies', 5),
  seed: arg('seed', 1),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify({ measured: new Date().toISOString(), node: process.version, ...report }, null, 2)}\n`);
const ok = report.duplicates === 0 && report.lostExits === 0 && report.unresolvedOrders === 0 && report.integrity === 'ok' && report.problems.length === 0;
process.exit(ok ? 0 : 1);
