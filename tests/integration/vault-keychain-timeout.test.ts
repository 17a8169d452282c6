/**
 * A start whose OS keychain never answers (a macOS "allow access" prompt nobody answers, a locked
 * GNOME keyring): the check of the stored broker credentials used to wait for it forever, before
 * recovery and before the API, saying nothing. Now the daemon waits a minute, then refuses to
 * start with a message naming the keychain item and the prompt, and leaves the data directory
 * free for the next start. The real composed daemon (startDaemon) on a real data directory, with
 * an in-memory keychain in place of the OS one, on a fake clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultBrokerKinds } from '../../engine/brokers/broker-kinds';
import { FakeClock } from '../../engine/core/fake-clock';
import { startDaemon, type DaemonHandle } from '../../engine/daemon';
import type { OpenKeychainEntry } from '../../engine/secrets/keychain-key-provider';
import { capturedLogger } from '../support/captured-logger';
import { memoryKeychain, vaultedPaperKind } from '../support/memory-keychain';
import { untilReal } from '../support/wait';
import { callDaemon } from '../support/daemon-call';

const SECRET = 'sk-live-KEYCHAIN-5ecr3t-0xC0FFEE-19';

const dirs: string[] = [];
const handles: DaemonHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(dir: string, clock: FakeClock, keychain: OpenKeychainEntry, lines: string[] = []): Promise<DaemonHandle> {
  const log = capturedLogger();
  return startDaemon({ dataDir: dir, port: 0, staticDir: null, clock, logger: log.logger, keychain, brokerKinds: { ...defaultBrokerKinds(), vaulted: vaultedPaperKind } })
    .then((d) => {
      handles.push(d);
      return d;
    })
    .finally(() => lines.push(...log.lines));
}

describe('a start whose OS keychain never answers', () => {
  it('is refused after a minute, naming the keychain item and the prompt; the next start, with the keychain answering, trades on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradeclock-keychain-timeout-'));
    dirs.push(dir);
    const keychain = memoryKeychain();
    const at = Date.parse('2026-03-09T13:00:00Z');

    // An install whose broker credentials are sealed with the keychain's key.
    const first = await start(dir, new FakeClock(at), keychain.open);
    const { token } = await callDaemon(first, 'POST', '/auth/register', null, { email: 'owner@example.com', password: 'a long password' });
    const account = await callDaemon(first, 'POST', '/broker/connect', token, { broker: 'vaulted', credentials: { api_key: 'PKKEYCHAIN-01', api_secret: SECRET }, options: { seed: 1 } });
    expect(account.id).toEqual(expect.any(Number));
    handles.splice(handles.indexOf(first), 1);
    await first.stop();

    // The keychain stops answering: the start waits, then is refused.
    keychain.state.reads = 'hang';
    keychain.state.count = 0;
    const clock = new FakeClock(at + 3_600_000);
    const lines: string[] = [];
    let outcome: { ok: true } | { ok: false; err: Error } | undefined;
    start(dir, clock, keychain.open, lines).then(
      () => void (outcome = { ok: true }),
      (err: Error) => void (outcome = { ok: false, err }),
    );
    await untilReal(() => keychain.state.count > 0, 'the keychain read');
    await clock.advance(59_000);
    expect(outcome).toBeUndefined();
    await clock.advance(1_000);
    await untilReal(() => outcome !== undefined, 'the start refused');
    expect(outcome).toMatchObject({ ok: false });
    const { message } = (outcome as { err: Error }).err;
    expect(message).toMatch(/^Tradeclock will not start: 1 broker account has saved credentials that cannot be unsealed/);
    expect(message).toMatch(/OS keychain \(tradeclock\/data-key-[\w-]+\), which cannot be read: .*did not answer within 60 s/);
    expect(message).toMatch(/A prompt to allow Tradeclock access to the keychain, or to unlock the keyring, may be waiting on the desktop/);
    expect(message).toMatch(/Key source tried: the OS keychain \(tradeclock\/data-key-[\w-]+\)/);
    expect(message).not.toContain(SECRET);
    expect(lines.join('\n')).toContain('cannot be unsealed');
    expect(lines.join('\n')).not.toContain(SECRET);

    // Answered, the keychain opens the same install: the data directory was left free.
    keychain.state.reads = 'answer';
    const again = await start(dir, new FakeClock(at + 7_200_000), keychain.open);
    expect((await callDaemon(again, 'GET', '/broker', token)).accounts.map((a: { id: number; status: string }) => [a.id, a.status])).toEqual([[account.id, 'connected']]);
  });
});
