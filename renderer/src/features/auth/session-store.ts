/**
 * Who is signed in. On launch the saved token is checked with GET /auth/validate; a token the
 * engine no longer accepts (expired, logged out elsewhere, password changed) is forgotten and the
 * sign-in screen comes back with a sentence saying why. In a browser, a tab opened without a token
 * takes the session of a signed-in tab of the same origin, and signing out in one tab signs out
 * every tab (lib/tab-session.ts says why it is done that way).
 */
import { create } from 'zustand';
import { api, ApiError, isOffline, setApiToken } from '../../lib/api-client';
import type { UserDto } from '../../lib/api-types';
import { bridge } from '../../lib/bridge';
import { joinTabs } from '../../lib/tab-session';
import { isDeviceToken, tokenStore } from '../../lib/token-store';

/** What the sign-in screen says when the engine stopped taking the token. */
const endedNotice = (token: string | null): string =>
  isDeviceToken(token) ? 'This device was unpaired. Pair it again with a new code from Settings on the desktop.' : 'Your session has ended. Sign in again.';

export type SessionStatus = 'checking' | 'signed-out' | 'signed-in' | 'offline';

interface SessionStore {
  readonly status: SessionStatus;
  readonly user: UserDto | null;
  readonly token: string | null;
  /** Why the user is looking at the sign-in screen, when it was not their choice. */
  readonly notice: string | null;
  restore(): Promise<void>;
  /** `confirmPassword` is checked by the engine with the rest, so every problem comes back at once. */
  register(email: string, password: string, confirmPassword?: string): Promise<void>;
  login(email: string, password: string): Promise<void>;
  /** Trades the desktop's one-time code for this device's token (a phone pairing). */
  pair(code: string, name: string): Promise<void>;
  logout(): Promise<void>;
  expired(reason?: string): void;
}

export const useSession = create<SessionStore>()((set, get) => {
  const signIn = async (token: string, user: UserDto) => {
    setApiToken(token);
    await tokenStore.set(token);
    set({ status: 'signed-in', token, user, notice: null });
  };
  const forget = (notice: string | null) => {
    setApiToken(null);
    void tokenStore.clear();
    set({ status: 'signed-out', token: null, user: null, notice });
  };
  // The desktop shell keeps one token for its one window; tabs are a browser's.
  const tabs = bridge()
    ? null
    : joinTabs('tradeclock.session', {
        current: () => (get().status === 'signed-in' ? get().token : null),
        onSignedOut: () => {
          if (get().token !== null) forget('You signed out in another tab.');
        },
      });

  return {
    status: 'checking',
    user: null,
    token: null,
    notice: null,

    async restore() {
      // While offline the "not answering" screen stays up between retries instead of flickering.
      if (get().status !== 'offline') set({ status: 'checking' });
      let token = await tokenStore.get();
      if (!token && tabs) {
        token = await tabs.ask();
        if (token) await tokenStore.set(token);
      }
      if (!token) return set({ status: 'signed-out' });
      setApiToken(token);
      try {
        const { user } = await api('GET /auth/validate');
        set({ status: 'signed-in', token, user, notice: null });
      } catch (err) {
        if (isOffline(err)) return set({ status: 'offline', token });
        forget(err instanceof ApiError && err.status === 401 ? endedNotice(token) : null);
      }
    },

    async register(email, password, confirmPassword) {
      const session = await api('POST /auth/register', { email, password, ...(confirmPassword === undefined ? {} : { confirm_password: confirmPassword }) });
      await signIn(session.token, session.user);
    },

    async login(email, password) {
      const session = await api('POST /auth/login', { email, password });
      await signIn(session.token, session.user);
    },

    async pair(code, name) {
      const paired = await api('POST /devices/pair', { code, name });
      await signIn(paired.token, paired.user);
    },

    async logout() {
      // The other tabs first: once the engine revokes the token they would only learn it from a 401.
      tabs?.announceSignedOut();
      try {
        if (get().token) await api('POST /auth/logout');
      } catch {
        // Signing out locally matters more than telling the engine.
      }
      forget(null);
    },

    expired(reason) {
      if (get().status === 'signed-in') forget(reason ?? endedNotice(get().token));
    },
  };
});
