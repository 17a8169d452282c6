/**
 * What a strategy's row says about its readiness for the next entry: nothing while every check is
 * fine (or could not answer), else a headline and, per check that warns or fails, the sentence
 * saying what to fix, failures first.
 */
import type { ReadinessDto, StrategyDto } from '../../lib/api-types';

export interface ReadinessView {
  readonly tone: 'fail' | 'warn';
  readonly title: string;
  readonly items: readonly { readonly check: string; readonly status: 'fail' | 'warn'; readonly message: string }[];
}

const CHECK_LABEL: Readonly<Record<ReadinessDto['checks'][number]['check'], string>> = {
  session: 'Broker login',
  orders_allowed: 'Orders from this machine',
  funds: 'Funds',
  day_trades: 'Day trades',
  market_open: 'Market hours',
  price_feed: 'Price feed',
  clock: 'Clock',
};

/**
 * @example readinessView({ ...s, status: 'running', readiness: { status: 'fail', checks: [{ check: 'funds', status: 'fail', message: 'Add funds.' }], … } })
 * // { tone: 'fail', title: 'Not ready for the next entry', items: [{ check: 'Funds', status: 'fail', message: 'Add funds.' }] }
 */
export function readinessView(s: Pick<StrategyDto, 'status' | 'readiness'>): ReadinessView | null {
  const r = s.readiness;
  if (s.status !== 'running' || !r || (r.status !== 'fail' && r.status !== 'warn')) return null;
  const items = r.checks
    .filter((c): c is typeof c & { status: 'fail' | 'warn' } => c.status === 'fail' || c.status === 'warn')
    .sort((a, b) => (a.status === b.status ? 0 : a.status === 'fail' ? -1 : 1))
    .map((c) => ({ check: CHECK_LABEL[c.check], status: c.status, message: c.message }));
  return { tone: r.status, title: r.status === 'fail' ? 'Not ready for the next entry' : 'Check before the next entry', items };
}
