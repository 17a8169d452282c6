/**
 * The builders of a spec's fields and the choices they share: the strategy's keys
 * (strategy-spec.ts) and a position's (position-spec.ts) are made of these, so a rule and its
 * message are written once. zod only, no I/O.
 */
import Decimal from 'decimal.js';
import { z } from 'zod';
import { parseTimeOfDay } from './time-of-day';

export const SIDES = ['buy', 'sell'] as const;
/** How a stop-loss or target is given: the price itself, or a distance from the entry fill price. */
export const LEVEL_MODES = ['price', 'points', 'percent'] as const;
/** How a trailing distance or a gain is given: always relative to a price. */
export const OFFSET_MODES = ['points', 'percent'] as const;
/** Index options (issue 19): the right, the expiry rule and the strike rule of a contract chosen at the BUY time. */
export const OPTION_RIGHTS = ['CE', 'PE'] as const;
/**
 * What a position of a group trades from the index's derivatives: an option (CE, PE) or the index's
 * future (FUT: the month's, or a listed expiry date; no strike). The key stays `option_right`, the
 * one key a position names its instrument by, rather than a second key beside it.
 */
export const POSITION_RIGHTS = ['CE', 'PE', 'FUT'] as const;
export type PositionRight = (typeof POSITION_RIGHTS)[number];
export const OPTION_EXPIRIES = ['current_week', 'next_week', 'current_month'] as const;
/** An expiry rule, or an exact expiry date `YYYY-MM-DD` (the exchange's date) that the instrument list must name. */
export type OptionExpiry = (typeof OPTION_EXPIRIES)[number] | `${number}-${number}-${number}`;
export const OPTION_EXPIRY_DATE = /^\d{4}-\d{2}-\d{2}$/;
/**
 * "atm"; "atm+2" / "atm-1": listed strikes from the money, + out of the money for either right;
 * "premium:120": the premium nearest 120; "width:0.5": the strike nearest ATM ± 0.5 × the ATM
 * straddle's premium (CE above, PE below: out of the money, as atm+N).
 */
export const OPTION_STRIKE_PATTERN = /^(atm|atm[+-][1-9]\d?|premium:\d{1,6}(\.\d{1,2})?|width:\d(\.\d{1,2})?)$/;
/** The most a straddle-width factor may be: 5 straddles from the money is far past any listed strike a trader means. */
export const STRADDLE_WIDTH_MAX = 5;
/**
 * Days to expiry a daily option strategy may enter on (`dte`): calendar days from the entry's date
 * (IST) to its expiry, 0 on the expiry day. The most: 34, the longest a current-month expiry is
 * away (monthlies are at most 35 days apart).
 */
export const DTE_MAX = 34;
export const DTE_CHOICES = Array.from({ length: DTE_MAX + 1 }, (_, n) => String(n)) as [string, ...string[]];

/**
 * Bounds of a price level or distance, before the instrument's own tick is known (the strategy
 * service checks that next). Below 1e-8 (a satoshi) or with more than 8 decimals no market prices
 * it; above 1e9 it is a typo, and a stop-loss that is always hit sells at once.
 */
export const LEVEL_MIN = 1e-8;
export const LEVEL_MAX = 1e9;
export const LEVEL_DECIMALS = 8;

/** "is required" for a missing field, `wrongType` for one sent with a value of another type. */
export const requiredOr = (field: string, wrongType: string) => (issue: { input?: unknown }) =>
  issue.input === undefined || issue.input === null || issue.input === '' ? `${field} is required` : `${field} ${wrongType}`;

const TIME_TEXT = 'must be a 24-hour time "HH:MM" or "HH:MM:SS"';
export const timeOfDay = (field: string) =>
  z.string({ error: requiredOr(field, TIME_TEXT) }).refine((s) => parseTimeOfDay(s) !== null, { message: `${field} ${TIME_TEXT}` });

export const positiveNumber = (field: string) =>
  z
    .number({ error: requiredOr(field, 'must be a number') })
    .refine((n) => Number.isFinite(n), { message: `${field} must be a finite number` })
    .refine((n) => n > 0, { message: `${field} must be greater than 0` });

/** The least and most a quantity may be: below a satoshi (1e-8) no venue trades it, above is a typo. */
export const QTY_MIN = 1e-8;
export const QTY_MAX = 1_000_000;
/** Significant digits a quantity may have: a double (the journal's `real`) spells back any decimal of 15. */
export const QTY_DIGITS = 15;
const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/**
 * A quantity: a number, or a decimal as typed (`"0.0015"`: plain notation, no sign or exponent),
 * so a fraction reaches the engine as the decimal the trader wrote. A number with float residue
 * (0.1 + 0.2 sent as 0.30000000000000004) is refused: its 17 digits are no quantity anyone meant.
 * Whole or fractional, and on which step, is the broker's and the instrument's (the strategy
 * service checks it, strategy/qty-fit.ts).
 * @example decimalQty('qty').parse('0.0015') // 0.0015
 */
export const decimalQty = (field: string) =>
  z
    .union([z.number(), z.string()], { error: requiredOr(field, 'must be a number') })
    .transform((v, ctx) => {
      const fail = (message: string) => {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      };
      if (typeof v === 'string' && v.trim() === '') return fail(`${field} is required`);
      if (typeof v === 'string' && v.trim().startsWith('-')) return fail(`${field} must be greater than 0`);
      if (typeof v === 'string' && !PLAIN_DECIMAL.test(v.trim())) return fail(`${field} must be a number`);
      // A number is read as its shortest spelling: 0.1 is "0.1", the double JSON gave for it.
      const d = new Decimal(typeof v === 'string' ? v.trim() : v);
      if (!d.isPositive() || d.isZero()) return fail(`${field} must be greater than 0`);
      if (d.lessThan(QTY_MIN)) return fail(`${field} must be at least ${new Decimal(QTY_MIN).toFixed()}`);
      if (d.greaterThan(QTY_MAX)) return fail(`${field} must be at most ${QTY_MAX}`);
      if (d.sd() > QTY_DIGITS) return fail(`${field} must have at most ${QTY_DIGITS} significant digits, got ${d.toFixed()}`);
      return d.toNumber();
    });

/** Whether `n` is written with at most `decimals` digits after the point (as JSON would carry it). */
function hasAtMostDecimals(n: number, decimals: number): boolean {
  return Number(n.toFixed(decimals)) === n;
}

/** A price, or a distance in points or percent: what a market can price. */
export const level = (field: string) =>
  positiveNumber(field)
    .refine((n) => !(n > 0) || n >= LEVEL_MIN, { message: `${field} must be at least ${LEVEL_MIN.toFixed(LEVEL_DECIMALS)}` })
    .refine((n) => !Number.isFinite(n) || n <= LEVEL_MAX, { message: `${field} must be at most ${LEVEL_MAX}` })
    .refine((n) => !(n >= LEVEL_MIN && n <= LEVEL_MAX) || hasAtMostDecimals(n, LEVEL_DECIMALS), { message: `${field} must have at most ${LEVEL_DECIMALS} decimals` });

export const oneOf = <const T extends readonly [string, ...string[]]>(field: string, values: T) => z.enum(values, { error: `${field} must be one of ${values.join(', ')}` });
/** A choice that must be made: "is required" when left out, the choices when another value is sent. */
export const requiredOneOf = <const T extends readonly [string, ...string[]]>(field: string, values: T) => z.enum(values, { error: requiredOr(field, `must be one of ${values.join(', ')}`) });

/**
 * A key that may be left out, or sent as null to say "none": an edit is merged into the stored
 * strategy, so null is how it removes a target, a trail or a cut-off. Either way the key is absent after parsing.
 */
export const orNone = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((v) => v ?? undefined)
    .optional();

/**
 * A key whose default a form shows but a parsed spec leaves out: the spec then means the default.
 * For keys added after v1 (the backstop margin's unit), so a stored spec without them, and specFromV1 of a v1
 * row, parse to exactly themselves; only a value other than the default is kept.
 */
export const keptUnlessDefault = <T extends z.ZodType<string>>(schema: T, byDefault: z.output<T>) =>
  schema
    .default(byDefault as never)
    .transform((v) => (v === byDefault ? undefined : (v as Exclude<z.output<T>, typeof byDefault>)))
    .optional();

/** A non-negative distance: a level, or 0 for none. */
export const distanceOrZero = (field: string) =>
  z
    .number({ error: requiredOr(field, 'must be a number') })
    .refine((n) => Number.isFinite(n), { message: `${field} must be a finite number` })
    .refine((n) => n >= 0, { message: `${field} must be 0 or more` })
    .refine((n) => !Number.isFinite(n) || n <= LEVEL_MAX, { message: `${field} must be at most ${LEVEL_MAX}` })
    .refine((n) => !(n >= 0 && n <= LEVEL_MAX) || hasAtMostDecimals(n, LEVEL_DECIMALS), { message: `${field} must have at most ${LEVEL_DECIMALS} decimals` })
    .transform((n) => (n === 0 ? undefined : n));

/** The most re-entries a run (a position) makes in a day: one digit of the leg in a client order id. */
export const MAX_REENTRIES = 9;

/** How many times to enter again the same day: a whole number 0..MAX_REENTRIES. */
export const reentryCount = (field: string) =>
  z
    .number({ error: `${field} must be a number` })
    .int({ error: `${field} must be a whole number` })
    .min(0, { error: `${field} must be between 0 and ${MAX_REENTRIES}` })
    .max(MAX_REENTRIES, { error: `${field} must be between 0 and ${MAX_REENTRIES}` });

/** An option's strike rule, lower-cased; left out: atm. */
export const optionStrike = (field: string) =>
  keptUnlessDefault(
    z
      .string({ error: `${field} must be text` })
      .trim()
      .toLowerCase()
      .refine((s) => OPTION_STRIKE_PATTERN.test(s), { message: `${field} must be atm, atm+N or atm-N (N listed strikes, + out of the money), premium:PRICE, or width:K (K × the ATM straddle's premium from the money)` })
      .refine((s) => !s.startsWith('width:') || !OPTION_STRIKE_PATTERN.test(s) || (Number(s.slice(6)) > 0 && Number(s.slice(6)) <= STRADDLE_WIDTH_MAX), {
        message: `${field} width:K needs K above 0 and at most ${STRADDLE_WIDTH_MAX} (width:0 is atm)`,
      }),
    'atm',
  );

const expiryText = (field: string) => `${field} must be one of ${OPTION_EXPIRIES.join(', ')}, or an expiry date YYYY-MM-DD`;

/**
 * An option's expiry: a rule (current_week, next_week, current_month) or a date `YYYY-MM-DD` that
 * must be a listed expiry when the contract is chosen (a past date is refused at create, with the
 * clock: strategy/option-filters.ts); left out: current_week.
 */
export const optionExpiry = (field: string) =>
  keptUnlessDefault(
    z.union([z.enum(OPTION_EXPIRIES), z.string().regex(OPTION_EXPIRY_DATE, { error: expiryText(field) })], { error: expiryText(field) }).refine(
      (s) => !OPTION_EXPIRY_DATE.test(s) || isCalendarDate(s),
      { message: `${field} must be a real date YYYY-MM-DD` },
    ) as z.ZodType<OptionExpiry>,
    'current_week',
  );

/** Whether `YYYY-MM-DD` names a day of the calendar (no 2026-02-30). */
export function isCalendarDate(iso: string): boolean {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

const dteText = (field: string) => `${field} must be a list of whole numbers of days, 0 to ${DTE_MAX} (0: the expiry day)`;

/**
 * The days to expiry a daily option strategy enters on: whole numbers 0–DTE_MAX, each once, as
 * numbers or as the form's digits; left out: any.
 */
export const dteList = (field: string) =>
  z
    .array(
      z.union([z.enum(DTE_CHOICES), z.number({ error: dteText(field) }).int({ error: dteText(field) }).min(0, { error: dteText(field) }).max(DTE_MAX, { error: dteText(field) })], { error: dteText(field) }).transform(Number),
      { error: dteText(field) },
    )
    .min(1, { error: `${field} must name at least one day; leave it out for any day` })
    .refine((days) => new Set(days).size === days.length, { message: `${field} must name each day once` })
    .transform((days) => [...days].sort((a, b) => a - b));
