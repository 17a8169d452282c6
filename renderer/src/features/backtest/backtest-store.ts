/**
 * The backtest panel of each strategy: the range and fill the trader typed, the last answer of a
 * backtest and of a grid, what is running, and the errors, kept per strategy while the app is open
 * (leaving the page and coming back shows the last result). The CSV export asks the API for the
 * trades of the range and fill of the backtest on screen, so the file holds the trades listed.
 */
import { create } from 'zustand';
import { api, apiText } from '../../lib/api-client';
import type { BacktestDto, BacktestFormBody, BacktestGridDto, BacktestGridFormBody } from '../../lib/api-types';
import { downloadText } from '../../lib/csv';
import { labelledFormErrors, NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { BACKTEST_LABELS } from '../../ui/field-labels';
import { typedNumber, type GridDraft } from './backtest-view';

export interface RangeDraft {
  readonly from: string;
  readonly to: string;
  readonly slippage: string;
  readonly fees: 'default' | 'none';
  /** Fetch the trading days the store lacks from the strategy's broker account first. */
  readonly fetchMissing: boolean;
  /** Fetch the trades of the trading days the tick store lacks from the same account too (an Alpaca account). */
  readonly fetchTicks?: boolean;
  /** An option strategy's units per lot over the range, as typed (required by the API then); undefined for a strategy of shares. */
  readonly lotSize?: string;
}

/** A range as sent, with the answer to it. */
export interface Tested {
  readonly range: RangeDraft;
  readonly answer: BacktestDto;
}

export type Busy = 'backtest' | 'grid' | 'csv';

interface PanelState {
  readonly tested?: Tested;
  readonly grid?: { readonly range: RangeDraft; readonly answer: BacktestGridDto };
  readonly busy?: Busy;
  readonly errors: FormErrors;
  /** Which request the errors answer (shown by its form). */
  readonly failed?: Busy;
}

interface BacktestStore {
  readonly panels: Readonly<Record<number, PanelState>>;
  run(strategyId: number, range: RangeDraft): Promise<void>;
  runGrid(strategyId: number, range: RangeDraft, grid: GridDraft): Promise<void>;
  exportCsv(strategyId: number, fileName: string): Promise<void>;
  reset(): void;
}

const EMPTY: PanelState = { errors: NO_ERRORS };

/**
 * What was typed, for the API: numbers as numbers, the rest as typed, so the one validator names
 * what is wrong (an empty slippage is left out: 0; an empty lot size too, which the API names as
 * required for an option strategy).
 */
function common(strategyId: number, r: RangeDraft): BacktestFormBody {
  const slippage = typedNumber(r.slippage);
  const lotSize = r.lotSize === undefined ? undefined : typedNumber(r.lotSize);
  return { strategy_id: strategyId, from: r.from, to: r.to, fees: r.fees, ...(slippage === undefined ? {} : { slippage_bps: slippage }), ...(lotSize === undefined ? {} : { lot_size: lotSize }), ...(r.fetchMissing ? { fetch_missing: true } : {}), ...(r.fetchTicks ? { fetch_ticks: true } : {}) };
}

function window(from: string, to: string, every: string): BacktestGridFormBody['buy'] {
  const n = typedNumber(every);
  return { from, to, ...(n === undefined ? {} : { every_minutes: n }) };
}

/** The API's errors by input; a summary line that says what an input already shows (one "every" for both windows) once. */
function errorsOf(err: unknown): FormErrors {
  const e = labelledFormErrors(err, BACKTEST_LABELS);
  const shown = new Set(Object.values(e.fields));
  return { fields: e.fields, form: e.form.filter((m) => !shown.has(m)) };
}

export const useBacktests = create<BacktestStore>()((set, get) => {
  const panel = (id: number) => get().panels[id] ?? EMPTY;
  const patch = (id: number, change: Partial<PanelState>) => set((s) => ({ panels: { ...s.panels, [id]: { ...(s.panels[id] ?? EMPTY), ...change } } }));
  /** One request at a time per panel (the API allows one per user: a 409 says so for another tab). */
  const guarded = async (id: number, busy: Busy, work: () => Promise<Partial<PanelState>>) => {
    if (panel(id).busy) return;
    patch(id, { busy, errors: NO_ERRORS, failed: undefined });
    try {
      patch(id, { ...(await work()), busy: undefined });
    } catch (err) {
      patch(id, { busy: undefined, errors: errorsOf(err), failed: busy });
    }
  };

  return {
    panels: {},

    run: (id, range) =>
      guarded(id, 'backtest', async () => {
        return { tested: { range, answer: await api('POST /backtest', common(id, range)) } };
      }),

    runGrid: (id, range, g) =>
      guarded(id, 'grid', async () => {
        const body: BacktestGridFormBody = { ...common(id, range), buy: window(g.buyFrom, g.buyTo, g.every), sell: window(g.sellFrom, g.sellTo, g.every) };
        return { grid: { range, answer: await api('POST /backtest/grid', body) } };
      }),

    exportCsv: (id, fileName) =>
      guarded(id, 'csv', async () => {
        const tested = panel(id).tested;
        if (!tested) return {};
        const slippage = typedNumber(tested.range.slippage);
        const lotSize = tested.range.lotSize === undefined ? undefined : typedNumber(tested.range.lotSize);
        const csv = await apiText('GET /strategy/:id/backtest.csv', {
          id,
          query: { from: tested.range.from, to: tested.range.to, fees: tested.range.fees, ...(typeof slippage === 'number' ? { slippage_bps: slippage } : {}), ...(typeof lotSize === 'number' ? { lot_size: lotSize } : {}) },
        });
        downloadText(fileName, csv);
        return {};
      }),

    reset: () => set({ panels: {} }),
  };
});
