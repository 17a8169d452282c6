/** One strategy: its state and numbers, the live chart, the order journal, the audit log and its backtest. */
import { useEffect, useMemo } from 'react';
import type { OrderDto } from '../../lib/api-types';
import { clockTime, pnlTone, price, qty, signedMoney, signedPct, zoneLabel } from '../../lib/format';
import { useEngineNow } from '../../lib/use-now';
import { hrefOf } from '../../app/router';
import { instrumentKey, useTicks, type PricePoint } from '../live/ticks-store';
import { RunControls } from '../strategies/run-controls';
import { legLabel } from '../strategies/labels';
import { StateBadge } from '../strategies/state-badge';
import { lastActionView, positionView } from '../strategies/strategy-metrics';
import { groupSummary, positionLines, realizedOf } from '../strategies/position-runs';
import { backstopPlanWords, dayWords, reentryWords } from '../strategies/plan-words';
import { chartLevels, exitLevels, stopMoves } from '../strategies/exit-levels';
import { useStrategies } from '../strategies/strategies-store';
import { pairQty } from '../strategies/pair-words';
import { AccountTag, NextTrigger, nextOf } from '../strategies/which-money';
import { pricedInstrument } from '../strategies/option-view';
import { figuresSubject } from '../strategies/figures-subject';
import { BacktestPanel } from '../backtest/backtest-panel';
import { AuditLog } from './audit-log';
import { useDetail } from './detail-store';
import { OrderJournal } from './order-journal';
import { PriceChart } from './price-chart';
import { PositionsPanel } from './positions-panel';
import { ruleWords } from './position-lines';
import { withBars } from './chart-data';

const NO_POINTS: readonly PricePoint[] = [];
const NO_ORDERS: readonly OrderDto[] = [];

export function StrategyDetailScreen({ id }: { readonly id: number }) {
  const strategy = useStrategies((s) => s.byId[id]);
  const loaded = useStrategies((s) => s.loaded);
  const orders = useDetail((s) => s.orders[id]);
  const audit = useDetail((s) => s.audit[id]);
  const error = useDetail((s) => s.errors[id]);
  // An option's chosen contract (position 1's, of several): its premium is the price, as in the list's row.
  const priced = strategy ? pricedInstrument(strategy) : null;
  const key = strategy && priced ? instrumentKey(strategy.broker_account_id, priced.exchange, priced.symbol) : '';
  const livePoints = useTicks((t) => t.series[key]) ?? NO_POINTS;
  const bars = useDetail((s) => s.bars[id]);
  // The recorded minutes of the day before the ticks seen since the page opened.
  const points = useMemo(() => withBars(bars ?? [], livePoints), [bars, livePoints]);
  const last = useTicks((t) => t.last[key]);
  const now = useEngineNow(250);

  useEffect(() => useDetail.getState().watch(id), [id]);
  useEffect(() => {
    if (!strategy) void useStrategies.getState().refresh(id);
  }, [id, strategy]);

  if (!strategy) {
    return (
      <main className="page">
        <p>
          <a href={hrefOf({ name: 'strategies' })}>← Strategies</a>
        </p>
        <p className="muted">{loaded ? `Strategy #${id} does not exist (or was deleted).` : 'Loading…'}</p>
      </main>
    );
  }

  const run = strategy.runtime;
  const subject = figuresSubject(strategy);
  const positions = strategy.positions ?? [];
  const first = positions[0];
  const view = positionView(subject, last?.price ?? null);
  const levels = exitLevels(subject, last?.price ?? null);
  const running = strategy.status === 'running';
  const lastAction = lastActionView(strategy);
  const orderRows = orders ?? NO_ORDERS;
  // A strategy with positions: a line per position; its position and realized P&L are the group's.
  const lines = positionLines(strategy);
  const realized = realizedOf(strategy);

  return (
    <main className="page" aria-labelledby="detail-title">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <a href={hrefOf({ name: 'strategies' })}>← Strategies</a>
      </nav>
      <header className="page__header detail__header">
        <div>
          <h1 id="detail-title">
            {strategy.symbol} <span className="muted">{strategy.exchange}</span> <span className="muted small">#{strategy.id}</span>
          </h1>
          <div className="small">
            <AccountTag accountId={strategy.broker_account_id} />
          </div>
          <div className="detail__state">
            <StateBadge strategy={strategy} />
            {nextOf(strategy) && <NextTrigger strategy={strategy} now={now} />}
            {run?.reason && <span className="muted small">{run.reason}</span>}
          </div>
        </div>
        <div className="actions">
          <RunControls strategy={strategy} />
        </div>
      </header>

      <dl className="facts facts--wide card" aria-label="Strategy figures">
        {first && (
          <div>
            <dt>Figures of</dt>
            <dd className="small" data-testid="figures-of">
              Position 1 of {positions.length} · {ruleWords(first, strategy)}
            </dd>
          </div>
        )}
        <div>
          <dt>Quantity</dt>
          <dd className="num">
            {pairQty(strategy.qty, strategy)} {strategy.side === 'sell' && <span className="muted small">sell first (short)</span>}
          </dd>
        </div>
        <div>
          <dt>BUY → SELL</dt>
          <dd className="num">
            {strategy.buy_time} → {strategy.sell_time}
            {strategy.square_off_time && <span className="small"> (square-off {strategy.square_off_time})</span>} <span className="muted small">{zoneLabel(strategy.timezone) === strategy.timezone ? strategy.timezone : `${zoneLabel(strategy.timezone)} (${strategy.timezone})`}</span>
          </dd>
        </div>
        {lines && (
          <div>
            <dt>Positions</dt>
            <dd className="small tnum">
              <ul aria-label="Positions" className="position-list">
                {lines.map((line) => (
                  <li key={line} data-testid="position-line">
                    {line}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
        {reentryWords(strategy) && (
          <div>
            <dt>Re-entries</dt>
            <dd className="small" data-testid="reentry-plan">
              {reentryWords(strategy)}
            </dd>
          </div>
        )}
        {strategy.repeat === 'daily' && dayWords(strategy) && (
          <div>
            <dt>Days</dt>
            <dd className="small" data-testid="weekdays">
              {dayWords(strategy)}
            </dd>
          </div>
        )}
        <div>
          <dt>{levels.stop.name}</dt>
          <dd className="num" data-testid="stop-level">
            {levels.stop.text} {running && levels.stop.roomPct !== null && <span className={`small ${levels.stop.roomPct <= 1 ? 'neg' : 'muted'}`}>({signedPct(levels.stop.movePct)})</span>}
          </dd>
        </div>
        <div>
          <dt>Backstop</dt>
          <dd className="small" data-testid="backstop-plan">
            {backstopPlanWords(strategy)}
          </dd>
        </div>
        {levels.backstop && (
          <div>
            <dt>At the broker</dt>
            <dd className="small" data-testid="backstop">
              {levels.backstop}
            </dd>
          </div>
        )}
        <div>
          <dt>Target</dt>
          <dd className="num" data-testid="target-level">
            {levels.target ? levels.target.text : 'none'}{' '}
            {running && levels.target?.roomPct != null && <span className="small muted">({signedPct(levels.target.movePct)})</span>}
          </dd>
        </div>
        {(strategy.trail !== null || strategy.move_stop_to_cost_after !== null) && (
          <div>
            <dt>Stop moves</dt>
            <dd className="small">{stopMoves(subject)}</dd>
          </div>
        )}
        <div>
          <dt>Position</dt>
          <dd className="num" data-testid="position">
            {lines ? (groupSummary(strategy) ?? 'flat') : view.qty > 0 ? `${qty(view.qty, strategy.qty_step)} @ ${price(view.entry)}` : 'flat'}
          </dd>
        </div>
        <div>
          <dt>{run?.contract ? 'Premium now' : 'Last price'}</dt>
          <dd className="num" data-testid="last-price">
            {price(last?.price)} {run?.contract && <span className="muted small mono">{run.contract.symbol}</span>} {last && <span className="muted small">at {clockTime(last.at)}</span>}
          </dd>
        </div>
        <div>
          <dt>Unrealized P&amp;L</dt>
          <dd className={`num ${view.unrealized === null ? '' : view.unrealized >= 0 ? 'pos' : 'neg'}`}>{signedMoney(view.unrealized)}</dd>
        </div>
        <div>
          <dt>Last action</dt>
          <dd data-testid="last-action">
            {lastAction?.label ?? '—'} {lastAction?.at != null && <span className="muted small num">{clockTime(lastAction.at)}</span>}
          </dd>
        </div>
        <div>
          <dt>Exit</dt>
          <dd className="num">{run?.exit_price != null ? `${legLabel(run.exit_leg)} @ ${price(run.exit_price)}` : '—'}</dd>
        </div>
        <div>
          <dt>Realized P&amp;L</dt>
          <dd className={`num ${pnlTone(realized)}`} data-testid="realized-pnl">
            {signedMoney(realized)}
            {realized != null && run && <span className="muted small"> {lines ? 'over every position' : `on ${run.sold_qty} sold`}, {run.trading_date}</span>}
          </dd>
        </div>
      </dl>

      {strategy.positions && <PositionsPanel strategy={strategy} />}

      <section className="card" aria-labelledby="chart-title">
        <div className="card__head">
          <h2 id="chart-title" className="card__title">
            Price
          </h2>
          <span className="muted small">Live while a strategy on this instrument runs</span>
        </div>
        <PriceChart symbol={pricedInstrument(strategy).symbol} points={points} orders={orderRows} levels={chartLevels(levels)} />
      </section>

      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <OrderJournal strategyId={strategy.id} symbol={strategy.symbol} orders={orders} timezone={strategy.timezone} />
      <AuditLog strategyId={strategy.id} symbol={strategy.symbol} events={audit?.events} hasOlder={(audit?.nextBeforeId ?? null) !== null} timezone={strategy.timezone} />
      <BacktestPanel key={strategy.id} strategy={strategy} />
    </main>
  );
}
