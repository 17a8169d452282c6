import { afterEach, describe, expect, it } from 'vitest';
import { joinTabs, type TabSession } from './tab-session';

// Node's BroadcastChannel delivers between instances of one process as a browser does between tabs.
const open: TabSession[] = [];
let n = 0;
const channelName = () => `tradeclock.session.test-${++n}`;
const tab = (name: string, token: string | null, onSignedOut: () => void = () => undefined): TabSession => {
  const t = joinTabs(name, { current: () => token, onSignedOut });
  open.push(t);
  return t;
};
afterEach(() => {
  for (const t of open.splice(0)) t.close();
});

describe('joinTabs', () => {
  it("gives a new tab the token of a signed-in tab of the same channel, and nothing to another channel's", async () => {
    const name = channelName();
    tab(name, 'token-of-tab-1');
    tab(name, null);
    tab(channelName(), 'token-elsewhere');
    expect(await tab(name, null).ask(1_000)).toBe('token-of-tab-1');
  });

  it('answers null when no tab is signed in', async () => {
    const name = channelName();
    tab(name, null);
    expect(await tab(name, null).ask(30)).toBeNull();
  });

  it('signs out every other tab when one signs out', async () => {
    const name = channelName();
    const signedOut: string[] = [];
    tab(name, 'a', () => signedOut.push('a'));
    tab(name, 'b', () => signedOut.push('b'));
    const leaving = tab(name, 'c', () => signedOut.push('c'));
    leaving.announceSignedOut();
    await expect.poll(() => [...signedOut].sort()).toEqual(['a', 'b']);
  });

  it('ignores messages that are not its own shape', async () => {
    const name = channelName();
    const signedOut: string[] = [];
    tab(name, 'a', () => signedOut.push('a'));
    const stranger = new BroadcastChannel(name);
    stranger.postMessage({ type: 'token', token: '' });
    stranger.postMessage('signed-out');
    const asker = tab(name, null);
    stranger.postMessage({ type: 'token', token: 42 });
    expect(await asker.ask(1_000)).toBe('a');
    stranger.close();
    expect(signedOut).toEqual([]);
  });
});
