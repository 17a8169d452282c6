/**
 * The trader's own settings: change the password, see and end the signed-in sessions (this
 * browser, the desktop app, a phone on the LAN), and where notifications go. Nothing here touches
 * strategies or brokers.
 */
import { NotifyChannels } from './notify-channels';
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
        <NotifyChannels />
      </div>
    </main>
  );
}
