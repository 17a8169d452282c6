/**
 * The paper broker's options. Users send these as a broker account's `options` through the API,
 * so they are parsed here once, with errors that name the offending field; the broker itself
 * then trusts them.
 */
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import { MAX_TIMER_MS } from '../../core/clock';
import { validationError, type FieldError } from '../../core/errors';
import { EXCHANGES } from '../../core/types';

/** Symbols the paper broker accepts (upper case, as exchanges list them; an index's name may hold spaces: "NIFTY 50"; a crypto pair is "BTC/USDT"). */
export const PAPER_SYMBOL_PATTERN = /^[A-Z0-9](?:[A-Z0-9.&_ /-]{0,28}[A-Z0-9.&_-])?$/;

/** "EXCHANGE:SYMBOL", the key of `startPrices`, `scripts` and `setPrice`. */
export const PAPER_INSTRUMENT_KEY_PATTERN = new RegExp(`^(${EXCHANGES.join('|')}):${PAPER_SYMBOL_PATTERN.source.slice(1)}`);

const instrumentKey = z
  .string()
  .regex(PAPER_INSTRUMENT_KEY_PATTERN, { error: `must be "EXCHANGE:SYMBOL" with EXCHANGE one of ${EXCHANGES.join(', ')}` });

const price = z.number({ error: 'must be a number' }).positive({ error: 'must be a price above 0' });

const ms = z
  .number({ error: 'must be a number of milliseconds' })
  .int({ error: 'must be a whole number of milliseconds' })
  .min(0, { error: 'must not be negative' })
  .max(MAX_TIMER_MS, { error: `must be at most ${MAX_TIMER_MS} ms` });

const scriptPoint = z.strictObject({ afterMs: ms, price });

const script = z
  .array(scriptPoint)
  .min(1, { error: 'must have at least one point' })
  .superRefine((points, ctx) => {
    // Out-of-order points are almost always a typo in a test; sorting them silently would hide it.
    for (let i = 1; i < points.length; i++) {
      if (points[i]!.afterMs < points[i - 1]!.afterMs) {
        ctx.addIssue({ code: 'custom', path: [i, 'afterMs'], message: 'must not be earlier than the previous point' });
      }
    }
  });

/**
 * User-facing options of the paper broker (everything but the injected clock). Unknown keys are
 * an error, so a misspelt option never silently falls back to its default.
 *
 * @example paperBrokerOptionsSchema.parse({ seed: 7, slippageBps: 5 })
 */
export const paperBrokerOptionsSchema = z.strictObject({
  /** Seeds the random walk; the same seed gives every instrument the same series. Default: the clock's time at creation. */
  seed: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).optional(),
  /** Time between two ticks of one subscribed instrument. */
  tickIntervalMs: ms.min(1, { error: 'must be at least 1 ms' }).default(250),
  /** Largest move of one random-walk step, in basis points of the price (uniform in ±this). */
  volatilityBps: z.number({ error: 'must be a number' }).min(0, { error: 'must not be negative' }).max(1000, { error: 'must be at most 1000 (10% per tick)' }).default(2),
  /** Price of an instrument before any tick, keyed "EXCHANGE:SYMBOL"; 100 when absent. */
  startPrices: z.record(instrumentKey, price).default({}),
  /** Adverse fill slippage: a buy pays this much above the price, a sell receives this much below. */
  slippageBps: z.number({ error: 'must be a number' }).min(0, { error: 'must not be negative' }).max(1000, { error: 'must be at most 1000 (10%)' }).default(0),
  /** Delay from placement to the 'accepted' update. */
  ackLatencyMs: ms.default(0),
  /** Delay from the 'accepted' update to the fill. */
  fillLatencyMs: ms.default(0),
  /** Scripted prices per instrument, offsets from subscribe time; replaces the random walk for that instrument. */
  scripts: z.record(instrumentKey, script).default({}),
  /**
   * Annualised volatility of the simulated index options' Black-Scholes prices (0.15: 15 %). The
   * indices themselves move by the walk (`volatilityBps`), like every other instrument.
   */
  optionVolatility: z.number({ error: 'must be a number' }).positive({ error: 'must be above 0' }).max(5, { error: 'must be at most 5 (500 % a year)' }).default(0.15),
  /** Price step; ticks and fills are rounded to it (an index option's is its own, 0.05). */
  tickSize: z.number({ error: 'must be a number' }).positive({ error: 'must be above 0' }).max(1000, { error: 'must be at most 1000' }).default(0.01),
});

/** Options as a user (or a test) writes them. */
export type PaperBrokerUserOptions = z.input<typeof paperBrokerOptionsSchema>;

/** Options with every default applied. */
export type PaperBrokerConfig = z.output<typeof paperBrokerOptionsSchema>;

/** Everything `createPaperBroker` takes: the user options plus the injected clock. */
export type PaperBrokerOptions = PaperBrokerUserOptions & { readonly clock: Clock };

/** One point of a scripted price series. */
export type PaperScriptPoint = z.output<typeof scriptPoint>;

/**
 * Parses user options, throwing a `validation_failed` DomainError whose fields name each bad
 * option by its path (`slippageBps`, `scripts.NSE:INFY.2.afterMs`).
 *
 * @example parsePaperBrokerOptions({ tickSize: 0.05 }).tickIntervalMs === 250
 */
export function parsePaperBrokerOptions(raw: unknown): PaperBrokerConfig {
  const result = paperBrokerOptionsSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  throw validationError(result.error.issues.flatMap(toFieldErrors));
}

function toFieldErrors(issue: z.core.$ZodIssue): FieldError[] {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: at ? `${at}.${key}` : key, message: 'is not a paper broker option' }));
  }
  // A bad record key carries the useful message one level down.
  const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return [{ field: at || 'options', message }];
}
