/**
 * Web Push to a browser that subscribed ("Notify this device"): each notification is encrypted for
 * the subscription (RFC 8291, aes128gcm) and signed with the install's VAPID key (RFC 8292) by
 * web-push, then POSTed to the push service's endpoint (RFC 8030) on fetch, so the queue's
 * timeout can cut it short. The subscription's `auth` secret is the channel's sealed secret; the
 * endpoint and the browser's public key (`p256dh`) are its settings.
 *
 * The push service's answer: 2xx taken; 404 or 410 the subscription is gone (the browser
 * unsubscribed, or the push service dropped it), so the channel is removed; 429 and 5xx may pass
 * (a 429's Retry-After is obeyed); any other 4xx will be refused again.
 */
import { ECDH } from 'node:crypto';
import webpush from 'web-push';
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import { DeliveryError, retryAfterMs, scrub, type ChannelSender, type OutgoingNotification } from '../channel';
import type { VapidKeyPair } from '../vapid-keys';

/** How long a push service keeps a message for a phone that is off: past this, old news. */
export const PUSH_TTL_S = 12 * 3600;
/** RFC 8291 section 4: the auth secret is 16 bytes. */
const AUTH_BYTES = 16;
const LOOPBACK_HTTP = /^http:\/\/127\.0\.0\.1(:\d{1,5})?\//;

const base64url = (field: string) => z.string({ error: `${field} is required` }).regex(/^[A-Za-z0-9_-]+={0,2}$/, { error: `${field} must be base64url` });
const decoded = (s: string) => Buffer.from(s, 'base64url');

/**
 * A subscription's settings. `endpoint` is the push service's URL for this browser: https only,
 * or, with `allowLoopbackHttp` (tests), http://127.0.0.1.
 */
export function webPushConfig(options: { readonly allowLoopbackHttp?: boolean } = {}) {
  return z.strictObject({
    endpoint: z
      .string({ error: 'endpoint is required' })
      .max(2048, { error: 'endpoint must be at most 2048 characters' })
      .refine((u) => URL.canParse(u) && (u.startsWith('https://') || (options.allowLoopbackHttp === true && LOOPBACK_HTTP.test(u))), { error: 'endpoint must be an https:// address' }),
    p256dh: base64url('p256dh').refine((k) => isP256Point(decoded(k)), { error: "p256dh must be the browser's P-256 public key (65 bytes, uncompressed)" }),
  });
}
export type WebPushConfig = z.infer<ReturnType<typeof webPushConfig>>;

export const webPushSecret = z.strictObject({
  auth: base64url('auth').refine((a) => decoded(a).length === AUTH_BYTES, { error: `auth must be the subscription's ${AUTH_BYTES}-byte auth secret` }),
});
export type WebPushSecret = z.infer<typeof webPushSecret>;

function isP256Point(key: Buffer): boolean {
  if (key.length !== 65 || key[0] !== 0x04) return false;
  try {
    ECDH.convertKey(key, 'prime256v1');
    return true;
  } catch {
    return false;
  }
}

/**
 * What the service worker receives (renderer/src/pwa/push-message.ts reads it): the words, and
 * enough to group and open. Snake_case, as the API's.
 */
export function webPushPayload(note: OutgoingNotification): string {
  return JSON.stringify({ id: note.deliveryId, title: note.title, body: note.body, urgency: note.urgency, topic: note.topic, event: note.event, strategy_id: note.strategyId, at: note.at });
}

export interface WebPushSenderInput {
  readonly config: WebPushConfig;
  readonly secret: WebPushSecret;
  readonly clock: Pick<Clock, 'now'>;
  /** The install's VAPID pair (vapid-keys.ts). */
  readonly vapid: () => Promise<VapidKeyPair>;
  /** The JWT's `sub`: a mailto: or https: contact for the push service's operator. */
  readonly subject: string;
}

export function createWebPushSender(input: WebPushSenderInput): ChannelSender {
  const { config, secret } = input;
  const host = new URL(config.endpoint).host;
  return {
    async send(note, signal) {
      let pair: VapidKeyPair;
      try {
        pair = await input.vapid();
      } catch (err) {
        throw new DeliveryError(err instanceof Error ? err.message : 'the Web Push key could not be read');
      }
      const secrets = [pair.privateKey, secret.auth];
      let request: webpush.RequestDetails;
      try {
        request = webpush.generateRequestDetails({ endpoint: config.endpoint, keys: { p256dh: config.p256dh, auth: secret.auth } }, webPushPayload(note), {
          vapidDetails: { subject: input.subject, publicKey: pair.publicKey, privateKey: pair.privateKey },
          TTL: PUSH_TTL_S,
          urgency: note.urgency === 'critical' ? 'high' : 'normal',
          contentEncoding: 'aes128gcm',
        });
      } catch (err) {
        throw new DeliveryError(scrub(`the push message could not be made: ${err instanceof Error ? err.message : String(err)}`, secrets), true);
      }
      // fetch sets the length itself, and refuses to be told it.
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([k]) => k.toLowerCase() !== 'content-length').map(([k, v]) => [k, String(v)]));
      let res: Response;
      try {
        res = await fetch(request.endpoint, { method: 'POST', headers, body: request.body ?? undefined, signal, redirect: 'manual' });
      } catch {
        throw new DeliveryError(signal.aborted ? 'the push service did not answer in time' : `could not reach the push service ${host}`);
      }
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return;
      const said = `the push service ${host} answered HTTP ${res.status}`;
      if (res.status === 404 || res.status === 410) throw new DeliveryError(`${said}: the subscription is gone (the device unsubscribed or the push service dropped it)`, true, { gone: true });
      if (res.status === 429) {
        const wait = retryAfterMs(res.headers.get('retry-after'), input.clock.now());
        throw new DeliveryError(said, false, wait === null ? {} : { retryAfterMs: wait });
      }
      const mayPass = res.status === 408 || res.status >= 500;
      const why = res.status === 401 || res.status === 403 ? ' (the subscription was made with another key: turn "Notify this device" off and on again)' : '';
      throw new DeliveryError(`${said}${why}`, !mayPass);
    },
    close() {},
  };
}
