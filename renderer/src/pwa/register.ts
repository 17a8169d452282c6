/**
 * Registers the service worker where the UI is a web page (a browser or an installed PWA),
 * never inside the desktop shell, which loads the same page from the daemon but has no use for
 * an offline shell. Browsers allow a worker only in a secure context (https, or localhost /
 * 127.0.0.1): over plain http on a LAN address `navigator.serviceWorker` is absent and this does
 * nothing.
 */
import { bridge } from '../lib/bridge';

declare global {
  interface ImportMeta {
    /** Vite's build flags; the worker exists only in a build (`vite build`), not the dev server. */
    readonly env: { readonly PROD: boolean };
  }
}

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || bridge() !== undefined) return;
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return;
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register(new URL('sw.js', location.href), { scope: './' }).catch((err: unknown) => {
    console.warn('service worker not registered:', err);
  });
}
