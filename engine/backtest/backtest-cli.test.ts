import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backtestCommand } from './backtest-cli';
import { NIFTY_OPTIONS_DIR, niftyOptionFiles } from './nifty-options.test-support';

const CSV = fileURLToPath(new URL('./fixtures/tclk-nse-1min.csv', import.meta.url));
let dir: string;
let out: string[];
let err: string[];
let exits: number[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeclock-backtest-'));
  [out, err, exits] = [[], [], []];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<void> {
  await backtestCommand({ out: (t) => out.push(t), err: (t) => err.push(t), exit: (c) => exits.push(c) }, dir).exitOverride().parseAsync(args, { from: 'user' });
}

const RANGE = ['--symbol', 'tclk', '--exchange', 'nse', '--from', '2026-03-02', '--to', '2026-03-05'];

describe('tradeclock backtest', () => {
  it("imports the CSV into the data directory's store and prints the report as JSON; the next run reuses the bars", async () => {
    await cli(...RANGE, '--csv', CSV, '--buy-time', '09:20', '--sell-time', '09:25', '--qty', '10', '--stop-loss', '1', '--stop-loss-mode', 'percent', '--reentries', '1', '--reentry-cutoff', '09:24', '--fees', 'none');
    const first = JSON.parse(out.join(''));
    // The re-entry backtest of run-backtest.test.ts: 5 trades, net +1.00, 3 won, drawdown 45.
    expect(first.report).toMatchObject({ trades: 5, net: 1, winRate: 0.6, maxDrawdown: 45 });
    out = [];
    await cli(...RANGE, '--spec', '{"buy_time":"09:20","sell_time":"09:25","qty":10,"stop_loss":1,"stop_loss_mode":"percent","target":1}', '--target-mode', 'percent', '--fees', 'none');
    expect(JSON.parse(out.join('')).trades.map((t: { exitKind: string }) => t.exitKind)).toEqual(['TARGET', 'STOPLOSS', 'STOPLOSS']);
    expect(exits).toEqual([]);
  });

  it('--ticks-csv: the days in the file are replayed on their trades, the rest on bars; a bad trade line exits 2 naming it', async () => {
    // Mon 2 March's trades: 100.00 before the 09:20 BUY, 100.50 before the 09:25 SELL: +5.00 on 10
    // shares (its bars gave +12.00: 100.20 → 101.40).
    const ticks = join(dir, 'ticks.csv');
    writeFileSync(ticks, 'timestamp,price,size\n2026-03-02T09:19:50+05:30,100.00,10\n2026-03-02T09:24:30+05:30,100.50,10\n');
    await cli(...RANGE, '--csv', CSV, '--ticks-csv', ticks, '--buy-time', '09:20', '--sell-time', '09:25', '--qty', '10', '--stop-loss', '1', '--stop-loss-mode', 'percent', '--fees', 'none');
    const answer = JSON.parse(out.join(''));
    expect(answer.tickDays).toEqual(['2026-03-02']);
    expect(answer.trades.map((t: { date: string; net: number }) => [t.date, t.net])).toEqual([
      ['2026-03-02', 5],
      ['2026-03-04', -20.5],
      ['2026-03-05', -30],
    ]);
    writeFileSync(ticks, 'timestamp,price\n2026-03-02T09:19:50+05:30,-1\n');
    await cli(...RANGE, '--ticks-csv', ticks, '--buy-time', '09:20', '--sell-time', '09:25', '--qty', '10', '--stop-loss', '1');
    expect(err.join('')).toBe('tradeclock backtest: line 2, column price: must be above 0\n');
    expect(exits).toEqual([2]);
  });

  it('a bad spec or CSV is said on stderr, naming the field or the line, with exit code 2', async () => {
    await cli(...RANGE, '--buy-time', '09:20', '--sell-time', '09:25', '--qty', '10', '--stop-loss', '-1');
    expect(err.join('')).toBe('tradeclock backtest: spec.stop_loss: stop_loss must be greater than 0\n');
    await cli(...RANGE, '--csv', join(dir, 'missing.csv'), '--buy-time', '09:20', '--sell-time', '09:25', '--qty', '10', '--stop-loss', '1');
    expect(err.at(-1)).toMatch(/^tradeclock backtest: ENOENT/);
    expect(exits).toEqual([2, 2]);
    expect(out).toEqual([]);
  });

  it('--grid prints the entry × exit cells: the 09:20/09:25 cell is the plain backtest (+12.00 − 20.50 − 30.00)', async () => {
    await cli(...RANGE, '--csv', CSV, '--buy-time', '09:20', '--sell-time', '09:25', '--qty', '10', '--stop-loss', '1', '--stop-loss-mode', 'percent', '--fees', 'none', '--grid', '--buy-window', '09:20-09:25', '--sell-window', '09:25-09:30', '--every', '5');
    const grid = JSON.parse(out.join(''));
    expect(grid.buyTimes).toEqual(['09:20:00', '09:25:00']);
    expect(grid.cells[0][0]).toMatchObject({ trades: 3, net: -38.5 });
    expect(grid.cells[1][0]).toBeNull();
    await expect(cli(...RANGE, '--grid', '--buy-window', '9.20')).rejects.toThrow(/HH:MM-HH:MM/);
  });

  it('an option strategy: --bars imports the index and each contract, --lot-size counts the lots; without it, exit 2 naming lot_size', async () => {
    const bars = niftyOptionFiles().flatMap(({ file, exchange, symbol }) => ['--bars', `${exchange}:${symbol}=${fileURLToPath(new URL(file, NIFTY_OPTIONS_DIR))}`]);
    const option = ['--symbol', 'NIFTY', '--exchange', 'nfo', '--from', '2026-12-07', '--to', '2026-12-09', '--option-right', 'CE', '--qty', '1', '--buy-time', '09:20', '--sell-time', '09:25', '--stop-loss', '20', '--stop-loss-mode', 'percent', '--target', '30', '--target-mode', 'points', '--fees', 'none'];
    await cli(...option, ...bars, '--lot-size', '65');
    const answer = JSON.parse(out.join(''));
    // option-backtest.test.ts works these out: +1950 on Monday, −1040 on Tuesday, Wednesday skipped.
    expect(answer.trades.map((t: { contract: string; net: number }) => [t.contract, t.net])).toEqual([
      ['NIFTY26D0826000CE', 1950],
      ['NIFTY26D0826050CE', -1040],
    ]);
    expect(answer.runs.map((r: { state: string }) => r.state)).toEqual(['EXITED_BY_TARGET', 'EXITED_BY_SL', 'SKIPPED']);
    await cli(...option);
    expect(err.at(-1)).toMatch(/^tradeclock backtest: lot_size: lot_size is required for an option strategy/);
    expect(exits).toEqual([2]);
    await expect(cli(...option, '--bars', 'ce.csv')).rejects.toThrow(/EXCHANGE:SYMBOL=FILE/);
  });
});
