/**
 * One strategy in the list: state, countdown to its next trigger, last action, position, last
 * price, unrealized P&L, the stop (as the trail or a move to cost left it) and the target with
 * how far the price is from each, what its readiness check found to fix before the next entry,
 * and its controls. A strategy with positions (issue 19) has a line per position (its contract,
 * state, holding and stop) and says how many are open; its price, unrealized P&L and distances are
 * per position, not the row's (the realized P&L is their sum). On a phone the row turns
 * into a card (CSS), each cell keeping its label.
 */
import { memo } from 'react';
import type { StrategyDto } from '../../lib/api-types';
import { clockTime, pnlTone, price, qty, signedMoney, signedPct, zoneLabel } from '../../lib/format';
import { hrefOf } from '../../app/router';
import { instrumentKey, useTicks } from '../live/ticks-store';
import { StateBadge } from './state-badge';
import { RunControls } from './run-controls';
import { editBlocker, lastActionView, positionView } from './strategy-metrics';
import { exitLevels, type LevelView } from './exit-levels';
import { stalePriceNote } from './stale-price';
import { AccountTag, NextTrigger } from './which-money';
import { ReadinessNote } from './readiness-note';
import { optionLine, pricedInstrument } from './option-view';
import { figuresSubject } from './figures-subject';
import { pairQty } from './pair-words';
import { groupSummary, positionLines, realizedOf } from './position-runs';

interface StrategyRowProps {
  readonly strategy: StrategyDto;
  readonly now: number;
  readonly onEdit: (s: StrategyDto) => void;
  readonly onDelete: (s: StrategyDto) => void;
}

export const StrategyRow = memo(function StrategyRow({ strategy: s, now, onEdit, onDelete }: StrategyRowProps) {
  const priced = pricedInstrument(s);
  const last = useTicks((t) => t.last[instrumentKey(s.broker_account_id, priced.exchange, priced.symbol)]) ?? null;
  const option = optionLine(s);
  const run = s.runtime;
  const running = s.status === 'running';
  // Of several positions, the first's (its run is the latest): a sold one reads as a short.
  const subject = figuresSubject(s);
  const view = positionView(subject, last?.price ?? null);
  const levels = exitLevels(subject, last?.price ?? null);
  const name = `${s.symbol} (#${s.id})`;
  const blocked = editBlocker(s);
  const lastAction = lastActionView(s);
  const stale = stalePriceNote(s, now);
  // A strategy with positions: its cells that read one instrument's price say nothing for the row.
  const lines = positionLines(s);
  const realized = realizedOf(s);

  return (
    <tr className="strategy-row" data-strategy-id={s.id} aria-label={`Strategy ${name}`}>
      <th scope="row" className="cell-name">
        <a href={hrefOf({ name: 'strategy', id: s.id })} className="strategy-link">
          <span className="symbol">{s.symbol}</span>
          <span className="muted small"> {s.exchange} · #{s.id}</span>
        </a>
        <div className="muted small tnum">
          {s.side === 'sell' && <>Sell first (short) · </>}Qty {pairQty(s.qty, s)}{s.option_right !== null && ' lots'} · BUY {s.buy_time} → SELL {s.sell_time} {zoneLabel(s.timezone)}
        </div>
        {option && (
          <div className="small tnum" data-testid="option-contract">
            {option}
          </div>
        )}
        {lines?.map((line) => (
          <div key={line} className="small tnum" data-testid="position-line">
            {line}
          </div>
        ))}
        <div className="small">
          <AccountTag accountId={s.broker_account_id} />
        </div>
      </th>
      <td data-label="State" className="cell-state">
        <StateBadge strategy={s} />
        {run?.reason && <div className="muted small reason">{run.reason}</div>}
        <ReadinessNote strategy={s} />
      </td>
      <td data-label="Next" className="cell-next">
        <NextTrigger strategy={s} now={now} compact />
      </td>
      <td data-label="Last action" className="cell-last" data-testid="last-action">
        {lastAction ? (
          <>
            <div>{lastAction.label}</div>
            {lastAction.at !== null && <div className="muted small tnum">{clockTime(lastAction.at)}</div>}
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td data-label="Position" className="num">
        {lines ? (
          <span data-testid="group-summary">{groupSummary(s) ?? <span className="muted">flat</span>}</span>
        ) : view.qty > 0 ? (
          <>
            {qty(view.qty, s.qty_step)} <span className="muted">@</span> {price(view.entry)}
          </>
        ) : (
          <span className="muted">flat</span>
        )}
      </td>
      <td data-label="Last price" className={`num${running ? '' : ' muted'}`} data-testid="last-price" title={last ? `at ${clockTime(last.at)}` : undefined}>
        {lines ? <span className="muted small">per position</span> : price(last?.price)}
      </td>
      <td data-label="P&L" className={`num ${pnlTone(view.unrealized)}`}>
        {view.unrealized === null || lines ? (
          realized == null && <span className="muted">—</span>
        ) : (
          <>
            {signedMoney(view.unrealized)} <span className="small">({signedPct(view.unrealizedPct)})</span>
          </>
        )}
        {realized != null && run && (
          <div className={`small ${pnlTone(realized)}`} data-testid="realized-pnl" title={lines ? `Realized on ${run.trading_date}, every position` : `Realized on ${run.trading_date}: ${run.sold_qty} sold`}>
            {signedMoney(realized)} <span className="muted">realized</span>
          </div>
        )}
      </td>
      <td data-label="To stop" className="num" data-testid="to-stop">
        {lines ? <span className="muted small">per position</span> : <LevelCell level={levels.stop} running={running} near="neg" />}
        {stale && (
          <div className="small neg" role="status" data-testid="stale-price">
            {stale}
          </div>
        )}
        {/* A group's backstops are each position's, on its line. */}
        {levels.backstop && !lines && (
          <div className="small muted" data-testid="backstop">
            {levels.backstop}
          </div>
        )}
      </td>
      <td data-label="To target" className="num" data-testid="to-target">
        {lines ? <span className="muted small">per position</span> : levels.target ? <LevelCell level={levels.target} running={running} near="pos" /> : <span className="muted">none</span>}
      </td>
      <td className="cell-actions">
        <div className="actions">
          <RunControls strategy={s} />
          <button type="button" className="btn btn--ghost btn--small" onClick={() => onEdit(s)} disabled={blocked !== null} aria-label={`Edit ${name}`} title={blocked ?? undefined}>
            Edit
          </button>
          <button type="button" className="btn btn--ghost btn--small" onClick={() => onDelete(s)} disabled={blocked !== null} aria-label={`Delete ${name}`} title={blocked ?? undefined}>
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
});

/**
 * A level, and while the strategy runs how far and which way the price still has to move to it
 * ("-2.50 %" to a long's stop, "+2.50 %" to a short's), in the `near` tone once 1 % or less is left.
 */
function LevelCell({ level, running, near }: { readonly level: LevelView; readonly running: boolean; readonly near: 'neg' | 'pos' }) {
  return (
    <>
      <div>
        {level.price === null ? <span className="small">{level.text}</span> : level.text}
        {level.name === 'Trailing stop' && <span className="muted small"> trailing</span>}
      </div>
      {running && level.roomPct !== null && <div className={`small ${level.roomPct <= 1 ? near : 'muted'}`}>{signedPct(level.movePct)}</div>}
    </>
  );
}
