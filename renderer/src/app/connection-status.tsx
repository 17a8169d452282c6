/**
 * Whether the screen is live: a small indicator in the header, and a banner when the engine is
 * disconnected so nobody reads stale numbers as current ones.
 */
import { useEffect, useState } from 'react';
import { retryLiveEventsNow } from '../features/live/live-events';
import { useConnection } from '../features/live/connection-store';

export function ConnectionIndicator() {
  const socket = useConnection((s) => s.socket);
  const [label, tone] =
    socket.kind === 'open' ? ['Live', 'ok'] : socket.kind === 'connecting' ? ['Connecting…', 'warn'] : socket.kind === 'disconnected' ? ['Disconnected', 'bad'] : ['Offline', 'neutral'];
  return (
    <span className={`conn conn--${tone}`} role="status" aria-label={`Engine connection: ${label}`}>
      <span className="conn__dot" aria-hidden="true" />
      <span className="conn__label">{label}</span>
    </span>
  );
}

export function DisconnectedBanner() {
  const socket = useConnection((s) => s.socket);
  const [now, setNow] = useState(Date.now());
  const down = socket.kind === 'disconnected' || (socket.kind === 'connecting' && socket.attempt > 0);
  useEffect(() => {
    if (!down) return;
    const t = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(t);
  }, [down]);
  if (!down) return null;
  const wait = socket.kind === 'disconnected' ? Math.max(0, Math.ceil((socket.retryAt - now) / 1000)) : 0;
  return (
    <div className="banner banner--bad" role="alert" data-testid="engine-disconnected">
      <strong>Engine disconnected.</strong>{' '}
      <span>
        Prices and states on screen may be out of date.{' '}
        {socket.kind === 'disconnected' ? (wait > 0 ? `Reconnecting in ${wait} s.` : 'Reconnecting…') : 'Reconnecting…'}
      </span>
      {socket.kind === 'disconnected' && (
        <button type="button" className="btn btn--small" onClick={retryLiveEventsNow}>
          Retry now
        </button>
      )}
    </div>
  );
}
