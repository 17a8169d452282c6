import { randomBytes, scrypt } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { asUserId } from '../core/ids';
import { DEFAULT_TOKEN_TTL_MS, TokenService } from './tokens';

const T0 = Date.parse('2026-03-09T09:00:00Z');
const alice = asUserId(7);
const SID = 'c2Vzc2lvbi1vbmUtaWQx';

function setup(ttlMs?: number) {
  let now = T0;
  const key = randomBytes(32);
  const tokens = new TokenService({ key, now: () => now, ...(ttlMs === undefined ? {} : { ttlMs }) });
  return {
    key,
    tokens,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('TokenService', () => {
  it('issues a token that verifies to the same user and session', async () => {
    const { tokens } = setup();
    const token = await tokens.issue({ userId: alice, sessionId: SID });
    expect(await tokens.verify(token)).toEqual({ userId: alice, sessionId: SID });
  });

  it('expires after 12 hours by default, on the injected clock', async () => {
    const { tokens, advance } = setup();
    const token = await tokens.issue({ userId: alice, sessionId: SID });
    advance(DEFAULT_TOKEN_TTL_MS - 1000);
    expect(await tokens.verify(token)).not.toBeNull();
    advance(1000);
    expect(await tokens.verify(token)).toBeNull();
  });

  it('honours a configured lifetime', async () => {
    const { tokens, advance } = setup(60_000);
    const token = await tokens.issue({ userId: alice, sessionId: SID });
    advance(59_000);
    expect(await tokens.verify(token)).not.toBeNull();
    advance(1_000);
    expect(await tokens.verify(token)).toBeNull();
  });

  it('rejects a token signed with another key, or with its signature altered', async () => {
    const { tokens } = setup();
    const other = new TokenService({ key: randomBytes(32), now: () => T0 });
    expect(await tokens.verify(await other.issue({ userId: alice, sessionId: SID }))).toBeNull();

    const token = await tokens.issue({ userId: alice, sessionId: SID });
    const [h, p, s] = token.split('.') as [string, string, string];
    const sig = Buffer.from(s, 'base64url');
    sig[0] = (sig[0] ?? 0) ^ 0x01;
    expect(await tokens.verify(`${h}.${p}.${sig.toString('base64url')}`)).toBeNull();
  });

  it('rejects a token whose payload was altered (e.g. another user id)', async () => {
    const { tokens } = setup();
    const [h, , s] = (await tokens.issue({ userId: alice, sessionId: SID })).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: '8', sid: SID, iss: 'tradeclock', iat: T0 / 1000, exp: T0 / 1000 + 60 })).toString('base64url');
    expect(await tokens.verify(`${h}.${forged}.${s}`)).toBeNull();
  });

  it('rejects the wrong issuer, alg "none", and garbage', async () => {
    const { tokens, key } = setup();
    const iat = T0 / 1000;
    const foreign = await new SignJWT({ sid: SID })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('someone-else')
      .setSubject('7')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(key);
    expect(await tokens.verify(foreign)).toBeNull();

    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: '7', sid: SID, iss: 'tradeclock', iat, exp: iat + 60 })).toString('base64url')}.`;
    expect(await tokens.verify(none)).toBeNull();

    for (const junk of ['', 'x', 'a.b.c', 'Bearer abc', `${'a'.repeat(5000)}.b.c`]) expect(await tokens.verify(junk)).toBeNull();

    // Validly signed, but with a header we do not accept: another alg name, or a critical extension.
    const signed = (header: Record<string, unknown>) =>
      new SignJWT({ sid: SID }).setProtectedHeader(header as { alg: string }).setIssuer('tradeclock').setSubject('7').setIssuedAt(iat).setExpirationTime(iat + 60).sign(key);
    expect(await tokens.verify(await signed({ alg: 'HS256', typ: 'JWT' }))).toEqual({ userId: alice, sessionId: SID });
    expect(await tokens.verify(await signed({ alg: 'HS256', crit: ['b64'], b64: true }))).toBeNull();
    expect(await tokens.verify(await signed({ alg: 'HS256', typ: 'at+jwt' }))).toBeNull();
    const nbf = await new SignJWT({ sid: SID }).setProtectedHeader({ alg: 'HS256' }).setIssuer('tradeclock').setSubject('7').setIssuedAt(iat).setNotBefore(iat + 30).setExpirationTime(iat + 60).sign(key);
    expect(await tokens.verify(nbf)).toBeNull();
  });

  it('rejects a validly signed token whose claims have the wrong shape', async () => {
    const { tokens, key } = setup();
    const iat = T0 / 1000;
    const sign = (claims: Record<string, unknown>, sub: string) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('tradeclock').setSubject(sub).setIssuedAt(iat).setExpirationTime(iat + 60).sign(key);
    expect(await tokens.verify(await sign({ sid: 3 }, '7'))).toBeNull();
    expect(await tokens.verify(await sign({ sid: SID }, 'alice'))).toBeNull();
    expect(await tokens.verify(await sign({}, '7'))).toBeNull();
  });

  it('checks and issues tokens without libuv\'s thread pool, so password hashes cannot hold them up', async () => {
    // scrypt (password hashing) runs on the pool. Fill every pool thread and queue as many more
    // jobs: a token check that needed the pool (jose 6 verifies HS256 with WebCrypto, a pool job)
    // would finish only after several of them. Ordering, not timing, so a slow machine cannot flake.
    const { tokens } = setup();
    const token = await tokens.issue({ userId: alice, sessionId: SID });
    const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const order: string[] = [];
    const hashes = Array.from({ length: poolSize * 2 }, () =>
      new Promise<void>((resolve, reject) =>
        scrypt('pw', 'salt', 32, { N: 2 ** 14, r: 8, p: 1 }, (err) => {
          order.push('hash');
          if (err) reject(err);
          else resolve();
        }),
      ),
    );
    const checked = tokens.verify(token).then((claims) => {
      order.push('verified');
      return claims;
    });
    const issued = tokens.issue({ userId: alice, sessionId: SID }).then(() => order.push('issued'));
    expect(await checked).toEqual({ userId: alice, sessionId: SID });
    await issued;
    await Promise.all(hashes);
    expect(order.slice(0, 2).sort()).toEqual(['issued', 'verified']);
  });

  it('accepts a signature only in its canonical spelling (the 3 other last characters decode to the same bytes)', async () => {
    const { tokens } = setup();
    const token = await tokens.issue({ userId: alice, sessionId: SID });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1)!);
    // 43 characters carry 258 bits for a 256-bit HMAC: the last character's 2 low bits are unused.
    const spellings = [0, 1, 2, 3].map((low) => `${token.slice(0, -1)}${alphabet[(last & ~3) | low]}`).filter((t) => t !== token);
    expect(spellings).toHaveLength(3);
    for (const t of spellings) {
      expect(Buffer.from(t.split('.')[2]!, 'base64url')).toEqual(Buffer.from(token.split('.')[2]!, 'base64url'));
      expect(await tokens.verify(t), t).toBeNull();
    }
    expect(await tokens.verify(token)).toEqual({ userId: alice, sessionId: SID });
    // Padding or a stray character is no spelling of it either.
    expect(await tokens.verify(`${token}=`)).toBeNull();
    expect(await tokens.verify(`${token.slice(0, -1)}`)).toBeNull();
  });

  it('refuses tokens from before sessions (a token version, no sid), and issues ones jose verifies', async () => {
    // Issued with this key at T0 for user 7, token version 3, by the hand-written signer of 3366d37 and by jose before it.
    const key = Buffer.from('tradeclock-token-compat-test-key');
    const tokens = new TokenService({ key, now: () => T0 + 60_000 });
    const byHand =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0diI6MywiaXNzIjoidHJhZGVjbG9jayIsInN1YiI6IjciLCJpYXQiOjE3NzMwNDY4MDAsImV4cCI6MTc3MzA5MDAwMH0.VhB4WFfuH1FxEgW-7GzpystNOy6Ig6Nw3vmpAit9kpQ';
    const byJose =
      'eyJhbGciOiJIUzI1NiJ9.eyJ0diI6MywiaXNzIjoidHJhZGVjbG9jayIsInN1YiI6IjciLCJpYXQiOjE3NzMwNDY4MDAsImV4cCI6MTc3MzA5MDAwMH0.CECUx-l3MvfF88RLil3aoyLNVIVjmhn9GBgxU35msXA';
    for (const token of [byHand, byJose]) expect(await tokens.verify(token), token).toBeNull();
    // A token issued now is a standard JWT: jose checks it.
    const fresh = await tokens.issue({ userId: alice, sessionId: SID });
    const { payload, protectedHeader } = await jwtVerify(fresh, key, { issuer: 'tradeclock', algorithms: ['HS256'], currentDate: new Date(T0 + 60_000) });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ sid: SID, sub: '7', iss: 'tradeclock', iat: (T0 + 60_000) / 1000, exp: (T0 + 60_000) / 1000 + DEFAULT_TOKEN_TTL_MS / 1000 });
  });

  it('says when a token issued now expires: the second it was issued, plus the lifetime', async () => {
    const { tokens, advance } = setup(60_000);
    advance(1_500);
    expect(tokens.expiryOfNew()).toBe(T0 + 1_000 + 60_000);
    await expect(tokens.issue({ userId: alice, sessionId: 'short' })).rejects.toThrow(/sessionId/);
  });

  it('refuses a short signing key', () => {
    expect(() => new TokenService({ key: randomBytes(16), now: () => T0 })).toThrow(/32 bytes/);
  });
});
