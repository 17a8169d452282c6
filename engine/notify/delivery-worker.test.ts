import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openTestDb, type TestDb } from '../../db/test-support';
import type { NotifyChannel } from '../../db/repos';
import { FakeClock } from '../core/fake-clock';
import { asStrategyId, asUserId, type UserId } from '../core/ids';
import { DeliveryError, type ChannelSender, type OutgoingNotification } from './channel';
import { DeliveryWorker, FAILING_AFTER, MAX_RETRY_AFTER_MS, retryDelayMs } from './delivery-worker';
import type { TraderNotification } from './notifier';

let t: TestDb;
afterEach(() => t?.close());

const note = (userId: UserId, title: string, topic: TraderNotification['topic'] = 'fills'): TraderNotification => ({
  title,
  body: 'Filled at 10.',
  urgency: 'normal',
  key: title,
  topic,
  userId,
  strategyId: asStrategyId(7),
  event: 'order_filled',
  at: 1,
});

/** A sender the test drives: each send waits for the test's answer unless `answer` says at once. */
function scriptedSender(answer?: (n: OutgoingNotification) => Error | null) {
  const sent: OutgoingNotification[] = [];
  const waiting: Array<{ n: OutgoingNotification; resolve: () => void; reject: (e: Error) => void }> = [];
  const sender: ChannelSender = {
    send: (n) =>
      new Promise<void>((resolve, reject) => {
        sent.push(n);
        if (!answer) return void waiting.push({ n, resolve, reject });
        const err = answer(n);
        if (err) reject(err);
        else resolve();
      }),
    close() {},
  };
  return { sender, sent, waiting };
}

function setup(senders: Record<string, ChannelSender>, options = {}) {
  t = openTestDb();
  const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
  const user = t.repos.users.create({ email: 'a@example.com', passwordHash: 'x', createdAt: 0 }).id;
  const channel = (label: string, topics = ['fills', 'exits', 'errors']) =>
    t.repos.notifyChannels.create({ userId: user, kind: 'webhook', label, enabled: true, topics, config: {} }, clock.now());
  const worker = new DeliveryWorker({
    repos: t.repos,
    clock,
    logger: pino({ level: 'silent' }),
    senderOf: async (c: NotifyChannel) => ({ sender: senders[c.label]!, secrets: ['s3cr3t-value'] }),
    onGone: (c: NotifyChannel) => void t.repos.notifyChannels.delete(c.userId, c.id),
    options,
  });
  const rows = () => t.db.sqlite.prepare('SELECT channel_id, state, attempts, next_attempt_at, last_error FROM notify_deliveries ORDER BY id').all() as Array<{ channel_id: number; state: string; attempts: number; next_attempt_at: number; last_error: string | null }>;
  return { clock, user, channel, worker, rows };
}

describe('DeliveryWorker', () => {
  it('queues a notification once per enabled channel that takes its topic, and sends it', async () => {
    const a = scriptedSender(() => null);
    const b = scriptedSender(() => null);
    const s = setup({ a: a.sender, b: b.sender, c: scriptedSender(() => null).sender });
    s.channel('a');
    s.channel('b', ['errors']);
    const off = s.channel('c');
    t.repos.notifyChannels.update(s.user, off.id, { enabled: false }, 0);
    s.worker.start();
    expect(s.worker.enqueue(note(s.user, 'Bought 5 AAPL'))).toBe(1);
    expect(s.worker.enqueue(note(s.user, 'Price feed down', 'errors'))).toBe(2);
    await s.worker.idle();
    await s.clock.advance(0);
    await s.worker.idle();
    expect(a.sent.map((n) => n.title)).toEqual(['Bought 5 AAPL', 'Price feed down']);
    expect(b.sent.map((n) => n.title)).toEqual(['Price feed down']);
    expect(s.rows().map((r) => r.state)).toEqual(['sent', 'sent', 'sent']);
    expect(t.repos.notifyChannels.getInternal(1)).toMatchObject({ failureStreak: 0, lastError: null, lastSuccessAt: s.clock.now() });
  });

  it('retries a failure with backoff on the clock, shows the channel failing after 3 in a row, and clears it on a success', async () => {
    let fail = true;
    const a = scriptedSender(() => (fail ? new DeliveryError('the webhook answered HTTP 503') : null));
    const s = setup({ a: a.sender });
    const ch = s.channel('a');
    s.worker.start();
    s.worker.enqueue(note(s.user, 'Bought 5 AAPL'));
    await s.worker.idle();
    expect(s.rows()[0]).toMatchObject({ state: 'pending', attempts: 1, next_attempt_at: s.clock.now() + 5_000, last_error: 'the webhook answered HTTP 503' });
    await s.clock.advance(4_999);
    expect(a.sent).toHaveLength(1);
    await s.clock.advance(1);
    await s.worker.idle();
    expect(a.sent).toHaveLength(2);
    expect(s.rows()[0]).toMatchObject({ attempts: 2, next_attempt_at: s.clock.now() + 10_000 });
    expect(t.repos.notifyChannels.getInternal(ch.id)!.failureStreak).toBe(2);
    await s.clock.advance(10_000);
    await s.worker.idle();
    expect(t.repos.notifyChannels.getInternal(ch.id)!.failureStreak).toBe(FAILING_AFTER);
    fail = false;
    await s.clock.advance(20_000);
    await s.worker.idle();
    expect(s.rows()[0]).toMatchObject({ state: 'sent', attempts: 4 });
    expect(t.repos.notifyChannels.getInternal(ch.id)).toMatchObject({ failureStreak: 0, lastError: null });
    expect([1, 2, 3, 8, 20].map((n) => retryDelayMs(n))).toEqual([5_000, 10_000, 20_000, 600_000, 600_000]);
  });

  it('ends a delivery at once on a refusal that will repeat, and gives up after the last attempt', async () => {
    const a = scriptedSender((n) => new DeliveryError(n.title === 'bad token' ? 'Telegram refused sendMessage: 401 Unauthorized' : 'could not reach it', n.title === 'bad token'));
    const s = setup({ a: a.sender }, { maxAttempts: 3 });
    s.channel('a');
    s.worker.start();
    s.worker.enqueue(note(s.user, 'bad token'));
    await s.worker.idle();
    expect(s.rows()[0]).toMatchObject({ state: 'failed', attempts: 1, last_error: 'Telegram refused sendMessage: 401 Unauthorized' });
    s.worker.enqueue(note(s.user, 'network'));
    await s.clock.advance(60_000);
    await s.worker.idle();
    expect(s.rows()[1]).toMatchObject({ state: 'failed', attempts: 3 });
    expect(a.sent.map((n) => n.title)).toEqual(['bad token', 'network', 'network', 'network']);
  });

  it('cuts a hung attempt at the timeout and retries it; the other channels are not held up', async () => {
    const hung = scriptedSender();
    const fine = scriptedSender(() => null);
    const s = setup({ hung: hung.sender, fine: fine.sender }, { timeoutMs: 15_000 });
    s.channel('hung');
    s.channel('fine');
    s.worker.start();
    s.worker.enqueue(note(s.user, 'Bought 5 AAPL'));
    s.worker.enqueue(note(s.user, 'Sold 5 AAPL'));
    await s.clock.advance(0);
    expect(fine.sent.map((n) => n.title)).toEqual(['Bought 5 AAPL', 'Sold 5 AAPL']);
    // One at a time per channel: the second waits behind the hung first.
    expect(hung.sent.map((n) => n.title)).toEqual(['Bought 5 AAPL']);
    await s.clock.advance(15_000);
    expect(s.rows()[0]).toMatchObject({ state: 'pending', attempts: 1, last_error: 'no answer within 15 s' });
    expect(hung.sent.map((n) => n.title)).toEqual(['Bought 5 AAPL', 'Sold 5 AAPL']);
    await s.worker.stop();
  });

  it('never keeps a secret in an error, and sends again at start what a stop cut short', async () => {
    const a = scriptedSender(() => new Error('POST https://example.com/hook?key=s3cr3t-value failed'));
    const s = setup({ a: a.sender });
    s.channel('a');
    s.worker.start();
    s.worker.enqueue(note(s.user, 'Bought 5 AAPL'));
    await s.worker.idle();
    expect(s.rows()[0]!.last_error).toBe('POST https://example.com/hook?key=[secret] failed');
    const hung = scriptedSender();
    const s2 = setup({ a: hung.sender });
    s2.channel('a');
    s2.worker.start();
    s2.worker.enqueue(note(s2.user, 'Bought 5 AAPL'));
    await s2.clock.advance(0);
    await s2.worker.stop();
    expect(s2.rows()[0]).toMatchObject({ state: 'sending' });
    s2.worker.start();
    await s2.clock.advance(0);
    expect(hung.sent).toHaveLength(2);
    await s2.worker.stop();
  });

  it('waits at least as long as a Retry-After asked (capped at an hour) before the next attempt', async () => {
    const waits = [120_000, 2, 10 * MAX_RETRY_AFTER_MS];
    const a = scriptedSender(() => (waits.length > 0 ? new DeliveryError('the push service answered HTTP 429', false, { retryAfterMs: waits.shift()! }) : null));
    const s = setup({ a: a.sender });
    s.channel('a');
    s.worker.start();
    s.worker.enqueue(note(s.user, 'Bought 5 AAPL'));
    await s.worker.idle();
    expect(s.rows()[0]).toMatchObject({ state: 'pending', attempts: 1, next_attempt_at: s.clock.now() + 120_000 });
    await s.clock.advance(119_999);
    expect(a.sent).toHaveLength(1);
    await s.clock.advance(1);
    await s.worker.idle();
    // A Retry-After shorter than the backoff does not hurry the retry.
    expect(s.rows()[0]).toMatchObject({ attempts: 2, next_attempt_at: s.clock.now() + 10_000 });
    await s.clock.advance(10_000);
    await s.worker.idle();
    expect(s.rows()[0]).toMatchObject({ attempts: 3, next_attempt_at: s.clock.now() + MAX_RETRY_AFTER_MS });
    await s.clock.advance(MAX_RETRY_AFTER_MS);
    await s.worker.idle();
    expect(s.rows()[0]).toMatchObject({ state: 'sent', attempts: 4 });
  });

  it('removes a channel whose destination is gone, with its queued deliveries, and sends the other channels on', async () => {
    const gone = scriptedSender(() => new DeliveryError('the push service answered HTTP 410: the subscription is gone', true, { gone: true }));
    const fine = scriptedSender(() => null);
    const s = setup({ gone: gone.sender, fine: fine.sender });
    const g = s.channel('gone');
    s.channel('fine');
    s.worker.start();
    s.worker.enqueue(note(s.user, 'Bought 5 AAPL'));
    s.worker.enqueue(note(s.user, 'Sold 5 AAPL'));
    await s.worker.idle();
    await s.clock.advance(0);
    await s.worker.idle();
    expect(gone.sent.map((n) => n.title)).toEqual(['Bought 5 AAPL']);
    expect(fine.sent.map((n) => n.title)).toEqual(['Bought 5 AAPL', 'Sold 5 AAPL']);
    expect(t.repos.notifyChannels.getInternal(g.id)).toBeUndefined();
    expect(s.rows().map((r) => r.state)).toEqual(['sent', 'sent']);
  });
});
