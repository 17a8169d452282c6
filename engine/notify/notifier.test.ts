import { describe, expect, it } from 'vitest';
import { EventBus } from '../bus/event-bus';
import type { EngineEvent } from '../core/events';
import { asBrokerAccountId, asOrderId, asRunId, asStrategyId, asUserId } from '../core/ids';
import { Notifier, type TraderNotification } from './notifier';

const base = { userId: asUserId(1), strategyId: asStrategyId(7), runId: asRunId(3), at: 5 };
const fill: EngineEvent = { ...base, type: 'order_filled', orderId: asOrderId(1), leg: 'BUY', filledQty: 5, fillPrice: 10 };
const feedDown: EngineEvent = { userId: base.userId, at: 0, type: 'feed_status', brokerAccountId: asBrokerAccountId(2), state: 'down', detail: 'socket closed' };

function setup(lookup = (): { symbol: string } | undefined => ({ symbol: 'AAPL' })) {
  const bus = new EventBus();
  const deferred: (() => void)[] = [];
  const errors: unknown[] = [];
  let now = 0;
  const notifier = new Notifier({ bus, lookup, orderSide: () => undefined, clock: { now: () => now }, defer: (fn) => void deferred.push(fn), onError: (e) => errors.push(e) });
  const notes: TraderNotification[] = [];
  notifier.onNotification((n) => notes.push(n));
  const flush = () => deferred.splice(0).forEach((fn) => fn());
  return { bus, notifier, notes, errors, flush, tick: (ms: number) => (now += ms), deferred };
}

describe('Notifier', () => {
  it('does no work on the bus: a burst is worked out in one deferred batch', () => {
    let lookups = 0;
    const s = setup(() => (lookups++, { symbol: 'AAPL' }));
    s.bus.publish(fill);
    s.bus.publish({ ...fill, orderId: asOrderId(2) });
    expect(lookups).toBe(0);
    expect(s.notes).toEqual([]);
    expect(s.deferred).toHaveLength(1);
    s.flush();
    expect(s.notes.map((n) => n.title)).toEqual(['Bought 5 AAPL', 'Bought 5 AAPL']);
    expect(s.notes[0]).toMatchObject({ userId: 1, strategyId: 7, event: 'order_filled', at: 5, topic: 'fills', urgency: 'normal' });
  });

  it('lets the same alert through once a minute, for every listener alike', () => {
    const s = setup();
    const other: string[] = [];
    s.notifier.onNotification((n) => other.push(n.title));
    s.bus.publish(feedDown);
    s.bus.publish(feedDown);
    s.flush();
    s.tick(59_999);
    s.bus.publish(feedDown);
    s.flush();
    s.tick(1);
    s.bus.publish(feedDown);
    s.flush();
    expect(s.notes.map((n) => n.title)).toEqual(['Price feed down', 'Price feed down']);
    expect(other).toEqual(['Price feed down', 'Price feed down']);
  });

  it('reports a listener or a lookup that throws, and the others still hear', () => {
    const s = setup();
    const offBad = s.notifier.onNotification(() => {
      throw new Error('listener broke');
    });
    s.bus.publish(fill);
    s.flush();
    expect(s.notes).toHaveLength(1);
    expect(s.errors).toEqual([new Error('listener broke')]);
    offBad();
    const broken = setup(() => {
      throw new Error('database is closed');
    });
    broken.bus.publish(fill);
    broken.bus.publish(feedDown);
    broken.flush();
    expect(broken.errors).toEqual([new Error('database is closed')]);
    expect(broken.notes.map((n) => n.title)).toEqual(['Price feed down']);
  });

  it('works out what is waiting when stopped, and hears nothing after', () => {
    const s = setup();
    s.bus.publish(fill);
    s.notifier.stop();
    expect(s.notes).toHaveLength(1);
    s.bus.publish(feedDown);
    s.flush();
    expect(s.notes).toHaveLength(1);
  });
});
