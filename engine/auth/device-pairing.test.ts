import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../db/test-support';
import { DomainError } from '../core/errors';
import { FakeClock } from '../core/fake-clock';
import { DevicePairing, MAX_WRONG_TRIES, normalizeCode, PAIRING_CODE_TTL_MS } from './device-pairing';
import { RateLimitedError } from './rate-limited-error';

let t: TestDb | undefined;
afterEach(() => t?.close());

function setUp() {
  t = openTestDb();
  const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
  const ana = t.repos.users.create({ email: 'ana@example.com', passwordHash: 'x', createdAt: 0 });
  const ben = t.repos.users.create({ email: 'ben@example.com', passwordHash: 'x', createdAt: 0 });
  return { clock, ana, ben, repos: t.repos, pairing: new DevicePairing({ repos: t.repos, clock }) };
}

const refusal = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal');
};

describe('DevicePairing', () => {
  it("pairs the code's own user, once; stores the token's SHA-256 only", () => {
    const { pairing, ana, ben, repos } = setUp();
    const forAna = pairing.newCode(ana.id);
    const forBen = pairing.newCode(ben.id);
    const paired = pairing.pair(forBen.code, 'Pixel 8', '192.168.1.30');
    expect(paired.device).toMatchObject({ userId: ben.id, name: 'Pixel 8', clientAddress: '192.168.1.30' });
    expect(pairing.authenticate(paired.token)?.user.id).toBe(ben.id);
    expect(repos.devices.getByTokenHash(createHash('sha256').update(paired.token).digest('hex'))?.device.id).toBe(paired.device.id);
    expect(refusal(() => pairing.pair(forBen.code, 'again', '192.168.1.30'))).toMatchObject({ code: 'unauthorized' });
    // Ana's code is untouched by Ben's pairing.
    expect(pairing.pair(forAna.code, 'iPhone', '192.168.1.31').device.userId).toBe(ana.id);
  });

  it('takes a code typed in any case, with spaces or a dash; refuses it at its expiry', async () => {
    const { pairing, ana, clock } = setUp();
    expect(normalizeCode(' abcd-efgh ')).toBe('ABCDEFGH');
    const first = pairing.newCode(ana.id);
    expect(pairing.pair(`${first.code.slice(0, 4).toLowerCase()} - ${first.code.slice(4)}`, 'A', '10.0.0.2').device.name).toBe('A');
    const second = pairing.newCode(ana.id);
    expect(second.expiresAt).toBe(clock.now() + PAIRING_CODE_TTL_MS);
    await clock.advance(PAIRING_CODE_TTL_MS);
    expect(refusal(() => pairing.pair(second.code, 'B', '10.0.0.2'))).toMatchObject({ code: 'unauthorized' });
  });

  it('voids every live code after MAX_WRONG_TRIES wrong codes, even from as many addresses', () => {
    const { pairing, ana, ben } = setUp();
    const a = pairing.newCode(ana.id);
    const b = pairing.newCode(ben.id);
    for (let i = 0; i < MAX_WRONG_TRIES; i++) expect(refusal(() => pairing.pair('ZZZZZZZZ', 'x', `10.0.0.${i + 10}`))).toMatchObject({ code: 'unauthorized' });
    for (const code of [a.code, b.code]) expect(refusal(() => pairing.pair(code, 'x', '10.0.0.99'))).toMatchObject({ code: 'unauthorized' });
    // A fresh code works: the count starts again.
    expect(pairing.pair(pairing.newCode(ana.id).code, 'x', '10.0.0.99').device.userId).toBe(ana.id);
  });

  it('holds off a client past its failures (429), without counting the right code against others', async () => {
    t = openTestDb();
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    const ana = t.repos.users.create({ email: 'ana@example.com', passwordHash: 'x', createdAt: 0 });
    const pairing = new DevicePairing({ repos: t.repos, clock, clientLimit: { maxFailures: 2, windowMs: 60_000 } });
    for (let i = 0; i < 2; i++) refusal(() => pairing.pair('ZZZZZZZZ', 'x', '10.0.0.7'));
    const held = refusal(() => pairing.pair(pairing.newCode(ana.id).code, 'x', '10.0.0.7'));
    expect(held).toBeInstanceOf(RateLimitedError);
    expect((held as RateLimitedError).retryAfterMs).toBe(60_000);
    // Another address pairs meanwhile.
    expect(pairing.pair(pairing.newCode(ana.id).code, 'x', '10.0.0.8').device.userId).toBe(ana.id);
  });

  it('names the field of a bad name, and keeps a device last seen to the minute', async () => {
    const { pairing, ana, clock, repos } = setUp();
    const { code } = pairing.newCode(ana.id);
    const bad = refusal(() => pairing.pair(code, '   ', '10.0.0.2'));
    expect(bad).toBeInstanceOf(DomainError);
    expect((bad as DomainError).fields).toEqual([{ field: 'name', message: expect.any(String) }]);
    expect(refusal(() => pairing.pair(code, 'x'.repeat(61), '10.0.0.2'))).toMatchObject({ fields: [{ field: 'name', message: 'at most 60 characters' }] });
    const { token, device } = pairing.pair(code, 'Pixel', '10.0.0.2');
    await clock.advance(59_000);
    pairing.authenticate(token);
    expect(repos.devices.list(ana.id)[0]!.lastSeenAt).toBe(device.pairedAt);
    await clock.advance(1_000);
    pairing.authenticate(token);
    expect(repos.devices.list(ana.id)[0]!.lastSeenAt).toBe(clock.now());
    pairing.revoke(ana.id, device.id);
    expect(pairing.authenticate(token)).toBeNull();
    expect(pairing.authenticate('not-a-device-token')).toBeNull();
  });
});
