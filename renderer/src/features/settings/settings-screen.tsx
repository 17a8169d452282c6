/**
 * The trader's own settings: change the password, see and end the signed-in sessions (this
 * browser, the desktop app, a phone on the LAN), pair a phone and manage the paired ones, where
 * notifications go; and the install's checks
 * (the readiness lead, the stale-price bound). Nothing here touches strategies or brokers.
 */
import { isDeviceToken } from '../../lib/token-store';
import { useSession } from '../auth/session-store';
import { InstallSettingsForm } from './install-settings-form';
import { NotifyChannels } from './notify-channels';
import { PairedDevices } from './paired-devices';
import { PasswordForm } from './password-form';
import { SessionsList } from './sessions-list';

export function SettingsScreen() {
  // A paired phone cannot change the password (the engine answers 403): it is changed on the desktop.
  const onDevice = useSession((s) => isDeviceToken(s.token));
  return (
    <main className="page" aria-labelledby="settings-title">
      <header className="page__header">
        <h1 id="settings-title">Settings</h1>
      </header>
      <div className="settings">
        {onDevice ? (
          <section className="card" aria-labelledby="password-title">
            <h2 id="password-title" className="card__title">
              Password
            </h2>
            <p className="muted small">The password is changed in Settings on the desktop. Changing it unpairs this phone.</p>
          </section>
        ) : (
          <PasswordForm />
        )}
        <SessionsList />
        <PairedDevices />
        <InstallSettingsForm />
        <NotifyChannels />
      </div>
    </main>
  );
}
