/**
 * The durable source of truth. Every table that holds a user's data carries user_id, and every
 * repository query that reads it filters by it. Times are epoch ms integers; prices are REAL.
 *
 * Invariant 1 (one BUY, one exit per strategy per day and leg) is also a database constraint:
 * runs are unique per (strategy, trading_date, position_no) and orders per (run, leg_no, slot, attempt): a slot
 * takes a second order only as a numbered new attempt, after the one before it is final
 * (invariant 9), and a re-entry only as the next leg.
 */

import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  createdAt: integer('created_at').notNull(),
});

/**
 * Signed-in sessions, one per token: the token carries the row's id (its jti), and a token whose
 * row is gone no longer verifies. Signing out (one session, all others, a password change)
 * deletes rows; expired ones are pruned at the next sign-in.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    /** Random, 22 base64url characters: the token's `sid` claim. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    /** Updated at most once a minute, so a busy client costs no write per request. */
    lastUsedAt: integer('last_used_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    /** The address the session signed in from, as the API saw it. */
    clientAddress: text('client_address').notNull(),
    /** The signing-in client's User-Agent, cut to 256 characters; '' when it sent none. */
    userAgent: text('user_agent').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/**
 * Paired devices (a phone): each holds a long-lived device token that signs in like a session's.
 * Only the token's SHA-256 is kept, so the database alone never yields a usable token.
 * Revoking a device deletes its row.
 */
export const devices = sqliteTable(
  'devices',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The trader's name for it ("Pixel 8"). */
    name: text('name').notNull(),
    /** SHA-256 of the device token, hex. */
    tokenHash: text('token_hash').notNull(),
    pairedAt: integer('paired_at').notNull(),
    /** Updated at most once a minute, as a session's last use is. */
    lastSeenAt: integer('last_seen_at').notNull(),
    /** The address it paired from, as the API saw it. */
    clientAddress: text('client_address').notNull(),
  },
  (t) => [uniqueIndex('devices_token_hash').on(t.tokenHash), index('devices_user').on(t.userId)],
);

export const brokerAccounts = sqliteTable(
  'broker_accounts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    broker: text('broker').notNull(),
    label: text('label').notNull(),
    status: text('status').notNull(),
    /** AES-256-GCM envelope of the credentials JSON; null for brokers that need none (paper). */
    credentialsCiphertext: blob('credentials_ciphertext', { mode: 'buffer' }),
    /** Masked credentials for display ("PK…7Q"), never the secret. */
    credentialsMasked: text('credentials_masked').notNull().default('{}'),
    /** Endpoint overrides and broker settings (JSON); never secret. */
    options: text('options').notNull().default('{}'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('broker_accounts_user').on(t.userId)],
);

/**
 * The instrument each broker account last resolved for an (exchange, symbol): what a restart
 * uses instead of asking the broker again, and while the broker cannot be asked, so that an open
 * position's exit and its price subscription need no lookup. Broker reference data, not
 * a user's own: it is read only by the engine, and goes with its account.
 */
export const instruments = sqliteTable(
  'instruments',
  {
    brokerAccountId: integer('broker_account_id')
      .notNull()
      .references(() => brokerAccounts.id, { onDelete: 'cascade' }),
    exchange: text('exchange').notNull(),
    symbol: text('symbol').notNull(),
    /** The broker's own handle (Kite's instrument_token, Alpaca's asset id). */
    brokerRef: text('broker_ref').notNull(),
    tickSize: real('tick_size').notNull(),
    /** A crypto pair's quantity step, least quantity and least order value (issue 22); null where none is stated. */
    qtyStep: real('qty_step'),
    minQty: real('min_qty'),
    minNotional: real('min_notional'),
    /** When the broker last said so (epoch ms). */
    resolvedAt: integer('resolved_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.brokerAccountId, t.exchange, t.symbol] })],
);

export const strategies = sqliteTable(
  'strategies',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    brokerAccountId: integer('broker_account_id')
      .notNull()
      .references(() => brokerAccounts.id),
    symbol: text('symbol').notNull(),
    exchange: text('exchange').notNull(),
    /**
     * The strategy as its spec (engine/core/strategy-spec.ts), JSON without the keys kept as
     * columns here (broker_account_id, symbol, exchange), which are written from it in the same
     * statement. The one definition of what the strategy trades and when.
     */
    spec: text('spec').notNull(),
    /** The SPEC_VERSION `spec` was written under. */
    specVersion: integer('spec_version').notNull(),
    status: text('status').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('strategies_user').on(t.userId), index('strategies_status').on(t.status)],
);

export const runs = sqliteTable(
  'runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    strategyId: integer('strategy_id')
      .notNull()
      .references(() => strategies.id, { onDelete: 'cascade' }),
    userId: integer('user_id').notNull(),
    tradingDate: text('trading_date').notNull(),
    state: text('state').notNull(),
    buyAt: integer('buy_at').notNull(),
    sellAt: integer('sell_at').notNull(),
    positionQty: real('position_qty').notNull().default(0),
    /**
     * What the current leg's exits found not held at the broker and left unsold (a fee taken in the
     * coin bought, a remainder under one order step, sold elsewhere): no longer the run's to sell,
     * and not sold by it. Bought − position_qty − unsold_qty is what the leg's exits sold.
     */
    unsoldQty: real('unsold_qty').notNull().default(0),
    entryPrice: real('entry_price'),
    exitPrice: real('exit_price'),
    exitLeg: text('exit_leg'),
    lastAction: text('last_action'),
    lastActionAt: integer('last_action_at'),
    reason: text('reason'),
    stopRequested: integer('stop_requested', { mode: 'boolean' }).notNull().default(false),
    /** Which STOP is pending (with stop_requested): true keeps the position open, false closes it. */
    stopKeep: integer('stop_keep', { mode: 'boolean' }).notNull().default(false),
    /**
     * The group's "exit all" (issue 19: 'mtm_stop', 'mtm_target', 'unwind'), written on every open run
     * of a day's group in one transaction before any of their exits is sent; null: none.
     */
    exitAll: text('exit_all'),
    /** The current leg: 0 for the day's first entry and its exits, n for the n-th re-entry. */
    legNo: integer('leg_no').notNull().default(0),
    /** Which of the strategy's simultaneous positions this run holds (0–9); 0 for a strategy without `positions`. */
    positionNo: integer('position_no').notNull().default(0),
    /** The strategy as the run trades it (JSON), so an edit of the strategy never changes a run under way; null before it is taken. */
    plan: text('plan'),
    /** The position's exit levels as absolute prices (JSON); null when flat. */
    levels: text('levels'),
    /** When the next leg's entry is due, epoch ms; null when none is waiting. */
    reentryAt: integer('reentry_at'),
    /** No re-entry at or after this instant, epoch ms; null: the run takes no re-entries. */
    reentryCutoffAt: integer('reentry_cutoff_at'),
    /** The last moment a position may stay open, epoch ms; null: the SELL time. */
    squareOffAt: integer('square_off_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('runs_strategy_date').on(t.strategyId, t.tradingDate, t.positionNo), index('runs_user').on(t.userId)],
);

/** The order journal: a row is written before the order is sent, and updated as answers come. */
export const orders = sqliteTable(
  'orders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    strategyId: integer('strategy_id').notNull(),
    userId: integer('user_id').notNull(),
    brokerAccountId: integer('broker_account_id').notNull(),
    leg: text('leg').notNull(),
    side: text('side').notNull(),
    /** The run's leg the order belongs to: 0 for the day's first entry and its exits, n for the n-th re-entry's. */
    legNo: integer('leg_no').notNull().default(0),
    slot: text('slot').notNull(),
    /** 1 for the slot's first order; an exit refused for a reason that may pass is tried again as attempt 2, 3, … */
    attempt: integer('attempt').notNull().default(1),
    clientOrderId: text('client_order_id').notNull(),
    brokerOrderId: text('broker_order_id'),
    symbol: text('symbol').notNull(),
    exchange: text('exchange').notNull(),
    qty: real('qty').notNull(),
    status: text('status').notNull(),
    scheduledAt: integer('scheduled_at').notNull(),
    /** The sending mark: the placement request was about to leave (engine/core/types.ts Order.sendingAt). */
    sendingAt: integer('sending_at'),
    dispatchedAt: integer('dispatched_at'),
    ackedAt: integer('acked_at'),
    filledAt: integer('filled_at'),
    filledQty: real('filled_qty').notNull().default(0),
    fillPrice: real('fill_price'),
    rejectReason: text('reject_reason'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('orders_run_leg_slot_attempt').on(t.runId, t.legNo, t.slot, t.attempt),
    uniqueIndex('orders_account_client_id').on(t.brokerAccountId, t.clientOrderId),
    index('orders_user').on(t.userId),
    index('orders_strategy').on(t.strategyId),
    index('orders_open').on(t.status),
  ],
);

/**
 * The backstop journal (issue 20): the stop resting at the broker for one leg of a run, one row
 * per (run, leg), written before every call to the broker so recovery knows what to ask. The row
 * names the current version (its deterministic id, core/ids.ts backstopId); while a modification
 * is on its way (`modifying`) the next version's trigger and limit are in `next_*`; a take-profit
 * resting with it (Kite OCO) in `target_*`, and which side fired in `fired_leg`.
 */
export const backstops = sqliteTable(
  'backstops',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    strategyId: integer('strategy_id').notNull(),
    userId: integer('user_id').notNull(),
    brokerAccountId: integer('broker_account_id').notNull(),
    legNo: integer('leg_no').notNull(),
    version: integer('version').notNull(),
    clientOrderId: text('client_order_id').notNull(),
    /** The broker's id (Alpaca's order id, Kite's GTT id); null until it answered. */
    brokerRef: text('broker_ref'),
    symbol: text('symbol').notNull(),
    exchange: text('exchange').notNull(),
    side: text('side').notNull(),
    qty: real('qty').notNull(),
    triggerPrice: real('trigger_price').notNull(),
    limitPrice: real('limit_price'),
    /** placing, resting, modifying, cancelling, cancelled, fired, rejected. */
    state: text('state').notNull(),
    nextTriggerPrice: real('next_trigger_price'),
    nextLimitPrice: real('next_limit_price'),
    /** A take-profit resting with the stop, one cancelling the other (a Kite two-leg GTT); null: the stop alone. */
    targetPrice: real('target_price'),
    targetLimitPrice: real('target_limit_price'),
    /** When it fired: 'stop' or 'target', the side whose order is the leg's exit. */
    firedLeg: text('fired_leg'),
    /** What filled of the order it became when it fired, and whether that order is finished. */
    filledQty: real('filled_qty').notNull().default(0),
    fillPrice: real('fill_price'),
    done: integer('done', { mode: 'boolean' }).notNull().default(false),
    reason: text('reason'),
    /**
     * JSON array of epoch ms: when the moves (modifies) of the last minute were sent, written with
     * each move before it goes, so a restarted process keeps the broker's modifies-per-minute budget.
     */
    modifiesSentAt: text('modifies_sent_at').notNull().default('[]'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('backstops_run_leg').on(t.runId, t.legNo),
    uniqueIndex('backstops_account_client_id').on(t.brokerAccountId, t.clientOrderId),
    index('backstops_state').on(t.state),
  ],
);

/** Append-only audit log of engine events. */
export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id').notNull(),
    strategyId: integer('strategy_id'),
    runId: integer('run_id'),
    type: text('type').notNull(),
    /** The whole event as JSON. */
    payload: text('payload').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('events_user_id').on(t.userId, t.id), index('events_strategy').on(t.strategyId, t.id)],
);


/**
 * Prices of watched instruments as 1-minute bars, so a chart opened after a reload shows the
 * day. Broker market data, not a user's own (like instruments): read through a strategy the user
 * owns, gone with its account, and pruned to the last few days (engine/market/bar-recorder.ts).
 */
export const priceBars = sqliteTable(
  'price_bars',
  {
    brokerAccountId: integer('broker_account_id')
      .notNull()
      .references(() => brokerAccounts.id, { onDelete: 'cascade' }),
    exchange: text('exchange').notNull(),
    symbol: text('symbol').notNull(),
    /** Epoch ms of the minute's start (UTC, a multiple of 60 000). */
    minute: integer('minute').notNull(),
    open: real('open').notNull(),
    high: real('high').notNull(),
    low: real('low').notNull(),
    close: real('close').notNull(),
    ticks: integer('ticks').notNull(),
  },
  (t) => [primaryKey({ columns: [t.brokerAccountId, t.exchange, t.symbol, t.minute] }), index('price_bars_minute').on(t.minute)],
);

/**
 * A user's notification channels (issue 21): a webhook, a Telegram bot, an SMTP mailbox. `config`
 * is never secret (URL, chat ids, host); the secret (webhook signing secret, bot token, SMTP
 * password) is the vault's envelope, sealed with `notify-channel:<id>` as associated data, and
 * only its mask is readable. The failure streak counts attempts failed in a row: the API shows a
 * channel as failing from 3.
 */
export const notifyChannels = sqliteTable(
  'notify_channels',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** webhook, telegram, email. */
    kind: text('kind').notNull(),
    label: text('label').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    /** JSON array of the topics it receives (engine/notify/policy.ts NOTIFY_TOPICS). */
    topics: text('topics').notNull(),
    /** JSON object, the kind's settings; never secret. */
    config: text('config').notNull(),
    secretCiphertext: blob('secret_ciphertext', { mode: 'buffer' }),
    /** JSON object of display-only masks, e.g. { bot_token: '12…Zk' }. */
    secretMasked: text('secret_masked').notNull().default('{}'),
    failureStreak: integer('failure_streak').notNull().default(0),
    /** Why the last attempt failed, in words that never hold the secret; null once one succeeds. */
    lastError: text('last_error'),
    lastFailureAt: integer('last_failure_at'),
    lastSuccessAt: integer('last_success_at'),
    /**
     * The paired device whose token subscribed it (a web_push channel made from a phone); null when
     * a password session made it. Unpairing the device removes the channel through NotifyService
     * first (its sender closed); the cascade only keeps a channel from outliving its device.
     */
    deviceId: integer('device_id').references(() => devices.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('notify_channels_user').on(t.userId), index('notify_channels_device').on(t.deviceId)],
);

/**
 * The durable delivery queue and its log: one row per notification per channel. pending → sending
 * → sent, or back to pending with the next attempt's time, or failed (attempts used up, or a refusal
 * that cannot pass). A row found `sending` at start is sent again (at least once).
 */
export const notifyDeliveries = sqliteTable(
  'notify_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    channelId: integer('channel_id')
      .notNull()
      .references(() => notifyChannels.id, { onDelete: 'cascade' }),
    userId: integer('user_id').notNull(),
    /** The notification's topic, or `test` for "send test". */
    topic: text('topic').notNull(),
    /** The notification as JSON (engine/notify/notifier.ts TraderNotification). */
    payload: text('payload').notNull(),
    /** pending, sending, sent, failed. */
    state: text('state').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('notify_deliveries_due').on(t.state, t.nextAttemptAt), index('notify_deliveries_channel').on(t.channelId, t.id)],
);

/**
 * Historical 1-minute OHLCV bars for backtests (issue 23), from a CSV import or a broker's
 * historical API. Market data, not a user's: keyed by instrument only, kept between backtests, and
 * bounded by a row cap with the oldest minutes evicted first (db/repos/historical-bars.ts).
 */
export const historicalBars = sqliteTable(
  'historical_bars',
  {
    exchange: text('exchange').notNull(),
    symbol: text('symbol').notNull(),
    /** Epoch ms of the minute's start (UTC, a multiple of 60 000). */
    minute: integer('minute').notNull(),
    open: real('open').notNull(),
    high: real('high').notNull(),
    low: real('low').notNull(),
    close: real('close').notNull(),
    volume: real('volume').notNull(),
  },
  (t) => [primaryKey({ columns: [t.exchange, t.symbol, t.minute] }), index('historical_bars_minute').on(t.minute)],
);

/**
 * The days of historical trades (ticks) kept for backtests (issue 23): one row per instrument and
 * trading day fetched whole (its session [start, end), epoch ms), with how many trades it holds.
 * A day is the unit of storage and eviction, so a backtest never walks half a day of trades
 * (db/repos/historical-ticks.ts).
 */
export const historicalTickDays = sqliteTable(
  'historical_tick_days',
  {
    exchange: text('exchange').notNull(),
    symbol: text('symbol').notNull(),
    /** The trading date in the exchange's zone, YYYY-MM-DD. */
    day: text('day').notNull(),
    start: integer('start').notNull(),
    end: integer('end').notNull(),
    ticks: integer('ticks').notNull(),
  },
  (t) => [primaryKey({ columns: [t.exchange, t.symbol, t.day] }), index('historical_tick_days_start').on(t.start)],
);

/** A stored day's trades that set the last price (core/last-sale.ts), in the tape's order (`seq`). */
export const historicalTicks = sqliteTable(
  'historical_ticks',
  {
    exchange: text('exchange').notNull(),
    symbol: text('symbol').notNull(),
    day: text('day').notNull(),
    /** The trade's place in its day, from 0: the tape's order, also among trades of one millisecond. */
    seq: integer('seq').notNull(),
    /** Epoch ms (the feed's nanoseconds cut to the millisecond). */
    at: integer('at').notNull(),
    price: real('price').notNull(),
    size: real('size').notNull(),
  },
  (t) => [primaryKey({ columns: [t.exchange, t.symbol, t.day, t.seq] })],
);
