/**
 * The loopback push service refuses what a real one (or the browser) would: a fake that passed
 * anything would make the Web Push tests pass for a broken sender. Each case starts from a message
 * web-push makes correctly and spoils one thing.
 */
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPushService, type BrowserSubscription, type FakePushService } from '../fakes/web-push/push-service';

const vapid = webpush.generateVAPIDKeys();
const SUBJECT = 'mailto:trader@example.com';
let push: FakePushService;
let sub: BrowserSubscription;

beforeAll(async () => {
  push = await startPushService();
  sub = push.subscribe(vapid.publicKey);
});
afterAll(() => push.close());

/** A correct request, with `spoil` applied to its headers or body. */
async function send(spoil: (r: { headers: Record<string, string>; body: Buffer }) => void = () => {}): Promise<{ status: number; problem: string | null }> {
  const details = webpush.generateRequestDetails(sub, JSON.stringify({ title: 'Bought 10 AAPL' }), { vapidDetails: { subject: SUBJECT, ...vapid }, TTL: 60, contentEncoding: 'aes128gcm' });
  const r = { headers: Object.fromEntries(Object.entries(details.headers).filter(([k]) => k !== 'Content-Length').map(([k, v]) => [k, String(v)])), body: details.body! };
  spoil(r);
  const res = await fetch(sub.endpoint, { method: 'POST', headers: r.headers, body: r.body });
  await res.body?.cancel();
  return { status: res.status, problem: push.received.at(-1)!.problem };
}

const nowS = () => Math.floor(Date.now() / 1000);

/** A VAPID header whose JWT carries `claims` as given, correctly signed (ES256) by `keys`. */
function signedBy(keys: { publicKey: string; privateKey: string }, claims: Record<string, unknown>): string {
  const point = Buffer.from(keys.publicKey, 'base64url');
  const key = createPrivateKey({ key: { kty: 'EC', crv: 'P-256', d: keys.privateKey, x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
  const data = `${Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `vapid t=${data}.${sign('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}, k=${keys.publicKey}`;
}
const vapidHeader = (audience: string, expiration?: number, keys = vapid) => webpush.getVapidHeaders(audience, SUBJECT, keys.publicKey, keys.privateKey, 'aes128gcm', expiration).Authorization;

describe('the loopback push service', () => {
  it('takes a correct message and decrypts it', async () => {
    expect(await send()).toEqual({ status: 201, problem: null });
    expect(push.received.at(-1)!.json).toEqual({ title: 'Bought 10 AAPL' });
  });

  it('refuses a JWT for another audience, expired, beyond 24 hours, with a sub that is no contact, altered, or not signed by k', async () => {
    expect(await send((r) => (r.headers.Authorization = vapidHeader('https://fcm.googleapis.com')))).toEqual({ status: 401, problem: expect.stringMatching(/^aud https:\/\/fcm\.googleapis\.com is not the endpoint's origin/) });
    expect(await send((r) => (r.headers.Authorization = vapidHeader(push.origin, nowS() - 10)))).toEqual({ status: 401, problem: expect.stringMatching(/^exp \d+ is not within 24 hours/) });
    expect(await send((r) => (r.headers.Authorization = signedBy(vapid, { aud: push.origin, exp: nowS() + 2 * 86_400, sub: SUBJECT })))).toEqual({ status: 401, problem: expect.stringMatching(/^exp \d+ is not within 24 hours/) });
    expect(await send((r) => (r.headers.Authorization = signedBy(vapid, { aud: push.origin, exp: nowS() + 3600, sub: 'http://example.com' })))).toEqual({ status: 401, problem: 'sub http://example.com is not a mailto: or https: URI' });
    const [jwt] = /t=([^,]+)/.exec(vapidHeader(push.origin))!.slice(1) as [string];
    const [h, , s] = jwt.split('.');
    const altered = Buffer.from(JSON.stringify({ aud: push.origin, exp: nowS() + 3600, sub: 'mailto:someone@example.com' })).toString('base64url');
    expect(await send((r) => (r.headers.Authorization = `vapid t=${h}.${altered}.${s}, k=${vapid.publicKey}`))).toEqual({ status: 401, problem: 'JWT signature does not verify with k' });
    const other = webpush.generateVAPIDKeys();
    expect(await send((r) => (r.headers.Authorization = vapidHeader(push.origin, undefined, other).replace(other.publicKey, vapid.publicKey)))).toEqual({ status: 401, problem: 'JWT signature does not verify with k' });
    expect(await send((r) => delete r.headers.Authorization)).toEqual({ status: 401, problem: 'Authorization is not "vapid t=…, k=…": none' });
  });

  it('refuses a message without TTL, in another encoding, or encrypted for another auth secret', async () => {
    expect(await send((r) => delete r.headers.TTL)).toEqual({ status: 400, problem: 'TTL header missing or not delta-seconds' });
    expect(await send((r) => (r.headers['Content-Encoding'] = 'aesgcm'))).toEqual({ status: 415, problem: 'Content-Encoding aesgcm' });
    const wrongAuth = webpush.encrypt(sub.keys.p256dh, randomBytes(16).toString('base64url'), 'x', 'aes128gcm').cipherText;
    expect(await send((r) => (r.body = wrongAuth))).toEqual({ status: 400, problem: expect.stringMatching(/^could not decrypt/) });
  });
});
