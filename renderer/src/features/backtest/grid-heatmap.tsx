/**
 * The grid of entry × exit times as a table: a row per entry time, a column per exit time, each
 * cell the net P&L of that backtest with its trades and win rate, shaded green (made money) or red
 * (lost it) in four steps of the grid's largest |net|. The numbers are the content; the colour only
 * repeats them, so the table reads the same to a screen reader and in either theme.
 */
import type { BacktestGridDto } from '../../lib/api-types';
import { signedMoney } from '../../lib/format';
import { gridExtremes, heatOf } from './backtest-view';

const hhmm = (t: string) => t.slice(0, 5);
const pct = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)} %`);

export function GridHeatmap({ grid }: { readonly grid: BacktestGridDto }) {
  const { largest, best } = gridExtremes(grid);
  return (
    <>
      <p className="small" data-testid="grid-best">
        {best ? (
          <>
            Best: entry {hhmm(best.buy)}, exit {hhmm(best.sell)}, <strong className={best.net > 0 ? 'pos' : best.net < 0 ? 'neg' : ''}>{signedMoney(best.net)}</strong>
          </>
        ) : (
          'No cell traded: no stored bars in this range (run a backtest to see which days have none).'
        )}
      </p>
      <div className="table-wrap heatmap-wrap">
        <table className="table heatmap" aria-label="Net P&L by entry and exit time">
          <caption className="muted small">Rows: entry time. Columns: exit time. Each cell: net P&amp;L after fees, trades, win rate.</caption>
          <thead>
            <tr>
              <th scope="col">Entry \ exit</th>
              {grid.sell_times.map((t) => (
                <th key={t} scope="col" className="num">
                  {hhmm(t)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {grid.cells.map((row, i) => (
              <tr key={grid.buy_times[i]}>
                <th scope="row" className="tnum">
                  {hhmm(grid.buy_times[i]!)}
                </th>
                {row.map((cell, j) => {
                  const at = `${hhmm(grid.buy_times[i]!)}-${hhmm(grid.sell_times[j]!)}`;
                  if (!cell) {
                    return (
                      <td key={at} className="num heat heat--none" data-cell={at}>
                        <span aria-hidden="true">·</span>
                        <span className="visually-hidden">exit not after entry</span>
                      </td>
                    );
                  }
                  const heat = heatOf(cell.trades === 0 ? 0 : cell.net, largest);
                  return (
                    <td key={at} className={`num heat heat--${heat.tone}-${heat.step}`} data-cell={at} data-net={cell.net}>
                      <span className="heat__net">{cell.trades === 0 ? '—' : signedMoney(cell.net)}</span>
                      <span className="heat__meta">
                        {cell.trades} tr · {pct(cell.win_rate)}
                      </span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
