/**
 * The service worker's push handling, as pure functions (service-worker.ts does the I/O): what a
 * push message shows, and which window a click on it brings forward. The message is the JSON the
 * engine's Web Push channel sends (engine/notify/channels/web-push.ts webPushPayload).
 */

export interface ShownNotification {
  readonly title: string;
  readonly options: {
    readonly body: string;
    /** One per delivery: a message delivered twice (at least once) replaces itself. */
    readonly tag?: string;
    /** A critical one (a stop-loss, an error) stays until the trader acts on it. */
    readonly requireInteraction: boolean;
    readonly icon: string;
    readonly badge: string;
    readonly data: { readonly url: string };
  };
}

const MAX_TITLE = 120;
const MAX_BODY = 500;

/**
 * What to show for a push message's text. A browser must show something for every push (Chrome
 * shows its own notice otherwise), so a message that cannot be read still shows one that says to
 * open the app.
 * @example pushNotification('{"id":4,"title":"Bought 10 AAPL","body":"Filled at 100.","urgency":"normal"}', 'https://pc.local:7420/').title === 'Bought 10 AAPL'
 */
export function pushNotification(text: string | null, scope: string): ShownNotification {
  const msg = parse(text);
  const title = typeof msg?.title === 'string' && msg.title.trim() !== '' ? msg.title : 'Tradeclock';
  const body = typeof msg?.body === 'string' ? msg.body : msg ? '' : 'Open Tradeclock for the details.';
  const id = typeof msg?.id === 'number' && Number.isInteger(msg.id) ? msg.id : null;
  return {
    title: cut(title, MAX_TITLE),
    options: {
      body: cut(body, MAX_BODY),
      ...(id === null ? {} : { tag: `tradeclock-${id}` }),
      requireInteraction: msg?.urgency === 'critical',
      icon: new URL('icons/icon-192.png', scope).href,
      badge: new URL('icons/icon-192.png', scope).href,
      data: { url: scope },
    },
  };
}

export interface WindowClient {
  readonly url: string;
  readonly focused: boolean;
}

/**
 * A click on a notification: focus a window of the app (the focused one first), or open one at
 * `url` when none is open. A URL outside the app's scope (a forged `data`) opens the app instead.
 * @example clickTarget([{ url: 'https://pc.local:7420/#/runs', focused: false }], 'https://pc.local:7420/', 'https://pc.local:7420/') // { focus: 0 }
 */
export function clickTarget(clients: readonly WindowClient[], scope: string, url: unknown): { readonly focus: number } | { readonly open: string } {
  const mine = clients.map((c, i) => ({ ...c, i })).filter((c) => c.url.startsWith(scope));
  const best = mine.find((c) => c.focused) ?? mine[0];
  if (best) return { focus: best.i };
  return { open: typeof url === 'string' && url.startsWith(scope) ? url : scope };
}

function parse(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}\u2026`;
}
