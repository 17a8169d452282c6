/**
 * What a backtest costs: a year of synthetic 1-minute bars of one NSE symbol (a seeded random
 * walk, 09:15–15:29 IST on every 2026 trading day) written to the historical store and read back
 * once, then the grid of 50 backtests of the same strategy with different entry and exit times
 * (10 entries × 5 exits, backtest-grid.ts: the bars as one series, the dates planned once), each
 * replayed through the run policy. Then a tick day (`tickDay`): a synthetic NYSE session of 300 000
 * trades (a liquid stock's SIP day is a few hundred thousand) saved to the tick store, read back,
 * and one backtest of that day (09:35 → 15:55, never stopped out) walked trade by trade. Prints one JSON document; not a timed test.
 *
 *   npx tsx bench/backtest.ts [--seed 7]
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../db/client';
import { createRepos } from '../db/repos';
import type { HistoricalBar } from '../db/repos/historical-bars';
import type { HistoricalTick } from '../db/repos/historical-ticks';
import { sessionHours } from '../engine/backtest/fill-bars';
import { runBacktest } from '../engine/backtest/run-backtest';
import { storedTicks } from '../engine/backtest/stored-ticks';
import { defaultFees } from '../engine/backtest/fees';
import { barSeries } from '../engine/backtest/bar-series';
import { gridSteps, type Grid } from '../engine/backtest/backtest-grid';
import { planDays } from '../engine/backtest/day-plans';
import { seededUniform } from '../engine/brokers/paper/paper-random';
import { settledSpec, strategySpec } from '../engine/core/strategy-spec';
import { addDays } from '../engine/scheduler/civil-date';
import { createTradingCalendar } from '../engine/scheduler/trading-calendar';
import { instantOf } from '../engine/scheduler/trigger-times';
import { percentile } from './lib/stats';

const argv = process.argv.slice(2);
const seed = argv.includes('--seed') ? Number(argv[argv.indexOf('--seed') + 1]) : 7;
const calendar = createTradingCalendar();
const round = (n: number, places = 1) => Number(n.toFixed(places));

function yearOfBars(): HistoricalBar[] {
  const u = seededUniform(seed, 'NSE:SYNTH');
  const bars: HistoricalBar[] = [];
  let price = 1000;
  for (let date = '2026-01-01'; date <= '2026-12-31'; date = addDays(date, 1)) {
    if (!calendar.isTradingDay('NSE', date)) continue;
    const open = instantOf(date, '09:15:00', 'Asia/Kolkata');
    for (let m = 0; m < 375; m++) {
      // ±0.1 % a minute, on the 0.05 tick.
      const step = () => Math.round((price * (1 + 0.002 * (u() - 0.5))) / 0.05) * 0.05;
      const o = price;
      const c = step();
      const [a, b] = [step(), step()];
      bars.push({ minute: open + m * 60_000, open: round(o, 2), high: round(Math.max(o, c, a, b), 2), low: round(Math.min(o, c, a, b), 2), close: round(c, 2), volume: 1000 });
      price = c;
    }
  }
  return bars;
}

const t0 = performance.now();
const generated = yearOfBars();
const db = openDatabase(':memory:');
const repos = createRepos(db);
const t1 = performance.now();
repos.transaction(() => repos.historicalBars.save('NSE', 'SYNTH', generated));
const t2 = performance.now();
const bars = repos.historicalBars.list('NSE', 'SYNTH', 0, Number.MAX_SAFE_INTEGER);
const t3 = performance.now();
const series = barSeries(bars);
/** Every cell replays the year's trading days, each one yield of gridSteps. */
const runsPerCell = planDays({ buy_time: '09:20:00', sell_time: '15:10:00', timezone: 'Asia/Kolkata', exchange: 'NSE' }, '2026-01-01', '2026-12-31', calendar).length;

const entries = Array.from({ length: argv.includes('--quick') ? 1 : 10 }, (_, i) => `${String(9 + Math.floor((20 + 15 * i) / 60)).padStart(2, '0')}:${String((20 + 15 * i) % 60).padStart(2, '0')}:00`);
const exits = argv.includes('--quick') ? ['15:10:00'] : ['13:00:00', '14:00:00', '14:30:00', '15:00:00', '15:10:00'];
const spec = settledSpec(strategySpec.parse({ broker_account_id: 1, symbol: 'SYNTH', qty: 100, buy_time: '09:20', sell_time: '15:10', stop_loss: 1, stop_loss_mode: 'percent', target: 1.5, target_mode: 'percent', trail: 0.5, trail_mode: 'percent', repeat: 'daily' }), 'NSE', 'Asia/Kolkata');
const cellMs: number[] = [];
const t4 = performance.now();
// The grid one cell at a time, timed between yields that end a cell (each run yields once).
const steps = gridSteps(spec, entries, exits, { from: '2026-01-01', to: '2026-12-31', calendar, fill: { slippageBps: 2, tickSize: 0.05 }, fees: defaultFees('NSE'), series });
let cellStart = performance.now();
let runsInCell = 0;
let grid: Grid | null = null;
while (grid === null) {
  const next = steps.next();
  if (next.done) grid = next.value;
  else if (++runsInCell === runsPerCell) {
    cellMs.push(performance.now() - cellStart);
    [cellStart, runsInCell] = [performance.now(), 0];
  }
}
const flat = grid.cells.flat().filter((c) => c !== null);
const trades = flat.reduce((a, c) => a + c.trades, 0);
const cells = flat.map((c) => ({ buy: c.buyTime.slice(0, 5), sell: c.sellTime.slice(0, 5), net: c.net, winRate: c.winRate === null ? null : round(c.winRate, 3) }));
const t5 = performance.now();

/** One NYSE session's trades, a seeded walk of whole cents from 100.00, evenly spaced. */
function dayOfTicks(count: number, start: number, end: number): HistoricalTick[] {
  const u = seededUniform(seed, 'NYSE:TICKS');
  let cents = 10_000;
  return Array.from({ length: count }, (_, i) => {
    cents = Math.max(100, cents + Math.round((u() - 0.5) * 4));
    return { at: start + Math.floor((i * (end - start)) / count), price: cents / 100, size: 100 };
  });
}
const tickDate = '2026-03-02';
const session = sessionHours('NYSE', tickDate, calendar)!;
const dayTicks = dayOfTicks(300_000, session.start, session.end);
const t6 = performance.now();
repos.transaction(() => repos.historicalTicks.saveDay('NYSE', 'TSYN', { day: tickDate, ...session, ticks: dayTicks }));
const t7 = performance.now();
const readTicks = storedTicks(repos, calendar, { exchange: 'NYSE', symbol: 'TSYN' });
const window = readTicks(session.start, session.end)!;
const t8 = performance.now();
// A stop far enough (20 %) that the run holds to its 15:55 SELL: every trade of the day is walked, the day as read above.
const tickSpec = settledSpec(strategySpec.parse({ broker_account_id: 1, symbol: 'TSYN', qty: 100, buy_time: '09:35', sell_time: '15:55', stop_loss: 20, stop_loss_mode: 'percent', repeat: 'daily' }), 'NYSE', 'America/New_York');
const tickRun = runBacktest(tickSpec, { from: tickDate, to: tickDate, calendar, fill: { slippageBps: 2, tickSize: 0.01 }, fees: defaultFees('NYSE'), bars: () => [], ticks: (from, to) => window.filter((k) => k.at >= from && k.at < to) });
const t9 = performance.now();
const sorted = [...cellMs].sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify(
    {
      machine: { cpus: cpus().length, load: loadavg().map((l) => round(l, 2)) },
      bars: bars.length,
      generateMs: round(t1 - t0),
      storeWriteMs: round(t2 - t1),
      storeReadMs: round(t3 - t2),
      grid: { cells: cellMs.length, trades, totalMs: round(t5 - t4), cellMs: { p50: round(percentile(sorted, 50)), max: round(sorted.at(-1)!) } },
      sample: cells.slice(0, 3),
      tickDay: { trades: window.length, storeWriteMs: round(t7 - t6), storeReadMs: round(t8 - t7), backtestMs: round(t9 - t8), run: tickRun.runs[0] && { state: tickRun.runs[0].state, prices: tickRun.runs[0].prices ?? 'bars' } },
    },
    null,
    2,
  )}\n`,
);
db.close();
