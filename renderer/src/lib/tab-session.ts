/**
 * One session for all the tabs of one browser on one origin. The token stays in session storage
 * (tab-scoped, never written to disk by us); a tab opened without one asks the tabs already open
 * over a BroadcastChannel, and a signed-in tab hands its token over. Signing out in one tab signs
 * out every tab.
 *
 * Why not localStorage: that would write the bearer token to the profile on disk, where it
 * outlives the browser and every tab (tokens last 12 h). A BroadcastChannel reaches only
 * documents of the same origin in the same browser profile, that is, the app's own pages, which
 * the CSP keeps to our own scripts; those could read the tab's session storage anyway, so the
 * handshake gives nothing to anyone who did not have it. The session still ends when the last tab
 * closes, as before.
 */

type TabMessage = { readonly type: 'ask' } | { readonly type: 'token'; readonly token: string } | { readonly type: 'signed-out' };

export interface TabSession {
  /** The token of another open, signed-in tab, or null when none answers within `waitMs`. */
  ask(waitMs?: number): Promise<string | null>;
  /** Tells every other tab to sign out. */
  announceSignedOut(): void;
  close(): void;
}

export interface TabSessionHandlers {
  /** This tab's token when it is signed in (answers another tab's ask), else null. */
  readonly current: () => string | null;
  /** Another tab signed out. */
  readonly onSignedOut: () => void;
}

const isMessage = (data: unknown): data is TabMessage => {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as { type?: unknown; token?: unknown };
  return m.type === 'ask' || m.type === 'signed-out' || (m.type === 'token' && typeof m.token === 'string' && m.token.length > 0);
};

/**
 * Joins the tabs of this origin on `name`. Without BroadcastChannel (an old browser) each tab
 * keeps its own session, as before.
 *
 * @example
 *   const tabs = joinTabs('tradeclock.session', { current: () => token, onSignedOut: () => forget() });
 *   const shared = await tabs.ask();
 */
export function joinTabs(name: string, handlers: TabSessionHandlers): TabSession {
  if (typeof BroadcastChannel === 'undefined') return { ask: async () => null, announceSignedOut: () => undefined, close: () => undefined };
  const channel = new BroadcastChannel(name);
  const waiting = new Set<(token: string) => void>();
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const message = event.data;
    if (!isMessage(message)) return;
    if (message.type === 'ask') {
      const token = handlers.current();
      if (token) channel.postMessage({ type: 'token', token } satisfies TabMessage);
    } else if (message.type === 'token') {
      for (const resolve of waiting) resolve(message.token);
    } else {
      handlers.onSignedOut();
    }
  };
  return {
    ask(waitMs = 400) {
      return new Promise((resolve) => {
        const done = (token: string | null) => {
          clearTimeout(timer);
          waiting.delete(done);
          resolve(token);
        };
        const timer = setTimeout(() => done(null), waitMs);
        waiting.add(done);
        channel.postMessage({ type: 'ask' } satisfies TabMessage);
      });
    },
    announceSignedOut() {
      channel.postMessage({ type: 'signed-out' } satisfies TabMessage);
    },
    close() {
      channel.close();
    },
  };
}
