/**
 * What a trader may send to create or edit a strategy, and every rule it must meet. The field
 * names are the API's (snake_case), so an error names exactly the field the trader typed. Every
 * message starts with the field's name and says what is wrong in words; the renderer swaps field
 * names for the labels on screen (renderer/src/ui/field-labels.ts), so there is one message per rule.
 */
import { z } from 'zod';
import { EXCHANGES, REPEATS } from '../core/types';
import { parseTimeOfDay, secondsOfDay } from '../core/time-of-day';
import { isKnownTimezone } from '../scheduler/timezone';

/** "is required" for a missing field, `wrongType` for one sent with a value of another type. */
const requiredOr = (field: string, wrongType: string) => (issue: { input?: unknown }) =>
  issue.input === undefined || issue.input === null || issue.input === '' ? `${field} is required` : `${field} ${wrongType}`;

const timeOfDay = (field: string) =>
  z
    .string({ error: requiredOr(field, 'must be a 24-hour time "HH:MM" or "HH:MM:SS"') })
    .refine((s) => parseTimeOfDay(s) !== null, { message: `${field} must be a 24-hour time "HH:MM" or "HH:MM:SS"` });

const positiveNumber = (field: string) =>
  z
    .number({ error: requiredOr(field, 'must be a number') })
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

/**
 * Each field's own rules. Exported so the strategy service can tell which fields are sound on
 * their own when the body as a whole fails, and still check those with the broker.
 */
export const strategyFields = {
  broker_account_id: z
    .number({ error: requiredOr('broker_account_id', 'must be a number') })
    .int({ error: 'broker_account_id must be a whole number' })
    .positive({ error: 'broker_account_id must be a whole number above 0' }),
  symbol: z
    .string({ error: requiredOr('symbol', 'must be text') })
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
    .string({ error: 'timezone must be text' })
    .max(64, { error: 'timezone must be at most 64 characters' })
    .refine((tz) => isKnownTimezone(tz), { message: 'timezone must be an IANA zone name such as "America/New_York"' })
    .optional(),
  repeat: z.enum(REPEATS, { error: `repeat must be one of ${REPEATS.join(', ')}` }).optional(),
  buy_grace_seconds: z
    .number({ error: 'buy_grace_seconds must be a number of seconds' })
    .int({ error: 'buy_grace_seconds must be a whole number of seconds' })
    .min(0, { error: 'buy_grace_seconds must be between 0 and 3600' })
    .max(3600, { error: 'buy_grace_seconds must be between 0 and 3600' })
    .optional(),
};

/**
 * SELL after BUY on the same day. Checked whatever else fails (`when`): zod skips an object's
 * refinements once a field fails, which hid this rule while the trader fixed the others.
 */
function sellAfterBuy(v: { buy_time?: unknown; sell_time?: unknown } | null, ctx: z.RefinementCtx): void {
  if (typeof v !== 'object' || v === null) return;
  const buy = typeof v.buy_time === 'string' ? parseTimeOfDay(v.buy_time.trim()) : null;
  const sell = typeof v.sell_time === 'string' ? parseTimeOfDay(v.sell_time.trim()) : null;
  if (buy && sell && secondsOfDay(sell) <= secondsOfDay(buy)) {
    ctx.addIssue({ code: 'custom', path: ['sell_time'], message: `sell_time must be later than buy_time (${String(v.buy_time).trim()}) on the same day` });
  }
}

const always = { when: () => true };

/** Body of a strategy create. `stop_loss` is mandatory: no strategy runs without one. */
export const createStrategyInput = z.strictObject(strategyFields).superRefine(sellAfterBuy, always);
export type CreateStrategyInput = z.output<typeof createStrategyInput>;

/** Body of a strategy edit: any subset of the create fields except the broker account. */
export const updateStrategyInput = z
  .strictObject({ ...strategyFields, broker_account_id: strategyFields.broker_account_id.optional() })
  .partial()
  .superRefine(sellAfterBuy, always);
export type UpdateStrategyInput = z.output<typeof updateStrategyInput>;

export const DEFAULT_BUY_GRACE_SECONDS = 60;
