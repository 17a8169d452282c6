import webpush from 'web-push';
import { afterEach, describe, expect, it } from 'vitest';
import { startPushService, type FakePushService } from '../../../tests/fakes/web-push/push-service';
import { DeliveryError, type OutgoingNotification } from '../channel';
import { createWebPushSender, PUSH_TTL_S, webPushConfig, webPushSecret } from './web-push';

let push: FakePushService | undefined;
afterEach(async () => {
  await push?.close();
  push = undefined;
});

const pair = webpush.generateVAPIDKeys();
const note: OutgoingNotification = { deliveryId: 7, title: 'Stop-loss hit: sold 10 AAPL', body: 'Sold at 95.', urgency: 'critical', topic: 'exits', event: 'stop_loss_triggered', strategyId: 3, at: 1_773_061_500_000 };
const clock = { now: () => Date.parse('2026-03-09T13:00:00Z') };

async function sender(keys = pair, subscribedWith = pair.publicKey) {
  push = await startPushService();
  const sub = push.subscribe(subscribedWith);
  const s = createWebPushSender({
    config: webPushConfig({ allowLoopbackHttp: true }).parse({ endpoint: sub.endpoint, p256dh: sub.keys.p256dh }),
    secret: webPushSecret.parse({ auth: sub.keys.auth }),
    clock,
    vapid: async () => keys,
    subject: 'mailto:trader@example.com',
  });
  return { s, sub };
}

const failure = (p: Promise<void>) => p.then(() => null, (e: unknown) => e as DeliveryError);

describe('the Web Push sender', () => {
  it('sends a message the push service and the browser accept: VAPID-signed, TTL and Urgency set, aes128gcm that decrypts to the notification', async () => {
    const { s } = await sender();
    await s.send(note, new AbortController().signal);
    const [got] = push!.received;
    expect(got).toMatchObject({ ok: true, problem: null });
    expect(got!.headers).toMatchObject({ ttl: String(PUSH_TTL_S), urgency: 'high', 'content-encoding': 'aes128gcm' });
    expect(got!.claims).toMatchObject({ aud: push!.origin, sub: 'mailto:trader@example.com' });
    expect(got!.json).toEqual({ id: 7, title: 'Stop-loss hit: sold 10 AAPL', body: 'Sold at 95.', urgency: 'critical', topic: 'exits', event: 'stop_loss_triggered', strategy_id: 3, at: 1_773_061_500_000 });
  });

  it('is refused by the push service when signed with another key than the subscription was made with', async () => {
    const { s } = await sender(webpush.generateVAPIDKeys(), pair.publicKey);
    const err = await failure(s.send(note, new AbortController().signal));
    expect(push!.received[0]!.problem).toBe('k is not the key the subscription was made with');
    expect(err).toMatchObject({ permanent: true, gone: false });
    expect(err!.message).toMatch(/answered HTTP 403 \(the subscription was made with another key/);
  });

  it('reads 404 and 410 as gone, 429 with its Retry-After, and a 5xx as one that may pass', async () => {
    const { s, sub } = await sender();
    const signal = new AbortController().signal;
    push!.answer({ status: 429, headers: { 'retry-after': '90' } }, 500, 404);
    expect(await failure(s.send(note, signal))).toMatchObject({ permanent: false, gone: false, retryAfterMs: 90_000, message: `the push service ${new URL(push!.origin).host} answered HTTP 429` });
    expect(await failure(s.send(note, signal))).toMatchObject({ permanent: false, gone: false, retryAfterMs: null });
    expect(await failure(s.send(note, signal))).toMatchObject({ permanent: true, gone: true });
    push!.unsubscribe(sub.endpoint);
    const gone = await failure(s.send(note, signal));
    expect(gone).toMatchObject({ permanent: true, gone: true });
    expect(gone!.message).toContain('answered HTTP 410: the subscription is gone');
  });

  it('says so when the push service cannot be reached, without its path', async () => {
    const { s, sub } = await sender();
    await push!.close();
    push = undefined;
    const err = await failure(s.send(note, new AbortController().signal));
    expect(err).toMatchObject({ permanent: false, gone: false });
    expect(err!.message).toBe(`could not reach the push service ${new URL(sub.endpoint).host}`);
  });
});

describe('a subscription’s settings', () => {
  const browser = () => {
    const e = webpush.generateVAPIDKeys();
    return { p256dh: e.publicKey, auth: Buffer.alloc(16, 7).toString('base64url') };
  };

  it('take an https endpoint, and http://127.0.0.1 only when allowed', () => {
    const { p256dh } = browser();
    expect(webPushConfig().safeParse({ endpoint: 'https://fcm.googleapis.com/fcm/send/abc', p256dh }).success).toBe(true);
    for (const endpoint of ['http://127.0.0.1:8080/push/a', 'http://push.example.com/a', 'ftp://push.example.com/a', 'not a url']) {
      const r = webPushConfig().safeParse({ endpoint, p256dh });
      expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['endpoint', 'endpoint must be an https:// address']]);
    }
    expect(webPushConfig({ allowLoopbackHttp: true }).safeParse({ endpoint: 'http://127.0.0.1:8080/push/a', p256dh }).success).toBe(true);
    expect(webPushConfig({ allowLoopbackHttp: true }).safeParse({ endpoint: 'http://127.0.0.1.evil.example/push/a', p256dh }).success).toBe(false);
  });

  it('take only a P-256 point as p256dh and a 16-byte auth secret', () => {
    const { p256dh, auth } = browser();
    const off = Buffer.from(p256dh, 'base64url');
    off[40]! ^= 1;
    for (const bad of [off.toString('base64url'), Buffer.alloc(65, 4).toString('base64url'), 'no+base64/url', p256dh.slice(0, 40)]) {
      expect(webPushConfig().safeParse({ endpoint: 'https://push.example/a', p256dh: bad }).error?.issues[0]).toMatchObject({ path: ['p256dh'] });
    }
    expect(webPushSecret.safeParse({ auth }).success).toBe(true);
    expect(webPushSecret.safeParse({ auth: Buffer.alloc(15).toString('base64url') }).error?.issues[0]?.message).toBe("auth must be the subscription's 16-byte auth secret");
  });
});
