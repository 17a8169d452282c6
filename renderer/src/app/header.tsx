/** The top bar: brand, navigation, engine connection, kill switch, theme and account. */
import { useSession } from '../features/auth/session-store';
import { ConnectionIndicator } from './connection-status';
import { KillSwitch } from './kill-switch';
import { LiveArmed } from './live-armed';
import { hrefOf, useRoute } from './router';
import { useTheme } from './theme';

export function Header() {
  const route = useRoute();
  const user = useSession((s) => s.user);
  const { theme, toggle } = useTheme();
  const onStrategies = route.name === 'strategies' || route.name === 'strategy';
  return (
    <header className="topbar">
      <div className="topbar__row">
        <a className="brand" href={hrefOf({ name: 'strategies' })} aria-label="Tradeclock home">
          <span className="brand__mark" aria-hidden="true" />
          <span className="brand__name">Tradeclock</span>
        </a>
        <nav className="nav" aria-label="Main">
          <a href={hrefOf({ name: 'strategies' })} aria-current={onStrategies ? 'page' : undefined}>
            Strategies
          </a>
          <a href={hrefOf({ name: 'history' })} aria-current={route.name === 'history' ? 'page' : undefined}>
            History
          </a>
          <a href={hrefOf({ name: 'brokers' })} aria-current={route.name === 'brokers' ? 'page' : undefined}>
            Brokers
          </a>
          <a href={hrefOf({ name: 'settings' })} aria-current={route.name === 'settings' ? 'page' : undefined}>
            Settings
          </a>
        </nav>
        <div className="topbar__tools">
          <ConnectionIndicator />
          <LiveArmed />
          <KillSwitch />
          <button
            type="button"
            className="btn btn--ghost btn--icon"
            onClick={toggle}
            aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
            title={theme === 'dark' ? 'Light theme' : 'Dark theme'}
          >
            <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
          </button>
          <span className="user muted small" title={user?.email}>
            {user?.email}
          </span>
          <button type="button" className="btn btn--ghost btn--small" onClick={() => void useSession.getState().logout()}>
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}
