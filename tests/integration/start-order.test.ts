/**
 * The order of a start (issue 17): the vault key is read or derived first, and recovery reads
 * SQLite while it is; recovery acts (jobs, the exit of a position past its SELL) only once the
 * key has been proven to unseal the stored credentials. A start refused for the key leaves every
 * run as it found it, so the next start with the right key exits at once, as before.
 *
 * The real composed daemon (startDaemon) on a real data directory, with an in-memory keychain
 * whose reads the test answers, on a fake clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultBrokerKinds, type BrokerKind } from '../../engine/brokers/broker-kinds';
import { FakeClock } from '../../engine/core/fake-clock';
import { asBrokerAccountId, asUserId, clientOrderId } from '../../engine/core/ids';
import { startDaemon, type DaemonHandle } from '../../engine/daemon';
import type { Run } from '../../engine/core/types';
import { specFromV1 } from '../../engine/core/strategy-spec';
import type { OpenKeychainEntry } from '../../engine/secrets/keychain-key-provider';
import type { BrokerExecution } from '../../engine/brokers/broker';
import { openDatabase } from '../../db/client';
import { createRepos } from '../../db/repos';
import { capturedLogger } from '../support/captured-logger';
import { callDaemon } from '../support/daemon-call';
import { memoryKeychain, vaultedPaperKind, type MemoryKeychain } from '../support/memory-keychain';
import { untilReal } from '../support/wait';

/** The paper broker, each order's answer held until the test releases it. */
const placed: Array<{ clientOrderId: string; answer: () => void }> = [];
const held: BrokerKind = {
  ...vaultedPaperKind,
  title: 'Held test broker',
  create: (input) => {
    const paper = vaultedPaperKind.create(input);
    const execution: BrokerExecution = {
      validateCredentials: () => paper.execution.validateCredentials(),
      placeOrder: (req) => new Promise((resolve, reject) => placed.push({ clientOrderId: req.clientOrderId, answer: () => paper.execution.placeOrder(req).then(resolve, reject) })),
      lookupOrder: (id) => paper.execution.lookupOrder(id),
      cancelOrder: (id) => paper.execution.cancelOrder(id),
      onOrderUpdate: (listener) => paper.execution.onOrderUpdate(listener),
    };
    return { ...paper, execution };
  },
};

const dirs: string[] = [];
const handles: DaemonHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(dir: string, clock: FakeClock, keychain: OpenKeychainEntry, lines: string[] = []): Promise<DaemonHandle> {
  const log = capturedLogger();
  // The same array while the start runs: the test reads the log before the start is over.
  log.lines.push = (...l: string[]) => lines.push(...l);
  return startDaemon({ dataDir: dir, port: 0, staticDir: null, clock, logger: log.logger, keychain, brokerKinds: { ...defaultBrokerKinds(), vaulted: vaultedPaperKind, held } }).then((d) => {
    handles.push(d);
    return d;
  });
}

async function stop(d: DaemonHandle): Promise<void> {
  handles.splice(handles.indexOf(d), 1);
  await d.stop();
}

const T0 = Date.parse('2026-03-09T15:00:00Z'); // a Monday
const SELL_AT = T0 + 30 * 60_000;
const RESTART_AT = T0 + 60 * 60_000; // the daemon was down at the SELL

/**
 * An install whose credentials are sealed with the keychain's key, holding one position bought
 * at T0 whose SELL (SELL_AT) passes while the daemon is down.
 */
async function installWithOverduePosition(keychain: MemoryKeychain, broker = 'vaulted', stopRequested = false): Promise<{ dir: string; runId: Run['id'] }> {
  const dir = mkdtempSync(join(tmpdir(), 'tradeclock-start-order-'));
  dirs.push(dir);
  const first = await start(dir, new FakeClock(T0), keychain.open);
  const { token, user } = await callDaemon(first, 'POST', '/auth/register', null, { email: 'owner@example.com', password: 'a long password' });
  const account = await callDaemon(first, 'POST', '/broker/connect', token, { broker, credentials: { api_key: 'PKSTARTORDER-1', api_secret: 'sk-start-order-secret' }, options: { seed: 1 } });
  expect(account.id).toEqual(expect.any(Number));
  await stop(first);

  const db = openDatabase(join(dir, 'tradeclock.sqlite'));
  try {
    const repos = createRepos(db);
    const installId = repos.settings.get('install_id')!;
    const userId = asUserId(user.id);
    const brokerAccountId = asBrokerAccountId(account.id);
    const s = repos.strategies.create(
      {
        userId,
        status: 'running',
        spec: specFromV1({ broker_account_id: brokerAccountId, symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '15:00:00', sell_time: '15:30:00', stop_loss: 50, timezone: 'UTC', repeat: 'once', buy_grace_ms: 60_000 }),
      },
      T0,
    );
    const run = repos.runs.create({ strategyId: s.id, userId, tradingDate: '2026-03-09', state: 'IN_POSITION', buyAt: T0, sellAt: SELL_AT, stopRequested, positionQty: 10, entryPrice: 100, lastAction: 'BUY_FILLED', lastActionAt: T0 + 1_000 }, T0);
    repos.orders.insert(
      { runId: run.id, strategyId: s.id, userId, brokerAccountId, leg: 'BUY', side: 'buy', slot: 'entry', clientOrderId: clientOrderId(installId, s.id, '2026-03-09', 'entry'), symbol: 'AAPL', exchange: 'NYSE', qty: 10, status: 'filled', scheduledAt: T0, dispatchedAt: T0, ackedAt: T0, filledAt: T0 + 1_000, filledQty: 10, fillPrice: 100 },
      T0,
    );
    return { dir, runId: run.id };
  } finally {
    db.close();
  }
}

/** The run's state and its exit order, read beside the daemon (WAL: readers never block it). */
function journal(dir: string, runId: Run['id']): { state: string; exit: { leg: string; scheduledAt: number } | null } {
  const db = openDatabase(join(dir, 'tradeclock.sqlite'));
  try {
    const repos = createRepos(db);
    const exit = repos.orders.findBySlotInternal(runId, 'exit');
    return { state: repos.runs.getInternal(runId)!.state, exit: exit ? { leg: exit.leg, scheduledAt: exit.scheduledAt } : null };
  } finally {
    db.close();
  }
}

describe('the order of a start', () => {
  it('reads the unfinished runs while the vault key is being read, and exits the overdue position once the key has passed', async () => {
    const keychain = memoryKeychain();
    const { dir, runId } = await installWithOverduePosition(keychain);

    keychain.state.reads = 'hold';
    const clock = new FakeClock(RESTART_AT);
    const lines: string[] = [];
    const starting = start(dir, clock, keychain.open, lines);
    // Both under way at once: the keychain read is unanswered while recovery has read SQLite.
    await untilReal(() => keychain.waiting.length > 0 && lines.some((l) => l.includes('recovery read the unfinished runs')), 'recovery reading SQLite while the key read is unanswered');
    expect(lines.join('\n')).toMatch(/"runs":1,"strategies":1,"msg":"recovery read the unfinished runs/);
    await clock.advance(5_000);
    // Nothing acted before the key: no exit journaled, the run as the crash left it.
    expect(journal(dir, runId)).toEqual({ state: 'IN_POSITION', exit: null });
    expect(lines.join('\n')).not.toContain('recovery done');

    keychain.answer();
    const daemon = await starting;
    await clock.advance(2_000);
    await daemon.engine.idle();
    expect(journal(dir, runId)).toEqual({ state: 'SOLD', exit: { leg: 'SELL', scheduledAt: SELL_AT } });
  });

  it('builds the API only once the exit recovery made due has its answer from the broker', async () => {
    const keychain = memoryKeychain();
    // A STOP that the crash left to carry out: recovery submits its exit at once.
    const { dir, runId } = await installWithOverduePosition(keychain, 'held', true);
    placed.length = 0;

    const lines: string[] = [];
    let started: DaemonHandle | undefined;
    const starting = start(dir, new FakeClock(RESTART_AT), keychain.open, lines).then((d) => (started = d));
    await untilReal(() => placed.length > 0, 'the exit placed at the broker');
    // Half a second of real time: long enough for an API that does not wait to be built and
    // listening, well short of the 2 s the API waits at most for the answer.
    await new Promise((r) => setTimeout(r, 500));
    expect(started).toBeUndefined();
    expect(lines.join('\n')).not.toContain('Server listening');
    expect(journal(dir, runId)).toEqual({ state: 'EXITING', exit: { leg: 'MANUAL_EXIT', scheduledAt: RESTART_AT } });

    placed[0]!.answer();
    const daemon = await starting;
    expect((await callDaemon(daemon, 'GET', '/health', null)).ok).toBe(true);
  });

  it('refused for a replaced keychain key, leaves the overdue position untouched; the next start with the right key exits it', async () => {
    const keychain = memoryKeychain();
    const { dir, runId } = await installWithOverduePosition(keychain);
    const [id, right] = [...keychain.items.entries()][0]!;
    keychain.items.set(id, randomBytes(32).toString('base64'));

    const clock = new FakeClock(RESTART_AT);
    const lines: string[] = [];
    await expect(start(dir, clock, keychain.open, lines)).rejects.toThrow(/^Tradeclock will not start: .*the keychain item was replaced/);
    expect(journal(dir, runId)).toEqual({ state: 'IN_POSITION', exit: null });
    expect(lines.join('\n')).not.toContain('recovery done');

    keychain.items.set(id, right);
    const daemon = await start(dir, clock, keychain.open);
    await clock.advance(2_000);
    await daemon.engine.idle();
    expect(journal(dir, runId)).toEqual({ state: 'SOLD', exit: { leg: 'SELL', scheduledAt: SELL_AT } });
  });
});
