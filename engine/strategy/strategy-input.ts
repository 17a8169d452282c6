/**
 * What a trader may send to create or edit a strategy, and every rule it must meet. The field
 * names are the API's (snake_case), so an error names exactly the field the trader typed.
 */
import { z } from 'zod';
import { EXCHANGES, REPEATS } from '../core/types';
import { parseTimeOfDay, secondsOfDay } from '../core/time-of-day';
import { isKnownTimezone } from '../scheduler/timezone';

const timeOfDay = (field: string) =>
  z
    .string({ error: `${field} is required, as "HH:MM" or "HH:MM:SS"` })
    .refine((s) => parseTimeOfDay(s) !== null, { message: `${field} must be a 24-hour time "HH:MM" or "HH:MM:SS"` });

const positiveNumber = (field: string) =>
  z
    .number({ error: `${field} is required and must be a number` })
    .refine((n) => Number.isFinite(n), { message: `${field} must be a finite number` })
    .refine((n) => n > 0, { message: `${field} must be greater than 0` });

export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9.&_-]{0,29}$/;
/** SYMBOL_PATTERN as typed, in either case: ASCII only, so upper-casing cannot make another symbol of it. */
const TYPED_SYMBOL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.&_-]{0,29}$/;

/**
 * Bounds of a stop-loss price, before the instrument's own tick is known (the strategy service
 * checks that next). Below 1e-8 (a satoshi) or with more than 8 decimals no market prices it;
 * above 1e9 it is a typo, and a stop-loss that is always hit sells at once.
 */
export const STOP_LOSS_MIN = 1e-8;
export const STOP_LOSS_MAX = 1e9;
export const STOP_LOSS_DECIMALS = 8;

/** Whether `n` is written with at most `decimals` digits after the point (as JSON would carry it). */
function hasAtMostDecimals(n: number, decimals: number): boolean {
  return Number(n.toFixed(decimals)) === n;
}

const fields = {
  broker_account_id: z.number({ error: 'broker_account_id is required' }).int().positive(),
  symbol: z
    .string({ error: 'symbol is required' })
    .trim()
    // Checked before upper-casing: 'ß' upper-cases to 'SS' and 'ı' to 'I', another symbol than typed.
    .refine((s) => TYPED_SYMBOL_PATTERN.test(s), { message: 'symbol must be 1-30 ASCII letters, digits or . & _ -' })
    .transform((s) => s.toUpperCase()),
  exchange: z.enum(EXCHANGES, { error: `exchange must be one of ${EXCHANGES.join(', ')}` }).optional(),
  qty: positiveNumber('qty').refine((n) => Number.isInteger(n), { message: 'qty must be a whole number of shares' }).refine((n) => n <= 1_000_000, { message: 'qty must be at most 1000000' }),
  buy_time: timeOfDay('buy_time'),
  sell_time: timeOfDay('sell_time'),
  stop_loss: positiveNumber('stop_loss')
    .refine((n) => !(n > 0) || n >= STOP_LOSS_MIN, { message: `stop_loss must be at least ${STOP_LOSS_MIN.toFixed(STOP_LOSS_DECIMALS)}` })
    .refine((n) => !Number.isFinite(n) || n <= STOP_LOSS_MAX, { message: `stop_loss must be at most ${STOP_LOSS_MAX}` })
    .refine((n) => !(n >= STOP_LOSS_MIN && n <= STOP_LOSS_MAX) || hasAtMostDecimals(n, STOP_LOSS_DECIMALS), { message: `stop_loss must have at most ${STOP_LOSS_DECIMALS} decimals` }),
  timezone: z
    .string()
    .max(64)
    .refine((tz) => isKnownTimezone(tz), { message: 'timezone must be an IANA zone name such as "America/New_York"' })
    .optional(),
  repeat: z.enum(REPEATS, { error: `repeat must be one of ${REPEATS.join(', ')}` }).optional(),
  buy_grace_seconds: z.number().int().min(0).max(3600, { message: 'buy_grace_seconds must be between 0 and 3600' }).optional(),
};

function sellAfterBuy(v: { buy_time?: string; sell_time?: string }, ctx: z.RefinementCtx): void {
  const buy = v.buy_time ? parseTimeOfDay(v.buy_time) : null;
  const sell = v.sell_time ? parseTimeOfDay(v.sell_time) : null;
  if (buy && sell && secondsOfDay(sell) <= secondsOfDay(buy)) {
    ctx.addIssue({ code: 'custom', path: ['sell_time'], message: 'sell_time must be later than buy_time on the same day' });
  }
}

/** Body of a strategy create. `stop_loss` is mandatory: no strategy runs without one. */
export const createStrategyInput = z.strictObject(fields).superRefine(sellAfterBuy);
export type CreateStrategyInput = z.output<typeof createStrategyInput>;

/** Body of a strategy edit: any subset of the create fields except the broker account. */
export const updateStrategyInput = z
  .strictObject({ ...fields, broker_account_id: fields.broker_account_id.optional() })
  .partial()
  .superRefine(sellAfterBuy);
export type UpdateStrategyInput = z.output<typeof updateStrategyInput>;

export const DEFAULT_BUY_GRACE_SECONDS = 60;
