/**
 * What a trader may send to create or edit a strategy: the one definition (core/strategy-spec.ts)
 * plus the rules that need the runtime, keyed by the same field names: a time zone must be one
 * this runtime knows. The strategy service adds the broker's rules and refuses what the engine
 * does not trade yet.
 */
import { z } from 'zod';
import { crossFieldRules, strategyShape } from '../core/strategy-spec';
import { isKnownTimezone } from '../scheduler/timezone';

/**
 * Each field's own rules. Exported so the strategy service can tell which fields are sound on
 * their own when the body as a whole fails, and still check those with the broker.
 */
export const strategyFields = {
  ...strategyShape,
  timezone: strategyShape.timezone
    .unwrap()
    .refine((tz) => isKnownTimezone(tz), { message: 'timezone must be an IANA zone name such as "America/New_York"' })
    .optional(),
};

/** Body of a strategy create. `stop_loss` is mandatory: no strategy runs without one. */
export const createStrategyInput = z.strictObject(strategyFields).superRefine(crossFieldRules, { when: () => true });
export type CreateStrategyInput = z.output<typeof createStrategyInput>;

/**
 * Body of a strategy edit: any subset of the create fields. The rules between fields are checked
 * on the stored strategy with the edit merged in (StrategyService.update), never on the edit alone.
 */
export const updateStrategyInput = z.strictObject(strategyFields).partial();
export type UpdateStrategyInput = z.output<typeof updateStrategyInput>;
