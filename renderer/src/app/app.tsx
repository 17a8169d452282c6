/**
 * The app shell: session check first, then the header (navigation, connection, kill switch,
 * theme, account) around the current screen. Signing in opens the live socket and loads data;
 * signing out closes it and clears every store.
 */
import { lazy, Suspense, useEffect } from 'react';
import { onUnauthorized } from '../lib/api-client';
import { AuthScreen } from '../features/auth/auth-screen';
import { useSession } from '../features/auth/session-store';
import { BrokersScreen } from '../features/brokers/brokers-screen';
import { useBrokers } from '../features/brokers/brokers-store';
import { LoginWarnings } from '../features/brokers/login-warnings';
import { useLoginWarnings } from '../features/brokers/login-warnings-store';
import { HistoryScreen } from '../features/history/history-screen';
import { SettingsScreen } from '../features/settings/settings-screen';
import { useSignedInSessions } from '../features/settings/sessions-store';
import { startLiveEvents, stopLiveEvents } from '../features/live/live-events';
import { useTicks } from '../features/live/ticks-store';
import { StrategiesScreen } from '../features/strategies/strategies-screen';
import { useStrategies } from '../features/strategies/strategies-store';
import { useBacktests } from '../features/backtest/backtest-store';
import { useDetail } from '../features/strategy-detail/detail-store';
import { Toasts } from '../ui/toast';
import { DisconnectedBanner } from './connection-status';
import { Header } from './header';
import { useRoute } from './router';

// The detail screen carries the chart library (most of the bundle); load it when first opened.
const StrategyDetailScreen = lazy(() => import('../features/strategy-detail/strategy-detail-screen').then((m) => ({ default: m.StrategyDetailScreen })));

export function App() {
  const status = useSession((s) => s.status);

  useEffect(() => {
    onUnauthorized(() => useSession.getState().expired());
    void useSession.getState().restore();
  }, []);

  // The engine may be starting (or restarting): keep asking while it does not answer.
  useEffect(() => {
    if (status !== 'offline') return;
    const timer = window.setInterval(() => void useSession.getState().restore(), 3_000);
    return () => window.clearInterval(timer);
  }, [status]);

  useEffect(() => {
    if (status !== 'signed-in') return;
    startLiveEvents();
    void useStrategies.getState().load();
    void useBrokers.getState().load();
    return () => {
      stopLiveEvents();
      useStrategies.getState().reset();
      useBrokers.getState().reset();
      useLoginWarnings.getState().reset();
      useDetail.getState().reset();
      useBacktests.getState().reset();
      useSignedInSessions.getState().reset();
      useTicks.getState().clear();
    };
  }, [status]);

  if (status === 'checking') {
    return (
      <div className="splash" role="status">
        Connecting to the engine…
      </div>
    );
  }
  if (status === 'offline') {
    return (
      <div className="splash" role="alert">
        <p>The Tradeclock engine is not answering. Trying again every few seconds…</p>
        <button type="button" className="btn btn--primary" onClick={() => void useSession.getState().restore()}>
          Try again
        </button>
      </div>
    );
  }
  if (status === 'signed-out') {
    return (
      <>
        <AuthScreen />
        <Toasts />
      </>
    );
  }
  return (
    <>
      <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <Header />
      <DisconnectedBanner />
      <LoginWarnings />
      <div id="main" className="main" tabIndex={-1}>
        <Screen />
      </div>
      <Toasts />
    </>
  );
}

function Screen() {
  const route = useRoute();
  switch (route.name) {
    case 'strategies':
      return <StrategiesScreen />;
    case 'strategy':
      return (
        <Suspense fallback={<p className="page muted">Loading…</p>}>
          <StrategyDetailScreen id={route.id} />
        </Suspense>
      );
    case 'brokers':
      return <BrokersScreen />;
    case 'history':
      return <HistoryScreen />;
    case 'settings':
      return <SettingsScreen />;
  }
}
