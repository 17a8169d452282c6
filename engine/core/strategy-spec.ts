/**
 * The one definition of a strategy: every key a trader may send, its rule, its default and how a
 * form presents it (STRATEGY_FIELD_META). It is flat and snake_case, so an error names exactly the
 * key the trader typed, and a v1 body (the ten keys from before issue 18) is a valid body that
 * means what it meant: every later key defaults to what v1 did (buy first, a stop-loss price, a
 * time exit, no target, no trailing, no re-entry, every day). The API's validation
 * (strategy/strategy-input.ts adds the rules that need the runtime), the form's descriptor
 * (api/strategy-form-dto.ts) and the renderer's labels all derive from here. zod only, no I/O.
 *
 * Every message starts with the field's name and says what is wrong in words; the renderer swaps
 * field names for their labels, so there is one message per rule.
 */
import { z } from 'zod';
import { EXCHANGES, REPEATS, type Exchange, type Repeat } from './types';
import { formatTimeOfDay, parseTimeOfDay, secondsOfDay } from './time-of-day';
import { INDEX_UNDERLYINGS, indexListing } from './index-underlyings';
import { GROUP_FIELD_META, groupRules, groupShape, positionRules, positionsField } from './position-spec';
import { decimalQty, distanceOrZero, dteList, keptUnlessDefault, level, LEVEL_MODES, MAX_REENTRIES, oneOf, OFFSET_MODES, optionExpiry, optionStrike, OPTION_RIGHTS, orNone, requiredOr, SIDES, reentryCount, timeOfDay } from './spec-fields';

export { DTE_MAX, LEVEL_DECIMALS, LEVEL_MAX, LEVEL_MIN, LEVEL_MODES, MAX_REENTRIES, OFFSET_MODES, OPTION_EXPIRIES, OPTION_EXPIRY_DATE, OPTION_RIGHTS, OPTION_STRIKE_PATTERN, SIDES, type OptionExpiry } from './spec-fields';

/** Bumped with a pure upgrade(vN → vN+1) when a stored spec must change shape. */
export const SPEC_VERSION = 2;

export const REENTRY_AFTER = ['stop_loss', 'target', 'either'] as const;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const DEFAULT_BUY_GRACE_SECONDS = 60;

/**
 * SYMBOL as typed, in either case: ASCII only, so upper-casing cannot make another symbol of it; or
 * a crypto pair BASE/QUOTE (CCXT's unified symbol, BTC/USDT), one `/` between two names.
 */
const TYPED_SYMBOL_PATTERN = /^(?=.{1,30}$)[A-Za-z0-9][A-Za-z0-9.&_-]*(\/[A-Za-z0-9][A-Za-z0-9.&_-]*)?$/;

/**
 * Each field's own rules, in the order a form shows them. Exported so a caller can tell which
 * fields are sound on their own when the body as a whole fails (the broker is still asked about those).
 */
export const strategyShape = {
  broker_account_id: z
    .number({ error: requiredOr('broker_account_id', 'must be a number') })
    .int({ error: 'broker_account_id must be a whole number' })
    .positive({ error: 'broker_account_id must be a whole number above 0' }),
  symbol: z
    .string({ error: requiredOr('symbol', 'must be text') })
    .trim()
    // Checked before upper-casing: 'ß' upper-cases to 'SS' and 'ı' to 'I', another symbol than typed.
    .refine((s) => TYPED_SYMBOL_PATTERN.test(s), { message: 'symbol must be 1-30 ASCII letters, digits or . & _ -, or a pair BASE/QUOTE such as BTC/USDT' })
    .transform((s) => s.toUpperCase()),
  exchange: oneOf('exchange', EXCHANGES).optional(),
  /** Set: the symbol is an index (NIFTY, …) and the strategy trades its option, chosen at entry; qty is then in lots. */
  option_right: orNone(oneOf('option_right', OPTION_RIGHTS)),
  /** Left out: current_week. */
  option_expiry: optionExpiry('option_expiry'),
  /** Left out: atm. */
  option_strike: optionStrike('option_strike'),
  /** Set: the strategy holds 2–10 option positions at once (position-spec.ts); symbol is their index. */
  positions: positionsField,
  side: oneOf('side', SIDES).default('buy'),
  /** Whole shares, lots, or a crypto pair's fraction on its step: the strategy service asks the broker which. */
  qty: decimalQty('qty'),
  buy_time: timeOfDay('buy_time'),
  sell_time: timeOfDay('sell_time'),
  square_off_time: orNone(timeOfDay('square_off_time')),
  /** The IANA check needs the runtime's zone data: strategy-input.ts adds it. */
  timezone: z.string({ error: 'timezone must be text' }).max(64, { error: 'timezone must be at most 64 characters' }).optional(),
  buy_grace_seconds: z
    .number({ error: 'buy_grace_seconds must be a number of seconds' })
    .int({ error: 'buy_grace_seconds must be a whole number of seconds' })
    .min(0, { error: 'buy_grace_seconds must be between 0 and 3600' })
    .max(3600, { error: 'buy_grace_seconds must be between 0 and 3600' })
    .default(DEFAULT_BUY_GRACE_SECONDS),
  stop_loss: level('stop_loss'),
  stop_loss_mode: oneOf('stop_loss_mode', LEVEL_MODES).default('price'),
  target: orNone(level('target')),
  target_mode: oneOf('target_mode', LEVEL_MODES).default('price'),
  trail: orNone(level('trail')),
  trail_mode: oneOf('trail_mode', OFFSET_MODES).default('points'),
  move_stop_to_cost_after: orNone(level('move_stop_to_cost_after')),
  move_stop_to_cost_mode: oneOf('move_stop_to_cost_mode', OFFSET_MODES).default('points'),
  /**
   * Left out (or null on an edit): the broker's default (on at Alpaca and Kite, off on paper:
   * BrokerRestingStops.onByDefault); true or false: as the trader set it, kept.
   */
  backstop: orNone(z.boolean({ error: 'backstop must be true or false; leave it out for the broker\'s default' })),
  /** Left out, null (an edit removing it) or 0: the backstop rests at the stop itself. */
  backstop_margin: orNone(distanceOrZero('backstop_margin')),
  /** Left out: points. */
  backstop_margin_mode: keptUnlessDefault(oneOf('backstop_margin_mode', OFFSET_MODES), 'points'),
  /** The group's rules (combined MTM stop and target, a failed position, stops to cost): with positions only. After the exits, so a form's groups keep their order. */
  ...groupShape,
  reentries: reentryCount('reentries').default(0),
  reentry_after: oneOf('reentry_after', REENTRY_AFTER).default('stop_loss'),
  reentry_cutoff: orNone(timeOfDay('reentry_cutoff')),
  repeat: oneOf('repeat', REPEATS).default('once'),
  weekdays: orNone(
    z
      .array(oneOf('weekdays', WEEKDAYS), { error: `weekdays must be a list of days: ${WEEKDAYS.join(', ')}` })
      .min(1, { error: 'weekdays must name at least one day; leave it out for every trading day' })
      .refine((days) => new Set(days).size === days.length, { message: 'weekdays must name each day once' }),
  ),
  /** A daily option strategy's days to expiry (calendar days to its, or position 1's, expiry; 0 the expiry day): another day is skipped before its contract is chosen. */
  dte: orNone(dteList('dte')),
};

export type StrategyField = keyof typeof strategyShape;

export type FieldGroup = 'entry' | 'exits' | 'time' | 'reentry' | 'days';

/**
 * When a form shows a field: while another field's value (its default when left empty) is above a
 * number, equals a choice, is anything but a choice, or has any value at all. A hidden field is not sent; the rules that need it still name it.
 */
export type ShowWhen = { readonly field: StrategyField; readonly above: number } | { readonly field: StrategyField; readonly equals: string } | { readonly field: StrategyField; readonly unless: string } | { readonly field: StrategyField; readonly filled: true };

/** How a form presents a field. A field without one is a type error below. */
export interface FieldMeta {
  /** What the input is called on screen; the renderer names the field in errors with it too. */
  readonly label: string;
  readonly hint: string;
  readonly group: FieldGroup;
  readonly unit?: string;
  /**
   * false until the engine trades it: the field parses, but the strategy service refuses any
   * value other than its default, naming the field, so nothing half-supported trades.
   */
  readonly available: boolean;
}

const TIME = 'time of day';

export const STRATEGY_FIELD_META = {
  broker_account_id: { label: 'Broker account', hint: 'The account whose money it trades', group: 'entry', available: true },
  symbol: { label: 'Symbol', hint: 'As the broker lists it, such as AAPL, RELIANCE or BTC/USDT', group: 'entry', available: true },
  exchange: { label: 'Exchange', hint: "Empty: the account's first exchange", group: 'entry', available: true },
  option_right: { label: 'Option', hint: 'CE or PE: trade an option of the index in Symbol (NIFTY, BANKNIFTY, FINNIFTY, SENSEX), its contract chosen a few seconds before the BUY; Quantity is then in lots. Empty: trade Symbol itself', group: 'entry', available: true },
  option_expiry: { label: 'Option expiry', hint: 'The nearest listed expiry (current_week; BANKNIFTY and FINNIFTY list monthlies only), the one after it, the month’s, or a listed expiry date YYYY-MM-DD (the day is skipped if the exchange does not list it)', group: 'entry', available: true },
  option_strike: { label: 'Option strike', hint: 'atm: nearest the index; atm+2: two listed strikes out of the money (atm-1: one in); premium:120: the premium nearest 120; width:0.5: the strike nearest ATM ± 0.5 × the ATM straddle (CE + PE premium), CE above, PE below', group: 'entry', available: true },
  positions: { label: 'Positions', hint: "2 to 10 options of the index in Symbol held at once (a straddle: sell the ATM CE and the ATM PE), each with its side, contract rule and lots; its stop-loss and target, when left empty, are the strategy's", group: 'entry', available: true },
  side: { label: 'Entry side', hint: 'buy: buy at the BUY time, sell at the exit; sell: sell first (short), buy back at the exit', group: 'entry', available: true },
  qty: { label: 'Quantity', hint: 'How many to buy at each entry: shares, lots of an option (the lot size is the contract’s, from the exchange), or a crypto pair’s base amount in its step (0.0015 BTC)', group: 'entry', unit: 'shares, lots or coins', available: true },
  buy_time: { label: 'BUY time', hint: '24-hour HH:MM:SS', group: 'time', unit: TIME, available: true },
  sell_time: { label: 'SELL time', hint: 'Same day, after the BUY', group: 'time', unit: TIME, available: true },
  square_off_time: { label: 'Square-off time', hint: 'Last moment a position may stay open, at or after the SELL time: an exit still refused by then is tried at once; empty: none (a Kite MIS account: 15:15 IST on NSE/BSE, 15:20 on NFO/BFO)', group: 'time', unit: TIME, available: true },
  timezone: { label: 'Time zone', hint: "Empty: the exchange's own", group: 'time', available: true },
  buy_grace_seconds: { label: 'BUY grace (seconds)', hint: 'How late a BUY may still go out', group: 'time', unit: 'seconds', available: true },
  stop_loss: { label: 'Stop-loss', hint: 'Sold at once if the price falls to it: a price, or points or % below the entry fill price', group: 'exits', available: true },
  stop_loss_mode: { label: 'Stop-loss unit', hint: 'price: the level itself; points or % of entry: that far below the entry fill price', group: 'exits', available: true },
  target: { label: 'Target', hint: 'Take profit: sold at once when the price reaches it: a price, or points or % above the entry fill price; empty: none', group: 'exits', available: true },
  target_mode: { label: 'Target unit', hint: 'price: the level itself; points or % of entry: that far above the entry fill price', group: 'exits', available: true },
  trail: { label: 'Trailing stop', hint: 'The stop follows the highest price since the entry at this distance, never down; empty: none', group: 'exits', available: true },
  trail_mode: { label: 'Trailing stop unit', hint: 'points or % of the highest price since the entry', group: 'exits', available: true },
  move_stop_to_cost_after: { label: 'Move stop to cost after', hint: 'A gain of this much above the entry fill price moves the stop up to the entry price; empty: never', group: 'exits', available: true },
  move_stop_to_cost_mode: { label: 'Move stop to cost unit', hint: 'points or % of the entry fill price', group: 'exits', available: true },
  backstop: { label: 'Backstop at the broker', hint: 'A stop resting at the broker at the stop-loss (an Alpaca stop order, a Kite GTT), so the position is closed while this PC is asleep or offline; cancelled before every exit of Tradeclock\'s own. Broker default: on at Alpaca and Kite, off on paper', group: 'exits', available: true },
  backstop_margin: { label: 'Backstop margin', hint: 'How far beyond the stop-loss the backstop rests, so the engine\'s own exit goes first; empty or 0: at the stop-loss', group: 'exits', available: true },
  backstop_margin_mode: { label: 'Backstop margin unit', hint: 'points or % of the stop-loss', group: 'exits', available: true },
  ...GROUP_FIELD_META,
  reentries: { label: 'Re-entries', hint: 'How many times to enter again the same day after an exit; 0: never', group: 'reentry', available: true },
  reentry_after: { label: 'Re-enter after', hint: 'Which exit allows a re-entry: the stop-loss, the target, or either', group: 'reentry', available: true },
  reentry_cutoff: { label: 'Re-entry cut-off', hint: 'No re-entry at or after this time; required with re-entries', group: 'reentry', unit: TIME, available: true },
  repeat: { label: 'Repeat', hint: 'Once, or every trading day', group: 'days', available: true },
  weekdays: { label: 'Weekdays', hint: 'Daily strategies only: the days it trades (in its time zone, and only when the exchange trades); empty: every trading day', group: 'days', available: true },
  dte: { label: 'Days to expiry', hint: 'Daily option strategies only: the days it enters, counted in calendar days to the chosen expiry (the first option position’s with positions, never a future’s), 0 the expiry day (a Tuesday expiry: Monday is 1, Friday 4); another day is skipped; empty: any day', group: 'days', unit: 'days', available: true },
} as const satisfies Record<StrategyField, FieldMeta>;

const REENTRIES_ON: ShowWhen = { field: 'reentries', above: 0 };
const OPTION_ON: ShowWhen = { field: 'option_right', filled: true };
const POSITIONS_ON: ShowWhen = { field: 'positions', filled: true };

/** The fields a form shows only while another field says they apply; the rest always. */
export const STRATEGY_FIELD_SHOW_WHEN: Readonly<Partial<Record<StrategyField, ShowWhen>>> = {
  option_expiry: OPTION_ON,
  option_strike: OPTION_ON,
  mtm_stop: POSITIONS_ON,
  mtm_target: POSITIONS_ON,
  on_position_failure: POSITIONS_ON,
  stops_to_cost_on_stop: POSITIONS_ON,
  reentry_after: REENTRIES_ON,
  reentry_cutoff: REENTRIES_ON,
  weekdays: { field: 'repeat', equals: 'daily' },
  dte: { field: 'repeat', equals: 'daily' },
  backstop_margin: { field: 'backstop', unless: 'false' },
  backstop_margin_mode: { field: 'backstop', unless: 'false' },
};

/** Each field that may be a percent of a price, with the field that says so. */
const MODE_OF = { stop_loss: 'stop_loss_mode', target: 'target_mode', trail: 'trail_mode', move_stop_to_cost_after: 'move_stop_to_cost_mode', backstop_margin: 'backstop_margin_mode' } as const;

/**
 * The rules between fields. Checked whatever else fails (`when` below): zod skips an object's
 * refinements once a field fails, which hid them while the trader fixed the others. So the values
 * here may be anything the trader sent; a rule speaks only when its fields read as they should.
 */
export function crossFieldRules(v: Record<string, unknown> | null, ctx: z.RefinementCtx): void {
  if (typeof v !== 'object' || v === null) return;
  const text = (key: string) => (typeof v[key] === 'string' ? (v[key] as string).trim() : null);
  const at = (key: string) => {
    const t = text(key);
    const parsed = t === null ? null : parseTimeOfDay(t);
    return parsed ? secondsOfDay(parsed) : null;
  };
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  const buy = at('buy_time');
  const sell = at('sell_time');
  if (buy !== null && sell !== null && sell <= buy) issue('sell_time', `sell_time must be later than buy_time (${text('buy_time')}) on the same day`);
  const squareOff = at('square_off_time');
  if (squareOff !== null && sell !== null && squareOff < sell) issue('square_off_time', `square_off_time must not be earlier than sell_time (${text('sell_time')})`);
  const cutoff = at('reentry_cutoff');
  if (cutoff !== null && buy !== null && sell !== null && !(cutoff > buy && cutoff < sell)) {
    issue('reentry_cutoff', `reentry_cutoff must be later than buy_time (${text('buy_time')}) and earlier than sell_time (${text('sell_time')})`);
  }
  if (typeof v.reentries === 'number' && v.reentries > 0 && v.reentry_cutoff == null) {
    issue('reentry_cutoff', 'reentry_cutoff is required when reentries is above 0: no re-entry goes out at or after it');
  }
  // A re-entry after an exit at a level given as a price would find the price at or past that level
  // again at once (the entry skipped, or bought to be sold straight away): the level must move with each entry.
  if (typeof v.reentries === 'number' && Number.isInteger(v.reentries) && v.reentries > 0 && v.reentries <= MAX_REENTRIES) {
    const after = v.reentry_after ?? 'stop_loss';
    if ((after === 'stop_loss' || after === 'either') && (v.stop_loss_mode ?? 'price') === 'price') {
      issue('stop_loss_mode', `a re-entry after the stop-loss (reentry_after ${String(after)}) needs stop_loss_mode points or percent: a stop-loss price would be at or past the price again at once`);
    }
    // With positions, a position's own target may be the one: positionRules checks each position that re-enters.
    if (after === 'target' && v.target == null && !Array.isArray(v.positions)) issue('target', 'reentry_after target needs a target: without one no exit allows a re-entry');
    if ((after === 'target' || after === 'either') && v.target != null && (v.target_mode ?? 'price') === 'price') {
      issue('target_mode', `a re-entry after the target (reentry_after ${String(after)}) needs target_mode points or percent: a target price would be at or past the price again at once`);
    }
  }
  // Both given as prices: a long's target above its stop, a short's below (each is checked against the price at entry).
  const priced = (key: string, mode: string) => (typeof v[key] === 'number' && (v[key] as number) > 0 && (v[mode] ?? 'price') === 'price' ? (v[key] as number) : null);
  const stop = priced('stop_loss', 'stop_loss_mode');
  const target = priced('target', 'target_mode');
  if (stop !== null && target !== null && v.side !== 'sell' && target <= stop) issue('target', `target must be above stop_loss (${stop}) when both are prices`);
  if (stop !== null && target !== null && v.side === 'sell' && target >= stop) issue('target', `target must be below stop_loss (${stop}) when both are prices and the entry sells first`);
  for (const [field, mode] of Object.entries(MODE_OF)) {
    const value = v[field];
    if (v[mode] === 'percent' && typeof value === 'number' && value >= 100) issue(field, `${field} must be below 100 when ${mode} is percent`);
  }
  if (v.backstop === false && typeof v.backstop_margin === 'number' && v.backstop_margin > 0) {
    issue('backstop_margin', 'backstop_margin applies only with the backstop on: set backstop to true or leave the margin out');
  }
  if (v.weekdays != null && v.repeat !== 'daily') issue('weekdays', 'weekdays apply only to a strategy that repeats daily: set repeat to daily or leave weekdays out');
  if (v.dte != null && v.repeat !== 'daily') issue('dte', 'dte applies only to a strategy that repeats daily: set repeat to daily or leave dte out');
  if (v.dte != null && v.option_right == null && !Array.isArray(v.positions)) issue('dte', 'dte applies only to an option (its days to expiry): set option_right or positions, or leave dte out');
  optionRules(v, issue);
  positionRules(v, issue);
  groupRules(v, issue);
}

/**
 * An option's contract is chosen at the BUY time, so what is not known before it cannot be asked
 * for: a stop or target as a premium price (the premium is not known yet: points or percent of
 * the fill), a symbol that is not an index with options, or an exchange other than its options'.
 */
function optionRules(v: Record<string, unknown>, issue: (path: string, message: string) => void): void {
  if (v.option_right == null) {
    if (Array.isArray(v.positions)) return; // positionRules names what a strategy with positions must leave out
    for (const key of ['option_expiry', 'option_strike'] as const) {
      if (v[key] != null && v[key] !== (key === 'option_expiry' ? 'current_week' : 'atm')) issue(key, `${key} applies only to an option: set option_right (CE or PE) or leave ${key} out`);
    }
    return;
  }
  const symbol = typeof v.symbol === 'string' ? v.symbol.trim().toUpperCase() : null;
  const listing = symbol === null ? null : indexListing(symbol);
  if (symbol !== null && !listing) issue('symbol', `symbol must be an index with options (${INDEX_UNDERLYINGS.join(', ')}) when option_right is set`);
  if (listing && v.exchange != null && v.exchange !== listing.derivatives) issue('exchange', `exchange must be ${listing.derivatives} (or left out) for ${symbol}'s options`);
  if ((v.stop_loss_mode ?? 'price') === 'price') issue('stop_loss_mode', 'stop_loss_mode must be points or percent for an option: its premium is not known until the contract is chosen at the BUY time');
  if (v.target != null && (v.target_mode ?? 'price') === 'price') issue('target_mode', 'target_mode must be points or percent for an option: its premium is not known until the contract is chosen at the BUY time');
}

const always = { when: () => true };

/** A strategy as a trader sends it (the API's create body, before the service's context rules). */
export const strategySpec = z.strictObject(strategyShape).superRefine(crossFieldRules, always);
export type StrategySpecInput = z.input<typeof strategySpec>;
export type StrategySpec = z.output<typeof strategySpec>;

/**
 * A strategy as it is kept: the exchange and time zone settled (the service picks them from the
 * account and exchange when the trader leaves them out) and the times in their "HH:MM:SS" form.
 */
export const storedStrategySpec = z
  .strictObject({ ...strategyShape, exchange: strategyShape.exchange.unwrap(), timezone: strategyShape.timezone.unwrap() })
  .superRefine(crossFieldRules, always);
export type StoredStrategySpec = z.output<typeof storedStrategySpec>;

const TIME_FIELDS = ['buy_time', 'sell_time', 'square_off_time', 'reentry_cutoff'] as const;

/** `spec` as kept: `exchange` and `timezone` settled, every time of day as "HH:MM:SS". */
export function settledSpec(spec: StrategySpec, exchange: Exchange, timezone: string): StoredStrategySpec {
  const out: StoredStrategySpec = { ...spec, exchange, timezone };
  for (const key of TIME_FIELDS) {
    const t = out[key];
    if (t !== undefined) out[key] = formatTimeOfDay(parseTimeOfDay(t.trim())!);
  }
  return out;
}

/** A strategies row as v1 stored it (SQL column names; times already "HH:MM:SS"). */
export interface V1StrategyRow {
  readonly broker_account_id: number;
  readonly symbol: string;
  readonly exchange: Exchange;
  readonly qty: number;
  readonly buy_time: string;
  readonly sell_time: string;
  readonly stop_loss: number;
  readonly timezone: string;
  readonly repeat: Repeat;
  readonly buy_grace_ms: number;
}

/**
 * The v2 spec of a v1 row: the same strategy, every later key at the default that means what v1
 * did. Copies without judging: a row stored under older rules is still the strategy that runs, so
 * it is never re-validated here (migration 0006's SQL must produce exactly this).
 */
export function specFromV1(row: V1StrategyRow): StoredStrategySpec {
  return {
    broker_account_id: row.broker_account_id,
    symbol: row.symbol,
    exchange: row.exchange,
    side: 'buy',
    qty: row.qty,
    buy_time: row.buy_time,
    sell_time: row.sell_time,
    timezone: row.timezone,
    buy_grace_seconds: row.buy_grace_ms / 1000,
    stop_loss: row.stop_loss,
    stop_loss_mode: 'price',
    target_mode: 'price',
    trail_mode: 'points',
    move_stop_to_cost_mode: 'points',
    reentries: 0,
    reentry_after: 'stop_loss',
    repeat: row.repeat,
  };
}
