/**
 * What the shell needs to know about the engine, as one small value, and the decisions made from
 * it: the tray's status line, whether closing the window hides it to the tray, whether the OS is
 * kept from suspending the app, what to ask before quitting.
 */
import type { Run, RunState, StrategyStatus } from '../engine/core/types';

export interface ShellStatus {
  /** Strategies the trader has STARTed and not stopped: each waits for a BUY, a SELL or a stop-loss. */
  readonly armed: number;
  /** Runs holding a position right now. */
  readonly inPosition: number;
  /** Runs with an order at the broker whose answer is still due (BUYING, EXITING). */
  readonly ordersInFlight: number;
  /** Runs in ERROR: they need the trader. */
  readonly errors: number;
}

/** The part of the repositories the status is read from (engine.ctx.repos satisfies it). */
export interface StatusSource {
  readonly strategies: { listByStatusInternal(status: StrategyStatus): readonly unknown[] };
  readonly runs: { listNonTerminalInternal(): readonly Pick<Run, 'state' | 'positionQty'>[] };
}

const IN_FLIGHT: ReadonlySet<RunState> = new Set(['BUYING', 'EXITING']);

export function readShellStatus(source: StatusSource): ShellStatus {
  const runs = source.runs.listNonTerminalInternal();
  return {
    armed: source.strategies.listByStatusInternal('running').length,
    inPosition: runs.filter((r) => r.positionQty > 0).length,
    ordersInFlight: runs.filter((r) => IN_FLIGHT.has(r.state)).length,
    errors: runs.filter((r) => r.state === 'ERROR').length,
  };
}

/**
 * True while quitting would leave work undone: an armed strategy would miss its trigger, an order
 * in flight would be answered to nobody until the next launch.
 */
export function isBusy(s: ShellStatus): boolean {
  return s.armed > 0 || s.ordersInFlight > 0;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The tray's status line (tooltip and the first, disabled menu item).
 *
 * @example
 * trayStatusText({ armed: 2, inPosition: 1, ordersInFlight: 0, errors: 0 }) // 'Tradeclock: 2 strategies armed, 1 in position'
 */
export function trayStatusText(s: ShellStatus): string {
  const parts: string[] = [];
  parts.push(s.armed === 0 ? 'nothing armed' : `${plural(s.armed, 'strategy', 'strategies')} armed`);
  if (s.inPosition > 0) parts.push(`${s.inPosition} in position`);
  if (s.ordersInFlight > 0) parts.push(`${plural(s.ordersInFlight, 'order')} in flight`);
  if (s.errors > 0) parts.push(`${plural(s.errors, 'error')}`);
  return `Tradeclock: ${parts.join(', ')}`;
}

export type CloseDecision =
  | { readonly action: 'close' }
  /** Keep running in the tray, and tell the trader so with `notice`. */
  | { readonly action: 'hide'; readonly notice: { readonly title: string; readonly body: string } };

/**
 * Closing the main window. While anything is armed or in flight the engine must keep running, so
 * the window hides and the app stays in the tray, saying so (where the desktop shows no tray icon,
 * launching Tradeclock again brings the window back: single instance); otherwise the window closes and,
 * with it, the app. A quit the trader asked for (tray "Quit", Cmd+Q, OS shutdown) always closes.
 */
export function decideClose(input: { readonly quitting: boolean; readonly status: ShellStatus }): CloseDecision {
  if (input.quitting || !isBusy(input.status)) return { action: 'close' };
  const what = input.status.armed > 0 ? `${plural(input.status.armed, 'strategy is', 'strategies are')} armed` : 'An order is still in flight';
  return {
    action: 'hide',
    notice: {
      title: 'Tradeclock is still running',
      body:
        `${what}, so Tradeclock keeps trading in the background. ` +
        'Use the tray icon (or open Tradeclock again) to bring the window back; quit from the tray menu.',
    },
  };
}

export type PowerSaveChange = 'start' | 'stop' | null;

/**
 * powerSaveBlocker('prevent-app-suspension') is held exactly while the engine is busy. It keeps
 * the OS from suspending the app when idle; it cannot stop a closed lid or a manual sleep.
 */
export function powerSaveChange(status: ShellStatus, blocking: boolean): PowerSaveChange {
  const want = isBusy(status);
  return want === blocking ? null : want ? 'start' : 'stop';
}

/** What to ask before quitting while busy; null when quitting loses nothing. */
export function quitPrompt(s: ShellStatus): { readonly message: string; readonly detail: string } | null {
  if (!isBusy(s)) return null;
  const details = [
    s.armed > 0 ? `${plural(s.armed, 'strategy is', 'strategies are')} armed and will not trigger while Tradeclock is closed.` : '',
    s.inPosition > 0 ? `${plural(s.inPosition, 'position is', 'positions are')} open and will not be protected by the stop-loss.` : '',
    s.ordersInFlight > 0 ? `${plural(s.ordersInFlight, 'order')} at the broker will be looked up at the next start.` : '',
    'At the next start Tradeclock recovers: a position past its SELL time is sold at once; a BUY missed by more than its grace window is not chased.',
  ].filter((line) => line !== '');
  return { message: 'Quit Tradeclock?', detail: details.join('\n') };
}
