/**
 * `tradeclock backtest`: a strategy over the stored 1-minute bars of the data directory's
 * database, the answer printed as JSON (trades, how each run ended, the report). `--csv` imports
 * a file of bars into the store first (bar-csv.ts has its columns); the store keeps them for the
 * next run. The strategy is given by flags named as the spec's keys (`--stop-loss 1
 * --stop-loss-mode percent`), or whole as `--spec '<json>'`, the flags winning.
 *
 * An option strategy (`--option-right CE`, `--symbol NIFTY --exchange NFO`, qty in lots) needs
 * `--lot-size` and the bars of its contracts and of its index in the store: `--bars
 * 'NFO:NIFTY26D0826000CE=ce.csv' --bars 'NSE:NIFTY 50=nifty.csv'` imports each file into its
 * instrument first (option-entry.ts chooses each day's contract from them).
 *
 * `--grid` answers the grid of entry × exit times instead (backtest-grid.ts): `--buy-window
 * 09:15-10:00 --sell-window 14:00-15:15 --every 5`.
 *
 * `--from-broker <account id>` fetches the trading days the store lacks from that broker account
 * first (an Alpaca account's keys unsealed with the install's vault key, as the daemon does: the
 * OS keychain or TRADECLOCK_PASSPHRASE); cli.ts passes that in (`fill`), since engine/backtest
 * reads no broker. With `--ticks` it also fetches the trades of the days the tick store lacks
 * (an Alpaca account); a run whose day has its trades stored walks them (`prices: "ticks"`).
 * `--ticks-csv` imports a CSV of trades (tick-csv.ts) into the instrument's tick store first.
 *
 * @example tradeclock backtest --symbol INFY --exchange NSE --from 2026-03-02 --to 2026-03-31 --buy-time 09:20 --sell-time 15:10 --stop-loss 1 --stop-loss-mode percent --csv infy.csv
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DATABASE_FILE } from '../../db/backups';
import { openDatabase } from '../../db/client';
import { createRepos, TickDayTooLargeError } from '../../db/repos';
import { DomainError, validationError } from '../core/errors';
import { EXCHANGES, type Exchange } from '../core/types';
import { loadHolidayData } from '../scheduler/holiday-data';
import { createTradingCalendar } from '../scheduler/trading-calendar';
import { BarCsvError } from './bar-csv';
import type { Db } from '../../db/client';
import type { Repos } from '../../db/repos';
import type { TradingCalendar } from '../scheduler/trading-calendar';
import { backtest, backtestScope, gridJob, MAX_TICK_FETCH_DAYS, type BacktestScope } from './backtest-service';
import type { FillResult } from './fill-bars';
import type { TickFillResult } from './fill-ticks';
import { drain } from './run-backtest';
import { importBarsCsv } from './import-bars';
import { importTicksCsv, TickCsvError } from './tick-csv';

/** Spec keys taken as flags: the text ones as they are, the numeric ones as numbers. */
const TEXT_KEYS = ['side', 'option_right', 'option_expiry', 'option_strike', 'buy_time', 'sell_time', 'square_off_time', 'timezone', 'stop_loss_mode', 'target_mode', 'trail_mode', 'move_stop_to_cost_mode', 'reentry_after', 'reentry_cutoff'] as const;
const NUMBER_KEYS = ['qty', 'buy_grace_seconds', 'stop_loss', 'target', 'trail', 'move_stop_to_cost_after', 'reentries'] as const;

const flag = (key: string) => `--${key.replaceAll('_', '-')}`;
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
}

function exchange(value: string): Exchange {
  const upper = value.toUpperCase();
  if (!(EXCHANGES as readonly string[]).includes(upper)) throw new InvalidArgumentError(`must be one of ${EXCHANGES.join(', ')}`);
  return upper as Exchange;
}

function json(value: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(value);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // said below
  }
  throw new InvalidArgumentError('must be a JSON object of strategy keys');
}

/** One `--bars EXCHANGE:SYMBOL=FILE`, added to those before it. */
function barsFile(value: string, before: readonly BarsFile[] = []): BarsFile[] {
  const m = /^([A-Za-z]+):([^=]+)=(.+)$/.exec(value);
  if (!m) throw new InvalidArgumentError('must be EXCHANGE:SYMBOL=FILE, e.g. "NFO:NIFTY26D0826000CE=ce.csv"');
  return [...before, { exchange: exchange(m[1]!), symbol: m[2]!.trim().toUpperCase(), file: m[3]! }];
}
interface BarsFile {
  readonly exchange: Exchange;
  readonly symbol: string;
  readonly file: string;
}

function window(value: string): { from: string; to: string } {
  const m = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('must be "HH:MM-HH:MM"');
  return { from: m[1]!, to: m[2]! };
}

export interface BacktestCliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly exit: (code: number) => void;
}

/** Fills the store from a broker account (brokers/account-history.ts localAccountHistory), given the open database. */
export type AccountFill = (ctx: { readonly db: Db; readonly repos: Repos; readonly calendar: TradingCalendar }) => (accountId: number, scope: BacktestScope, ticks: boolean) => Promise<{ readonly bars: FillResult; readonly ticks: TickFillResult | null }>;

function accountId(value: string): number {
  if (!/^[1-9]\d{0,14}$/.test(value.trim())) throw new InvalidArgumentError('must be a broker account id (a whole number, as GET /broker lists them)');
  return Number(value);
}

/** The command, with its output and exit passed in (cli.ts gives process's; a test its own); without `fill`, --from-broker is refused. */
export function backtestCommand(io: BacktestCliIo, defaultDataDir: string, fill?: AccountFill): Command {
  const command = new Command('backtest')
    .description('replay a strategy over stored 1-minute bars and print the trades and the report as JSON')
    .requiredOption('--symbol <symbol>', 'the instrument, as the exchange lists it')
    .requiredOption('--exchange <exchange>', EXCHANGES.join(', '), exchange)
    .requiredOption('--from <date>', 'first trading date, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last trading date, YYYY-MM-DD (included)')
    .option('--csv <file>', 'import this CSV of 1-minute bars (timestamp,open,high,low,close,volume) into the store first')
    .option('--ticks-csv <file>', "import this CSV of trades (timestamp,price[,size][,conditions]) into the instrument's tick store first: each day in it is replayed on its trades")
    .option('--bars <exchange:symbol=file>', 'import this CSV of 1-minute bars into that instrument first (repeat it: an option backtest needs its contracts\' bars and its index\'s)', barsFile)
    .option('--lot-size <units>', "an option strategy's units per lot (its qty counts lots)", number)
    .option('--from-broker <account>', 'fetch the trading days the store lacks from this broker account (its id) first', accountId)
    .option('--ticks', `with --from-broker: also fetch the trades of the days the tick store lacks (Alpaca; at most ${MAX_TICK_FETCH_DAYS} days); a day with its trades stored is replayed on them`)
    .option('--spec <json>', 'the strategy as a JSON object of spec keys (flags override)', json)
    .option('--weekdays <days>', 'comma-separated: mon,tue,…')
    .option('--slippage-bps <bps>', 'fill slippage against the trader, as the paper broker', number, 0)
    .option('--tick-size <price>', 'price step (default 0.05 NSE/BSE, 0.01 otherwise)', number)
    .option('--fees <which>', "'default' (the exchange's schedule) or 'none'", 'default')
    .option('--grid', 'a grid of entry × exit times instead of one backtest: --buy-window, --sell-window, --every')
    .option('--buy-window <from-to>', 'grid entry times, "HH:MM-HH:MM"', window)
    .option('--sell-window <from-to>', 'grid exit times, "HH:MM-HH:MM"', window)
    .option('--every <minutes>', 'grid step in minutes', number, 5)
    .option('--data-dir <dir>', 'data directory (database, holiday files)', defaultDataDir);
  for (const key of TEXT_KEYS) command.option(`${flag(key)} <value>`, `spec ${key}`);
  for (const key of NUMBER_KEYS) command.option(`${flag(key)} <n>`, `spec ${key}`, number);
  return command.action(async (opts: Record<string, unknown>) => {
    const spec: Record<string, unknown> = { ...((opts.spec as Record<string, unknown> | undefined) ?? {}), symbol: opts.symbol, exchange: opts.exchange, repeat: 'daily' };
    for (const key of [...TEXT_KEYS, ...NUMBER_KEYS]) if (opts[camel(key)] !== undefined) spec[key] = opts[camel(key)];
    if (typeof opts.weekdays === 'string') spec.weekdays = opts.weekdays.split(',').map((d) => d.trim());
    const dataDir = opts.dataDir as string;
    const db = openDatabase(join(dataDir, DATABASE_FILE));
    try {
      const repos = createRepos(db);
      if (typeof opts.csv === 'string') await importBarsCsv(repos, { exchange: opts.exchange as Exchange, symbol: String(opts.symbol).toUpperCase() }, createReadStream(opts.csv));
      for (const { exchange: ex, symbol, file } of (opts.bars as BarsFile[] | undefined) ?? []) await importBarsCsv(repos, { exchange: ex, symbol }, createReadStream(file));
      const calendar = createTradingCalendar(loadHolidayData(join(dataDir, 'holidays')));
      if (typeof opts.ticksCsv === 'string') await importTicksCsv(repos, calendar, { exchange: opts.exchange as Exchange, symbol: String(opts.symbol).toUpperCase() }, createReadStream(opts.ticksCsv));
      const request = { spec, from: opts.from, to: opts.to, slippage_bps: opts.slippageBps, tick_size: opts.tickSize, fees: opts.fees, lot_size: opts.lotSize, fetch_ticks: opts.ticks === true };
      if (opts.ticks === true && typeof opts.fromBroker !== 'number') throw validationError([{ field: 'ticks', message: '--ticks fetches trades from a broker account: give --from-broker <account id> too' }]);
      const deps = { repos, calendar };
      if (typeof opts.fromBroker === 'number') {
        if (!fill) throw new DomainError('unavailable', '--from-broker is not available here');
        const scope = backtestScope(deps, request, false);
        const filled = await fill({ db, repos, calendar })(opts.fromBroker, scope, scope.fetchTicks);
        io.err(`tradeclock backtest: ${filled.bars.bars} bars of ${filled.bars.asked.length} missing trading day(s) fetched from broker account #${opts.fromBroker}\n`);
        if (filled.ticks) io.err(`tradeclock backtest: ${filled.ticks.ticks} trades of ${filled.ticks.stored.length} of ${filled.ticks.asked.length} missing trading day(s) fetched from broker account #${opts.fromBroker}\n`);
      }
      const answer = opts.grid
        ? drain(gridJob(deps, { ...request, buy: { ...(opts.buyWindow as object), every_minutes: opts.every }, sell: { ...(opts.sellWindow as object), every_minutes: opts.every } }))
        : backtest(deps, request);
      io.out(`${JSON.stringify(answer, null, 2)}\n`);
    } catch (err) {
      if (!(err instanceof DomainError || err instanceof BarCsvError || err instanceof TickCsvError || err instanceof TickDayTooLargeError || (err as NodeJS.ErrnoException).code === 'ENOENT')) throw err;
      io.err(`tradeclock backtest: ${(err as Error).message}\n`);
      io.exit(2);
    } finally {
      db.close();
    }
  });
}
