import { describe, expect, it } from 'vitest';
import { EventBus } from '../engine/bus/event-bus';
import type { EngineEvent } from '../engine/core/events';
import { asBrokerAccountId, asOrderId, asRunId, asStrategyId, asUserId } from '../engine/core/ids';
import { Notifier, type TraderNotification } from '../engine/notify/notifier';
import { watchEngine } from './engine-watch';
import type { ShellStatus } from './shell-status';

const base = { userId: asUserId(1), strategyId: asStrategyId(7), runId: asRunId(3), at: 0 };
const fill: EngineEvent = { ...base, type: 'order_filled', orderId: asOrderId(1), leg: 'BUY', filledQty: 5, fillPrice: 10 };
const feedDown: EngineEvent = { userId: base.userId, at: 0, type: 'feed_status', brokerAccountId: asBrokerAccountId(2), state: 'down', detail: 'socket closed' };

function setup() {
  const bus = new EventBus();
  const notes: TraderNotification[] = [];
  const statuses: ShellStatus[] = [];
  const deferred: (() => void)[] = [];
  let reads = 0;
  let now = 0;
  // The engine's notifier, its batch worked out at once.
  const notifications = new Notifier({ bus, lookup: () => ({ symbol: 'AAPL' }), orderSide: () => undefined, clock: { now: () => now }, defer: (fn) => fn(), onError: () => {} });
  const watch = watchEngine({
    bus,
    notifications,
    readStatus: () => ({ armed: ++reads, inPosition: 0, ordersInFlight: 0, errors: 0 }),
    onStatus: (s) => statuses.push(s),
    notify: (n) => notes.push(n),
    defer: (fn) => void deferred.push(fn),
    onError: () => {},
  });
  return { bus, notes, statuses, deferred, watch, reads: () => reads, tick: (ms: number) => (now += ms) };
}

describe('watchEngine', () => {
  it('coalesces a burst of events into one status read', () => {
    const s = setup();
    s.bus.publish(fill);
    s.bus.publish({ ...base, type: 'run_state_changed', from: 'BUYING', to: 'IN_POSITION', reason: null });
    expect(s.deferred).toHaveLength(1);
    s.deferred.shift()!();
    expect(s.reads()).toBe(1);
    s.bus.publish(fill);
    expect(s.deferred).toHaveLength(1);
  });

  it('notifies at once, and a repeating alert once a minute', () => {
    const s = setup();
    s.bus.publish(fill);
    s.bus.publish(feedDown);
    s.bus.publish(feedDown);
    s.tick(60_000);
    s.bus.publish(feedDown);
    expect(s.notes.map((n) => n.title)).toEqual(['Bought 5 AAPL', 'Price feed down', 'Price feed down']);
  });

  it('stops listening when stopped', () => {
    const s = setup();
    s.watch.refresh();
    s.watch.stop();
    s.bus.publish(fill);
    s.watch.refresh();
    expect(s.notes).toEqual([]);
    expect(s.statuses).toHaveLength(1);
  });

  it('reports a failed status read instead of throwing into the bus', () => {
    const errors: unknown[] = [];
    const bus = new EventBus();
    const watch = watchEngine({
      bus,
      notifications: new Notifier({ bus, lookup: () => undefined, orderSide: () => undefined, clock: { now: () => 0 }, defer: (fn) => fn(), onError: () => {} }),
      readStatus: () => {
        throw new Error('database is closed');
      },
      onStatus: () => {},
      notify: () => {},
      defer: (fn) => fn(),
      onError: (e) => errors.push(e),
    });
    watch.refresh();
    expect(errors).toEqual([new Error('database is closed')]);
  });
});
