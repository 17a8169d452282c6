import { describe, expect, it } from 'vitest';
import type { NotifyDeliveryDto } from '../../lib/api-types';
import { deliveryLine } from './delivery-log';

const at = Date.UTC(2026, 11, 7, 8, 30, 5);
const row = (over: Partial<NotifyDeliveryDto>): NotifyDeliveryDto => ({
  id: 1,
  topic: 'fills',
  title: 'Bought 10 AAPL',
  state: 'sent',
  attempts: 1,
  next_attempt_at: at,
  last_error: null,
  created_at: at,
  updated_at: at,
  ...over,
});

describe('deliveryLine', () => {
  it("reads the time on the trader's clock, with the place, and the topic in words", () => {
    expect(deliveryLine(row({}), 'Europe/Berlin')).toEqual({ when: 'Mon 7 Dec 09:30:05 Berlin', topic: 'Fills', title: 'Bought 10 AAPL', status: 'Delivered', tone: 'ok', error: null });
    expect(deliveryLine(row({ topic: 'test' }), 'Asia/Kolkata')).toMatchObject({ when: 'Mon 7 Dec 14:00:05 Kolkata', topic: 'Test' });
  });

  it('says a retry is coming, after how many failed attempts and when, with the last error', () => {
    const next = at + 90_000;
    expect(deliveryLine(row({ state: 'pending', attempts: 2, next_attempt_at: next, last_error: 'the webhook answered HTTP 503' }), 'America/New_York')).toMatchObject({
      status: 'Retrying: 2 attempts failed, next try Mon 7 Dec 03:31:35 New York',
      tone: 'info',
      error: 'the webhook answered HTTP 503',
    });
    expect(deliveryLine(row({ state: 'pending', attempts: 0 }), 'UTC').status).toBe('Queued, due Mon 7 Dec 08:30:05 UTC');
    expect(deliveryLine(row({ state: 'sending', attempts: 1 }), 'UTC').status).toBe('Sending (attempt 2)');
  });

  it('tells a failure from a late success, counting the attempts', () => {
    expect(deliveryLine(row({ state: 'failed', attempts: 1, last_error: 'the webhook answered HTTP 500' }), 'UTC')).toMatchObject({ status: 'Failed after 1 attempt', tone: 'bad', error: 'the webhook answered HTTP 500' });
    expect(deliveryLine(row({ state: 'failed', attempts: 5 }), 'UTC').status).toBe('Failed after 5 attempts');
    expect(deliveryLine(row({ state: 'sent', attempts: 3, last_error: 'timed out' }), 'UTC')).toMatchObject({ status: 'Delivered at attempt 3', tone: 'ok', error: 'timed out' });
  });
});
