/**
 * An option's expiry given as a date (`option_expiry: "2026-12-22"`, a strategy's or a
 * position's) must not have passed when the strategy is saved: a past date can never be chosen,
 * so every run would be skipped. "Passed" is read on the exchange's own calendar (exchangeToday),
 * the day the contract choice reads too, whatever zone the strategy's times are in; the expiry
 * day itself still trades. Whether the exchange lists the date
 * is known only from the instrument list, so that is the contract choice's to refuse (the run is
 * skipped, saying so).
 */
import { validationError, type FieldError } from '../core/errors';
import { OPTION_EXPIRY_DATE } from '../core/strategy-spec';
import type { Exchange } from '../core/types';
import { defaultTimezone } from '../scheduler/trading-calendar';
import { exchangeToday } from '../scheduler/trigger-times';

/** The keys of a stored spec this reads. */
export interface ExpiryKeys {
  readonly exchange: Exchange;
  readonly option_expiry?: string;
  readonly positions?: readonly { readonly option_expiry?: string }[];
}

/**
 * Refuses, naming each field, an expiry date before today on the exchange's calendar.
 * @throws DomainError validation_failed
 * @example refusePastExpiries({ ...spec, option_expiry: '2026-12-01', exchange: 'NFO' }, Date.parse('2026-12-07T03:30:00Z')) // throws: option_expiry …
 */
export function refusePastExpiries(spec: ExpiryKeys, now: number): void {
  const today = exchangeToday(spec.exchange, now);
  const problems: FieldError[] = [];
  const check = (field: string, expiry: string | undefined) => {
    if (expiry !== undefined && OPTION_EXPIRY_DATE.test(expiry) && expiry < today) {
      problems.push({ field, message: `${field.split('.').pop()} ${expiry} has passed (today is ${today} at ${spec.exchange}, in ${defaultTimezone(spec.exchange)}): give a listed expiry on or after today, or a rule such as current_week` });
    }
  };
  check('option_expiry', spec.option_expiry);
  spec.positions?.forEach((p, i) => check(`positions.${i}.option_expiry`, p.option_expiry));
  if (problems.length > 0) throw validationError(problems);
}
