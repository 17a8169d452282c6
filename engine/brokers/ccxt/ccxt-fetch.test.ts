import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import { RateBudget } from '../alpaca/rate-budget';
import { callContext, ccxtFetch, retryAfterMs, type CallContext } from './ccxt-fetch';

const clock = new FakeClock(Date.UTC(2026, 11, 7, 12));

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('ccxtFetch', () => {
  it('refuses a URL outside the allowed bases before sending, and says it was not sent', async () => {
    const seen: string[] = [];
    const f = ccxtFetch({ clock, budget: new RateBudget(clock, 5, 1000), allowedPrefixes: ['http://127.0.0.1:1/api/v3'], onRequest: (_m, u) => seen.push(u) });
    const ctx: CallContext = { precedence: 'other' };
    await expect(callContext.run(ctx, () => f('https://api.binance.com/sapi/v1/system/status', {}))).rejects.toThrow("refused to send a request to https://api.binance.com/sapi/v1/system/status: it is none of this account's endpoints");
    await expect(callContext.run(ctx, () => f('http://127.0.0.1:1/api/v30/x', {}))).rejects.toThrow(/none of this account's endpoints/);
    expect(ctx.notSent).toBe(true);
    expect(seen).toEqual([]);
  });

  it('a refused connection was not sent; an answer records its Retry-After', async () => {
    const port = await closedPort();
    const f = ccxtFetch({ clock, budget: new RateBudget(clock, 5, 1000), allowedPrefixes: [`http://127.0.0.1:${port}/api/v3`] });
    const ctx: CallContext = { precedence: 'exit' };
    await expect(callContext.run(ctx, () => f(`http://127.0.0.1:${port}/api/v3/order`, { method: 'POST', body: 'a=1' }))).rejects.toThrow(/fetch failed/);
    expect(ctx.notSent).toBe(true);

    const server = createServer((_req, res) => res.writeHead(429, { 'Retry-After': '7' }).end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const live = (server.address() as AddressInfo).port;
    const g = ccxtFetch({ clock, budget: new RateBudget(clock, 5, 1000), allowedPrefixes: [`http://127.0.0.1:${live}/api/v3`] });
    const answered: CallContext = { precedence: 'entry' };
    const res = await callContext.run(answered, () => g(`http://127.0.0.1:${live}/api/v3/time`, {}));
    expect(res.status).toBe(429);
    expect(answered).toEqual({ precedence: 'entry', notSent: false, retryAfterMs: 7_000 });
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('waits for the budget, and a wait cut short by the abort signal was not sent', async () => {
    const budget = new RateBudget(clock, 1, 60_000);
    await budget.take();
    const f = ccxtFetch({ clock, budget, allowedPrefixes: ['http://127.0.0.1:1/api/v3'] });
    const ctx: CallContext = { precedence: 'other' };
    const abort = new AbortController();
    const pending = callContext.run(ctx, () => f('http://127.0.0.1:1/api/v3/time', { signal: abort.signal }));
    abort.abort();
    await expect(pending).rejects.toThrow();
    expect(ctx.notSent).toBe(true);
  });
});

describe('ccxtFetch: optional work and the reserve for orders', () => {
  it('a burst of optional quotes spends only what the reserve leaves and never waits; the exit after it goes at once', async () => {
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
    try {
      // 5 tokens a minute, 2 kept for orders.
      const budget = new RateBudget(clock, 5, 60_000);
      const f = ccxtFetch({ clock, budget, allowedPrefixes: [base] });
      const quote = async (): Promise<string> => {
        const ctx: CallContext = { precedence: 'other', reserve: 2 };
        try {
          await callContext.run(ctx, () => f(`${base}/ticker/price`, {}));
          return 'sent';
        } catch (err) {
          expect(ctx.notSent).toBe(true);
          return (err as Error).name;
        }
      };
      const burst = await Promise.all(Array.from({ length: 10 }, quote));
      expect(burst.filter((r) => r === 'sent')).toHaveLength(3);
      expect(burst.filter((r) => r === 'BudgetReservedError')).toHaveLength(7);
      expect(budget.available()).toBe(2);
      // No clock moves: the exit's token was there, untouched by the burst.
      const exit = await callContext.run({ precedence: 'exit' }, () => f(`${base}/order`, { method: 'POST', body: 'a=1' }));
      expect(exit.status).toBe(200);
      expect(paths.filter((p) => p === '/api/v3/order')).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, keeps a ban of hours whole, and ignores what is not a wait', () => {
    const now = Date.UTC(2026, 11, 7, 12);
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs('7200', now)).toBe(7_200_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('999999999', now)).toBe(3 * 86_400_000);
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
  });
});
