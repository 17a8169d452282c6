/**
 * The Telegram channel end to end, against a loopback Bot API fake: a fill reaches the
 * allow-listed chat; commands from that chat are answered; a command from another chat is ignored
 * and logged without its text; the kill switch needs its one-time code within 60 s; a revoked
 * token makes the channel failing (send test and polling), never a crash.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeBotApi, type FakeBotApi } from '../fakes/telegram/fake-bot-api';
import { startApiHarness, type ApiHarness } from '../support/api-harness';
import { untilReal } from '../support/wait';

const TOKEN = '7100200300:AAHtradeclockTESTtoken_0123456789abc';
const TRADER_CHAT = 4242;
const STRANGER_CHAT = 9999;

let h: ApiHarness;
let bot: FakeBotApi;
afterEach(async () => {
  await h?.close();
  await bot?.close();
});

async function setup(commands = true) {
  bot = await startFakeBotApi([TOKEN]);
  h = await startApiHarness({ telegramApiRoot: bot.apiRoot, logLevel: 'info', pollTimeoutS: 5 });
  const { token } = await h.register();
  const created = await h.call('POST', '/notify/channels', {
    token,
    body: { kind: 'telegram', label: 'Phone', config: { chat_ids: [TRADER_CHAT], commands }, secret: { bot_token: TOKEN } },
  });
  expect(created.status).toBe(201);
  return { token, channelId: created.body.id as number };
}

const repliesTo = (chatId: number) => bot.sent.filter((m) => m.chatId === chatId).map((m) => m.text);

describe('Telegram channel', () => {
  it('sends a test and every fill to the allow-listed chat, and says so in the API', async () => {
    const { token, channelId } = await setup(false);
    const test = await h.call('POST', `/notify/channels/${channelId}/test`, { token });
    expect(test.body).toEqual({ delivered: true, error: null });
    expect(repliesTo(TRADER_CHAT)).toEqual(['Test from Tradeclock\nThe Phone channel works: notifications will arrive here.']);

    const account = await h.connectPaper(token);
    const strategy = (await h.createStrategy(token, account)).body.id as number;
    await h.call('POST', '/strategy/start', { token, body: { strategy_id: strategy } });
    await h.advanceTo('2026-03-09T13:05:00Z');
    await untilReal(() => repliesTo(TRADER_CHAT).length === 2, 'the fill on Telegram');
    expect(repliesTo(TRADER_CHAT)[1]).toBe('Bought 10 AAPL\nFilled at 100.');
    await h.notify.idle();
    const list = await h.call('GET', '/notify/channels', { token });
    expect(list.body.channels[0]).toMatchObject({ id: channelId, kind: 'telegram', status: 'ok', failure_streak: 0, config: { chat_ids: [TRADER_CHAT], commands: false }, secret_masked: { bot_token: '71…bc' } });
    const log = await h.call('GET', `/notify/channels/${channelId}/deliveries`, { token });
    expect(log.body.deliveries.map((d: { title: string; state: string }) => [d.title, d.state])).toEqual([
      ['Bought 10 AAPL', 'sent'],
      ['Test from Tradeclock', 'sent'],
    ]);
  });

  it('answers commands from the allow-listed chat only, and logs a stranger without the text', async () => {
    await setup();
    bot.say(TOKEN, STRANGER_CHAT, '/stopall secret-words-from-a-stranger');
    bot.say(TOKEN, TRADER_CHAT, '/status');
    await untilReal(() => repliesTo(TRADER_CHAT).length === 1, 'the answer to /status');
    expect(repliesTo(TRADER_CHAT)).toEqual(['0 strategies running, 0 positions open.']);
    expect(repliesTo(STRANGER_CHAT)).toEqual([]);
    const ignored = h.logLines.filter((l) => l.includes('not on the allow-list'));
    expect(ignored).toHaveLength(1);
    expect(JSON.parse(ignored[0]!)).toMatchObject({ chatId: STRANGER_CHAT });
    expect(h.logLines.join('\n')).not.toContain('secret-words-from-a-stranger');
    expect(h.logLines.join('\n')).not.toContain(TOKEN);
  });

  it('stops a strategy on /stop <id>, and the kill switch only with its code within 60 s', async () => {
    const { token } = await setup();
    const account = await h.connectPaper(token);
    const a = (await h.createStrategy(token, account)).body.id as number;
    const b = (await h.createStrategy(token, account, { symbol: 'MSFT' })).body.id as number;
    for (const id of [a, b]) await h.call('POST', '/strategy/start', { token, body: { strategy_id: id } });
    await h.advanceTo('2026-03-09T13:05:00Z');
    // The chat also gets the notifications of the fills; these are the answers.
    const answers = () => repliesTo(TRADER_CHAT).filter((t) => !/^(Bought|Sold|\u203c)/.test(t));
    const says = async (text: string, count: number) => {
      bot.say(TOKEN, TRADER_CHAT, text);
      await untilReal(() => answers().length === count, `the answer to ${text}`);
      return answers().at(-1)!;
    };
    expect(await says('/positions', 1)).toBe(`#${a} AAPL: 10 at 100 (IN_POSITION)\n#${b} MSFT: 10 at 100 (IN_POSITION)`);
    expect(await says(`/stop ${b}`, 2)).toBe(`Stopped #${b} MSFT. Its position is being closed at market.`);
    expect(await says('/stop 999', 3)).toBe('You have no strategy #999.');
    await h.advanceTo('2026-03-09T13:05:05Z');

    const ask = await says('/stopall', 4);
    expect(ask).toMatch(/^Kill switch: this stops 1 running strategy and closes 1 open position at market\. To go ahead, send \/confirm \d{6} within 60 s\.$/);
    const code = /\/confirm (\d{6})/.exec(ask)![1]!;
    await h.clock.advance(61_000);
    expect(await says(`/confirm ${code}`, 5)).toMatch(/^No kill switch is waiting/);
    const again = /\/confirm (\d{6})/.exec(await says('/stopall', 6))![1]!;
    expect(await says('/confirm 000000', 7)).toMatch(/^No kill switch is waiting/);
    expect(await says(`/confirm ${again}`, 8)).toMatch(/^No kill switch is waiting/);
    expect((await h.call('GET', `/strategy/${a}`, { token })).body.status).toBe('running');
    const last = /\/confirm (\d{6})/.exec(await says('/stopall', 9))![1]!;
    expect(await says(`/confirm ${last}`, 10)).toBe('Kill switch: stopped 1 strategy; open positions are being closed at market.');
    await h.advanceTo('2026-03-09T13:06:10Z');
    expect((await h.call('GET', `/strategy/${a}`, { token })).body).toMatchObject({ status: 'stopped', runtime: { position_qty: 0 } });
  });

  it('shows a revoked token as a failing channel, from send test and from polling, without a crash', async () => {
    const { token, channelId } = await setup();
    bot.revoke(TOKEN);
    const test = await h.call('POST', `/notify/channels/${channelId}/test`, { token });
    expect(test.body).toEqual({ delivered: false, error: expect.stringContaining('Telegram refused sendMessage: 401 Unauthorized') });
    await untilReal(() => h.repos.notifyChannels.getInternal(channelId)!.failureStreak >= 2, 'the poller to fail');
    await h.call('POST', `/notify/channels/${channelId}/test`, { token });
    const ch = (await h.call('GET', '/notify/channels', { token })).body.channels[0];
    expect(ch).toMatchObject({ status: 'failing', last_error: expect.stringContaining('401') });
    expect(h.received.join('\n')).not.toContain(TOKEN);
    // Polling waits on the clock after a 401, instead of asking again at once.
    const polls = bot.calls.filter((c) => c.method === 'getUpdates').length;
    await new Promise((r) => setTimeout(r, 200));
    expect(bot.calls.filter((c) => c.method === 'getUpdates').length).toBe(polls);
  });
});
