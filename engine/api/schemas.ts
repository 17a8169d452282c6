/**
 * Request schemas of the local API: the contract the renderer's types derive from. Every object
 * is strict (an unknown field is a 400 naming it) and every string has a length limit; the body
 * as a whole is capped by the server's bodyLimit. Strategy bodies are defined once
 * (core/strategy-spec.ts), validated by the strategy service itself (strategy-input.ts adds the
 * runtime's rules) and re-exported here so the contract is in one place.
 */
import { z } from 'zod';
import type { installSettingsPatch } from '../settings/install-settings';
import { fromZodError } from '../core/zod-errors';
import { EXCHANGES } from '../core/types';
import { isCivilDate } from '../scheduler/civil-date';
import { strategyShape } from '../core/strategy-spec';

export { createStrategyInput as createStrategyBody, updateStrategyInput as updateStrategyBody } from '../strategy/strategy-input';
export type { CreateStrategyInput as CreateStrategyBody, UpdateStrategyInput as UpdateStrategyBody } from '../strategy/strategy-input';

/** Passwords are checked for policy (10–256 characters) by the auth service; this only bounds work. */
const password = (field: string) => z.string({ error: `${field} is required` }).min(1, { error: `${field} is required` }).max(1024, { error: `${field} is too long` });

/** A database id in a body: a positive whole number. */
const id = (field: string) => z.number({ error: `${field} is required and must be a number` }).int({ error: `${field} must be a whole number` }).positive({ error: `${field} must be positive` }).max(Number.MAX_SAFE_INTEGER);

/** A database id in a path or query string: digits only, no sign, no leading zero. */
const idText = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, { error: 'must be a positive whole number' })
  .transform(Number);

export const registerBody = z.strictObject({
  // Trimmed first: " ana@example.com" is a typo of an address, not a different one (the repository lower-cases).
  email: z
    .string({ error: 'email is required' })
    .trim()
    .max(254, { error: 'email must be at most 254 characters' })
    .pipe(z.email({ error: 'email must be an email address' })),
  password: password('password'),
  /** The password typed again, where the form asks for it; checked with the rest, in one answer. */
  confirm_password: z.string({ error: 'confirm_password must be text' }).max(1024, { error: 'confirm_password is too long' }).optional(),
});
export type RegisterBody = z.infer<typeof registerBody>;

/** Login takes any email text: a format error would tell a guesser nothing, but must not 400 a real user. */
export const loginBody = z.strictObject({
  email: z.string({ error: 'email is required' }).min(1, { error: 'email is required' }).max(254, { error: 'email must be at most 254 characters' }),
  password: password('password'),
});
export type LoginBody = z.infer<typeof loginBody>;

export const changePasswordBody = z.strictObject({
  current_password: password('current_password'),
  new_password: password('new_password'),
  /** The new password typed again; when sent, it must match (the UI always sends it). */
  confirm_password: z.string({ error: 'confirm_password must be text' }).max(1024, { error: 'confirm_password is too long' }).optional(),
});
export type ChangePasswordBody = z.infer<typeof changePasswordBody>;

const fieldName = z.string().max(64);

/**
 * A broker account to connect. `credentials` and `options` are checked in depth by the broker
 * kind's own schemas; here only their outer shape and sizes.
 */
export const connectBrokerBody = z.strictObject({
  broker: z.string({ error: 'broker is required' }).min(1).max(32),
  label: z.string().trim().min(1, { error: 'label must not be empty' }).max(64, { error: 'label must be at most 64 characters' }).optional(),
  credentials: z.record(fieldName, z.string({ error: 'must be text' }).max(4096, { error: 'must be at most 4096 characters' })).optional(),
  options: z.record(fieldName, z.unknown()).optional(),
});
export type ConnectBrokerBody = z.infer<typeof connectBrokerBody>;

export const startStrategyBody = z.strictObject({ strategy_id: id('strategy_id') });
export type StartStrategyBody = z.infer<typeof startStrategyBody>;

export const stopStrategyBody = z.strictObject({
  strategy_id: id('strategy_id'),
  /** true (default): an open position is sold at once; false: it is left open on purpose. */
  close_position: z.boolean({ error: 'close_position must be true or false' }).optional(),
});
export type StopStrategyBody = z.infer<typeof stopStrategyBody>;

export const stopAllBody = z.strictObject({
  /** true (default): every open position is sold at once. */
  close_positions: z.boolean({ error: 'close_positions must be true or false' }).optional(),
});
export type StopAllBody = z.infer<typeof stopAllBody>;

export const idParams = z.strictObject({ id: idText });

/** POST /strategy/:id/readiness: nothing to say; no body, or an empty object. */
export const readinessBody = z.strictObject({}, { error: 'the body must be empty: POST /strategy/:id/readiness takes no fields' }).optional();

/** A session id in a path: what randomToken(16) makes, 22 base64url characters. */
export const sessionParams = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, { error: 'id must be a session id' }) });

/** A page size in a query string: 1 to 500. */
const pageLimit = z
  .string()
  .regex(/^\d{1,3}$/, { error: 'must be a whole number from 1 to 500' })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 500, { error: 'must be a whole number from 1 to 500' });

export const eventLogQuery = z.strictObject({
  strategy_id: idText.optional(),
  /** Only events older than this id: the next page is `before_id = last id of this page`. */
  before_id: idText.optional(),
  limit: pageLimit.optional(),
});
export type EventLogQuery = z.infer<typeof eventLogQuery>;

const tradingDate = (field: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${field} must be a date as YYYY-MM-DD`, abort: true })
    .refine(isCivilDate, { error: `${field} must be a real date` });

/** GET /runs: the user's runs, newest trading date first, narrowed by strategy and dates (inclusive). */
export const runHistoryQuery = z
  .strictObject({
    strategy_id: idText.optional(),
    from: tradingDate('from').optional(),
    to: tradingDate('to').optional(),
    /** The previous page's next_before: "YYYY-MM-DD:run id". */
    before: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}:[1-9]\d{0,14}$/, { error: 'must be the next_before of the previous page' })
      .transform((v) => ({ tradingDate: v.slice(0, 10), id: Number(v.slice(11)) }))
      .optional(),
    limit: pageLimit.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { error: 'to must not be before from', path: ['to'] });
export type RunHistoryQuery = z.input<typeof runHistoryQuery>;

const epochMs = z
  .string()
  .regex(/^\d{1,15}$/, { error: 'must be a time in epoch milliseconds' })
  .transform(Number);

/** GET /strategy/:id/bars: from/to in epoch ms (default: the last 24 hours). */
export const priceBarsQuery = z
  .strictObject({ from: epochMs.optional(), to: epochMs.optional() })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { error: 'to must not be before from', path: ['to'] });

/** First message of a browser's WebSocket (browsers cannot set an Authorization header). */
export const socketAuthMessage = z.strictObject({ type: z.literal('auth'), token: z.string().min(1).max(2048) });

/**
 * Parses `value` or throws the one validation error naming each bad field.
 *
 * @example const { email, password } = parse(loginBody, request.body);
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}

/** PATCH /install-settings: install-settings.ts holds the rules, shared with the engine's own read of the table. */
export type InstallSettingsBody = z.input<typeof installSettingsPatch>;

/** A daily login completed by hand: the redirect URL the broker showed, or just its request token. */
export const brokerSessionBody = z.strictObject({
  redirect: z.string({ error: 'redirect is required: the URL the broker redirected to, or its request token' }).min(1).max(2048),
});
export type BrokerSessionBody = z.infer<typeof brokerSessionBody>;

const exchangeParam = z.enum(EXCHANGES, { error: `exchange must be one of ${EXCHANGES.join(', ')}` });

/** GET /broker/:id/instruments: what the symbol field suggests while the trader types. */
export const instrumentSearchQuery = z.strictObject({
  q: z
    .string({ error: 'q is required: the text to search for' })
    .trim()
    .min(1, { error: 'q must not be empty' })
    .max(30, { error: 'q must be at most 30 characters' }),
  exchange: exchangeParam.optional(),
  /** 1 to 20, default 8. */
  limit: z
    .string()
    .regex(/^\d{1,2}$/, { error: 'limit must be a whole number from 1 to 20' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 20, { error: 'limit must be a whole number from 1 to 20' })
    .optional(),
});
export type InstrumentSearchQuery = z.input<typeof instrumentSearchQuery>;

/** GET /broker/:id/quote: the last price of one instrument at the account. */
export const quoteQuery = z.strictObject({
  symbol: strategyShape.symbol,
  exchange: exchangeParam,
});
export type QuoteQuery = z.input<typeof quoteQuery>;

/** POST /backtest and POST /backtest/grid: parsed by the backtest service itself (the CLI takes the same). */
export type { BacktestRequest as BacktestBody, GridRequest as BacktestGridBody } from '../backtest/backtest-service';

/** GET /strategy/:id/backtest.csv: the range and the fill of a backtest of that strategy (backtest-service.ts checks them). */
export const backtestCsvQuery = z.strictObject({
  from: z.string({ error: 'from is required' }).max(10),
  to: z.string({ error: 'to is required' }).max(10),
  slippage_bps: z
    .string()
    .regex(/^\d{1,4}(\.\d{1,4})?$/, { error: 'slippage_bps must be a number' })
    .transform(Number)
    .optional(),
  fees: z.string().max(8).optional(),
  /** An option strategy's units per lot (backtest-service.ts requires it then). */
  lot_size: z
    .string()
    .regex(/^\d{1,5}$/, { error: 'lot_size must be a whole number of units' })
    .transform(Number)
    .optional(),
});

/** POST /devices/pair. */
export const pairBody = z.strictObject({
  code: z.string({ error: 'code is required' }).min(1, { error: 'code is required' }).max(32, { error: 'code is too long' }),
  name: z.string({ error: 'name is required' }).max(256, { error: 'name is too long' }),
});

/** PATCH /devices/:id. */
export const renameDeviceBody = z.strictObject({ name: z.string({ error: 'name is required' }).max(256, { error: 'name is too long' }) });
