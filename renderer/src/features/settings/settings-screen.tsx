/**
 * The trader's own settings: change the password, see and end the signed-in sessions (this
 * browser, the desktop app, a phone on the LAN), pair a phone and manage the paired ones, where
 * notifications go; and the install's checks
 * (the readiness lead, the stale-price bound). Nothing here touches strategies or brokers.
 */
import { InstallSettingsForm } from './install-settings-form';
import { NotifyChannels } from './notify-channels';
import { PairedDevices } from './paired-devices';
import { PasswordForm } from './password-form';
import { SessionsList } from './sessions-list';

export function SettingsScreen() {
  return (
    <main className="page" aria-labelledby="settings-title">
      <header className="page__header">
        <h1 id="settings-title">Settings</h1>
      </header>
      <div className="settings">
        <PasswordForm />
        <SessionsList />
        <PairedDevices />
        <InstallSettingsForm />
        <NotifyChannels />
      </div>
    </main>
  );
}
