/**
 * This browser's Web Push subscription ("Notify this device"): subscribe with the install's VAPID
 * public key and hand the subscription to the engine, or unsubscribe and tell it. Push needs the
 * service worker (register.ts), so a secure context and a browser build of the app: not the dev
 * server, not the desktop shell (which notifies natively), not plain http on a LAN address.
 */
import { api, ApiError } from '../lib/api-client';
import { bridge } from '../lib/bridge';
import type { NotifyChannelDto } from '../lib/api-types';

/** Why this browser cannot be notified here, or null when it can. */
export function pushUnavailable(): string | null {
  if (bridge() !== undefined) return 'The desktop app shows notifications itself.';
  if (!window.isSecureContext || !('serviceWorker' in navigator)) return 'Push needs a secure connection: open Tradeclock over https (a paired phone) or on this computer at 127.0.0.1.';
  if (!('PushManager' in window) || !('Notification' in window)) return 'This browser cannot receive push notifications. On an iPhone or iPad, add Tradeclock to the home screen first and open it from there.';
  return null;
}

/** The browser's subscription, or null (none, or no service worker yet). */
export async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration();
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/**
 * Asks for permission, subscribes with the install's key and registers the subscription with the
 * engine; the device's channel comes back.
 * @throws Error saying what the trader can do (notifications blocked, no service worker).
 */
export async function subscribeThisDevice(): Promise<NotifyChannelDto> {
  if ((await Notification.requestPermission()) !== 'granted') throw new Error("Notifications are blocked for this site: allow them in the browser's site settings, then try again.");
  const registration = await navigator.serviceWorker.getRegistration();
  if (!registration) throw new Error('The app is not installed in this browser yet (no service worker): reload the page and try again.');
  const { public_key } = await api('GET /notify/push/key');
  let sub = await registration.pushManager.getSubscription();
  // A subscription made with another key (a reinstalled engine) cannot be reused.
  if (sub && base64url(sub.options.applicationServerKey) !== public_key) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64url(public_key) });
  const json = sub.toJSON();
  return api('POST /notify/push/subscriptions', { endpoint: sub.endpoint, keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' } });
}

/** Unsubscribes the browser and removes its channel (already gone at the engine: fine). */
export async function unsubscribeThisDevice(): Promise<void> {
  const sub = await currentSubscription();
  if (!sub) return;
  const { endpoint } = sub;
  await sub.unsubscribe();
  await api('DELETE /notify/push/subscriptions', { endpoint }).catch((err: unknown) => {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  });
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function base64url(key: ArrayBuffer | null): string | null {
  if (key === null) return null;
  return btoa(String.fromCharCode(...new Uint8Array(key)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
