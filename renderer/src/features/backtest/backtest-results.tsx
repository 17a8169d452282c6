/**
 * One backtest's answer: the figures (trades, P&L, win rate, largest drawdown), the equity chart,
 * the outcome by weekday and the trade list (an option strategy's with the contract each trade
 * bought or sold). Times in the strategy's zone, the exchange's clock.
 */
import type { BacktestDto } from '../../lib/api-types';
import { pnlTone, price, qty, signedMoney } from '../../lib/format';
import { legLabel } from '../strategies/labels';
import { zonedClock } from './backtest-view';
import { EquityChart } from './equity-chart';

const WEEKDAY: Record<string, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };
const rate = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)} %`);

export function BacktestResults({ answer, zone }: { readonly answer: BacktestDto; readonly zone: string }) {
  const r = answer.report;
  const weekdays = Object.entries(r.by_weekday);
  const contracts = answer.trades.some((t) => t.contract !== undefined);
  return (
    <>
      <dl className="facts facts--wide" aria-label="Backtest figures" data-testid="backtest-figures">
        <div>
          <dt>Trades</dt>
          <dd className="num" data-testid="bt-trades">
            {r.trades} <span className="muted small">({r.wins} won, {r.losses} lost)</span>
          </dd>
        </div>
        <div>
          <dt>Net P&amp;L</dt>
          <dd className={`num ${pnlTone(r.net)}`} data-testid="bt-net">
            {signedMoney(r.net)}
          </dd>
        </div>
        <div>
          <dt>Gross / fees</dt>
          <dd className="num">
            {signedMoney(r.gross)} <span className="muted small">/ {price(r.fees)}</span>
          </dd>
        </div>
        <div>
          <dt>Win rate</dt>
          <dd className="num" data-testid="bt-win-rate">
            {rate(r.win_rate)}
          </dd>
        </div>
        <div>
          <dt>Largest drawdown</dt>
          <dd className={`num ${r.max_drawdown > 0 ? 'neg' : ''}`} data-testid="bt-drawdown">
            {r.max_drawdown === 0 ? '0.00' : signedMoney(-r.max_drawdown)}
          </dd>
        </div>
      </dl>

      {r.trades > 0 && <EquityChart answer={answer} zone={zone} />}

      {weekdays.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Outcome by weekday">
            <thead>
              <tr>
                <th scope="col">Weekday</th>
                <th scope="col" className="num">
                  Trades
                </th>
                <th scope="col" className="num">
                  Won
                </th>
                <th scope="col" className="num">
                  Net P&amp;L
                </th>
              </tr>
            </thead>
            <tbody>
              {weekdays.map(([day, o]) => (
                <tr key={day}>
                  <th scope="row">{WEEKDAY[day] ?? day}</th>
                  <td className="num">{o.trades}</td>
                  <td className="num">{o.wins}</td>
                  <td className={`num ${pnlTone(o.net)}`}>{signedMoney(o.net)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {answer.trades.length > 0 && (
        <div className="table-wrap">
          <table className="table table--cards" aria-label="Backtest trades">
            <thead>
              <tr>
                <th scope="col">Trading date</th>
                <th scope="col">Side</th>
                {contracts && <th scope="col">Contract</th>}
                <th scope="col" className="num">
                  Qty
                </th>
                <th scope="col" className="num">
                  Entry
                </th>
                <th scope="col" className="num">
                  Exit
                </th>
                <th scope="col" className="num">
                  Fees
                </th>
                <th scope="col" className="num">
                  Net P&amp;L
                </th>
              </tr>
            </thead>
            <tbody>
              {answer.trades.map((t) => (
                <tr key={`${t.date}-${t.leg_no}`} data-trade={`${t.date}-${t.leg_no}`}>
                  <th scope="row" className="tnum">
                    {t.date} <span className="muted small">{t.weekday}{t.leg_no > 0 ? ` · re-entry ${t.leg_no}` : ''}</span>
                  </th>
                  <td data-label="Side">{t.side === 'long' ? 'Long' : 'Short'}</td>
                  {contracts && (
                    <td data-label="Contract" data-testid="bt-contract">
                      {t.contract ?? '—'}
                    </td>
                  )}
                  <td data-label="Qty" className="num">
                    {qty(t.qty)}
                  </td>
                  <td data-label="Entry" className="num">
                    {price(t.entry_price)} <span className="muted small">{zonedClock(t.entry_at, zone)}</span>
                  </td>
                  <td data-label="Exit" className="num" data-testid="bt-exit">
                    {legLabel(t.exit_kind)} @ {price(t.exit_price)} <span className="muted small">{zonedClock(t.exit_at, zone)}</span>
                  </td>
                  <td data-label="Fees" className="num">
                    {price(t.fees)}
                  </td>
                  <td data-label="Net P&L" className={`num ${pnlTone(t.net)}`} data-testid="bt-trade-net">
                    {signedMoney(t.net)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
