/**
 * The history screen's filter as GET /runs query parameters, and its runs as CSV. Dates are the
 * strategies' trading dates ("YYYY-MM-DD", inclusive), as the API takes them.
 */
import type { RunHistoryDto } from '../../lib/api-types';
import type { CsvColumn } from '../../lib/csv';

export interface HistoryFilter {
  /** '' for every strategy. */
  readonly strategyId: string;
  /** '' for no bound. */
  readonly from: string;
  readonly to: string;
}

export const EMPTY_FILTER: HistoryFilter = { strategyId: '', from: '', to: '' };

export const PAGE_SIZE = 50;

/** Query parameters for one page; `before` is the previous page's next_before. */
export function historyQuery(f: HistoryFilter, before?: string | null): Record<string, string | number | undefined> {
  return {
    strategy_id: f.strategyId || undefined,
    from: f.from || undefined,
    to: f.to || undefined,
    limit: PAGE_SIZE,
    before: before ?? undefined,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Which position of its strategy a run held (numbered from 1, as the trader listed them) and its
 * contract once chosen; '' for a run of a strategy of one position.
 * @example positionWords({ position_no: 1, contract: { symbol: 'NIFTY26D0826000PE' } }) // 'Position 2 · NIFTY26D0826000PE'
 */
export function positionWords(r: Pick<RunHistoryDto, 'position_no' | 'contract'>): string {
  if (r.position_no === null) return '';
  return `Position ${r.position_no + 1}${r.contract ? ` · ${r.contract.symbol}` : ''}`;
}

/** Columns of the history CSV: one row per run, P&L unrounded as the API gives it. */
export const HISTORY_CSV: readonly CsvColumn<RunHistoryDto>[] = [
  { header: 'trading_date', value: (r) => r.trading_date },
  { header: 'run_id', value: (r) => r.run_id },
  { header: 'strategy_id', value: (r) => r.strategy_id },
  { header: 'symbol', value: (r) => r.symbol },
  { header: 'exchange', value: (r) => r.exchange },
  { header: 'position', value: (r) => (r.position_no === null ? null : r.position_no + 1) },
  { header: 'contract', value: (r) => r.contract?.symbol ?? null },
  { header: 'broker_account_id', value: (r) => r.broker_account_id },
  { header: 'state', value: (r) => r.state },
  { header: 'buy_at', value: (r) => iso(r.buy_at) },
  { header: 'sell_at', value: (r) => iso(r.sell_at) },
  { header: 'bought_qty', value: (r) => r.bought_qty },
  { header: 'sold_qty', value: (r) => r.sold_qty },
  { header: 'held_qty', value: (r) => r.position_qty },
  { header: 'entry_price', value: (r) => r.entry_price },
  { header: 'avg_exit_price', value: (r) => r.exit_price },
  { header: 'exit_leg', value: (r) => r.exit_leg },
  { header: 'realized_pnl', value: (r) => r.realized_pnl },
  { header: 'reason', value: (r) => r.reason },
];
