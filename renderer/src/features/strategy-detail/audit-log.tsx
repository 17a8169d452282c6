/** The strategy's audit log (GET /events/log): every engine event, newest first, pageable, CSV. */
import type { LoggedEventDto } from '../../lib/api-types';
import { downloadText, fileStamp, toCsv, type CsvColumn } from '../../lib/csv';
import { dateTime, humanize, localZone, price, zonedStamp } from '../../lib/format';
import { legLabel, runStateLabel } from '../strategies/labels';
import { useDetail } from './detail-store';

/** The event's own fields, without the ones every row shows in its own column. */
const COMMON = new Set(['id', 'type', 'at', 'strategy_id', 'run_id']);
const atOf = (e: LoggedEventDto): number => (typeof e.at === 'number' ? e.at : 0);
const details = (e: LoggedEventDto): Record<string, unknown> => Object.fromEntries(Object.entries(e).filter(([k]) => !COMMON.has(k)));

export const AUDIT_CSV: readonly CsvColumn<LoggedEventDto>[] = [
  { header: 'id', value: (e) => e.id },
  { header: 'at', value: (e) => (typeof e.at === 'number' ? new Date(e.at).toISOString() : '') },
  { header: 'type', value: (e) => e.type },
  { header: 'strategy_id', value: (e) => (typeof e.strategy_id === 'number' ? e.strategy_id : '') },
  { header: 'run_id', value: (e) => (typeof e.run_id === 'number' ? e.run_id : '') },
  { header: 'details', value: (e) => JSON.stringify(details(e)) },
];

/** One line a trader can read for the events that matter most; the raw fields for the rest. */
export function summary(e: LoggedEventDto, zone: string = localZone()): string {
  const n = (k: string) => (typeof e[k] === 'number' ? (e[k] as number) : null);
  const s = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : '');
  switch (e.type) {
    case 'strategy_armed':
      return `Armed for ${s('trading_date')}: BUY ${zonedStamp(n('buy_at'), zone)}, SELL ${zonedStamp(n('sell_at'), zone)}`;
    case 'run_state_changed':
      return `${runStateLabel(s('from'))} → ${runStateLabel(s('to'))}${s('reason') ? ` (${s('reason')})` : ''}`;
    case 'order_submitted':
      return `${legLabel(s('leg'))} order ${n('order_id')} sent (${s('client_order_id')})`;
    case 'order_accepted':
      return `${legLabel(s('leg'))} order ${n('order_id')} accepted by the broker (${s('broker_order_id')})`;
    case 'order_filled':
      return `${legLabel(s('leg'))} order ${n('order_id')} filled: ${n('filled_qty')} @ ${price(n('fill_price'))}`;
    case 'order_rejected':
      return `${legLabel(s('leg'))} order ${n('order_id')} rejected: ${s('reason')}`;
    case 'order_unknown':
      return `${legLabel(s('leg'))} order ${n('order_id')} outcome unknown: ${s('reason')}`;
    case 'order_not_sent':
      return `${legLabel(s('leg'))} order ${n('order_id')} not sent yet: ${s('reason')}`;
    case 'prices_not_subscribed':
      return `Prices not subscribed: ${s('reason')}`;
    case 'stop_loss_triggered':
      // A row from before trailing stops has no `trailing`: it was the stop-loss.
      return `Price ${price(n('price'))}${staleSource(e)} reached the ${e.trailing === true ? 'trailing stop' : 'stop-loss'} ${price(n('stop_loss'))}`;
    case 'target_hit':
      return `Price ${price(n('price'))}${staleSource(e)} reached the target ${price(n('target'))}`;
    case 'price_stale':
      return `Stop watching a stale price: ${n('last_price') === null ? 'no tick' : `last tick ${price(n('last_price'))}`} ${seconds(n('last_price_age_ms'))} ago (${s('detail')})`;
    case 'price_fresh':
      return `Prices flowing again: ${price(n('price'))} after ${seconds(n('silent_for_ms'))} without a tick`;
    case 'stop_moved': {
      // A short's stop moves down: the way is read from the prices, the event has no side.
      const way = (n('to') ?? 0) < (n('from') ?? 0) ? 'down' : 'up';
      return s('why') === 'cost'
        ? `Stop moved ${way} to the entry price ${price(n('to'))} (was ${price(n('from'))}): the price reached ${price(n('best'))}`
        : `Trailing stop moved ${way} to ${price(n('to'))} (was ${price(n('from'))}): best price since the entry ${price(n('best'))}`;
    }
    case 'exit_retry_scheduled':
      return `${legLabel(s('leg'))} attempt ${n('attempt')} did not sell everything (${s('reason')}); attempt ${(n('attempt') ?? 0) + 1} for ${n('remaining_qty')} at ${zonedStamp(n('next_attempt_at'), zone)}`;
    case 'exit_suppressed':
      return `${legLabel(s('leg'))} suppressed: ${s('reason')}`;
    case 'backstop_placed':
      // `target_price`: a take-profit rests with it (one cancels the other); absent on rows from before OCO backstops.
      return `Backstop resting at the broker: ${n('qty')} at ${price(n('trigger_price'))}${n('target_price') !== null ? `, take-profit at ${price(n('target_price'))}, whichever comes first` : ''} (${s('broker_ref')})`;
    case 'backstop_moved':
      return `Backstop moved to ${price(n('to'))} (was ${price(n('from'))}; ${s('broker_ref')})`;
    case 'backstop_cancelled':
      return `Backstop cancelled at the broker before the exit${s('broker_ref') ? ` (${s('broker_ref')})` : ''}`;
    case 'backstop_fired':
      // `fired_leg` 'target': the take-profit side of a two-leg backstop fired; absent on older rows: the stop.
      return `${s('fired_leg') === 'target' ? 'Target reached at the broker (the backstop\'s take-profit)' : 'Backstop fired at the broker'}: ${n('filled_qty')} @ ${price(n('fill_price'))}${s('broker_ref') ? ` (${s('broker_ref')})` : ''}: that is the exit`;
    case 'buy_skipped':
      // `target` set: the target was the level already reached; a row from before targets has no `target`.
      // `side` 'sell': a short's entry, whose stop is above the price and target below; absent on older rows: a buy.
      return s('side') === 'sell'
        ? n('target') !== null
          ? `Short sale skipped: last price ${price(n('last_price'))} is at or below the target ${price(n('target'))}, so it would exit at once`
          : `Short sale skipped: last price ${price(n('last_price'))} is at or above the stop-loss ${price(n('stop_loss'))}`
        : n('target') !== null
          ? `BUY skipped: last price ${price(n('last_price'))} is at or above the target ${price(n('target'))}, so it would exit at once`
          : `BUY skipped: last price ${price(n('last_price'))} is at or below the stop-loss ${price(n('stop_loss'))}`;
    case 'reentry_scheduled':
      // `after`: the exit that allowed it (a trailing stop's counts as the stop-loss's).
      return `Re-entry ${n('leg_no')} of ${n('of')} due ${zonedStamp(n('due_at'), zone)}, after the ${legLabel(s('after')).toLowerCase()} exit`;
    case 'readiness': {
      const checks = Array.isArray(e.checks) ? (e.checks as { check?: unknown; status?: unknown; message?: unknown }[]) : [];
      const fix = checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => String(c.message));
      return `${s('status') === 'fail' ? 'Not ready' : 'Readiness warning'} for the entry at ${zonedStamp(n('entry_at'), zone)}: ${fix.join(' ')}`;
    }
    case 'reentry_skipped':
      return `Re-entry ${n('leg_no')} not sent: ${s('reason')}`;
    case 'buy_missed':
      return `BUY missed: ${Math.round((n('late_by_ms') ?? 0) / 1000)} s late`;
    case 'strategy_stopped':
      return `Stopped: ${s('reason')}`;
    case 'strategy_completed':
      return 'Completed';
    default:
      return JSON.stringify(details(e));
  }
}

const seconds = (ms: number | null): string => `${Math.round((ms ?? 0) / 1000)} s`;

/** A stop or target decided on a price that was not a fresh tick (a REST quote, an old last price), in words. */
function staleSource(e: LoggedEventDto): string {
  const silent = typeof e.silent_for_ms === 'number' ? seconds(e.silent_for_ms) : null;
  if (e.price_source === 'rest') return ` (REST quote: no tick for ${silent})`;
  if (e.price_source === 'stream') return ` (last price, ${silent} old)`;
  return '';
}

/** Newest first by when it happened (id breaks ties), each time in the strategy's zone, named. */
export function AuditLog({ strategyId, symbol, events, hasOlder, timezone }: { readonly strategyId: number; readonly symbol: string; readonly events: readonly LoggedEventDto[] | undefined; readonly hasOlder: boolean; readonly timezone: string }) {
  const rows = events ? [...events].sort((a, b) => atOf(b) - atOf(a) || b.id - a.id) : [];
  const exportCsv = () => downloadText(`tradeclock-audit-${symbol}-${strategyId}-${fileStamp(Date.now())}.csv`, toCsv(rows, AUDIT_CSV));
  return (
    <section className="card" aria-labelledby="audit-title">
      <div className="card__head">
        <h2 id="audit-title" className="card__title">
          Audit log
        </h2>
        <button type="button" className="btn btn--small" onClick={exportCsv} disabled={rows.length === 0}>
          Export audit CSV
        </button>
      </div>
      {events === undefined ? (
        <p className="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="muted">Nothing has happened yet.</p>
      ) : (
        <ol className="audit" aria-label="Audit log entries">
          {rows.map((e) => (
            <li key={e.id} className={`audit__entry audit__entry--${e.type}`}>
              <time className="num muted small" dateTime={typeof e.at === 'number' ? new Date(e.at).toISOString() : undefined} title={typeof e.at === 'number' ? `${dateTime(e.at)} your time` : undefined}>
                {typeof e.at === 'number' ? zonedStamp(e.at, timezone) : '—'}
              </time>
              <span className="audit__type">{humanize(e.type)}</span>
              <span className="audit__text">{summary(e, timezone)}</span>
            </li>
          ))}
        </ol>
      )}
      {hasOlder && (
        <button type="button" className="btn btn--small" onClick={() => void useDetail.getState().loadOlderAudit(strategyId)}>
          Load older entries
        </button>
      )}
    </section>
  );
}
