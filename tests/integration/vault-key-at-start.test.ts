/**
 * Issue 16, item 5: a restart with the wrong TRADECLOCK_PASSPHRASE used to serve with a position
 * open whose exit could not reach the broker (STOP answered 200, the exit stayed pending, the
 * stop-loss was not subscribed). Now the daemon refuses to start, says which key source it tried,
 * and quotes no secret. The real composed daemon on a real data directory: in-process
 * (startDaemon), and once as the real CLI process.
 *
 * The OS keychain is made unreachable for this file (a D-Bus address that leads nowhere), so the
 * passphrase is the key source even under scripts/with-keyring.sh; the keychain paths are
 * engine/secrets/vault-opener.test.ts. Vitest runs each file in its own process.
 */
process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/tradeclock-test-bus';

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { BrokerExecution } from '../../engine/brokers/broker';
import { defaultBrokerKinds, type BrokerKind } from '../../engine/brokers/broker-kinds';
import { createPaperBroker } from '../../engine/brokers/paper/paper-broker';
import { paperBrokerOptionsSchema } from '../../engine/brokers/paper/paper-config';
import { FakeClock } from '../../engine/core/fake-clock';
import { startDaemon, type DaemonHandle } from '../../engine/daemon';
import { startDaemonProcess } from '../support/daemon-process';
import { capturedLogger } from '../support/captured-logger';
import { callDaemon } from '../support/daemon-call';

const RIGHT = 'the passphrase of the first start';
const WRONG = 'another passphrase, mistyped';
const API_KEY = 'PKVAULTKEY-4471-visible';
const SECRET = 'sk-live-VAULTED-5ecr3t-0xFEEDFACE-77aa';

/** A broker that needs a secret (so the vault seals a row), trading on the paper market. */
const vaulted: BrokerKind = {
  title: 'Vaulted test broker',
  credentialsSchema: z.strictObject({ api_key: z.string().min(8), api_secret: z.string().min(8) }),
  optionsSchema: paperBrokerOptionsSchema,
  needsSecret: true,
  create: ({ clock, credentials, options }) => {
    const paper = createPaperBroker({ clock, ...options });
    const execution: BrokerExecution = {
      validateCredentials: async () => (credentials.api_secret === SECRET ? { ok: true } : { ok: false, reason: 'unknown key' }),
      placeOrder: (req) => paper.execution.placeOrder(req),
      lookupOrder: (id) => paper.execution.lookupOrder(id),
      cancelOrder: (id) => paper.execution.cancelOrder(id),
      onOrderUpdate: (listener) => paper.execution.onOrderUpdate(listener),
    };
    return { capabilities: paper.capabilities, instruments: paper.instruments, execution, data: paper.data, start: () => paper.start(), stop: () => paper.stop() };
  },
};

const dirs: string[] = [];
const handles: DaemonHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Start {
  readonly passphrase?: string;
  readonly at: string;
  readonly lines?: string[];
}

async function start(dir: string, opts: Start): Promise<{ daemon: DaemonHandle; clock: FakeClock }> {
  const clock = new FakeClock(Date.parse(opts.at));
  const log = capturedLogger();
  const daemon = await startDaemon({
    dataDir: dir,
    port: 0,
    staticDir: null,
    clock,
    logger: log.logger,
    brokerKinds: { ...defaultBrokerKinds(), vaulted },
    ...(opts.passphrase ? { passphrase: opts.passphrase } : {}),
  }).finally(() => opts.lines?.push(...log.lines));
  handles.push(daemon);
  return { daemon, clock };
}

async function stop(d: DaemonHandle): Promise<void> {
  handles.splice(handles.indexOf(d), 1);
  await d.stop();
}

const call = callDaemon;

/** First start with RIGHT: a vaulted account, a strategy bought at 09:30 New York; then a stop with the position open. */
async function installWithOpenPosition(dir: string): Promise<{ token: string; strategyId: number }> {
  const { daemon, clock } = await start(dir, { passphrase: RIGHT, at: '2026-03-09T13:00:00Z' });
  const { token } = await call(daemon, 'POST', '/auth/register', null, { email: 'owner@example.com', password: 'a long password' });
  expect(token).toEqual(expect.any(String));
  const account = await call(daemon, 'POST', '/broker/connect', token, {
    broker: 'vaulted',
    credentials: { api_key: API_KEY, api_secret: SECRET },
    options: { seed: 1, volatilityBps: 0, tickIntervalMs: 60_000 },
  });
  expect(account.id).toEqual(expect.any(Number));
  const s = await call(daemon, 'POST', '/strategy/create', token, {
    broker_account_id: account.id,
    symbol: 'AAPL',
    exchange: 'NYSE',
    qty: 5,
    buy_time: '09:30:00',
    sell_time: '15:30:00',
    stop_loss: 50,
    timezone: 'America/New_York',
  });
  expect((await call(daemon, 'POST', '/strategy/start', token, { strategy_id: s.id })).status).toBe('running');
  await clock.advanceTo(Date.parse('2026-03-09T13:31:00Z'));
  await daemon.engine.idle();
  expect((await call(daemon, 'GET', `/strategy/${s.id}`, token)).runtime.state).toBe('IN_POSITION');
  await stop(daemon);
  return { token, strategyId: s.id };
}

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tradeclock-vault-start-'));
  dirs.push(d);
  return d;
};

const secretsIn = (text: string) => [RIGHT, WRONG, API_KEY, SECRET, 'VAULTED-5ecr3t'].filter((s) => text.includes(s));

describe('a restart whose key cannot unseal the stored broker credentials', () => {
  it('with the wrong TRADECLOCK_PASSPHRASE: refuses to start, says "wrong passphrase" and the key source, quotes no secret; the right one trades on', async () => {
    const dir = tempDir();
    const { token, strategyId } = await installWithOpenPosition(dir);

    const lines: string[] = [];
    const err = await start(dir, { passphrase: WRONG, at: '2026-03-09T14:00:00Z', lines }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/^Tradeclock will not start: 1 broker account has saved credentials that cannot be unsealed/);
    expect(err!.message).toMatch(/wrong passphrase/);
    expect(err!.message).toMatch(/Key source tried: TRADECLOCK_PASSPHRASE/);
    expect(secretsIn(err!.message)).toEqual([]);
    expect(lines.join('\n')).toContain('cannot be unsealed');
    expect(secretsIn(lines.join('\n'))).toEqual([]);
    expect(readdirSync(dir)).not.toContain('tradeclock.lock');

    // No passphrase at all: the same refusal, saying it is not set.
    const unset = await start(dir, { at: '2026-03-09T14:00:00Z' }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(unset?.message).toMatch(/TRADECLOCK_PASSPHRASE is not set/);

    // The right passphrase: the position is still there, and a STOP sells it.
    const { daemon, clock } = await start(dir, { passphrase: RIGHT, at: '2026-03-09T14:00:00Z' });
    await daemon.engine.idle();
    expect((await call(daemon, 'GET', `/strategy/${strategyId}`, token)).runtime.state).toBe('IN_POSITION');
    expect((await call(daemon, 'POST', '/strategy/stop', token, { strategy_id: strategyId })).status).toBe('stopped');
    await clock.advance(5_000);
    await daemon.engine.idle();
    const { orders } = await call(daemon, 'GET', `/strategy/${strategyId}/orders`, token);
    expect(orders.map((o: { leg: string; status: string }) => [o.leg, o.status])).toEqual([
      ['BUY', 'filled'],
      ['MANUAL_EXIT', 'filled'],
    ]);
  });

  it('the real CLI process ends with the message on stderr and exit code 1', async () => {
    const dir = tempDir();
    await installWithOpenPosition(dir);
    const failed = await startDaemonProcess(dir, { TRADECLOCK_PASSPHRASE: WRONG }).then(
      async (d) => {
        d.proc.kill('SIGTERM');
        await d.exited;
        return null;
      },
      (e: unknown) => e as Error,
    );
    expect(failed?.message).toMatch(/exited \(1\)/);
    expect(failed?.message).toMatch(/tradeclock: Tradeclock will not start: .*wrong passphrase.*Key source tried: TRADECLOCK_PASSPHRASE/s);
    expect(secretsIn(failed?.message ?? '')).toEqual([]);
    // The CLI exits without waiting for the log file (engine/cli.ts), so the file may lack the line.
    const logFile = join(dir, 'logs', 'tradeclock.log');
    if (existsSync(logFile)) expect(secretsIn(readFileSync(logFile, 'utf8'))).toEqual([]);
  }, 60_000);
});

describe('a start with no stored credentials', () => {
  it('needs no key at all (a paper-only install starts with neither keychain nor passphrase)', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const { daemon } = await start(dir, { at: '2026-03-09T13:00:00Z', lines });
    const { token } = await call(daemon, 'POST', '/auth/register', null, { email: 'paper@example.com', password: 'a long password' });
    expect((await call(daemon, 'POST', '/broker/connect', token, { broker: 'paper' })).id).toEqual(expect.any(Number));
    await stop(daemon);
    const again = await start(dir, { at: '2026-03-09T13:05:00Z', lines });
    await stop(again.daemon);
    // The vault was never opened: no keychain probe, no key derivation.
    expect(lines.join('\n')).not.toMatch(/vault key|keyProvider/);
  });
});
