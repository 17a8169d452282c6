/**
 * Pairing a phone against the real API on 127.0.0.1: the desktop's one-time code traded for a
 * device token, which then signs in on REST and the event WebSocket like a session's token until
 * the device is revoked (401 everywhere, its open socket closed at once). A code pairs once, dies
 * after 5 minutes, and guessing is bounded; the device token is in no log line, no later answer
 * and not in the database file.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const JSON_HEADERS = { 'content-type': 'application/json' };

async function newCode(api: ApiHarness, token: string): Promise<{ code: string; pair_url: string; other_urls: string[]; qr: string; expires_at: number; reachable_from_lan: boolean; certificate: unknown }> {
  const res = await api.call('POST', '/devices/pairing-code', { token, headers: JSON_HEADERS });
  expect(res.status).toBe(200);
  return res.body;
}

const pair = (api: ApiHarness, code: string, name = 'Pixel 8') => api.call('POST', '/devices/pair', { body: { code, name } });

describe('pairing a phone', () => {
  it('trades a code for a device token that works on REST and the WebSocket until revoked, then gets 401 everywhere', async () => {
    h = await startApiHarness();
    const { token: desktop } = await h.register();
    const shown = await newCode(h, desktop);
    expect(shown.code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(shown.expires_at).toBe(h.clock.now() + 5 * 60_000);
    // Loopback only here: the QR names the address the desktop used, and says no phone can reach it.
    expect(shown.pair_url).toBe(`${h.base}/#pair=${shown.code.replace('-', '')}`);
    expect(shown.reachable_from_lan).toBe(false);
    expect(shown.other_urls).toEqual([]);
    expect(shown.certificate).toBeNull();
    // The QR is an SVG of exactly pair_url (the same encoder's modules, drawn the same way).
    expect(shown.qr.startsWith('data:image/svg+xml;base64,')).toBe(true);
    const svg = Buffer.from(shown.qr.slice('data:image/svg+xml;base64,'.length), 'base64').toString('utf8');
    expect(svg).toBe(await QRCode.toString(shown.pair_url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
    expect(svg).not.toBe(await QRCode.toString(`${h.base}/#pair=AAAAAAAA`, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));

    // Typed on the phone: lower case and without the dash is the same code.
    const paired = await pair(h, ` ${shown.code.replace('-', '').toLowerCase()} `, '  Pixel 8 ');
    expect(paired.status).toBe(201);
    const phone = paired.body.token as string;
    expect(phone).toMatch(/^tcd_[\w-]{43}$/);
    expect(paired.body.device).toEqual({ id: expect.any(Number), name: 'Pixel 8', paired_at: h.clock.now(), last_seen_at: h.clock.now(), paired_from: '127.0.0.1', current: true });

    expect((await h.call('GET', '/auth/validate', { token: phone })).status).toBe(200);
    expect((await h.call('GET', '/strategy', { token: phone })).status).toBe(200);
    const phoneSocket = await h.openSocket({ token: phone });
    await phoneSocket.waitFor((m) => m.type === 'hello');
    const headerSocket = await h.openSocket({ token: phone, origin: null });
    await headerSocket.waitFor((m) => m.type === 'hello');
    const desktopSocket = await h.openSocket({ token: desktop });
    await desktopSocket.waitFor((m) => m.type === 'hello');

    // Listed for both, named, marked current for the phone only, never with its token.
    const listed = await h.call('GET', '/devices', { token: desktop });
    expect(listed.body.devices).toEqual([{ ...paired.body.device, current: false }]);
    expect((await h.call('GET', '/devices', { token: phone })).body.devices[0].current).toBe(true);
    // A phone manages nothing: no new codes, no renames, no revoking, no password, no sessions.
    const id = paired.body.device.id as number;
    expect((await h.call('POST', '/devices/pairing-code', { token: phone, headers: JSON_HEADERS })).status).toBe(403);
    expect((await h.call('PATCH', `/devices/${id}`, { token: phone, body: { name: 'mine now' } })).status).toBe(403);
    expect((await h.call('DELETE', `/devices/${id}`, { token: phone })).status).toBe(403);
    expect((await h.call('POST', '/auth/sessions/sign-out-others', { token: phone, headers: JSON_HEADERS })).status).toBe(403);
    expect((await h.call('POST', '/auth/password', { token: phone, body: { current_password: 'x', new_password: 'y'.repeat(20) } })).status).toBe(403);

    // Renamed from the desktop.
    const renamed = await h.call('PATCH', `/devices/${id}`, { token: desktop, body: { name: 'Work phone' } });
    expect(renamed.body).toMatchObject({ id, name: 'Work phone' });
    expect((await h.call('PATCH', `/devices/${id}`, { token: desktop, body: { name: '   ' } })).body.error.fields).toEqual([{ field: 'name', message: expect.stringContaining('name') }]);

    // Revoked: its sockets close at once, every route says 401, a new socket is refused.
    expect((await h.call('DELETE', `/devices/${id}`, { token: desktop })).status).toBe(204);
    expect(await phoneSocket.closed).toEqual({ code: 4401, reason: 'this device was unpaired' });
    expect(await headerSocket.closed).toEqual({ code: 4401, reason: 'this device was unpaired' });
    for (const [method, path] of [['GET', '/auth/validate'], ['GET', '/strategy'], ['GET', '/devices'], ['GET', '/events/log'], ['GET', '/notify/channels'], ['GET', '/broker']] as const) {
      expect({ path, status: (await h.call(method, path, { token: phone })).status }).toEqual({ path, status: 401 });
    }
    expect(await (await h.openSocket({ token: phone })).closed).toEqual({ code: 4401, reason: 'invalid or expired token' });
    await expect(h.openSocket({ token: phone, origin: null })).rejects.toMatchObject({ status: 401 });
    // The desktop is untouched.
    expect(desktopSocket.ws.readyState).toBe(desktopSocket.ws.OPEN);
    expect((await h.call('GET', '/devices', { token: desktop })).body.devices).toEqual([]);
    expect((await h.call('DELETE', `/devices/${id}`, { token: desktop })).status).toBe(404);
  });

  it('a password change unpairs every phone and kills the code still showing; a wrong current password unpairs nothing', async () => {
    h = await startApiHarness();
    const { token: desktop } = await h.register();
    const phones: string[] = [];
    for (const name of ['Pixel 8', 'iPhone']) phones.push((await pair(h, (await newCode(h, desktop)).code, name)).body.token as string);
    const phoneSocket = await h.openSocket({ token: phones[0]! });
    await phoneSocket.waitFor((m) => m.type === 'hello');
    const showing = await newCode(h, desktop);

    const refused = await h.call('POST', '/auth/password', { token: desktop, body: { current_password: 'not the password', new_password: 'a new long password', confirm_password: 'a new long password' } });
    expect(refused.status).toBe(400);
    expect((await h.call('GET', '/devices', { token: desktop })).body.devices).toHaveLength(2);
    expect((await h.call('GET', '/strategy', { token: phones[1] })).status).toBe(200);

    const changed = await h.call('POST', '/auth/password', { token: desktop, body: { current_password: PASSWORD, new_password: 'a new long password', confirm_password: 'a new long password' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ signed_out_sessions: 0, unpaired_devices: 2 });
    expect(await phoneSocket.closed).toEqual({ code: 4401, reason: 'password changed: sign in again' });
    for (const phone of phones) expect((await h.call('GET', '/strategy', { token: phone })).status).toBe(401);
    expect((await h.call('GET', '/devices', { token: desktop })).body.devices).toEqual([]);
    // The code made under the old password pairs nothing; a new one does.
    expect((await pair(h, showing.code)).status).toBe(401);
    expect((await pair(h, (await newCode(h, desktop)).code)).status).toBe(201);
  });

  it('refuses a used code, an expired code and an unknown token; a new code voids the previous one', async () => {
    h = await startApiHarness();
    const { token: desktop } = await h.register();
    const first = await newCode(h, desktop);
    expect((await pair(h, first.code)).status).toBe(201);
    const reused = await pair(h, first.code, 'Second phone');
    expect(reused.status).toBe(401);
    expect(reused.body.error.message).toMatch(/wrong or has expired/);

    const old = await newCode(h, desktop);
    const fresh = await newCode(h, desktop);
    expect((await pair(h, old.code)).status).toBe(401);
    await h.advanceTo(new Date(h.clock.now() + 5 * 60_000).toISOString());
    expect((await pair(h, fresh.code)).status).toBe(401);

    const late = await newCode(h, desktop);
    await h.advanceTo(new Date(h.clock.now() + 5 * 60_000 - 1).toISOString());
    expect((await pair(h, late.code)).status).toBe(201);

    expect((await h.call('GET', '/strategy', { token: `tcd_${'A'.repeat(43)}` })).status).toBe(401);
    expect((await pair(h, '', 'x')).body.error.fields).toEqual([{ field: 'code', message: 'code is required' }]);
    expect((await h.call('GET', '/devices', { token: desktop })).body.devices).toHaveLength(2);
  });

  it('bounds guessing: 5 wrong codes void every live code, and a client that keeps failing waits', async () => {
    h = await startApiHarness();
    const { token: desktop } = await h.register();
    const live = await newCode(h, desktop);
    for (let i = 0; i < 5; i++) expect((await pair(h, 'WRONGCDE')).status).toBe(401);
    // The right code no longer pairs: the guesses killed it (and this client is now held off).
    const blocked = await pair(h, live.code);
    expect(blocked.status).toBe(429);
    expect(Number((blocked.headers as Headers).get('retry-after'))).toBeGreaterThan(0);
    await h.advanceTo(new Date(h.clock.now() + 15 * 60_000).toISOString());
    expect((await pair(h, live.code)).status).toBe(401);
    // A code shown after the guessing pairs.
    expect((await pair(h, (await newCode(h, desktop)).code)).status).toBe(201);
  });

  it('keeps the device token out of the logs, the database file and every later answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradeclock-devices-'));
    dirs.push(dir);
    const dbPath = join(dir, 'tradeclock.db');
    h = await startApiHarness({ dbPath, logLevel: 'trace' });
    const { token: desktop } = await h.register();
    const { code } = await newCode(h, desktop);
    const paired = await pair(h, code);
    const phone = paired.body.token as string;
    const pairingAnswer = paired.text;
    await h.call('GET', '/strategy', { token: phone });
    await h.call('GET', '/devices', { token: phone });
    await h.call('GET', '/devices', { token: desktop });
    await h.call('GET', '/no-such-route', { token: phone });
    (await h.openSocket({ token: phone })).ws.close();

    expect(h.logLines.length).toBeGreaterThan(0);
    const secret = phone.slice('tcd_'.length);
    for (const line of h.logLines) expect(line).not.toContain(secret);
    for (const text of h.received.filter((t) => t !== pairingAnswer)) expect(text).not.toContain(secret);
    expect(h.received.filter((t) => t.includes(secret))).toHaveLength(1);
    // Nor the code, once used.
    for (const line of h.logLines) expect(line).not.toContain(code.replace('-', ''));
    h.db.checkpoint();
    for (const file of [dbPath, `${dbPath}-wal`].filter(existsSync)) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
      expect(bytes.includes(Buffer.from(phone))).toBe(false);
    }
    // What is stored is the token's SHA-256.
    const { createHash } = await import('node:crypto');
    const row = h.db.orm.$client.prepare('SELECT token_hash FROM devices').get() as { token_hash: string };
    expect(row.token_hash).toBe(createHash('sha256').update(phone).digest('hex'));
  });
});
