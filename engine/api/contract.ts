/**
 * The wire contract between the engine's API and every client: the shapes of request answers,
 * WebSocket messages and errors. snake_case, plain JSON, times as epoch ms. It depends on
 * engine/core only, so the renderer can import it (types only) without pulling in Node, Fastify or
 * the database: renderer/tsconfig.json has no Node types, and this file must keep it that way.
 */
import type { BrokerSessionState, EngineEvent, FeedState } from '../core/events';
import type { ErrorCode, FieldError } from '../core/errors';
import type { RunState, StrategyStatus } from '../core/types';
import type { FieldGroup, OptionExpiry, ShowWhen, StrategyField, Weekday } from '../core/strategy-spec';
import type { ReadinessCheckName, ReadinessStatus, ReadinessTrigger } from '../core/readiness';

export type * from './notify-contract';
export type * from './devices-contract';

export interface UserDto {
  readonly id: number;
  readonly email: string;
}

export interface SessionDto {
  readonly token: string;
  readonly user: UserDto;
}

/** One signed-in session of GET /auth/sessions. */
export interface SignedInSessionDto {
  /** The session's id; DELETE /auth/sessions/:id signs it out. */
  readonly id: string;
  readonly created_at: number;
  /** To the minute: a use is recorded at most once a minute. */
  readonly last_used_at: number;
  readonly expires_at: number;
  /** The address it signed in from, as the engine saw it. */
  readonly client_address: string;
  /** Browser and system in a few words ("Chrome on Linux"), from its User-Agent. */
  readonly client: string;
  /** true for the session of the token that asked. */
  readonly current: boolean;
}

/** GET /auth/sessions: the user's sessions, oldest first. */
export interface SignedInSessionsDto {
  readonly sessions: SignedInSessionDto[];
}

/** POST /auth/password: the password is changed; this session stays signed in. */
export interface PasswordChangedDto {
  readonly user: UserDto;
  /** How many other sessions were signed out. */
  readonly signed_out_sessions: number;
  /** How many paired devices were unpaired (each must be paired again). */
  readonly unpaired_devices: number;
}

/** POST /auth/sessions/sign-out-others. */
export interface SignedOutDto {
  readonly signed_out_sessions: number;
}

/** GET /auth/registration: whether POST /auth/register may create an account now. */
export interface RegistrationDto {
  readonly open: boolean;
  /** Why not (a single-user install that has its account), in words for the sign-in screen; null while open. */
  readonly reason: string | null;
}

/** One install setting's whole-number range, its unit and its default, for the form. */
export interface InstallSettingRuleDto {
  readonly unit: 'minutes' | 'seconds';
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/**
 * GET and PATCH /install-settings: the install's settings in effect (one set per install, for every
 * trader on it), applied at once when changed.
 */
export interface InstallSettingsDto {
  /** Minutes before each entry its readiness is checked. */
  readonly readiness_lead_minutes: number;
  /** Seconds a position's price stream may stay silent in session before a REST quote cross-checks it. */
  readonly stale_price_seconds: number;
  readonly rules: { readonly readiness_lead_minutes: InstallSettingRuleDto; readonly stale_price_seconds: InstallSettingRuleDto };
}

export interface BrokerAccountDto {
  readonly id: number;
  readonly broker: string;
  readonly label: string;
  readonly status: string;
  /** e.g. { api_key: 'PK…7Q' }: enough to recognise which key is saved, too little to use it. */
  readonly credentials_masked: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * Which money: 'paper' (the paper broker, Alpaca's paper endpoint) or 'live' (real orders at
   * the broker: Alpaca live, Kite). A broker kind that does not say reads as live.
   */
  readonly mode: 'paper' | 'live';
  /** Whether a strategy on this account that leaves `backstop` out gets a stop resting at the broker (true at Alpaca, Kite and Binance). */
  readonly backstop_by_default: boolean;
  /**
   * The exchanges this account trades, each with the time zone a strategy's times default to
   * there. The first is what a strategy that names no exchange gets.
   */
  readonly markets: readonly MarketDto[];
  /** The price feed's last reported state; null until the account's connection first opens. */
  readonly feed_state: FeedState | null;
  /**
   * Daily-login brokers (Kite): where the login stands and when it runs out. While the broker is
   * open, what its adapter says; while closed, what the last login completed through this daemon
   * (since it started) said; else null. Always null for brokers without a daily login.
   */
  readonly session: BrokerSessionDto | null;
  readonly created_at: number;
  /**
   * The strategies that keep this account from being removed (DELETE /broker/:id answers 409
   * while any is listed): every strategy that uses it. A running one must be stopped, then deleted.
   */
  readonly removal_blocked_by: readonly RemovalBlockerDto[];
}

/** A strategy that keeps a broker account from being removed, and what it takes to clear it. */
export interface RemovalBlockerDto {
  readonly strategy_id: number;
  readonly symbol: string;
  readonly status: StrategyStatus;
  /** 'stop': it is running (stop it, then delete it); 'delete': it only needs deleting. */
  readonly action: 'stop' | 'delete';
}

/** An exchange and its own time zone (IANA), e.g. { exchange: 'NYSE', timezone: 'America/New_York' }. */
export interface MarketDto {
  readonly exchange: string;
  readonly timezone: string;
}

export interface NextTriggerDto {
  readonly kind: 'BUY' | 'SELL';
  /** Epoch ms. */
  readonly at: number;
}

/** The latest run of a strategy (of one of its positions): what it is doing now. */
export interface RuntimeDto {
  readonly run_id: number;
  readonly trading_date: string;
  /** Which of the strategy's positions the run holds, from 0 in the trader's order (issue 19); null: a strategy of one position. */
  readonly position_no: number | null;
  readonly state: RunState;
  readonly position_qty: number;
  readonly entry_price: number | null;
  readonly exit_price: number | null;
  readonly exit_leg: string | null;
  /** Quantity sold so far (the entry's fill less what is still held); 0 before an exit fill. */
  readonly sold_qty: number;
  /**
   * (average exit price − entry price) × sold_qty, unrounded, in the instrument's currency; null
   * until something is sold. Counts a partial exit's sold part; an exit over several attempts once.
   */
  readonly realized_pnl: number | null;
  readonly last_action: string | null;
  readonly last_action_at: number | null;
  readonly reason: string | null;
  readonly buy_at: number;
  readonly sell_at: number;
  readonly next_trigger: NextTriggerDto | null;
  /** The current leg: 0 for the day's first entry, n for the n-th re-entry. */
  readonly leg_no: number;
  /** The open position's exit levels as they stand now (absolute prices); null while flat. */
  readonly levels: LevelsDto | null;
  /** The stop resting at the broker for the current leg (issue 20); null: none rests. */
  readonly backstop: BackstopDto | null;
  /** An option run's contract, once chosen before its BUY (issue 19); null: not chosen yet, or no option. */
  readonly contract: OptionContractDto | null;
}

/**
 * The contract an option run chose a few seconds before its BUY: what it trades (`symbol` on
 * `exchange`, `qty` = lots × lot size) and what it was chosen from.
 * @example { symbol: 'NIFTY26D0826000CE', exchange: 'NFO', underlying: 'NIFTY', expiry: '2026-12-08', strike: 26000, right: 'CE', lots: 2, lot_size: 65, qty: 130, spot: 26012, premium: null, chosen_at: 1796615397500 }
 */
export interface OptionContractDto {
  readonly symbol: string;
  readonly exchange: string;
  readonly underlying: string;
  readonly expiry: string;
  readonly strike: number;
  readonly right: 'CE' | 'PE';
  readonly lots: number;
  readonly lot_size: number;
  readonly qty: number;
  readonly spot: number;
  readonly premium: number | null;
  readonly chosen_at: number;
}

/**
 * The leg's backstop while it may rest at the broker: `state` 'placing' (its answer not known
 * yet), 'resting', 'modifying' (a move on its way) or 'cancelling' (before an exit); its trigger,
 * the take-profit resting with it (`target_price`, one cancelling the other: a Kite two-leg GTT;
 * null: the stop alone), and the broker's id for it (null until the broker answered).
 */
export interface BackstopDto {
  readonly state: 'placing' | 'resting' | 'modifying' | 'cancelling';
  readonly trigger_price: number;
  readonly target_price: number | null;
  readonly broker_ref: string | null;
}

/**
 * An open position's exit levels. `stop` is the stop now, tightened by the trail or moved to
 * cost; `stop_kind` says which exit its crossing sends. `trail_best`: the best price since the
 * entry that the trail follows; `cost_at`: where the stop moves to the entry price (null: none or done).
 */
export interface LevelsDto {
  readonly entry: number;
  readonly stop: number;
  readonly stop_kind: 'STOPLOSS' | 'TRAIL_STOP';
  readonly target: number | null;
  readonly trail_best: number | null;
  readonly cost_at: number | null;
}

/** One position of a multi-position strategy as the trader set it; null where it takes the strategy's (qty, the levels and their modes, trail, move to cost, re-entries). */
export interface PositionDto {
  readonly side: 'buy' | 'sell';
  readonly option_right: 'CE' | 'PE';
  /** A rule, or an exact listed expiry date YYYY-MM-DD. */
  readonly option_expiry: OptionExpiry;
  readonly option_strike: string;
  readonly lots: number | null;
  readonly stop_loss: number | null;
  readonly stop_loss_mode: 'points' | 'percent' | null;
  readonly target: number | null;
  readonly target_mode: 'points' | 'percent' | null;
  readonly trail: number | null;
  readonly trail_mode: 'points' | 'percent' | null;
  readonly move_stop_to_cost_after: number | null;
  readonly move_stop_to_cost_mode: 'points' | 'percent' | null;
  /** 0: this position never re-enters; null: the strategy's reentries. */
  readonly reentries: number | null;
}

/**
 * What an instrument says of its quantities, as the account last resolved it: a strategy carries
 * them for its own symbol, a quote for the symbol the form asks about.
 * @example { base: 'BTC', quote: 'USDT', qty_step: 0.00001, min_qty: 0.00001, min_notional: 5 }
 */
export interface InstrumentFactsDto {
  /** The currency bought and sold, for a crypto pair BASE/QUOTE; null: not a pair. */
  readonly base: string | null;
  /** The currency a pair is priced in (and `min_notional` counted in); null: not a pair. */
  readonly quote: string | null;
  /**
   * The quantity's step where the instrument states one (a crypto pair: 0.00001 for BTC/USDT), so
   * a quantity is shown with its digits; null: whole units, or not resolved yet.
   */
  readonly qty_step: number | null;
  /** The least quantity an order may have; null: none stated (or not resolved yet). */
  readonly min_qty: number | null;
  /** The least value of an order, in `quote` (BTC/USDT at paper: 5); null: none stated (or not resolved yet). */
  readonly min_notional: number | null;
}

export interface StrategyDto extends InstrumentFactsDto {
  readonly id: number;
  readonly broker_account_id: number;
  readonly symbol: string;
  readonly exchange: string;
  /** buy: buys at the BUY time and sells at the exit; sell: sells first (short) and buys back at the exit. */
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly buy_time: string;
  readonly sell_time: string;
  /** The last moment a position may stay open ("HH:MM:SS", at or after the SELL time); null: the SELL time. */
  readonly square_off_time: string | null;
  readonly stop_loss: number;
  /** An option of the index in `symbol` (issue 19), chosen at the BUY by `option_expiry` and `option_strike`; `qty` is then in lots. null: `symbol` itself. */
  readonly option_right: 'CE' | 'PE' | null;
  /** A rule, or an exact listed expiry date YYYY-MM-DD. */
  readonly option_expiry: OptionExpiry;
  readonly option_strike: string;
  /** The positions held at once (issue 19), in the trader's order; null: one position, the keys above. */
  readonly positions: readonly PositionDto[] | null;
  /** The group's combined MTM loss (money) at which every position exits; null: none (or no positions). */
  readonly mtm_stop: number | null;
  /** The group's combined MTM profit (money) at which every position exits; null: none. */
  readonly mtm_target: number | null;
  /** When a position's entry fails: unwind the filled ones or keep them; null: as left out (unwind), or no positions. */
  readonly on_position_failure: 'unwind' | 'keep' | null;
  /** Whether one position's stop-out moves the others' stops to their entry price; null: as left out (no). */
  readonly stops_to_cost_on_stop: boolean | null;
  /** How `stop_loss` counts: the price itself, or points or percent below the entry fill. */
  readonly stop_loss_mode: 'price' | 'points' | 'percent';
  /** The take-profit, counted as `target_mode` says; null: none. */
  readonly target: number | null;
  readonly target_mode: 'price' | 'points' | 'percent';
  /** The trailing stop's distance from the best price since the entry; null: none. */
  readonly trail: number | null;
  readonly trail_mode: 'points' | 'percent';
  /** The gain after which the stop moves to the entry price; null: never. */
  readonly move_stop_to_cost_after: number | null;
  readonly move_stop_to_cost_mode: 'points' | 'percent';
  /**
   * A stop resting at the broker at the stop-loss: true or false as the trader set it; null: the
   * broker's default (`backstop_on` says what that is for this strategy's account).
   */
  readonly backstop: boolean | null;
  /** Whether a backstop is placed for its positions: `backstop`, or the account's broker's default when null. */
  readonly backstop_on: boolean;
  /**
   * Whether the backstop rests with a take-profit at the target, one cancelling the other: it is
   * on, the strategy has a target, and its account's broker has such stops (Kite's two-leg GTT).
   */
  readonly backstop_take_profit: boolean;
  /** How far beyond the stop-loss the backstop rests, counted as `backstop_margin_mode` says; null: at the stop-loss. */
  readonly backstop_margin: number | null;
  readonly backstop_margin_mode: 'points' | 'percent';
  /** How many times a day it may enter again after an exit that `reentry_after` names; 0: never. */
  readonly reentries: number;
  readonly reentry_after: 'stop_loss' | 'target' | 'either';
  /** No re-entry at or after this time of day; null when it never re-enters. */
  readonly reentry_cutoff: string | null;
  readonly timezone: string;
  readonly repeat: string;
  /** A daily strategy trades only on these days (of its trading date, in its timezone); null: every trading day. */
  readonly weekdays: readonly Weekday[] | null;
  /** A daily option strategy enters only at these days to expiry (calendar days to the chosen expiry, 0 the expiry day); null: any. */
  readonly dte: readonly number[] | null;
  readonly buy_grace_seconds: number;
  readonly status: string;
  readonly created_at: number;
  readonly updated_at: number;
  /** The latest trading day's run (of position 0 for a strategy with positions); null before the first START. */
  readonly runtime: RuntimeDto | null;
  /**
   * Every run of the latest trading day, by position: one per position of a strategy with
   * `positions`, else the one run (`runtime`); empty before the first START.
   */
  readonly position_runs: readonly RuntimeDto[];
  /**
   * The latest readiness check of the running strategy (before its next entry, at START, or asked
   * for): what to fix before the entry. null before its first check and once it stops.
   */
  readonly readiness: ReadinessDto | null;
  /** While the position's stop watches a stale price (its stream silent in session, price_stale); null otherwise. */
  readonly stale_price: StalePriceDto | null;
}

/** One readiness check's answer: ok, warn, fail or unknown, with a sentence saying what to fix. */
export interface ReadinessCheckDto {
  readonly check: ReadinessCheckName;
  readonly status: ReadinessStatus;
  readonly message: string;
}

/**
 * A strategy's readiness for its next entry (GET/POST /strategy/:id/readiness): the login past the
 * exit, orders taken from this machine, funds, the day-trade rule, the market open, the price feed
 * and the clock. `status` is the worst of `checks`.
 */
export interface ReadinessDto {
  readonly strategy_id: number;
  /** The run checked for; null for a strategy not running (its next entry by its plan). */
  readonly run_id: number | null;
  /** 'scheduled' (N minutes before the entry), 'start' or 'on_demand'. */
  readonly trigger: ReadinessTrigger;
  readonly checked_at: number;
  readonly entry_at: number;
  readonly exit_at: number;
  readonly status: ReadinessStatus;
  readonly checks: readonly ReadinessCheckDto[];
}

/** A position's price stream gone silent: since when it is known stale, and the stream's last price. */
export interface StalePriceDto {
  /** Epoch ms the cross-check found it stale. */
  readonly since: number;
  readonly last_price: number | null;
  /** Epoch ms the stream's last price arrived; null: none since it was watched. */
  readonly last_price_at: number | null;
}

/**
 * A strategy whose stored definition cannot be read (GET /strategy's `damaged`, or STOP's answer
 * for one): only what its identity columns say, and why. Nothing else of it can be shown or
 * changed until a backup is restored; STOP still works while `stoppable`.
 */
export interface DamagedStrategyDto {
  readonly id: number;
  readonly broker_account_id: number;
  readonly symbol: string;
  readonly exchange: string;
  readonly status: string;
  /** Why it cannot be read, and what to do. */
  readonly damaged: string;
  /** Running, or its last run still holds a position: STOP acts on the run's own plan. */
  readonly stoppable: boolean;
}

/**
 * One key of a strategy body as a form presents it (GET /strategy/form), read from the one
 * definition (core/strategy-spec.ts) in its order: a form drawn from these needs no change for a new field.
 */
export interface StrategyFormFieldDto {
  readonly name: StrategyField;
  /**
   * 'list' is an array of `enum` values (weekdays); 'rows' a list of objects, each with the keys
   * `item_fields` describes (a strategy's positions); 'decimal' a number sent as typed, a string
   * such as "0.0015" (or a number), so a fraction arrives as the decimal written; 'json' anything
   * without a plain input.
   */
  readonly type: 'string' | 'number' | 'decimal' | 'boolean' | 'list' | 'rows' | 'json';
  /** The allowed values of a choice, or of a list's items. */
  readonly enum?: readonly string[];
  /**
   * true: `enum` holds suggestions, and other text the rule takes may be typed too (an option's
   * expiry: a rule, or a listed expiry date YYYY-MM-DD). Absent: a choice of `enum` only.
   */
  readonly open?: true;
  /** false: it may be left out, and then means `default` (null: no value, or one the engine picks, as `hint` says). */
  readonly required: boolean;
  readonly default: string | number | boolean | readonly string[] | null;
  readonly label: string;
  readonly hint: string;
  readonly group: FieldGroup;
  /** What the value counts ("seconds", "shares", "time of day"); null when it has no unit or another field gives it (`<name>_mode`). */
  readonly unit: string | null;
  /** false: the engine does not trade it yet, and a form offers no input for it (every field is true today). */
  readonly available: boolean;
  /**
   * Shown only while another field's value (its default when empty) is above a number, equals a
   * choice, or is anything but a choice (the re-entry cut-off while re-entries > 0, weekdays while
   * repeat is daily, the backstop's margin unless it is off); null: always.
   * A hidden field is not sent.
   */
  readonly show_when: ShowWhen | null;
  /** A 'rows' field's keys, each as the field itself is described (every row has them; none shows conditionally). */
  readonly item_fields?: readonly StrategyFormItemFieldDto[];
}

/** GET /strategy/form: the strategy body's fields, grouped by `group`, in the order a form shows them. */
/** One key of a 'rows' field's rows (a position's `lots`): described as a field, without what only a top-level field has. */
export type StrategyFormItemFieldDto = Omit<StrategyFormFieldDto, 'name' | 'group' | 'available' | 'show_when' | 'item_fields'> & { readonly name: string };

export interface StrategyFormDto {
  /** The version of the definition these fields describe. */
  readonly spec_version: number;
  readonly fields: readonly StrategyFormFieldDto[];
}

export interface OrderDto {
  readonly id: number;
  readonly run_id: number;
  readonly strategy_id: number;
  readonly broker_account_id: number;
  readonly leg: string;
  readonly side: string;
  readonly slot: string;
  /** The run's leg the order belongs to: 0 for the day's first entry and its exits, n for the n-th re-entry's. */
  readonly leg_no: number;
  readonly client_order_id: string;
  readonly broker_order_id: string | null;
  readonly symbol: string;
  readonly exchange: string;
  readonly qty: number;
  readonly status: string;
  readonly scheduled_at: number;
  readonly dispatched_at: number | null;
  readonly acked_at: number | null;
  readonly filled_at: number | null;
  readonly filled_qty: number;
  readonly fill_price: number | null;
  readonly reject_reason: string | null;
  readonly created_at: number;
  readonly updated_at: number;
}

/** One run in GET /runs: a past (or current) trading day of a strategy, with what it earned. */
export interface RunHistoryDto {
  readonly run_id: number;
  readonly strategy_id: number;
  /** As traded: from the entry order (a strategy can be edited later); the strategy's own without one. */
  readonly symbol: string;
  readonly exchange: string;
  readonly broker_account_id: number;
  readonly trading_date: string;
  /** Which of the strategy's positions the run held, from 0 in the trader's order (issue 19); null: a strategy of one position. */
  readonly position_no: number | null;
  /** An option run's contract, once chosen before its BUY; null: not chosen (the BUY was skipped before it), or no option. */
  readonly contract: OptionContractDto | null;
  readonly state: RunState;
  readonly buy_at: number;
  readonly sell_at: number;
  /** The entry's filled quantity; null when nothing was ordered. */
  readonly bought_qty: number | null;
  readonly sold_qty: number;
  /** Still held (non-zero only for a run not fully exited). */
  readonly position_qty: number;
  readonly entry_price: number | null;
  /** Quantity-weighted average of every exit fill. */
  readonly exit_price: number | null;
  readonly exit_leg: string | null;
  readonly realized_pnl: number | null;
  readonly reason: string | null;
}

/** One minute of an instrument's prices (GET /strategy/:id/bars). */
export interface PriceBarDto {
  /** Epoch ms of the minute's start. */
  readonly minute: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** GET /strategy/:id/bars: the strategy's instrument, oldest first. */
export interface PriceBarsDto {
  readonly bars: PriceBarDto[];
}

/** One trade of a backtest (engine/backtest/run-backtest.ts Trade). */
export interface BacktestTradeDto {
  readonly date: string;
  readonly weekday: string;
  readonly leg_no: number;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entry_at: number;
  readonly entry_price: number;
  readonly exit_at: number;
  readonly exit_price: number;
  readonly exit_kind: string;
  readonly gross: number;
  readonly fees: number;
  readonly net: number;
  /** An option strategy's: the contract the trade bought or sold (Kite's tradingsymbol). */
  readonly contract?: string;
}

/**
 * POST /backtest: the trades, how each run ended (NO_DATA: no stored bar; SKIPPED: an option run no
 * contract qualified for, the reason says why; `prices: 'ticks'`: the run walked the day's stored
 * trades, not its bars), the dates run on trades (`tick_days`), the report.
 */
export interface BacktestDto {
  readonly trades: BacktestTradeDto[];
  readonly runs: { readonly date: string; readonly state: string; readonly reason: string | null; readonly trades: number; readonly contract?: string; readonly prices?: 'ticks' }[];
  readonly tick_days: string[];
  readonly report: {
    readonly trades: number;
    readonly wins: number;
    readonly losses: number;
    readonly win_rate: number | null;
    readonly gross: number;
    readonly fees: number;
    readonly net: number;
    readonly max_drawdown: number;
    readonly equity: { readonly at: number; readonly equity: number }[];
    readonly by_weekday: Record<string, { readonly trades: number; readonly wins: number; readonly net: number }>;
  };
}

/** One cell of POST /backtest/grid. */
export interface BacktestGridCellDto {
  readonly buy_time: string;
  readonly sell_time: string;
  readonly trades: number;
  readonly win_rate: number | null;
  readonly net: number;
  readonly fees: number;
  readonly max_drawdown: number;
}

/** POST /backtest/grid: cells[row = buy time][column = sell time], null where the exit is not after the entry. */
export interface BacktestGridDto {
  readonly buy_times: string[];
  readonly sell_times: string[];
  readonly cells: (BacktestGridCellDto | null)[][];
}

/** Realized P&L of one trading date, over every run the filter selects (not only the page). */
export interface DayPnlDto {
  readonly trading_date: string;
  readonly realized_pnl: number;
  /** Runs with an exit fill that day. */
  readonly runs: number;
}

/** GET /runs. */
export interface RunHistoryPage {
  readonly runs: RunHistoryDto[];
  /** Newest date first; the whole filter, not only this page. */
  readonly days: DayPnlDto[];
  /** Sum of `days`. */
  readonly total_realized_pnl: number;
  /** Pass as `before` for the next (older) page; null on the last page. */
  readonly next_before: string | null;
}

/** An engine event on the wire: its type plus its fields in snake_case, without the user id. */
export type EventDto = { readonly type: string } & Readonly<Record<string, unknown>>;

/** An audit-log entry: the event plus its id (the paging cursor). */
export type LoggedEventDto = EventDto & { readonly id: number };

export interface BrokerSessionDto {
  readonly state: BrokerSessionState;
  readonly expires_at: number | null;
  readonly checked_at: number | null;
  readonly message: string;
}

/** One input of a broker's connect form, under `credentials`. */
export interface BrokerCredentialFieldDto {
  readonly name: string;
  /** Shown masked (a password input): everything but the public key ids (`key_id`, `api_key`). */
  readonly secret: boolean;
  readonly required: boolean;
}

/** One key a broker accepts under `options`; none is secret, most have defaults. */
export interface BrokerOptionFieldDto {
  readonly name: string;
  /** 'json' for arrays, records, objects and anything else without a plain input. */
  readonly type: 'string' | 'number' | 'boolean' | 'json';
  readonly required: boolean;
}

/** A broker this daemon can connect to, as the connect form needs it. */
export interface BrokerKindDto {
  /** The value of `broker` in POST /broker/connect. */
  readonly broker: string;
  readonly title: string;
  /** False for paper: no secret to store, no keychain or passphrase needed. */
  readonly needs_secret: boolean;
  /** True when the access token comes from a browser login every day (Kite): POST /broker/:id/login. */
  readonly daily_login: boolean;
  /** True when a backtest can fetch past 1-minute bars from an account of this kind (POST /backtest `fetch_missing`). */
  readonly historical_bars: boolean;
  /** Whether it offers past trades too (POST /backtest fetch_ticks): Alpaca. */
  readonly historical_ticks: boolean;
  readonly credential_fields: readonly BrokerCredentialFieldDto[];
  readonly option_fields: readonly BrokerOptionFieldDto[];
}

/** GET /broker/kinds: in the daemon's order (paper first). */
export interface BrokerKindsDto {
  readonly kinds: readonly BrokerKindDto[];
}

/** POST /broker/:id/login: the broker's login page, usable once, until `expires_at`. */
export interface BrokerLoginStartDto {
  readonly login_url: string;
  readonly expires_at: number;
}

/** POST /broker/:id/session: the account after a pasted redirect URL or request token. */
export interface BrokerSessionResultDto {
  readonly account: BrokerAccountDto;
  /** Epoch ms when the day's token runs out (Kite: 06:00 IST). */
  readonly session_expires_at: number;
}

/** Domain codes plus the two only HTTP itself produces. */
export type ApiErrorCode = ErrorCode | 'payload_too_large' | 'unsupported_media_type';

/** The body of every error response. */
export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string; readonly fields?: readonly FieldError[] };
}

/** GET /events/log (and GET /events without an upgrade). */
export interface EventPage {
  /** Newest first. */
  readonly events: LoggedEventDto[];
  /** Pass as before_id for the next (older) page; null on the last page. */
  readonly next_before_id: number | null;
}

/** GET /health: public, nothing per user. */
export interface HealthDto {
  readonly ok: true;
  readonly version: string;
  readonly uptime_seconds: number;
  /** Open broker accounts whose feed last reported each state. */
  readonly feeds: Readonly<Record<FeedState, number>>;
}

/** A live price on the WebSocket, for instruments the user's running strategies watch (≤ 4/s each). */
export interface TickDto {
  readonly type: 'tick';
  readonly broker_account_id: number;
  readonly exchange: string;
  readonly symbol: string;
  readonly price: number;
  /** Epoch ms of the trade. */
  readonly at: number;
}

/** First message after a WebSocket signs in. */
export interface HelloDto {
  readonly type: 'hello';
  readonly user: UserDto;
  readonly version: string;
  readonly server_time: number;
}

type Snake<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${Snake<T>}` : S;
type SnakeKeys<T> = { readonly [K in keyof T as K extends 'userId' ? never : Snake<K & string>]: T[K] };

/** An engine event as the WebSocket and the audit log carry it: snake_case, without user_id. */
export type WireEvent = EngineEvent extends infer E ? (E extends EngineEvent ? SnakeKeys<E> : never) : never;

/** Every message GET /events sends once signed in. */
export type ServerMessage = HelloDto | TickDto | WireEvent;

/** One instrument a symbol search found (GET /broker/:id/instruments). */
export interface InstrumentMatchDto {
  readonly symbol: string;
  /** The exchange the broker lists it on: picking it sets the strategy's exchange. */
  readonly exchange: string;
  /** Company or pair name, when the broker's list has one. */
  readonly name: string | null;
  readonly tick_size: number;
}

/** GET /broker/:id/instruments: at most `limit` matches, best first. */
export interface InstrumentSearchDto {
  readonly instruments: InstrumentMatchDto[];
}

/** GET /broker/:id/quote: the instrument's last price at this account. */
export interface QuoteDto {
  readonly symbol: string;
  readonly exchange: string;
  /** False when the broker does not list the symbol on that exchange. */
  readonly known: boolean;
  /** Null when no price has been seen yet. */
  readonly price: number | null;
  /** Epoch ms of `price`; null with it. */
  readonly at: number | null;
  /** Its pair, step, least quantity and least order value; null when it is not listed (`known` false). */
  readonly instrument: InstrumentFactsDto | null;
}
