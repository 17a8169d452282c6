/**
 * A loopback push service (RFC 8030) with browsers that subscribe to it, checking each push
 * message the way a real one and the browser do:
 *
 * - RFC 8292 (VAPID): `Authorization: vapid t=<JWT>, k=<key>`; the JWT is ES256 (`typ` JWT),
 *   signed by the key `k`, which must be the applicationServerKey the subscription was made with
 *   (a restricted subscription, section 4.2: else 403); `aud` is the endpoint's origin; `exp` is
 *   in the future and at most 24 hours away; `sub` is a mailto: or https: URI. A bad one: 401.
 * - RFC 8030 section 5.2: a `TTL` header (delta-seconds) is required (else 400); `Urgency`, when
 *   sent, is one of very-low, low, normal, high (section 5.3).
 * - RFC 8291 and RFC 8188: `Content-Encoding: aes128gcm`; the body is one record whose header
 *   carries the salt, the record size and the sender's ephemeral P-256 key; the browser's side
 *   derives the key and nonce from ECDH with its own private key and its auth secret, and decrypts.
 *   The plaintext is the last record: data, a 0x02 delimiter, then zero padding.
 *
 * Each browser is made here as a browser makes one: a P-256 key pair (p256dh) and a 16-byte auth
 * secret. A test queues the service's answers (201 once the queue is empty) and reads what
 * arrived, decrypted, with every check's outcome.
 */
import { createECDH, createDecipheriv, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The subscription as the browser's PushSubscription.toJSON() gives it. */
export interface BrowserSubscription {
  readonly endpoint: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

export interface ReceivedPush {
  readonly subscriptionId: string;
  /** Every check passed; else `problem` says which failed. */
  readonly ok: boolean;
  readonly problem: string | null;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The JWT's claims, once its signature checked out. */
  readonly claims: { readonly aud: string; readonly exp: number; readonly sub: string } | null;
  /** The decrypted payload, parsed. */
  readonly json: Record<string, unknown> | null;
  /** When it arrived (real time, ms). */
  readonly at: number;
}

export interface PushAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FakePushService {
  readonly origin: string;
  readonly received: ReceivedPush[];
  /** A browser subscribes with the install's key (base64url), as pushManager.subscribe does. */
  subscribe(applicationServerKey: string): BrowserSubscription;
  /** The browser unsubscribed: from now on its endpoint answers 410 Gone. */
  unsubscribe(endpoint: string): void;
  /** The next answers to well-formed messages, in order. */
  answer(...next: Array<number | PushAnswer>): void;
  close(): Promise<void>;
}

interface Browser {
  readonly ecdh: ReturnType<typeof createECDH>;
  readonly auth: Buffer;
  readonly applicationServerKey: string;
  gone: boolean;
}

const MAX_EXP_S = 24 * 3600;

export async function startPushService(): Promise<FakePushService> {
  const browsers = new Map<string, Browser>();
  const received: ReceivedPush[] = [];
  const answers: PushAnswer[] = [];
  let origin = '';

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1] ?? '';
    const browser = browsers.get(id);
    const headers = {
      authorization: req.headers.authorization,
      ttl: req.headers.ttl as string | undefined,
      urgency: req.headers.urgency as string | undefined,
      'content-encoding': req.headers['content-encoding'],
      'content-type': req.headers['content-type'],
    };
    const record = (status: number, problem: string | null, claims: ReceivedPush['claims'] = null, json: ReceivedPush['json'] = null) => {
      received.push({ subscriptionId: id, ok: problem === null, problem, headers, claims, json, at: Date.now() });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(problem ?? '');
    };
    if (req.method !== 'POST') return record(405, `method ${req.method}`);
    if (!browser || browser.gone) return record(browser ? 410 : 404, 'no such subscription');
    const vapid = checkVapid(headers.authorization, origin, browser.applicationServerKey);
    if ('problem' in vapid) return record(vapid.status, vapid.problem);
    if (!/^\d+$/.test(headers.ttl ?? '')) return record(400, 'TTL header missing or not delta-seconds', vapid.claims);
    if (headers.urgency !== undefined && !['very-low', 'low', 'normal', 'high'].includes(headers.urgency)) return record(400, `bad Urgency ${headers.urgency}`, vapid.claims);
    if (headers['content-encoding'] !== 'aes128gcm') return record(415, `Content-Encoding ${headers['content-encoding']}`, vapid.claims);
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(decrypt(body, browser).toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      return record(400, `could not decrypt: ${(err as Error).message}`, vapid.claims);
    }
    const next = answers.shift() ?? { status: 201 };
    received.push({ subscriptionId: id, ok: true, problem: null, headers, claims: vapid.claims, json, at: Date.now() });
    res.writeHead(next.status, { location: `${origin}/message/${received.length}`, ...next.headers }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    received,
    subscribe(applicationServerKey) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const id = randomBytes(12).toString('base64url');
      browsers.set(id, { ecdh, auth, applicationServerKey, gone: false });
      return { endpoint: `${origin}/push/${id}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
    },
    unsubscribe(endpoint) {
      const b = browsers.get(endpoint.slice(endpoint.lastIndexOf('/') + 1));
      if (b) b.gone = true;
    },
    answer: (...next) => void answers.push(...next.map((n) => (typeof n === 'number' ? { status: n } : n))),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type VapidCheck = { readonly claims: NonNullable<ReceivedPush['claims']> } | { readonly status: number; readonly problem: string };

/** RFC 8292 sections 2 and 3: the JWT, its signature by `k`, its claims; `k` must be the subscription's key. */
function checkVapid(header: string | undefined, origin: string, applicationServerKey: string): VapidCheck {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header ?? '');
  if (!m) return { status: 401, problem: `Authorization is not "vapid t=…, k=…": ${header ?? 'none'}` };
  const [, jwt, k] = m as unknown as [string, string, string];
  if (k !== applicationServerKey) return { status: 403, problem: 'k is not the key the subscription was made with' };
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const head = JSON.parse(Buffer.from(h, 'base64url').toString()) as { typ?: string; alg?: string };
  if (head.alg !== 'ES256' || head.typ !== 'JWT') return { status: 401, problem: `JWT header ${JSON.stringify(head)}` };
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) return { status: 401, problem: 'k is not an uncompressed P-256 point' };
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
  if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))) return { status: 401, problem: 'JWT signature does not verify with k' };
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { aud: string; exp: number; sub: string };
  const now = Math.floor(Date.now() / 1000);
  if (claims.aud !== origin) return { status: 401, problem: `aud ${claims.aud} is not the endpoint's origin ${origin}` };
  if (!Number.isInteger(claims.exp) || claims.exp <= now || claims.exp > now + MAX_EXP_S) return { status: 401, problem: `exp ${claims.exp} is not within 24 hours of now ${now}` };
  if (!/^(mailto:|https:)/.test(claims.sub ?? '')) return { status: 401, problem: `sub ${claims.sub} is not a mailto: or https: URI` };
  return { claims };
}

/** RFC 8291 section 3 on the browser's side, over RFC 8188's one-record aes128gcm body. */
function decrypt(body: Buffer, browser: Browser): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const senderKey = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  if (idlen !== 65) throw new Error(`keyid is ${idlen} bytes, not the sender's 65-byte P-256 key`);
  if (rs < 18 || record.length > rs) throw new Error(`record of ${record.length} bytes with rs ${rs}`);
  const uaPublic = browser.ecdh.getPublicKey();
  const ecdhSecret = browser.ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, senderKey]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, browser.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('the last record does not end with the 0x02 delimiter');
  return padded.subarray(0, end);
}
