/**
 * Connects the /events socket to the stores. Engine events only say *that* something changed
 * for a strategy; the stores refetch what the API says now, so the renderer never re-implements
 * the run state machine. After every (re)connect everything is reloaded, because events sent
 * while the socket was down are gone.
 */
import { coalescer } from '../../lib/coalesce';
import { EventsSocket } from '../../lib/events-socket';
import type { ServerMessage } from '../../lib/api-types';
import { useSession } from '../auth/session-store';
import { useBrokers } from '../brokers/brokers-store';
import { useLoginWarnings } from '../brokers/login-warnings-store';
import { useStrategies } from '../strategies/strategies-store';
import { useDetail } from '../strategy-detail/detail-store';
import { useConnection } from './connection-store';
import { useTicks } from './ticks-store';

const ORDER_EVENTS = new Set(['order_submitted', 'order_accepted', 'order_filled', 'order_rejected', 'order_unknown', 'order_not_sent']);

const refreshStrategy = coalescer((id: number) => void useStrategies.getState().refresh(id), 40);
const refreshOrders = coalescer((id: number) => void useDetail.getState().loadOrders(id), 40);
const refreshAudit = coalescer((id: number) => void useDetail.getState().loadAudit(id), 150);

/** Applies one socket message to the stores. Exported for tests. */
export function applyMessage(message: ServerMessage): void {
  switch (message.type) {
    case 'hello':
      useConnection.getState().hello(message.server_time, message.version);
      reloadAll();
      return;
    case 'tick':
      useTicks.getState().add(message);
      return;
    case 'feed_status': {
      const brokers = useBrokers.getState();
      // An account this screen has not seen was connected elsewhere (another tab, the CLI).
      if (!brokers.accounts.some((a) => a.id === message.broker_account_id)) void brokers.load();
      else brokers.setFeed(message.broker_account_id, message.state);
      return;
    }
    case 'broker_session_changed': {
      const brokers = useBrokers.getState();
      if (brokers.accounts.some((a) => a.id === message.broker_account_id)) void brokers.refresh(message.broker_account_id);
      else void brokers.load();
      if (message.state === 'valid') useLoginWarnings.getState().loggedIn(message.broker_account_id);
      return;
    }
    case 'broker_login_required':
      // Stays on screen (dismissible) until the trader acts: a toast could pass unseen.
      useLoginWarnings.getState().add(message);
      void useBrokers.getState().refresh(message.broker_account_id);
      refreshStrategy(message.strategy_id);
      return;
    default: {
      // A newer engine may send events this build does not know; only strategy-scoped ones matter here.
      const id: unknown = (message as { strategy_id?: unknown }).strategy_id;
      if (typeof id !== 'number') return;
      refreshStrategy(id);
      const detail = useDetail.getState();
      if (!detail.watched.has(id)) return;
      if (ORDER_EVENTS.has(message.type)) refreshOrders(id);
      refreshAudit(id);
    }
  }
}

function reloadAll(): void {
  void useStrategies.getState().load();
  void useBrokers.getState().load();
  const detail = useDetail.getState();
  for (const id of detail.watched) {
    void detail.loadOrders(id);
    void detail.loadAudit(id);
  }
}

let socket: EventsSocket | null = null;

/** Opens the socket for the signed-in session; call `stopLiveEvents` on sign-out. */
export function startLiveEvents(): void {
  socket ??= new EventsSocket({
    token: () => useSession.getState().token,
    onMessage: applyMessage,
    onState: (state) => useConnection.getState().setSocket(state),
    onUnauthorized: () => useSession.getState().expired(),
  });
  socket.start();
}

export function stopLiveEvents(): void {
  socket?.stop();
}

export function retryLiveEventsNow(): void {
  socket?.retryNow();
}
