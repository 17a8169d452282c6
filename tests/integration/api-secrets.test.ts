/**
 * Invariant 6 over a whole API session: a broker secret (and the user's password, and their
 * session token) never appears in any response body, WebSocket message, log line (pino at
 * trace, captured), or in the bytes of the SQLite files. The broker here is a test kind that
 * needs a secret, so the vault and the decrypting factory are on the path.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { BrokerExecution } from '../../engine/brokers/broker';
import { defaultBrokerKinds, type BrokerKind } from '../../engine/brokers/broker-kinds';
import { createPaperBroker } from '../../engine/brokers/paper/paper-broker';
import { paperBrokerOptionsSchema } from '../../engine/brokers/paper/paper-config';
import { PAPER_OPTIONS, PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';

const API_KEY = 'PKTESTKEY-visible-4471-ZQ';
const SECRET = 'sk-live-TRADECLOCK-5ecr3t-0xDEADBEEF-9f8e7d6c';
const REJECTED_SECRET = 'sk-live-REJECTED-0xBADC0FFEE-1a2b3c4d5e';

/** A broker that checks its secret like a real one, trading on the paper market underneath. */
const vaulted: BrokerKind = {
  title: 'Vaulted test broker',
  credentialsSchema: z.strictObject({ api_key: z.string().min(8).max(200), api_secret: z.string().min(8).max(200) }),
  optionsSchema: paperBrokerOptionsSchema,
  needsSecret: true,
  create: ({ clock, credentials, options }) => {
    const paper = createPaperBroker({ clock, ...options });
    const execution: BrokerExecution = {
      validateCredentials: async () => (credentials.api_secret === SECRET ? { ok: true } : { ok: false, reason: 'the broker did not recognise this key' }),
      placeOrder: (req) => paper.execution.placeOrder(req),
      lookupOrder: (id) => paper.execution.lookupOrder(id),
      cancelOrder: (id) => paper.execution.cancelOrder(id),
      onOrderUpdate: (listener) => paper.execution.onOrderUpdate(listener),
    };
    return { capabilities: paper.capabilities, instruments: paper.instruments, execution, data: paper.data, start: () => paper.start(), stop: () => paper.stop() };
  },
};

let h: ApiHarness;
let dir: string;
let token: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tradeclock-secrets-'));
  h = await startApiHarness({ dbPath: join(dir, 'tradeclock.sqlite'), kinds: { ...defaultBrokerKinds(), vaulted }, logLevel: 'trace' });
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every 12-character piece of `secret`: a partial leak counts too. */
const pieces = (secret: string) => Array.from({ length: secret.length - 11 }, (_, i) => secret.slice(i, i + 12));

function leaks(haystack: string | Buffer, secrets: readonly string[]): string[] {
  const text = typeof haystack === 'string' ? haystack : haystack.toString('latin1');
  return secrets.flatMap((s) => pieces(s)).filter((p) => text.includes(p));
}

const dbBytes = () => Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));

describe('no secret leaves memory', () => {
  it('a whole session: connect, refuse, list, trade, stream, log', async () => {
    const reg = await h.call('POST', '/auth/register', { body: { email: 'keys@example.com', password: PASSWORD } });
    token = reg.body.token;
    const socket = await h.openSocket({ token });
    await socket.waitFor((m) => m.type === 'hello');

    const connect = await h.call('POST', '/broker/connect', { token, body: { broker: 'vaulted', label: 'Live', credentials: { api_key: API_KEY, api_secret: SECRET }, options: PAPER_OPTIONS } });
    expect(connect.status).toBe(201);
    expect(connect.body.credentials_masked).toEqual({ api_key: 'PK…ZQ', api_secret: 'sk…6c' });
    const account: number = connect.body.id;

    // Refused and malformed credentials: errors say what is wrong, never the value.
    const refused = await h.call('POST', '/broker/connect', { token, body: { broker: 'vaulted', credentials: { api_key: API_KEY, api_secret: REJECTED_SECRET } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toEqual([{ field: 'credentials', message: 'the broker did not recognise this key' }]);
    const extra = await h.call('POST', '/broker/connect', { token, body: { broker: 'vaulted', credentials: { api_key: API_KEY, api_secret: SECRET, passphrase: SECRET } } });
    expect(extra.body.error.fields).toEqual([{ field: 'credentials.passphrase', message: expect.any(String) }]);
    const typed = await h.call('POST', '/broker/connect', { token, body: { broker: 'vaulted', credentials: { api_key: API_KEY, api_secret: { value: SECRET } } } });
    expect(typed.status).toBe(400);
    const broken = await h.call('POST', '/broker/connect', { token, rawBody: `{"broker":"vaulted","credentials":{"api_secret":"${SECRET}"`, headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    const misplaced = await h.call('POST', '/broker/connect', { token, body: { broker: 'paper', credentials: { api_secret: SECRET } } });
    expect(misplaced.status).toBe(400);
    const huge = await h.call('POST', '/broker/connect', { token, body: { broker: 'vaulted', credentials: { api_key: API_KEY, api_secret: SECRET.repeat(200) } } });
    expect(huge.status).toBe(400);

    expect((await h.call('GET', '/broker', { token })).body.accounts).toHaveLength(1);
    expect((await h.call('GET', `/broker/${account}`, { token })).status).toBe(200);

    // Trading opens the broker through the vault: the decrypted credentials exist only in memory.
    const created = await h.createStrategy(token, account);
    expect(created.status).toBe(201);
    expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: created.body.id } })).status).toBe(200);
    await h.advanceTo('2026-03-09T13:10:00Z');
    expect((await h.call('GET', `/strategy/${created.body.id}/orders`, { token })).body.orders).toHaveLength(2);
    await socket.waitFor((m) => m.type === 'strategy_completed');
    await h.call('GET', `/strategy/${created.body.id}`, { token });
    await h.call('GET', '/events/log?limit=500', { token });
    await h.call('GET', '/health');
    await h.call('POST', '/auth/login', { body: { email: 'keys@example.com', password: 'a wrong password' } });
    await h.call('POST', '/auth/login', { body: { email: 'keys@example.com', password: PASSWORD } });

    // The session was real: the engine and Fastify both wrote, and the vault sealed a row.
    expect(h.logLines.length).toBeGreaterThan(30);
    expect(h.received.length).toBeGreaterThan(20);
    expect(dbBytes().length).toBeGreaterThan(0);
    expect(h.repos.brokerAccounts.getCiphertextInternal(account as never)).not.toBeNull();

    // Whatever a future handler logs under a secret's key is redacted by the API's logger.
    h.app.log.warn({ password: PASSWORD, body: { credentials: { api_secret: SECRET }, new_password: PASSWORD }, token, authorization: `Bearer ${token}` }, 'careless');
    expect(h.logLines.at(-1)).toContain('[redacted]');

    const secrets = [SECRET, REJECTED_SECRET, API_KEY, PASSWORD];
    expect(leaks(h.received.join('\n'), secrets)).toEqual([]);
    expect(leaks(h.logLines.join('\n'), [...secrets, token])).toEqual([]);
    expect(leaks(dbBytes(), secrets)).toEqual([]);
    await h.close();
    expect(leaks(dbBytes(), secrets)).toEqual([]);
  });
});
