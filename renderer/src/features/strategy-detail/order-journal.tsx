/**
 * The order journal: every order of the strategy with when it was due, and how long after that
 * it was sent, acknowledged and filled: how exact each trigger was. Grouped by leg (a run's first
 * entry, each re-entry), each group saying which exit closed it and what it earned. Exportable as CSV.
 */
import type { OrderDto } from '../../lib/api-types';
import { toCsv, downloadText, fileStamp, type CsvColumn } from '../../lib/csv';
import { deltaMs, pnlTone, price, qty, signedMoney, zonedStamp } from '../../lib/format';
import { legLabel } from '../strategies/labels';
import { exitOrderPnl } from '../history/realized';
import { legGroups } from './order-legs';

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());
const delta = (from: number, to: number | null) => (to === null ? '' : to - from);

export const ORDER_CSV: readonly CsvColumn<OrderDto>[] = [
  { header: 'order_id', value: (o) => o.id },
  { header: 'run_id', value: (o) => o.run_id },
  { header: 'leg', value: (o) => o.leg },
  { header: 'side', value: (o) => o.side },
  { header: 'symbol', value: (o) => o.symbol },
  { header: 'exchange', value: (o) => o.exchange },
  { header: 'qty', value: (o) => o.qty },
  { header: 'status', value: (o) => o.status },
  { header: 'scheduled_at', value: (o) => iso(o.scheduled_at) },
  { header: 'sent_at', value: (o) => iso(o.dispatched_at) },
  { header: 'acked_at', value: (o) => iso(o.acked_at) },
  { header: 'filled_at', value: (o) => iso(o.filled_at) },
  { header: 'sent_delay_ms', value: (o) => delta(o.scheduled_at, o.dispatched_at) },
  { header: 'acked_delay_ms', value: (o) => delta(o.scheduled_at, o.acked_at) },
  { header: 'filled_delay_ms', value: (o) => delta(o.scheduled_at, o.filled_at) },
  { header: 'filled_qty', value: (o) => o.filled_qty },
  { header: 'fill_price', value: (o) => o.fill_price },
  { header: 'client_order_id', value: (o) => o.client_order_id },
  { header: 'broker_order_id', value: (o) => o.broker_order_id },
  { header: 'reject_reason', value: (o) => o.reject_reason },
  // Last, so the columns before keep their places: 0 for the first entry's orders, n for the n-th re-entry's.
  { header: 'leg_no', value: (o) => o.leg_no },
];

/** ORDER_CSV plus each exit fill's realized P&L (against its run's entry fill), unrounded. */
export function orderCsvColumns(orders: readonly OrderDto[]): CsvColumn<OrderDto>[] {
  const pnl = exitOrderPnl(orders);
  return [...ORDER_CSV, { header: 'realized_pnl', value: (o) => pnl.get(o.id) ?? null }];
}

const STATUS_TONE: Record<string, string> = { filled: 'ok', rejected: 'bad', cancelled: 'neutral', unknown: 'warn', partially_filled: 'busy', accepted: 'info', sent: 'info', pending: 'info' };

/** Times in the strategy's zone (`timezone`), named, newest first. */
export function OrderJournal({ strategyId, symbol, orders, timezone }: { readonly strategyId: number; readonly symbol: string; readonly orders: readonly OrderDto[] | undefined; readonly timezone: string }) {
  const rows = orders ? [...orders].sort((a, b) => b.scheduled_at - a.scheduled_at || b.id - a.id) : [];
  const groups = legGroups(rows);
  const exportCsv = () => downloadText(`tradeclock-orders-${symbol}-${strategyId}-${fileStamp(Date.now())}.csv`, toCsv(rows, orderCsvColumns(rows)));
  return (
    <section className="card" aria-labelledby="journal-title">
      <div className="card__head">
        <h2 id="journal-title" className="card__title">
          Order journal
        </h2>
        <button type="button" className="btn btn--small" onClick={exportCsv} disabled={rows.length === 0}>
          Export orders CSV
        </button>
      </div>
      {orders === undefined ? (
        <p className="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="muted">No orders yet. The BUY is journaled the moment it is due.</p>
      ) : (
        <div className="table-wrap">
          <table className="table journal" aria-label="Order journal">
            <thead>
              <tr>
                <th scope="col">Leg</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">Qty</th>
                <th scope="col" className="num">Scheduled</th>
                <th scope="col" className="num">Sent</th>
                <th scope="col" className="num">Acked</th>
                <th scope="col" className="num">Filled</th>
                <th scope="col" className="num">Fill price</th>
                <th scope="col">Client order id</th>
              </tr>
            </thead>
            {groups.map((g) => (
              <tbody key={`${g.runId}:${g.legNo}`} className="journal__leg" data-leg-no={g.legNo} aria-label={`${g.title}${g.exit ? `, ${g.exit.toLowerCase()}` : ''}`}>
                <tr className="journal__leg-head">
                  <th scope="rowgroup" colSpan={9}>
                    <span className="journal__leg-title">{g.title}</span>
                    <span className="muted small" data-testid="leg-exit">
                      {' '}
                      · {g.exit ?? 'no exit yet'}
                    </span>
                    {g.pnl !== null && (
                      <span className={`small num ${pnlTone(g.pnl)}`} data-testid="leg-pnl">
                        {' '}
                        · {signedMoney(g.pnl)}
                      </span>
                    )}
                  </th>
                </tr>
                {g.orders.map((o) => (
                  <tr key={o.id} data-leg={o.leg} data-status={o.status}>
                    <th scope="row">
                      <span className={`leg leg--${o.leg.toLowerCase()}`}>{legLabel(o.leg).toUpperCase()}</span>
                    </th>
                    <td data-label="Status">
                      <span className={`pill pill--${STATUS_TONE[o.status] ?? 'neutral'}`}>{o.status.replace('_', ' ')}</span>
                      {o.reject_reason && <div className="small neg">{o.reject_reason}</div>}
                    </td>
                    <td data-label="Qty" className="num">
                      {qty(o.filled_qty)}/{qty(o.qty)}
                    </td>
                    <td data-label="Scheduled" className="num">
                      <time dateTime={new Date(o.scheduled_at).toISOString()}>{zonedStamp(o.scheduled_at, timezone)}</time>
                    </td>
                    <td data-label="Sent" className="num">
                      {deltaMs(o.scheduled_at, o.dispatched_at)}
                    </td>
                    <td data-label="Acked" className="num">
                      {deltaMs(o.scheduled_at, o.acked_at)}
                    </td>
                    <td data-label="Filled" className="num">
                      {deltaMs(o.scheduled_at, o.filled_at)}
                    </td>
                    <td data-label="Fill price" className="num">
                      {price(o.fill_price)}
                    </td>
                    <td data-label="Client order id" className="mono small">
                      {o.client_order_id}
                    </td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </div>
      )}
    </section>
  );
}
