/**
 * The generic webhook: a JSON POST signed with the channel's secret, so the receiver can tell the
 * request came from this install and was not replayed. The signature is HMAC-SHA256 over
 * `<timestamp>.<body>` (the timestamp header, epoch ms, then the raw body), hex, in
 * `X-Tradeclock-Signature: sha256=<hex>`. `X-Tradeclock-Delivery` is the same on every attempt
 * of one delivery: deliveries are at least once, and a receiver drops a repeat by it.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import { DeliveryError, retryAfterMs, type ChannelSender, type OutgoingNotification } from '../channel';

/**
 * A webhook has no plain settings: its URL is a secret. The incoming-webhook URLs traders point
 * this at carry their credential in the URL itself (Slack's and Discord's hold the token in the
 * path, Teams/Power Automate a `sig=` in the query), so the URL is sealed with the signing secret
 * and only its scheme and host are shown (`webhookUrlHint`). An earlier build kept it here.
 */
export const webhookConfig = z.strictObject({
  url: z.never({ error: 'url is a secret now: send it as secret.url' }).optional(),
});
export type WebhookConfig = z.infer<typeof webhookConfig>;

export const webhookSecret = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'url must be an http:// or https:// address' })
    .max(2048, { error: 'url must be at most 2048 characters' }),
  signing_secret: z
    .string({ error: 'signing_secret is required' })
    .min(16, { error: 'signing_secret must be at least 16 characters' })
    .max(256, { error: 'signing_secret must be at most 256 characters' }),
});
export type WebhookSecret = z.infer<typeof webhookSecret>;

/**
 * What is shown of a webhook URL: its scheme and host, never its user, path or query.
 * @example webhookUrlHint('https://hooks.slack.com/services/T0/B0/XXXX') === 'https://hooks.slack.com/…'
 */
export function webhookUrlHint(url: string): string {
  // Only an earlier build's row could hold something unreadable; it is shown as nothing of it.
  if (!URL.canParse(url)) return '…';
  const u = new URL(url);
  return `${u.protocol}//${u.host}/…`;
}

/**
 * The signature header's value.
 * @example webhookSignature('0123456789abcdef', 1773061200000, '{"id":1}') // 'sha256=…' (64 hex digits)
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The JSON body: snake_case, times in epoch ms, as the API's. */
export function webhookBody(note: OutgoingNotification): string {
  return JSON.stringify({
    id: note.deliveryId,
    topic: note.topic,
    event: note.event,
    title: note.title,
    body: note.body,
    urgency: note.urgency,
    strategy_id: note.strategyId,
    at: note.at,
  });
}

export function createWebhookSender(input: { readonly secret: WebhookSecret; readonly clock: Pick<Clock, 'now'> }): ChannelSender {
  return {
    async send(note, signal) {
      const body = webhookBody(note);
      const timestamp = input.clock.now();
      let res: Response;
      try {
        res = await fetch(input.secret.url, {
          method: 'POST',
          body,
          signal,
          // A redirect would carry the signed body somewhere the trader did not name.
          redirect: 'manual',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Tradeclock',
            'x-tradeclock-timestamp': String(timestamp),
            'x-tradeclock-delivery': String(note.deliveryId),
            'x-tradeclock-signature': webhookSignature(input.secret.signing_secret, timestamp, body),
          },
        });
      } catch {
        throw new DeliveryError(signal.aborted ? 'the webhook did not answer in time' : `could not reach ${hostOf(input.secret.url)}`);
      }
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return;
      // 408, 429 and 5xx may pass; any other refusal will be the same next time.
      const mayPass = res.status === 408 || res.status === 429 || res.status >= 500;
      // A 429 or 503 may say when to come back (RFC 9110 section 10.2.3).
      const wait = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after'), input.clock.now()) : null;
      throw new DeliveryError(`the webhook answered HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`, !mayPass, wait === null ? {} : { retryAfterMs: wait });
    },
    close() {},
  };
}

/** The host of a URL, for an error message: never its path or query, which may hold a token. */
function hostOf(url: string): string {
  return new URL(url).host;
}
