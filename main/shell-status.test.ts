import { describe, expect, it } from 'vitest';
import type { RunState } from '../engine/core/types';
import { decideClose, isBusy, powerSaveChange, quitPrompt, readShellStatus, trayStatusText, type ShellStatus } from './shell-status';

const idle: ShellStatus = { armed: 0, inPosition: 0, ordersInFlight: 0, errors: 0 };
const armed = (n: number, more: Partial<ShellStatus> = {}): ShellStatus => ({ ...idle, armed: n, ...more });

describe('readShellStatus', () => {
  it('counts running strategies, open positions, orders in flight and errors', () => {
    const runs = (rows: [RunState, number][]) => rows.map(([state, positionQty]) => ({ state, positionQty }));
    const status = readShellStatus({
      strategies: { listByStatusInternal: (s) => (s === 'running' ? [1, 2, 3] : []) },
      runs: { listNonTerminalInternal: () => runs([['ARMED', 0], ['IN_POSITION', 10], ['EXITING', 10], ['BUYING', 0], ['ERROR', 5]]) },
    });
    expect(status).toEqual({ armed: 3, inPosition: 3, ordersInFlight: 2, errors: 1 });
  });
});

describe('trayStatusText', () => {
  it.each([
    [idle, 'Tradeclock: nothing armed'],
    [armed(1), 'Tradeclock: 1 strategy armed'],
    [armed(2, { inPosition: 1 }), 'Tradeclock: 2 strategies armed, 1 in position'],
    [armed(0, { ordersInFlight: 1, errors: 2 }), 'Tradeclock: nothing armed, 1 order in flight, 2 errors'],
  ])('%j → %s', (status, text) => {
    expect(trayStatusText(status)).toBe(text);
  });
});

describe('closing the window', () => {
  it('closes (and so quits) when nothing is armed', () => {
    expect(decideClose({ quitting: false, status: idle })).toEqual({ action: 'close' });
  });

  it('hides to the tray while strategies are armed, and says so', () => {
    const d = decideClose({ quitting: false, status: armed(2) });
    expect(d.action).toBe('hide');
    if (d.action !== 'hide') return;
    expect(d.notice.title).toBe('Tradeclock is still running');
    expect(d.notice.body).toMatch(/^2 strategies are armed, so Tradeclock keeps trading in the background\./);
    expect(d.notice.body).toMatch(/tray/);
  });

  it('hides while an order is in flight even after its strategy was stopped', () => {
    const d = decideClose({ quitting: false, status: { ...idle, ordersInFlight: 1 } });
    expect(d.action === 'hide' && d.notice.body.startsWith('An order is still in flight')).toBe(true);
  });

  it('closes when the trader is quitting, armed or not', () => {
    expect(decideClose({ quitting: true, status: armed(3) })).toEqual({ action: 'close' });
  });
});

describe('power-save blocker', () => {
  it('starts when something gets armed and stops when nothing is', () => {
    expect(powerSaveChange(armed(1), false)).toBe('start');
    expect(powerSaveChange(armed(1), true)).toBeNull();
    expect(powerSaveChange(idle, true)).toBe('stop');
    expect(powerSaveChange(idle, false)).toBeNull();
    expect(powerSaveChange({ ...idle, ordersInFlight: 1 }, false)).toBe('start');
  });

  it('counts errors and open positions of stopped strategies as not busy', () => {
    expect(isBusy({ ...idle, errors: 1, inPosition: 1 })).toBe(false);
  });
});

describe('quitPrompt', () => {
  it('asks nothing when quitting loses nothing', () => {
    expect(quitPrompt(idle)).toBeNull();
  });

  it('says what quitting now means', () => {
    const p = quitPrompt(armed(2, { inPosition: 1 }))!;
    expect(p.message).toBe('Quit Tradeclock?');
    expect(p.detail).toContain('2 strategies are armed and will not trigger while Tradeclock is closed.');
    expect(p.detail).toContain('1 position is open and will not be protected by the stop-loss.');
    expect(p.detail).toContain('past its SELL time is sold at once');
  });
});
