/**
 * "Pair a phone": a one-time code and its QR code (the daemon's LAN address with the code in the
 * fragment), what the phone will show the first time (the certificate warning, the fingerprint to
 * compare), and the paired devices, each renamable and revocable. A revoked phone is signed out
 * at once. Only a password session pairs and revokes (the engine refuses a phone: 403).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, errorText } from '../../lib/api-client';
import type { DeviceDto, PairingCodeDto } from '../../lib/api-types';
import { clockTime, dateTime } from '../../lib/format';
import { isDeviceToken } from '../../lib/token-store';
import { useSession } from '../auth/session-store';
import { toast } from '../../ui/toast';

export function PairedDevices() {
  // A paired phone sees the list; pairing, renaming and unpairing take the password session.
  const onDevice = useSession((s) => isDeviceToken(s.token));
  const [devices, setDevices] = useState<readonly DeviceDto[]>([]);
  const [shown, setShown] = useState<PairingCodeDto | null>(null);
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      setDevices((await api('GET /devices')).devices);
    } catch (err) {
      setError(errorText(err));
    }
  };
  useEffect(() => void load(), []);
  // A device that pairs while the code is up shows in the list without a reload.
  useEffect(() => {
    if (!shown) return;
    const timer = setInterval(() => void load(), 3_000);
    return () => clearInterval(timer);
  }, [shown]);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const newCode = () => run(async () => setShown(await api('POST /devices/pairing-code', {})));
  const revoke = (d: DeviceDto) =>
    run(async () => {
      await api('DELETE /devices/:id', undefined, { id: d.id });
      toast(`Unpaired ${d.name}: it is signed out`);
      await load();
    });
  const rename = (e: FormEvent) => {
    e.preventDefault();
    const target = renaming;
    if (!target) return;
    void run(async () => {
      await api('PATCH /devices/:id', { name: target.name }, { id: target.id });
      setRenaming(null);
      await load();
    });
  };

  return (
    <section className="card" aria-labelledby="devices-title">
      <div className="card__head">
        <h2 id="devices-title" className="card__title">
          Pair a phone
        </h2>
        {!onDevice && (
          <button type="button" className="btn btn--small" onClick={() => void newCode()} disabled={busy}>
            {shown ? 'New code' : 'Show pairing code'}
          </button>
        )}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!shown && !onDevice && <p className="muted small">Use Tradeclock from a phone on the same network: show a code, scan it with the phone, and name the phone there.</p>}
      {onDevice && <p className="muted small">This device is paired. Phones are paired, renamed and unpaired in Settings on the desktop.</p>}
      {shown && <PairingCode shown={shown} />}
      <h3 className="pairing__subtitle">Paired devices</h3>
      {devices.length === 0 && <p className="muted small">No device is paired.</p>}
      <ul className="session-list" aria-label="Paired devices">
        {devices.map((d) => (
          <li key={d.id} className="session" aria-label={d.name}>
            <div className="session__who">
              {renaming?.id === d.id ? (
                <form onSubmit={rename} className="pairing__rename" aria-label={`Rename ${d.name}`}>
                  <input aria-label="New name" value={renaming.name} onChange={(e) => setRenaming({ id: d.id, name: e.target.value })} autoFocus maxLength={60} />
                  <button type="submit" className="btn btn--small" disabled={busy}>
                    Save
                  </button>
                  <button type="button" className="btn btn--ghost btn--small" onClick={() => setRenaming(null)}>
                    Cancel
                  </button>
                </form>
              ) : (
                <span className="session__client">{d.name}</span>
              )}
              {d.current && <span className="pill pill--ok">This device</span>}
            </div>
            <dl className="facts session__facts">
              <div>
                <dt>Paired</dt>
                <dd>{dateTime(d.paired_at)}</dd>
              </div>
              <div>
                <dt>Last seen</dt>
                <dd>{dateTime(d.last_seen_at)}</dd>
              </div>
              <div>
                <dt>Paired from</dt>
                <dd className="mono">{d.paired_from}</dd>
              </div>
            </dl>
            {!onDevice && (
              <div className="pairing__actions">
                <button type="button" className="btn btn--ghost btn--small" onClick={() => setRenaming({ id: d.id, name: d.name })} disabled={busy} aria-label={`Rename ${d.name}`}>
                  Rename
                </button>
                <button type="button" className="btn btn--ghost btn--small" onClick={() => void revoke(d)} disabled={busy} aria-label={`Unpair ${d.name}`}>
                  Unpair
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function PairingCode({ shown }: { readonly shown: PairingCodeDto }) {
  return (
    <div className="pairing" aria-label="Pairing code">
      <img className="pairing__qr" src={shown.qr} alt={`QR code of ${shown.pair_url}`} width={200} height={200} />
      <div className="pairing__words">
        <p>
          Scan with the phone&apos;s camera, or open <span className="mono">{shown.pair_url.split('#')[0]}</span> on the phone and enter
        </p>
        <p className="pairing__code mono" aria-label="One-time code">
          {shown.code}
        </p>
        <p className="muted small">Works once, until {clockTime(shown.expires_at)}.</p>
        {shown.other_urls.length > 0 && (
          <p className="muted small">
            Phone on another network of this computer? Open one of these on it and enter the code:{' '}
            {shown.other_urls.map((u, i) => (
              <span key={u}>
                {i > 0 && ', '}
                <span className="mono">{u}</span>
              </span>
            ))}
            .
          </p>
        )}
        {!shown.reachable_from_lan && (
          <p className="notice" role="note">
            This Tradeclock listens on this computer only, so no phone can reach it. Start it with <code>--host 0.0.0.0 --allow-remote</code> to
            pair a phone on your network.
          </p>
        )}
        {shown.certificate && (
          <div className="pairing__certificate" role="note" aria-label="Certificate">
            {shown.certificate.self_signed ? (
              <p className="small">
                The first time, the phone warns that the connection is not private: the certificate is this Tradeclock&apos;s own, not one a
                public authority signed. Check that the certificate&apos;s SHA-256 fingerprint on the phone is the one below, then continue
                (Advanced, then Proceed). To stop the warning for good, install{' '}
                {shown.certificate.authority_url ? (
                  <a href={shown.certificate.authority_url} download>
                    this Tradeclock&apos;s authority
                  </a>
                ) : (
                  'this Tradeclock’s authority'
                )}{' '}
                on the phone (open this link on the phone; the README, “On the phone”, says where each system asks to trust it).
              </p>
            ) : (
              <p className="small">The phone checks the certificate you gave Tradeclock; its SHA-256 fingerprint is below.</p>
            )}
            <p className="pairing__fingerprint mono small" aria-label="SHA-256 fingerprint">
              {shown.certificate.sha256}
            </p>
          </div>
        )}
      </div>
    </div>
  );
}
