/**
 * A channel's recent deliveries (issue 21's delivery log), newest first, behind a disclosure so
 * the list of channels stays short: fetched when opened, again with "Refresh" and whenever the
 * channel's last outcome changes while it is open (a test just sent). Each reads when it
 * was queued (the trader's clock), what it was, and how it went, with the last error.
 */
import { useEffect, useState } from 'react';
import { api, errorText } from '../../lib/api-client';
import type { NotifyChannelDto, NotifyDeliveryDto } from '../../lib/api-types';
import { localZone } from '../../lib/format';
import { deliveryLine } from './delivery-log';

const TONE_PILL = { ok: 'pill--ok', bad: 'pill--bad', info: 'pill--info' } as const;
/** The API keeps up to 200; a phone screen reads the latest few. */
const SHOWN = 20;

export function DeliveryLog({ channel }: { readonly channel: NotifyChannelDto }) {
  const [rows, setRows] = useState<readonly NotifyDeliveryDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const load = async () => {
    try {
      setRows((await api('GET /notify/channels/:id/deliveries', undefined, { id: channel.id, query: { limit: SHOWN } })).deliveries);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  };
  useEffect(() => {
    if (open) void load();
    // Reloaded on opening and on a new outcome only, not on every render of the list.
  }, [open, channel.last_success_at, channel.last_failure_at]);
  const zone = localZone();
  return (
    <details className="delivery-log" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Deliveries</summary>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {rows !== null && rows.length === 0 && <p className="muted small">Nothing sent yet.</p>}
      {rows !== null && rows.length > 0 && (
        <ol className="delivery-log__list" aria-label={`Deliveries to ${channel.label}`}>
          {rows.map((d) => {
            const line = deliveryLine(d, zone);
            return (
              <li key={d.id} className="delivery-log__item">
                <div className="delivery-log__head">
                  <time dateTime={new Date(d.created_at).toISOString()} className="small">
                    {line.when}
                  </time>
                  <span className={`pill ${TONE_PILL[line.tone]}`}>{line.status}</span>
                </div>
                <div>
                  <span className="muted small">{line.topic}: </span>
                  {line.title}
                </div>
                {line.error && (
                  <div className="small delivery-log__error">
                    {d.state === 'sent' ? 'Earlier error' : 'Error'}: {line.error}
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" className="btn btn--ghost btn--small" onClick={() => void load()} aria-label={`Refresh the deliveries to ${channel.label}`}>
        Refresh
      </button>
    </details>
  );
}
