/**
 * A multi-position strategy's positions on its page (issue 19): each as set, the contract its run
 * chose and traded, its live premium where the price stream carries the contract, entry, exit and
 * P&L; the day's combined P&L below. What the run data does not carry yet is a dash, never a guess.
 */
import type { StrategyDto } from '../../lib/api-types';
import { pnlTone, price, signedMoney } from '../../lib/format';
import { runStateText } from '../strategies/labels';
import { useTicks } from '../live/ticks-store';
import { groupPnl, positionLines, premiumNow, ruleWords, unrealizedOf, type PositionLine } from './position-lines';

export function PositionsPanel({ strategy }: { readonly strategy: StrategyDto }) {
  const last = useTicks((t) => t.last);
  const lines = positionLines(strategy);
  const lastOf = (l: PositionLine): number | null => premiumNow(l, strategy.broker_account_id, last);
  const day = groupPnl(lines, lastOf);
  const tradingDate = lines.find((l) => l.run)?.run?.trading_date;
  return (
    <section className="card" aria-labelledby="positions-title">
      <div className="card__head">
        <h2 id="positions-title" className="card__title">
          Positions
        </h2>
        <span className="muted small">{tradingDate ? `Trading day ${tradingDate}` : 'Contracts are chosen a few seconds before the BUY'}</span>
      </div>
      <div className="table-wrap">
        <table className="table" aria-label="Positions" data-testid="positions-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Set as</th>
              <th scope="col">Contract</th>
              <th scope="col">State</th>
              <th scope="col" className="num">Premium now</th>
              <th scope="col" className="num">Entry</th>
              <th scope="col" className="num">Exit</th>
              <th scope="col" className="num">Unrealized P&amp;L</th>
              <th scope="col" className="num">Realized P&amp;L</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => {
              const now = lastOf(l);
              const open = unrealizedOf(l, now);
              return (
                <tr key={l.no} data-position={l.no}>
                  <th scope="row">{l.no + 1}</th>
                  <td>{ruleWords(l.spec, strategy)}</td>
                  <td className="mono" data-testid="position-contract">
                    {l.contract ? l.contract.symbol : <span className="muted">not chosen yet</span>}
                    {l.chosenPremium !== null && <span className="muted small"> (chosen at {price(l.chosenPremium)})</span>}
                  </td>
                  <td>
                    {l.run ? runStateText(l.run.state, 0, 0, l.spec.side) : '—'}
                    {l.run?.reason && <div className="muted small">{l.run.reason}</div>}
                  </td>
                  <td className="num">{price(now)}</td>
                  <td className="num">{price(l.entry)}</td>
                  <td className="num">{price(l.exit)}</td>
                  <td className={`num ${pnlTone(open)}`}>{signedMoney(open)}</td>
                  <td className={`num ${pnlTone(l.realized)}`}>{signedMoney(l.realized)}</td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={7}>
                Combined
              </th>
              <td className={`num ${pnlTone(day.unrealized)}`} data-testid="positions-unrealized">
                {signedMoney(day.unrealized)}
              </td>
              <td className={`num ${pnlTone(day.realized)}`} data-testid="positions-realized">
                {signedMoney(day.realized)}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}
