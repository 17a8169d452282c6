/**
 * Where the trader is signed in: each session's client (browser and system), address, when it
 * signed in and was last used, "this session" marked. Any other one can be signed out, or all of
 * them at once; this one signs out with the header's Sign out. A paired phone sees the list only
 * (the engine answers 403 to its sign-outs: a phone cannot lock the trader out).
 */
import { useEffect, useState } from 'react';
import { errorText } from '../../lib/api-client';
import type { SignedInSessionDto } from '../../lib/api-types';
import { dateTime } from '../../lib/format';
import { isDeviceToken } from '../../lib/token-store';
import { useSession } from '../auth/session-store';
import { toast } from '../../ui/toast';
import { useSignedInSessions } from './sessions-store';

export function SessionsList() {
  const sessions = useSignedInSessions((s) => s.sessions);
  const loaded = useSignedInSessions((s) => s.loaded);
  const loadError = useSignedInSessions((s) => s.error);
  const onDevice = useSession((s) => isDeviceToken(s.token));
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void useSignedInSessions.getState().load(), []);
  const others = sessions.filter((s) => !s.current).length;

  const run = async (key: string, action: () => Promise<string>) => {
    setBusy(key);
    setError(null);
    try {
      toast(await action());
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  const signOut = (s: SignedInSessionDto) =>
    run(s.id, async () => {
      await useSignedInSessions.getState().signOut(s.id);
      return `Signed out ${s.client}`;
    });
  const signOutOthers = () =>
    run('others', async () => {
      const n = await useSignedInSessions.getState().signOutOthers();
      return `Signed out ${n} other session${n === 1 ? '' : 's'}`;
    });

  return (
    <section className="card" aria-labelledby="sessions-title">
      <div className="card__head">
        <h2 id="sessions-title" className="card__title">
          Signed-in sessions
        </h2>
        {!onDevice && (
          <button type="button" className="btn btn--small" onClick={signOutOthers} disabled={others === 0 || busy !== null}>
            Sign out all other sessions
          </button>
        )}
      </div>
      {loadError && (
        <p className="form-error" role="alert">
          {loadError}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {loaded && others === 0 && !loadError && <p className="muted small">No other session is signed in.</p>}
      <ul className="session-list" aria-label="Signed-in sessions">
        {sessions.map((s) => (
          <li key={s.id} className="session" aria-label={`${s.client}${s.current ? ' (this session)' : ''}`}>
            <div className="session__who">
              <span className="session__client">{s.client}</span>
              {s.current && <span className="pill pill--ok">This session</span>}
            </div>
            <dl className="facts session__facts">
              <div>
                <dt>Address</dt>
                <dd className="mono">{s.client_address}</dd>
              </div>
              <div>
                <dt>Signed in</dt>
                <dd>{dateTime(s.created_at)}</dd>
              </div>
              <div>
                <dt>Last used</dt>
                <dd>{dateTime(s.last_used_at)}</dd>
              </div>
            </dl>
            {!s.current && !onDevice && (
              <button type="button" className="btn btn--ghost btn--small" onClick={() => void signOut(s)} disabled={busy !== null} aria-label={`Sign out ${s.client} (${s.client_address})`}>
                Sign out
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
