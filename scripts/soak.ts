/**
 * `npm run soak -- [--broker alpaca|kite|binance] [--cycles 200] [--strategies 7] [--seed 1] [--kills a,b:2,…] [--keep]`: the
 * long crash soak, on the Alpaca fake (the default), the Kite fake (backstops as GTTs; the
 * PATCH-racing-START case only: tests/soak/soak-broker.ts says why; each cycle also trades a hedged
 * short straddle of NIFTY options, judged per position, whose group crash point `after-exit-all`
 * comes after the others, and arms Kite's faults on the cycle's exits: tests/soak/group-kinds.ts,
 * kite-faults.ts) or the Binance fake through the
 * CCXT adapter (spot: the longs of the mix only, rotated by index, five kinds, in fractional
 * quantities on USDT pairs, each with its STOP_LOSS backstop, the PATCH-racing-START case and the
 * 429 storm or refused exit; the judge weighs the fees taken in the coin bought). Each
 * cycle trades `--strategies` strategies (at most 10) of the mix in tests/soak/soak-mix.ts, rotated
 * by index: 7 trades every kind (long and short on a time exit, a long's stop, a short's target, a
 * long's trailing stop, a long re-entering twice after its stop, a long whose backstop the soak
 * fires while no daemon is up); with fewer than 6, no strategy re-enters and the crash point
 * before-reentry-journal is armed but never hit. Every position has its backstop (the broker's default). Prints the report as one JSON
 * document (kills, strategies per kind, entries by side, exits at the broker by attempt and by kind,
 * which scripted triggers fired per leg, legs per run, re-entries, the edit-after-STOP,
 * PATCH-racing-START, 429-storm and refused-exit counts, the backstops', the groups', problems); exits 1 if
 * any order was doubled, lost, on the wrong side or for the wrong symbol, a group's out of its order, a position was left open
 * after a day or without its backstop past the bound, a backstop left resting after its day, any journal row left unresolved, or the database failed its integrity check. A run
 * with a problem keeps its data dir (database, daemon log, the fake's record) and prints where;
 * `--keep` keeps it always. `--kills` names the first cycle's kills, each in turn within it (crash
 * points, `point:nth`, or `fire-while-down`), the later cycles killed at random; e.g. the CI Kite cycle with the
 * group's point added: `--broker kite --cycles 1 --kills before-backstop,after-exit-all,fire-while-down,after-backstop-cancel:1`.
 */
import { runCrashSoak, FIRE_WHILE_DOWN, type SoakKill } from '../tests/soak/crash-soak';
import { parseCrashPoint } from '../engine/execution/crash-points';
import type { SoakBrokerName } from '../tests/soak/soak-broker';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

const brokerAt = process.argv.indexOf('--broker');
const broker = brokerAt >= 0 ? process.argv[brokerAt + 1] : 'alpaca';
if (broker !== 'alpaca' && broker !== 'kite' && broker !== 'binance') {
  process.stderr.write(`--broker must be alpaca, kite or binance, got "${broker}"\n`);
  process.exit(2);
}

const killsAt = process.argv.indexOf('--kills');
const kills = killsAt >= 0 ? (process.argv[killsAt + 1] ?? '').split(',') : null;
const badKill = kills?.find((k) => k !== FIRE_WHILE_DOWN && parseCrashPoint(k) === null);
if (badKill !== undefined) {
  process.stderr.write(`--kills wants crash points ("after-send", "after-send:2") or "${FIRE_WHILE_DOWN}", comma-separated; got "${badKill ?? ''}"\n`);
  process.exit(2);
}

const report = await runCrashSoak({
  broker: broker satisfies SoakBrokerName,
  ...(kills ? { crashPoints: [kills as SoakKill[]] } : {}),
  cycles: arg('cycles', 200),
  strategiesPerCycle: arg('strategies', 7),
  seed: arg('seed', 1),
  keepDataDir: process.argv.includes('--keep'),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify({ measured: new Date().toISOString(), node: process.version, ...report }, null, 2)}\n`);
const ok =
  report.duplicates === 0 &&
  report.lostExits === 0 &&
  report.wrongOrders === 0 &&
  report.openAfterDay === 0 &&
  report.backstops.unprotected === 0 &&
  report.backstops.leftResting === 0 &&
  (report.groups === null || report.groups.outOfOrder === 0) &&
  report.unresolvedOrders === 0 &&
  report.integrity === 'ok' &&
  report.problems.length === 0;
if (report.kept) process.stderr.write(`data dir kept at ${report.kept.dataDir} (daemon log ${report.kept.daemonLog})\n`);
process.exit(ok ? 0 : 1);
