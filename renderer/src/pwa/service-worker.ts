/**
 * The service worker (built to sw.js by scripts/vite-pwa.ts): keeps the app shell in one cache
 * per build so the installed app opens without the network; never caches anything else
 * (the rule is sw-route.ts). A new build is a new worker with a new cache; activating it deletes
 * the old ones. It also shows the engine's Web Push notifications ("Notify this device"), and a
 * click on one brings the app forward (what to show and which window: push-message.ts).
 */
import { clickTarget, pushNotification, type ShownNotification } from './push-message';
import { swRoute } from './sw-route';

/** The build's shell paths and its version, written in by the build. */
declare const __SHELL__: readonly string[];
declare const __SHELL_VERSION__: string;

// The worker's global scope, as much of it as this file uses (the renderer compiles with DOM types).
interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface PushEvent extends ExtendableEvent {
  readonly data: { text(): string } | null;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: { readonly data: unknown; close(): void };
}
interface WindowClient {
  readonly url: string;
  readonly focused: boolean;
  focus(): Promise<unknown>;
}
interface WorkerScope {
  readonly registration: { readonly scope: string; showNotification(title: string, options: ShownNotification['options']): Promise<void> };
  skipWaiting(): Promise<void>;
  readonly clients: {
    claim(): Promise<void>;
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClient[]>;
    openWindow(url: string): Promise<unknown>;
  };
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'push', listener: (event: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEvent) => void): void;
}

const worker = self as unknown as WorkerScope;
const CACHE = `tradeclock-shell-${__SHELL_VERSION__}`;
const PREFIX = 'tradeclock-shell-';

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // cache: 'reload' so a file the HTTP cache still holds from the last build is not taken.
      await cache.addAll(__SHELL__.map((path) => new Request(new URL(path, worker.registration.scope), { cache: 'reload' })));
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  const route = swRoute(
    { method: request.method, url: request.url, mode: request.mode, hasAuthorization: request.headers.has('authorization') },
    worker.registration.scope,
    __SHELL__,
  );
  if (route === 'shell') event.respondWith(fromCache(request));
  else if (route === 'page') event.respondWith(pageLoad(request));
});

worker.addEventListener('push', (event) => {
  const shown = pushNotification(event.data?.text() ?? null, worker.registration.scope);
  event.waitUntil(worker.registration.showNotification(shown.title, shown.options));
});

worker.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data as { url?: unknown } | null)?.url;
  event.waitUntil(
    (async () => {
      const windows = await worker.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const target = clickTarget(windows, worker.registration.scope, url);
      if ('focus' in target) await windows[target.focus]!.focus();
      else await worker.clients.openWindow(target.open);
    })(),
  );
});

async function fromCache(request: Request): Promise<Response> {
  const cached = await (await caches.open(CACHE)).match(request);
  return cached ?? fetch(request);
}

/** A page load: the daemon's answer when it can be reached, else the cached index.html. */
async function pageLoad(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (err) {
    const shell = await (await caches.open(CACHE)).match(new URL('index.html', worker.registration.scope));
    if (shell === undefined) throw err;
    return shell;
  }
}
