import { describe, expect, it } from 'vitest';
import { createQuitCoordinator, type QuitDeps } from './quit-coordinator';

function harness(opts: { confirm?: boolean; stop?: 'ok' | 'fail' | 'hang' } = {}) {
  const log: string[] = [];
  const timers: (() => void)[] = [];
  let resolveConfirm: (ok: boolean) => void = () => {};
  const deps: QuitDeps = {
    confirmQuit: () =>
      opts.confirm === undefined
        ? new Promise<boolean>((r) => (resolveConfirm = r))
        : (log.push('asked'), Promise.resolve(opts.confirm)),
    stopDaemon: () => {
      log.push('stop');
      return opts.stop === 'fail' ? Promise.reject(new Error('db busy')) : opts.stop === 'hang' ? new Promise<void>(() => {}) : Promise.resolve();
    },
    quit: () => {
      log.push('quit');
      // Electron emits before-quit again for app.quit()
      if (!coordinator.beforeQuit()) log.push('exited');
    },
    exit: (code) => log.push(`exit ${code}`),
    setTimer: (fn) => {
      timers.push(fn);
      return { cancel: () => timers.splice(timers.indexOf(fn), 1) };
    },
    onError: (err) => log.push(`error: ${(err as Error).message}`),
  };
  const coordinator = createQuitCoordinator(deps, 1_000);
  return { coordinator, log, timers, answer: (ok: boolean) => resolveConfirm(ok) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('quit coordinator', () => {
  it('asks, stops the engine, then lets the quit through', async () => {
    const h = harness({ confirm: true });
    expect(h.coordinator.beforeQuit()).toBe(true); // prevented: async work first
    expect(h.coordinator.quitting).toBe(false);
    await settle();
    expect(h.log).toEqual(['asked', 'stop', 'quit', 'exited']);
    expect(h.coordinator.quitting).toBe(true);
    expect(h.timers).toEqual([]);
  });

  it('keeps running when the trader says no, and can be asked again', async () => {
    const h = harness();
    expect(h.coordinator.beforeQuit()).toBe(true);
    expect(h.coordinator.beforeQuit()).toBe(true); // a second Cmd+Q while the question is open
    h.answer(false);
    await settle();
    expect(h.log).toEqual([]);
    expect(h.coordinator.quitting).toBe(false);
    expect(h.coordinator.beforeQuit()).toBe(true);
    h.answer(true);
    await settle();
    expect(h.log).toEqual(['stop', 'quit', 'exited']);
  });

  it('does not ask on OS shutdown, even with a question open', async () => {
    const quiet = harness();
    quiet.coordinator.quitWithoutAsking();
    await settle();
    expect(quiet.log).toEqual(['quit', 'stop', 'quit', 'exited']);

    const open = harness();
    open.coordinator.beforeQuit();
    open.coordinator.quitWithoutAsking();
    await settle();
    expect(open.log).toEqual(['stop', 'quit', 'exited']);
    open.answer(false); // the dialog's late answer changes nothing
    await settle();
    expect(open.coordinator.quitting).toBe(true);
  });

  it('exits with an error when the engine fails to stop', async () => {
    const h = harness({ confirm: true, stop: 'fail' });
    h.coordinator.beforeQuit();
    await settle();
    expect(h.log).toEqual(['asked', 'stop', 'error: db busy', 'exit 1']);
  });

  it('exits after the timeout when stopping hangs', async () => {
    const h = harness({ confirm: true, stop: 'hang' });
    h.coordinator.beforeQuit();
    await settle();
    expect(h.timers).toHaveLength(1);
    h.timers[0]!();
    expect(h.log.slice(-2)).toEqual([expect.stringMatching(/did not stop within 1000 ms/), 'exit 1']);
  });
});
