/**
 * Past runs with what each earned: filter by strategy and trading dates, the realized P&L of
 * every day the filter covers, the runs a page at a time (newest first), and the runs as CSV. A
 * strategy with positions has a run per position a day, each row saying which and its contract.
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api } from '../../lib/api-client';
import type { RunHistoryDto, RunHistoryPage } from '../../lib/api-types';
import { downloadText, fileStamp, toCsv } from '../../lib/csv';
import { pnlTone, price, qty, signedMoney } from '../../lib/format';
import { hrefOf } from '../../app/router';
import { Field } from '../../ui/field';
import { labelledFormErrors, NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { HISTORY_LABELS } from '../../ui/field-labels';
import { legLabel, runStateLabel } from '../strategies/labels';
import { strategyList, useStrategies } from '../strategies/strategies-store';
import { EMPTY_FILTER, HISTORY_CSV, historyQuery, positionWords, type HistoryFilter } from './history-query';

interface Loaded {
  readonly filter: HistoryFilter;
  readonly runs: readonly RunHistoryDto[];
  readonly head: RunHistoryPage;
  readonly nextBefore: string | null;
}

export function HistoryScreen() {
  const byId = useStrategies((s) => s.byId);
  const strategies = useMemo(() => strategyList(byId), [byId]);
  const [draft, setDraft] = useState<HistoryFilter>(EMPTY_FILTER);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async (filter: HistoryFilter, more?: Loaded) => {
    setBusy(true);
    try {
      const page = await api('GET /runs', undefined, { query: historyQuery(filter, more?.nextBefore) });
      setLoaded({ filter, runs: more ? [...more.runs, ...page.runs] : page.runs, head: more?.head ?? page, nextBefore: page.next_before });
      setErrors(NO_ERRORS);
    } catch (err) {
      setErrors(labelledFormErrors(err, HISTORY_LABELS));
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => void load(EMPTY_FILTER), [load]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    void load(draft);
  };
  const exportCsv = () => loaded && downloadText(`tradeclock-runs-${fileStamp(Date.now())}.csv`, toCsv(loaded.runs, HISTORY_CSV));
  const symbolOf = (id: number) => byId[id]?.symbol;

  return (
    <main className="page" aria-labelledby="history-title">
      <header className="page__header">
        <div>
          <h1 id="history-title">History</h1>
          <p className="muted small">Every run with what it earned. Dates are the strategies' trading dates.</p>
        </div>
      </header>

      <form className="card history-filter" onSubmit={apply} aria-label="Filter runs">
        <div className="form__grid">
          <Field label={HISTORY_LABELS.strategy_id} name="strategy_id" error={errors.fields.strategy_id}>
            {(p) => (
              <select {...p} value={draft.strategyId} onChange={(e) => setDraft({ ...draft, strategyId: e.target.value })}>
                <option value="">All strategies</option>
                {strategies.map((s) => (
                  <option key={s.id} value={String(s.id)}>
                    {s.symbol} {s.exchange} · #{s.id}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={HISTORY_LABELS.from} name="from" error={errors.fields.from}>
            {(p) => <input {...p} type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />}
          </Field>
          <Field label={HISTORY_LABELS.to} name="to" error={errors.fields.to}>
            {(p) => <input {...p} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />}
          </Field>
        </div>
        <div className="actions">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            Show runs
          </button>
          <button type="button" className="btn" onClick={exportCsv} disabled={!loaded || loaded.runs.length === 0}>
            Export runs CSV
          </button>
        </div>
      </form>

      {errors.form.length > 0 && (
        <p className="form-error" role="alert">
          Could not load the history: {errors.form.join('; ')}
        </p>
      )}

      {loaded && (
        <section className="card" aria-labelledby="days-title">
          <div className="card__head">
            <h2 id="days-title" className="card__title">
              Realized P&amp;L by day
            </h2>
            <p className="num" data-testid="history-total">
              Total <strong className={pnlTone(loaded.head.total_realized_pnl)}>{signedMoney(loaded.head.total_realized_pnl)}</strong>
            </p>
          </div>
          {loaded.head.days.length === 0 ? (
            <p className="muted">Nothing sold in this range yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label="Realized P&L by day">
                <thead>
                  <tr>
                    <th scope="col">Trading date</th>
                    <th scope="col" className="num">
                      Runs sold
                    </th>
                    <th scope="col" className="num">
                      Realized P&amp;L
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {loaded.head.days.map((d) => (
                    <tr key={d.trading_date}>
                      <th scope="row" className="tnum">
                        {d.trading_date}
                      </th>
                      <td data-label="Runs sold" className="num">
                        {d.runs}
                      </td>
                      <td data-label="Realized P&L" className={`num ${pnlTone(d.realized_pnl)}`}>
                        {signedMoney(d.realized_pnl)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}

      {loaded && (
        <section className="card" aria-labelledby="runs-title">
          <div className="card__head">
            <h2 id="runs-title" className="card__title">
              Runs
            </h2>
          </div>
          {loaded.runs.length === 0 ? (
            <p className="muted">No runs match.</p>
          ) : (
            <div className="table-wrap">
              <table className="table history" aria-label="Runs">
                <thead>
                  <tr>
                    <th scope="col">Trading date</th>
                    <th scope="col">Strategy</th>
                    <th scope="col">State</th>
                    <th scope="col" className="num">
                      Sold
                    </th>
                    <th scope="col" className="num">
                      Entry
                    </th>
                    <th scope="col" className="num">
                      Exit (avg)
                    </th>
                    <th scope="col" className="num">
                      Realized P&amp;L
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {loaded.runs.map((r) => (
                    <tr key={r.run_id} data-run-id={r.run_id}>
                      <th scope="row" className="tnum">
                        {r.trading_date}
                      </th>
                      <td data-label="Strategy">
                        <a href={hrefOf({ name: 'strategy', id: r.strategy_id })}>
                          {r.symbol} <span className="muted small">{r.exchange} · #{r.strategy_id}</span>
                        </a>
                        {r.position_no !== null && (
                          <div className="small" data-testid="run-position">
                            {positionWords(r)}
                          </div>
                        )}
                        {r.position_no === null && symbolOf(r.strategy_id) !== undefined && symbolOf(r.strategy_id) !== r.symbol && <div className="muted small">now {symbolOf(r.strategy_id)}</div>}
                      </td>
                      <td data-label="State">
                        {runStateLabel(r.state)}
                        {r.reason && <div className="muted small">{r.reason}</div>}
                      </td>
                      <td data-label="Sold" className="num">
                        {r.bought_qty === null ? '—' : `${qty(r.sold_qty)}/${qty(r.bought_qty)}`}
                      </td>
                      <td data-label="Entry" className="num">
                        {price(r.entry_price)}
                      </td>
                      <td data-label="Exit (avg)" className="num">
                        {r.exit_price === null ? '—' : `${legLabel(r.exit_leg)} @ ${price(r.exit_price)}`}
                      </td>
                      <td data-label="Realized P&L" className={`num ${pnlTone(r.realized_pnl)}`} data-testid="run-pnl">
                        {signedMoney(r.realized_pnl)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {loaded.nextBefore !== null && (
            <button type="button" className="btn" onClick={() => void load(loaded.filter, loaded)} disabled={busy}>
              Show older runs
            </button>
          )}
        </section>
      )}
    </main>
  );
}
