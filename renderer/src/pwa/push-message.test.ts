import { describe, expect, it } from 'vitest';
import { clickTarget, pushNotification } from './push-message';

const SCOPE = 'https://192.168.1.20:7420/';

describe('pushNotification', () => {
  it("shows the engine's title and body, one tag per delivery, and keeps a critical one up", () => {
    const shown = pushNotification(JSON.stringify({ id: 41, title: 'Stop-loss hit: sold 10 AAPL', body: 'Sold at 95.', urgency: 'critical', topic: 'exits', event: 'stop_loss_triggered', strategy_id: 3, at: 1 }), SCOPE);
    expect(shown).toEqual({
      title: 'Stop-loss hit: sold 10 AAPL',
      options: { body: 'Sold at 95.', tag: 'tradeclock-41', requireInteraction: true, icon: `${SCOPE}icons/icon-192.png`, badge: `${SCOPE}icons/icon-192.png`, data: { url: SCOPE } },
    });
    expect(pushNotification(JSON.stringify({ id: 42, title: 'Bought 10 AAPL', body: 'Filled at 100.', urgency: 'normal' }), SCOPE).options.requireInteraction).toBe(false);
  });

  it('still shows a notification for a message it cannot read (a browser demands one per push)', () => {
    for (const text of [null, '', 'not json', '[1,2]', '42']) {
      const shown = pushNotification(text, SCOPE);
      expect(shown.title).toBe('Tradeclock');
      expect(shown.options.body).toBe('Open Tradeclock for the details.');
      expect(shown.options).not.toHaveProperty('tag');
    }
    expect(pushNotification('{"title":"  ","body":7,"id":1.5}', SCOPE)).toMatchObject({ title: 'Tradeclock', options: { body: '' } });
  });

  it('cuts an overlong title and body', () => {
    const shown = pushNotification(JSON.stringify({ title: 'T'.repeat(300), body: 'B'.repeat(3000) }), SCOPE);
    expect(shown.title).toHaveLength(120);
    expect(shown.title.endsWith('\u2026')).toBe(true);
    expect(shown.options.body).toHaveLength(500);
  });
});

describe('clickTarget', () => {
  it('focuses a window of the app, the focused one first, and opens one when none is open', () => {
    const other = { url: 'https://example.com/', focused: true };
    expect(clickTarget([other, { url: `${SCOPE}#/runs`, focused: false }, { url: SCOPE, focused: true }], SCOPE, SCOPE)).toEqual({ focus: 2 });
    expect(clickTarget([other, { url: `${SCOPE}#/runs`, focused: false }], SCOPE, SCOPE)).toEqual({ focus: 1 });
    expect(clickTarget([other], SCOPE, `${SCOPE}#/runs`)).toEqual({ open: `${SCOPE}#/runs` });
  });

  it('never opens a URL outside the app', () => {
    expect(clickTarget([], SCOPE, 'https://evil.example/')).toEqual({ open: SCOPE });
    expect(clickTarget([], SCOPE, undefined)).toEqual({ open: SCOPE });
  });
});
