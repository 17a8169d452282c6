import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import { alpacaBrokerKind } from './index';

describe('alpacaBrokerKind', () => {
  const kind = alpacaBrokerKind();

  it('describes what the connect form needs', () => {
    expect(kind.needsSecret).toBe(true);
    expect(kind.credentialsSchema.safeParse({ key_id: 'PK1', secret_key: 's' }).success).toBe(true);
    expect(kind.credentialsSchema.safeParse({ key_id: 'PK1' }).success).toBe(false);
    expect(kind.optionsSchema.parse({})).toEqual({ paper: true, feed: 'iex' });
    expect(kind.optionsSchema.safeParse({ feed: 'sip', paper: false }).success).toBe(true);
    expect(kind.optionsSchema.safeParse({ bogus: 1 }).success).toBe(false);
  });

  it('creates brokers that share one request budget per key id', async () => {
    const clock = new FakeClock(0);
    // Every endpoint is a closed local port: a request that is sent fails, one that is skipped resolves.
    const nowhere = { rest_url: 'http://127.0.0.1:1' };
    const a = kind.create({ clock, credentials: { key_id: 'PK1', secret_key: 's' }, options: nowhere });
    const b = kind.create({ clock, credentials: { key_id: 'PK1', secret_key: 's' }, options: nowhere });
    const other = kind.create({ clock, credentials: { key_id: 'PK2', secret_key: 's' }, options: nowhere });
    expect(a.capabilities).toMatchObject({ kind: 'alpaca', exchanges: ['NYSE', 'NASDAQ'], rejectsDuplicateClientOrderId: true, clientOrderIdMaxLength: 48, ordersPerMinute: 200, fractionalQty: false });
    // Spend PK1's budget through `a` (each failing request still counts): `b` sees it, PK2 does not.
    await Promise.all(Array.from({ length: 181 }, () => a.execution.warm!().catch(() => {})));
    await expect(b.execution.warm!()).resolves.toBeUndefined(); // skipped: only the orders' reserve is left
    await expect(other.execution.warm!()).rejects.toMatchObject({ code: 'unavailable' }); // sent: its own budget
    await Promise.all([a.stop(), b.stop(), other.stop()]);
  });
});
