/**
 * Every channel passes on how long the other side asked it to wait: the webhook's Retry-After
 * (on a 429 or 503), Telegram's retry_after (Bot API ResponseParameters), and Web Push's in
 * web-push.test.ts. The delivery worker obeys it (delivery-worker.test.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GrammyError } from 'grammy';
import { describe, expect, it } from 'vitest';
import type { DeliveryError, OutgoingNotification } from '../channel';
import { telegramFailure } from './telegram';
import { createWebhookSender } from './webhook';

const note: OutgoingNotification = { deliveryId: 1, title: 'Bought 10 AAPL', body: 'Filled at 100.', urgency: 'normal', topic: 'fills', event: 'order_filled', strategyId: 1, at: 0 };

describe('Retry-After from each channel', () => {
  it('webhook: a 429 or 503 with Retry-After says how long; a 500 does not', async () => {
    const answers: Array<[number, Record<string, string>]> = [[429, { 'retry-after': '30' }], [503, { 'retry-after': '7' }], [500, { 'retry-after': '9' }]];
    const server = createServer((req, res) => {
      req.resume();
      const [status, headers] = answers.shift()!;
      res.writeHead(status, headers).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const sender = createWebhookSender({ secret: { url, signing_secret: 'a-signing-secret-of-16+' }, clock: { now: () => 0 } });
      const errors: DeliveryError[] = [];
      for (let i = 0; i < 3; i++) await sender.send(note, new AbortController().signal).catch((e: DeliveryError) => errors.push(e));
      expect(errors.map((e) => [e.message, e.permanent, e.retryAfterMs])).toEqual([
        ['the webhook answered HTTP 429', false, 30_000],
        ['the webhook answered HTTP 503', false, 7_000],
        ['the webhook answered HTTP 500', false, null],
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("telegram: a 429's retry_after, in seconds", () => {
    const err = new GrammyError('Too Many Requests', { ok: false, error_code: 429, description: 'Too Many Requests: retry after 17', parameters: { retry_after: 17 } }, 'sendMessage', {});
    expect(telegramFailure(err, '1:token')).toMatchObject({ permanent: false, retryAfterMs: 17_000 });
    const bad = new GrammyError('Unauthorized', { ok: false, error_code: 401, description: 'Unauthorized' }, 'sendMessage', {});
    expect(telegramFailure(bad, '1:token')).toMatchObject({ permanent: true, retryAfterMs: null });
  });
});
