/**
 * "Notify this device": Web Push to the browser the trader is using (a paired phone, the
 * installed app). Subscribing asks the browser's permission and registers the subscription with
 * the engine, which lists it among the channels (kind web_push) with its status; this panel sends
 * a test to it or stops it. Where push cannot work (desktop shell, plain http, an iPhone browser
 * tab), it says why instead.
 */
import { useEffect, useState } from 'react';
import { api, errorText } from '../../lib/api-client';
import type { NotifyChannelDto } from '../../lib/api-types';
import { currentSubscription, pushUnavailable, subscribeThisDevice, unsubscribeThisDevice } from '../../pwa/push-subscription';
import { toast } from '../../ui/toast';

export function PushDevice({ channels, onChange }: { readonly channels: readonly NotifyChannelDto[]; readonly onChange: () => Promise<void> }) {
  const unavailable = pushUnavailable();
  const [endpoint, setEndpoint] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (unavailable === null) void currentSubscription().then((s) => setEndpoint(s?.endpoint ?? null), () => setEndpoint(null));
  }, [unavailable]);
  // Subscribed here and known to the engine (a channel removed in the list no longer counts).
  const mine = endpoint === null ? undefined : channels.find((c) => c.kind === 'web_push' && c.config.endpoint === endpoint);

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    try {
      toast(await action());
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
      setEndpoint((await currentSubscription().catch(() => null))?.endpoint ?? null);
      await onChange();
    }
  };
  const subscribe = () =>
    run(async () => {
      const c = await subscribeThisDevice();
      return `${c.label} will get notifications`;
    });
  const test = (c: NotifyChannelDto) =>
    run(async () => {
      const r = await api('POST /notify/channels/:id/test', {}, { id: c.id });
      return r.delivered ? 'Test sent to this device' : `Test failed: ${r.error ?? 'no reason given'}`;
    });
  const stop = () =>
    run(async () => {
      await unsubscribeThisDevice();
      return 'This device will no longer get notifications';
    });

  return (
    <div className="form" role="group" aria-labelledby="push-device-title">
      <h3 id="push-device-title" className="card__title">
        This device
      </h3>
      {unavailable !== null ? (
        <p className="muted small">{unavailable}</p>
      ) : (
        <>
          <p className="muted small">
            {!mine ? 'Get fills, stop-losses and errors on this device, even with Tradeclock closed.' : mine.enabled ? `This device gets notifications (as "${mine.label}" below).` : `"${mine.label}" is turned off below: this device gets nothing until it is on.`}
          </p>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <div className="form__actions">
            {mine?.enabled ? (
              <>
                <button type="button" className="btn btn--small" onClick={() => void test(mine)} disabled={busy}>
                  Send test to this device
                </button>
                <button type="button" className="btn btn--ghost btn--small" onClick={() => void stop()} disabled={busy}>
                  Stop notifying this device
                </button>
              </>
            ) : (
              <button type="button" className="btn btn--primary btn--small" onClick={() => void subscribe()} disabled={busy}>
                Notify this device
              </button>
            )}
          </div>
        </>
      )}
    </div>
  );
}
