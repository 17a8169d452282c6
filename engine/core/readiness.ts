/**
 * The readiness check before an entry (issue 20): per strategy, whether what the entry and its exit
 * need will be there (the broker login, orders from this machine, funds, the day-trade rule, the
 * market open, prices, the clock). Plain data, shared by the engine, its events and the API.
 */

/** The checks, in the order the trader reads them. */
export const READINESS_CHECKS = ['session', 'orders_allowed', 'funds', 'day_trades', 'market_open', 'price_feed', 'clock'] as const;
export type ReadinessCheckName = (typeof READINESS_CHECKS)[number];

/**
 * - ok: fine for this entry and its exit (or the check does not apply here, as its sentence says).
 * - warn: the entry may go, but something may go wrong: read the sentence.
 * - fail: the entry or its exit will not go as planned unless the trader fixes what the sentence says.
 * - unknown: the check could not answer (the broker did not reply, or cannot be asked); the sentence names why.
 */
export type ReadinessStatus = 'ok' | 'warn' | 'fail' | 'unknown';

/** One check's answer, with one sentence for the trader saying what to fix (or why all is well). */
export interface ReadinessCheck {
  readonly check: ReadinessCheckName;
  readonly status: ReadinessStatus;
  readonly message: string;
}

/** What ran it: the job N minutes before the entry, START, or the trader asking (the API). */
export type ReadinessTrigger = 'scheduled' | 'start' | 'on_demand';

const RANK: Readonly<Record<ReadinessStatus, number>> = { ok: 0, unknown: 1, warn: 2, fail: 3 };

/**
 * The worst status among `checks`: fail over warn over unknown over ok.
 * @example worstStatus([{ status: 'ok' }, { status: 'warn' }]) // 'warn'
 */
export function worstStatus(checks: readonly Pick<ReadinessCheck, 'status'>[]): ReadinessStatus {
  let worst: ReadinessStatus = 'ok';
  for (const c of checks) if (RANK[c.status] > RANK[worst]) worst = c.status;
  return worst;
}
