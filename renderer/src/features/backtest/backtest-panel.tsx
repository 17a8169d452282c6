/**
 * A strategy page's backtest: the range, slippage and fees, run over the stored 1-minute bars
 * through the same run policy and paper fills as live (POST /backtest); the figures, the equity
 * chart and the trades; the trades as CSV (GET /strategy/:id/backtest.csv, the same range and
 * fill); and the grid of entry × exit times over the same range as a heatmap (POST
 * /backtest/grid). Days without stored bars are said, with the command that imports them; an
 * account whose broker has past bars (Alpaca) can be asked for them first (`fetch_missing`), and
 * one whose broker has past trades (Alpaca) for those too (`fetch_ticks`): a day with its trades
 * stored is replayed trade by trade, and the dates so replayed are named under the form.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { StrategyDto } from '../../lib/api-types';
import { Field, FormError } from '../../ui/field';
import { BACKTEST_LABELS as L } from '../../ui/field-labels';
import { useBrokers } from '../brokers/brokers-store';
import { useBacktests, type RangeDraft } from './backtest-store';
import { BacktestResults } from './backtest-results';
import { dataNotice, defaultFeesName, defaultGrid, defaultRange, importCommand, isOptionStrategy, skippedDays, type GridDraft } from './backtest-view';
import { GridHeatmap } from './grid-heatmap';

const today = () => new Date().toISOString().slice(0, 10);

export function BacktestPanel({ strategy }: { readonly strategy: StrategyDto }) {
  const id = strategy.id;
  const panel = useBacktests((s) => s.panels[id]);
  // An option strategy's qty counts lots: its backtest, grid and CSV need the units per lot (no default: the exchange changes it).
  const option = isOptionStrategy(strategy);
  const [range, setRange] = useState<RangeDraft>(() => panel?.tested?.range ?? { ...defaultRange(today()), slippage: '0', fees: 'default', fetchMissing: false, ...(option ? { lotSize: '' } : {}) });
  // Whether the strategy's account can send past bars (GET /broker/kinds historical_bars).
  const account = useBrokers((s) => s.accounts.find((a) => a.id === strategy.broker_account_id));
  const kinds = useBrokers((s) => s.kinds);
  useEffect(() => {
    if (kinds === null) void useBrokers.getState().loadKinds();
  }, [kinds]);
  // An option backtest reads the contracts' bars imported (the API refuses fetch_missing for one).
  const kind = account === undefined ? undefined : kinds?.find((k) => k.broker === account.broker);
  const canFetch = !option && (kind?.historical_bars ?? false);
  const canFetchTicks = !option && (kind?.historical_ticks ?? false);
  const [grid, setGrid] = useState<GridDraft>(() => defaultGrid(strategy.buy_time, strategy.sell_time));
  const busy = panel?.busy;
  const errors = panel?.errors.fields ?? {};
  const tested = panel?.tested;
  const notice = tested ? dataNotice(tested.answer.runs, { symbol: strategy.symbol, exchange: strategy.exchange, ...tested.range }) : null;
  const skipped = tested ? skippedDays(tested.answer.runs) : [];
  const store = useBacktests.getState();

  const run = (e: FormEvent) => {
    e.preventDefault();
    void store.run(id, range);
  };
  const runGrid = (e: FormEvent) => {
    e.preventDefault();
    void store.runGrid(id, range, grid);
  };
  const exportCsv = () => tested && void store.exportCsv(id, `backtest-${strategy.symbol}-${tested.range.from}-${tested.range.to}.csv`);
  const rangeField = (name: Exclude<keyof RangeDraft, 'fetchMissing' | 'fetchTicks'>) => (e: { target: { value: string } }) => setRange({ ...range, [name]: e.target.value });
  const gridField = (name: keyof GridDraft) => (e: { target: { value: string } }) => setGrid({ ...grid, [name]: e.target.value });

  return (
    <section className="card backtest" aria-labelledby="backtest-title">
      <div className="card__head">
        <h2 id="backtest-title" className="card__title">
          Backtest
        </h2>
        <span className="muted small">This strategy over stored 1-minute bars: the same rules and paper fills as live</span>
      </div>

      <form onSubmit={run} aria-label="Backtest range">
        <div className="form__grid">
          <Field label={L.from} name="from" error={errors.from}>
            {(p) => <input {...p} type="date" required value={range.from} onChange={rangeField('from')} />}
          </Field>
          <Field label={L.to} name="to" error={errors.to}>
            {(p) => <input {...p} type="date" required value={range.to} onChange={rangeField('to')} />}
          </Field>
          <Field label={L.slippage_bps} name="slippage_bps" error={errors.slippage_bps} hint="Against you on every fill; 100 bps = 1 %">
            {(p) => <input {...p} inputMode="decimal" value={range.slippage} onChange={rangeField('slippage')} />}
          </Field>
          <Field label={L.fees} name="fees" error={errors.fees}>
            {(p) => (
              <select {...p} value={range.fees} onChange={rangeField('fees')}>
                <option value="default">The exchange's charges ({defaultFeesName(strategy.exchange)})</option>
                <option value="none">None</option>
              </select>
            )}
          </Field>
          {range.lotSize !== undefined && (
            <Field label={L.lot_size} name="lot_size" error={errors.lot_size} hint={`Units of ${strategy.symbol} in one lot over these dates; the strategy's qty counts lots`}>
              {(p) => <input {...p} inputMode="numeric" required value={range.lotSize} onChange={rangeField('lotSize')} />}
            </Field>
          )}
          {canFetch && (
            <Field label={`Fetch days without bars from ${account!.label}`} name="fetch_missing" error={errors.fetch_missing} hint="Only the trading days not stored yet; kept for the next run">
              {(p) => <input {...p} type="checkbox" checked={range.fetchMissing} onChange={(e) => setRange({ ...range, fetchMissing: e.target.checked })} />}
            </Field>
          )}
          {canFetchTicks && (
            <Field label={`Fetch the days' trades from ${account!.label}`} name="fetch_ticks" error={errors.fetch_ticks} hint="At most 31 days; a day with its trades is replayed trade by trade, not by its bars">
              {(p) => <input {...p} type="checkbox" checked={range.fetchTicks ?? false} onChange={(e) => setRange({ ...range, fetchTicks: e.target.checked })} />}
            </Field>
          )}
        </div>
        <div className="actions">
          <button type="submit" className="btn btn--primary" disabled={busy !== undefined}>
            Run backtest
          </button>
          <button type="button" className="btn" onClick={exportCsv} disabled={!tested || tested.answer.trades.length === 0 || busy !== undefined}>
            Export trades CSV
          </button>
        </div>
      </form>
      {panel?.failed !== 'grid' && <FormError messages={panel?.errors.form ?? []} />}
      <p role="status" className="muted small">
        {busy === 'backtest' ? 'Running the backtest…' : busy === 'grid' ? 'Running the grid…' : busy === 'csv' ? 'Preparing the CSV…' : ''}
      </p>

      {notice && notice.kind !== 'some' && (
        <div className="form-error" role="alert" data-testid="backtest-no-data">
          <p>{notice.text}</p>
          {notice.kind === 'none' && (
            <p>
              For example: <code className="command">{importCommand(strategy, tested!.range)}</code> (README, "Backtests", has the columns).
            </p>
          )}
          {notice.kind === 'none' && canFetch && !tested!.range.fetchMissing && (
            <p>Or tick "Fetch days without bars from {account!.label}" and run again.</p>
          )}
        </div>
      )}
      {notice?.kind === 'some' && (
        <p className="notice small" data-testid="backtest-missing-days">
          {notice.text}
        </p>
      )}
      {tested && tested.answer.tick_days.length > 0 && (
        <p className="muted small" data-testid="backtest-tick-days">
          Replayed trade by trade: {tested.answer.tick_days.join(', ')}
        </p>
      )}
      {skipped.length > 0 && (
        <ul className="notice small" data-testid="backtest-skipped" aria-label="Days skipped">
          {skipped.map((s) => (
            <li key={s.reason}>
              {s.dates.length === 1 ? `${s.dates[0]} skipped` : `${s.dates.length} days skipped (${s.dates.join(', ')})`}: {s.reason}
            </li>
          ))}
        </ul>
      )}
      {tested && notice?.kind !== 'none' && notice?.kind !== 'no_trading_day' && <BacktestResults answer={tested.answer} zone={strategy.timezone} />}

      <h3 className="backtest__sub">Entry × exit grid</h3>
      <p className="muted small">Every entry time against every exit time over the range above (at most 200 cells, 366 days).</p>
      <form onSubmit={runGrid} aria-label="Entry and exit grid">
        <div className="form__grid">
          <Field label={L['buy.from']} name="buy.from" error={errors['buy.from']}>
            {(p) => <input {...p} type="time" required value={grid.buyFrom} onChange={gridField('buyFrom')} />}
          </Field>
          <Field label={L['buy.to']} name="buy.to" error={errors['buy.to']}>
            {(p) => <input {...p} type="time" required value={grid.buyTo} onChange={gridField('buyTo')} />}
          </Field>
          <Field label={L['sell.from']} name="sell.from" error={errors['sell.from']}>
            {(p) => <input {...p} type="time" required value={grid.sellFrom} onChange={gridField('sellFrom')} />}
          </Field>
          <Field label={L['sell.to']} name="sell.to" error={errors['sell.to']}>
            {(p) => <input {...p} type="time" required value={grid.sellTo} onChange={gridField('sellTo')} />}
          </Field>
          <Field label={L['buy.every_minutes']} name="buy.every_minutes" error={errors['buy.every_minutes'] ?? errors['sell.every_minutes']}>
            {(p) => <input {...p} inputMode="numeric" value={grid.every} onChange={gridField('every')} />}
          </Field>
        </div>
        <div className="actions">
          <button type="submit" className="btn" disabled={busy !== undefined}>
            Run grid
          </button>
        </div>
      </form>
      {panel?.failed === 'grid' && <FormError messages={panel.errors.form} />}
      {panel?.grid && <GridHeatmap grid={panel.grid.answer} />}
    </section>
  );
}
