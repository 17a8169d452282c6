/**
 * A webhook URL is a secret (Slack's and Discord's carry the token in the path, Teams/Power
 * Automate a `sig=` in the query): the channel takes it as `secret.url`, shows its scheme and host
 * only, and no error of the sender names its user, path or query.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { DeliveryError, OutgoingNotification } from '../channel';
import { createWebhookSender, webhookConfig, webhookSecret, webhookUrlHint } from './webhook';

const note: OutgoingNotification = { deliveryId: 1, title: 'Bought 10 AAPL', body: 'Filled at 100.', urgency: 'normal', topic: 'fills', event: 'order_filled', strategyId: 1, at: 0 };
const TOKEN_PATH = '/services/T0ACCT/B0HOOK/tokenInThePath0xA11?sig=sigInTheQuery0xB22';
const SIGNING = 'a-signing-secret-of-16+';

describe('webhook URL', () => {
  it('is shown as its scheme and host only', () => {
    expect(webhookUrlHint('https://hooks.slack.com/services/T0ACCT/B0HOOK/XXXXXXXXXXXXXXXXXXXXXXXX')).toBe('https://hooks.slack.com/…');
    expect(webhookUrlHint('https://discord.com/api/webhooks/1234567890/aBcD-token')).toBe('https://discord.com/…');
    expect(webhookUrlHint('https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGNATURE')).toBe('https://prod-01.westeurope.logic.azure.com/…');
    expect(webhookUrlHint('http://user:password@127.0.0.1:8080/hook?token=t')).toBe('http://127.0.0.1:8080/…');
    expect(webhookUrlHint('not a url')).toBe('…');
  });

  it('is taken as secret.url, checked there, and refused in the plain settings with where it goes now', () => {
    expect(webhookSecret.safeParse({ url: 'ftp://x', signing_secret: SIGNING }).error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['url', 'url must be an http:// or https:// address']]);
    expect(webhookSecret.safeParse({ signing_secret: SIGNING }).success).toBe(false);
    expect(webhookConfig.safeParse({ url: 'https://hooks.slack.com/services/x' }).error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['url', 'url is a secret now: send it as secret.url']]);
    expect(webhookConfig.parse({})).toEqual({});
  });
});

describe('webhook sender errors', () => {
  async function server(handler: Parameters<typeof createServer>[1]) {
    const s = createServer(handler);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return { port: (s.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => s.close(() => resolve())) };
  }
  const failure = (url: string, signal = new AbortController().signal) =>
    createWebhookSender({ secret: { url, signing_secret: SIGNING }, clock: { now: () => 0 } })
      .send(note, signal)
      .then(
        () => null,
        (e: DeliveryError) => e.message,
      );

  it('name the host, never the path or the query', async () => {
    const closed = await server((_req, res) => res.end());
    await closed.close();
    const unreachable = await failure(`http://127.0.0.1:${closed.port}${TOKEN_PATH}`);
    expect(unreachable).toBe(`could not reach 127.0.0.1:${closed.port}`);

    const answering = await server((req, res) => {
      req.resume();
      res.writeHead(req.url?.includes('moved') ? 302 : 404, { location: `http://127.0.0.1${TOKEN_PATH}` }).end();
    });
    const hung = await server(() => undefined);
    try {
      const refused = await failure(`http://127.0.0.1:${answering.port}${TOKEN_PATH}`);
      const redirected = await failure(`http://127.0.0.1:${answering.port}/moved${TOKEN_PATH}`);
      const aborted = new AbortController();
      const late = failure(`http://127.0.0.1:${hung.port}${TOKEN_PATH}`, aborted.signal);
      aborted.abort();
      expect([refused, redirected, await late]).toEqual(['the webhook answered HTTP 404', 'the webhook answered HTTP 302 (redirects are not followed)', 'the webhook did not answer in time']);
      for (const m of [unreachable, refused, redirected]) {
        expect(m).not.toContain('tokenInThePath');
        expect(m).not.toContain('sigInTheQuery');
      }
    } finally {
      await answering.close();
      await hung.close();
    }
  });
});
