/**
 * A strategy's exit levels as the list, the detail page and the chart show them. While the latest
 * run holds a position they are the engine's own (runtime.levels: resolved from the entry fill,
 * the stop as the trail or a move to cost left it). Before that, a level given as a price is that
 * price, and one given in points or percent is a distance from a fill that has not happened yet,
 * so it is said in words ("2 % below the fill"; for a sell-first strategy, a short, the stop is
 * above the fill and the target below it). Display arithmetic only: the engine decides exits.
 */
import type { BackstopDto, StrategyDto } from '../../lib/api-types';
import { price as fmtPrice } from '../../lib/format';

export interface LevelView {
  /** 'Stop-loss', 'Trailing stop' (the trail has moved the stop) or 'Target'. */
  readonly name: string;
  /** The level's price; null while it is a distance from an entry fill still to come. */
  readonly price: number | null;
  /** The price, or the distance in words when there is no price yet. */
  readonly text: string;
  /** How far the last price still has to move to reach it, as a share of the last price (%): positive while not reached; null without both prices. */
  readonly roomPct: number | null;
  /** That move with its direction (%): negative when the price has to fall to reach the level; null as roomPct. */
  readonly movePct: number | null;
}

export interface ExitLevelsView {
  /** The levels are the engine's, resolved from the fill of a position still held. */
  readonly live: boolean;
  readonly stop: LevelView;
  /** null: no target. */
  readonly target: LevelView | null;
  /** The entry fill price the live levels come from; null before it. */
  readonly entry: number | null;
  /** The stop resting at the broker (issue 20), in words with its broker id; null: none rests. */
  readonly backstop: string | null;
}

type LevelMode = StrategyDto['stop_loss_mode'];
type Where = 'below' | 'above';

const distance = (n: number, mode: LevelMode, where: Where): string => `${n}${mode === 'percent' ? ' %' : ' points'} ${where} the fill`;

function level(name: string, at: number | null, words: string, last: number | null, where: Where): LevelView {
  const movePct = at !== null && last !== null && last > 0 ? ((at - last) / last) * 100 : null;
  const roomPct = movePct === null ? null : where === 'below' ? -movePct : movePct;
  return { name, price: at, text: at !== null ? fmtPrice(at) : words, roomPct, movePct };
}

/**
 * @example exitLevels({ ...s, side: 'buy', stop_loss: 2, stop_loss_mode: 'percent', runtime: null }, 100).stop
 *   // { name: 'Stop-loss', price: null, text: '2 % below the fill', roomPct: null, movePct: null }
 */
export function exitLevels(s: StrategyDto, last: number | null): ExitLevelsView {
  // A long's stop sits below the price and its target above; a short's the other way round.
  const stopAt: Where = s.side === 'sell' ? 'above' : 'below';
  const targetAt: Where = s.side === 'sell' ? 'below' : 'above';
  const run = s.runtime;
  const held = run?.levels && run.position_qty > 0 ? run.levels : null;
  if (held) {
    return {
      live: true,
      stop: level(held.stop_kind === 'TRAIL_STOP' ? 'Trailing stop' : 'Stop-loss', held.stop, '', last, stopAt),
      target: held.target === null ? null : level('Target', held.target, '', last, targetAt),
      entry: held.entry,
      backstop: backstopWords(run?.backstop),
    };
  }
  const planned = (n: number, mode: LevelMode) => (mode === 'price' ? n : null);
  return {
    live: false,
    stop: level('Stop-loss', planned(s.stop_loss, s.stop_loss_mode), distance(s.stop_loss, s.stop_loss_mode, stopAt), last, stopAt),
    target: s.target === null ? null : level('Target', planned(s.target, s.target_mode), distance(s.target, s.target_mode, targetAt), last, targetAt),
    entry: null,
    backstop: null,
  };
}

const BACKSTOP_DOING: Readonly<Record<BackstopDto['state'], string>> = { placing: 'being placed', resting: 'resting', modifying: 'moving', cancelling: 'being cancelled' };

/**
 * The resting backstop in words: its stop, and its take-profit when one rests with it (OCO).
 * @example backstopWords({ state: 'resting', trigger_price: 95, target_price: null, broker_ref: 'ord-9' }) // 'Backstop 95.00 resting at the broker (ord-9)'
 * @example backstopWords({ state: 'resting', trigger_price: 95, target_price: 105, broker_ref: '112127' }) // 'Backstop 95.00 / target 105.00 resting at the broker (112127)'
 */
export function backstopWords(b: BackstopDto | null | undefined): string | null {
  if (!b) return null;
  const levels = b.target_price === null ? fmtPrice(b.trigger_price) : `${fmtPrice(b.trigger_price)} / target ${fmtPrice(b.target_price)}`;
  return `Backstop ${levels} ${BACKSTOP_DOING[b.state]} at the broker${b.broker_ref ? ` (${b.broker_ref})` : ''}`;
}

export interface ChartLevel {
  readonly price: number;
  readonly title: string;
  readonly tone: 'stop' | 'target' | 'entry';
}

/** The horizontal lines of the price chart: every level that has a price, and the entry while in position. */
export function chartLevels(v: ExitLevelsView): ChartLevel[] {
  const lines: ChartLevel[] = [];
  if (v.stop.price !== null) lines.push({ price: v.stop.price, title: v.stop.name, tone: 'stop' });
  if (v.target?.price != null) lines.push({ price: v.target.price, title: v.target.name, tone: 'target' });
  if (v.entry !== null) lines.push({ price: v.entry, title: 'Entry', tone: 'entry' });
  return lines;
}

const offset = (n: number, mode: StrategyDto['trail_mode']): string => `${n}${mode === 'percent' ? ' %' : ' points'}`;

/**
 * How the stop moves, in words; empty when it stays where it was set. A long's stop trails below
 * the highest price and moves up; a short's (side 'sell') trails above the lowest and moves down.
 *
 * @example stopMoves({ side: 'buy', trail: 1.5, trail_mode: 'percent', move_stop_to_cost_after: 3, move_stop_to_cost_mode: 'points' })
 *   // 'Trails 1.5 % below the highest price since the entry; moves up to the entry price after a gain of 3 points'
 */
export function stopMoves(s: Pick<StrategyDto, 'side' | 'trail' | 'trail_mode' | 'move_stop_to_cost_after' | 'move_stop_to_cost_mode'>): string {
  const short = s.side === 'sell';
  const parts: string[] = [];
  if (s.trail !== null) parts.push(`trails ${offset(s.trail, s.trail_mode)} ${short ? 'above the lowest' : 'below the highest'} price since the entry`);
  if (s.move_stop_to_cost_after !== null) parts.push(`moves ${short ? 'down' : 'up'} to the entry price after a gain of ${offset(s.move_stop_to_cost_after, s.move_stop_to_cost_mode)}`);
  const text = parts.join('; ');
  return text && text[0]!.toUpperCase() + text.slice(1);
}
