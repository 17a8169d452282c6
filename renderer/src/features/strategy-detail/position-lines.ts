/**
 * A multi-position strategy's day, one line a position (issue 19): the rule it was set with, the
 * contract its run chose and traded, the entry and exit, what it holds, and its P&L; the day's
 * combined P&L below. Display arithmetic on the API's numbers only: the latest day's runs the
 * strategy carries (`StrategyDto.position_runs`, one run a position, each with its position and
 * its contract from the choice before the entry), so the page asks nothing more than the strategy.
 */
import type { PositionDto, RunState, RuntimeDto, StrategyDto } from '../../lib/api-types';
import { instrumentKey, type LastPrice } from '../live/ticks-store';
import { expiryWords, positionRuleWords } from '../strategies/option-view';

export interface PositionLine {
  /** From 0, as the API counts; shown from 1. */
  readonly no: number;
  readonly spec: PositionDto;
  /** The run of this position on the latest day; null before the first START. */
  readonly run: RuntimeDto | null;
  readonly state: RunState | null;
  /** The contract chosen or traded (Kite's tradingsymbol) and its exchange; null until chosen. */
  readonly contract: { readonly symbol: string; readonly exchange: string } | null;
  /** The contract's premium when it was chosen; null when the rule read none (atm, atm±N). */
  readonly chosenPremium: number | null;
  readonly entry: number | null;
  readonly exit: number | null;
  /** Quantity still held (units, lots × lot size). */
  readonly held: number;
  readonly realized: number | null;
}

/**
 * One line a position of `s`, in the trader's order; empty for a strategy without positions. A
 * run's position is its `position_no` (the API sends it for every run of a group; the order of the
 * day's runs otherwise).
 */
export function positionLines(s: Pick<StrategyDto, 'positions' | 'position_runs'>): PositionLine[] {
  const byNo = new Map(s.position_runs.map((r, i) => [r.position_no ?? i, r]));
  return (s.positions ?? []).map((spec, no) => {
    const run = byNo.get(no) ?? null;
    const chosen = run?.contract ?? null;
    return {
      no,
      spec,
      run,
      state: run?.state ?? null,
      contract: chosen ? { symbol: chosen.symbol, exchange: chosen.exchange } : null,
      chosenPremium: chosen?.premium ?? null,
      entry: run?.entry_price ?? null,
      exit: run?.exit_price ?? null,
      held: run?.position_qty ?? 0,
      realized: run?.realized_pnl ?? null,
    };
  });
}

/**
 * The line's live premium: the last tick of its contract (exchange:symbol, on the strategy's
 * account); null before its contract is chosen or its first tick. The index's ticks, which the
 * stream carries until the contracts are chosen, are never a position's premium.
 * @example premiumNow(line, 1, { '1:NFO:NIFTY26D0826000CE': { price: 101.5, at } }) // 101.5 for the CE's line
 */
export function premiumNow(line: PositionLine, brokerAccountId: number, last: Readonly<Record<string, LastPrice>>): number | null {
  return line.contract ? (last[instrumentKey(brokerAccountId, line.contract.exchange, line.contract.symbol)]?.price ?? null) : null;
}

/**
 * What a held position gains at `last`: (last − entry) × held for a bought one, (entry − last) ×
 * held for a sold one (a short gains as the premium falls); null without a holding, an entry or a price.
 */
export function unrealizedOf(line: PositionLine, last: number | null): number | null {
  if (line.held <= 0 || line.entry === null || last === null) return null;
  return (line.spec.side === 'sell' ? line.entry - last : last - line.entry) * line.held;
}

export interface GroupPnl {
  /** Sum of the positions' realized P&L; null while none has sold. */
  readonly realized: number | null;
  /** Sum over held positions; null while any held position has no price (a partial sum would mislead). */
  readonly unrealized: number | null;
}

/** The day's combined P&L over the lines, each held one at its last price (`lastOf`). */
export function groupPnl(lines: readonly PositionLine[], lastOf: (line: PositionLine) => number | null): GroupPnl {
  const realized = lines.map((l) => l.realized).filter((n): n is number => n !== null);
  const held = lines.filter((l) => l.held > 0);
  const open = held.map((l) => unrealizedOf(l, lastOf(l)));
  return {
    realized: realized.length === 0 ? null : realized.reduce((a, b) => a + b, 0),
    unrealized: held.length === 0 || open.some((n) => n === null) ? null : (open as number[]).reduce((a, b) => a + b, 0),
  };
}

/**
 * A position as set, in a trader's words, with what it takes from the strategy.
 * @example ruleWords(spec, strategy) // 'Sell CE atm, nearest expiry · 1 lot (the strategy's)'
 */
export function ruleWords(p: PositionDto, s: StrategyDto): string {
  const lots = p.lots ?? s.qty;
  return `${p.side === 'sell' ? 'Sell' : 'Buy'} ${positionRuleWords(p)}, ${expiryWords(p.option_expiry)} · ${lots} ${lots === 1 ? 'lot' : 'lots'}${p.lots === null ? " (the strategy's)" : ''}`;
}
