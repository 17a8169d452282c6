/**
 * The shell's seam against the real engine (fake clock, in-memory SQLite, paper broker): the
 * status the tray and the power-save blocker read, the notifications a trading day produces,
 * and the tray's "Stop all" selling an open position.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../tests/support/engine-harness';
import { watchEngine } from './engine-watch';
import type { TraderNotification } from '../engine/notify/notifier';
import { decideClose, powerSaveChange, readShellStatus, type ShellStatus } from './shell-status';
import { stopAll } from './stop-all';

let t: TestEngine;
afterEach(async () => t?.close());

async function until(iso: string): Promise<void> {
  await t.clock.advanceTo(Date.parse(iso));
  await t.engine.idle();
}

function shellWatch() {
  const notes: TraderNotification[] = [];
  const statuses: ShellStatus[] = [];
  const deferred: (() => void)[] = [];
  const watch = watchEngine({
    bus: t.engine.bus,
    notifications: t.engine.notifications,
    readStatus: () => readShellStatus(t.repos),
    onStatus: (s) => statuses.push(s),
    notify: (n) => notes.push(n),
    defer: (fn) => void deferred.push(fn),
    onError: (err) => {
      throw err;
    },
  });
  const flush = () => deferred.splice(0).forEach((fn) => fn());
  return { notes, statuses, watch, flush };
}

describe('the shell on a real engine', () => {
  it('follows a day: armed, bought, stop-loss exit; each fill and the stop-loss notified', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { scripts: { 'NYSE:AAPL': [{ afterMs: 45 * 60_000, price: 94.5 }] } } });
    const shell = shellWatch();
    const s = await t.create({ stop_loss: 95 });
    await t.start(s.id);
    shell.flush();
    expect(shell.statuses.at(-1)).toEqual({ armed: 1, inPosition: 0, ordersInFlight: 0, errors: 0 });
    expect(powerSaveChange(shell.statuses.at(-1)!, false)).toBe('start');
    expect(decideClose({ quitting: false, status: shell.statuses.at(-1)! }).action).toBe('hide');

    await until('2026-03-09T13:30:00Z');
    shell.flush();
    expect(shell.statuses.at(-1)).toMatchObject({ armed: 1, inPosition: 1 });
    expect(shell.notes.map((n) => n.title)).toEqual(['Bought 10 AAPL']);

    await until('2026-03-09T13:45:00Z');
    shell.flush();
    expect(shell.notes.map((n) => n.title)).toEqual(['Bought 10 AAPL', 'Stop-loss hit: AAPL', 'Sold 10 AAPL']);
    expect(shell.notes[2]).toMatchObject({ body: 'Filled at 94.5, by the stop-loss.', urgency: 'critical' });
    const after = readShellStatus(t.repos);
    expect(after).toEqual({ armed: 0, inPosition: 0, ordersInFlight: 0, errors: 0 });
    expect(powerSaveChange(after, true)).toBe('stop');
    expect(decideClose({ quitting: false, status: after })).toEqual({ action: 'close' });
    shell.watch.stop();
  });

  it('"Stop all" stops every running strategy and sells the open position', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const shell = shellWatch();
    const inPosition = await t.create({ symbol: 'AAPL' });
    const waiting = await t.create({ symbol: 'MSFT', buy_time: '10:30:00' });
    await t.start(inPosition.id);
    await t.start(waiting.id);
    await until('2026-03-09T13:30:00Z');
    expect(readShellStatus(t.repos)).toMatchObject({ armed: 2, inPosition: 1 });

    const result = await stopAll(t.engine.manager, t.repos.strategies.listByStatusInternal('running'));
    await until('2026-03-09T13:30:00.001Z');
    shell.flush();

    expect(result.failed).toEqual([]);
    expect([...result.stopped].sort()).toEqual([inPosition.id, waiting.id].sort());
    expect(t.orders(inPosition.id).map((o) => [o.leg, o.status])).toEqual([['BUY', 'filled'], ['MANUAL_EXIT', 'filled']]);
    expect(t.run(waiting.id).state).toBe('STOPPED');
    expect(t.orders(waiting.id)).toEqual([]);
    expect(shell.notes.map((n) => n.title)).toEqual(['Bought 10 AAPL', 'Sold 10 AAPL']);
    expect(shell.notes[1]!.body).toBe('Filled at 100, because you stopped the strategy.');
    expect(shell.statuses.at(-1)).toEqual({ armed: 0, inPosition: 0, ordersInFlight: 0, errors: 0 });
    shell.watch.stop();
  });
});
