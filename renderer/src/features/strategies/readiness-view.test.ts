import { describe, expect, it } from 'vitest';
import type { ReadinessDto } from '../../lib/api-types';
import { readinessView } from './readiness-view';

const report = (over: Partial<ReadinessDto>): ReadinessDto => ({
  strategy_id: 3,
  run_id: 7,
  trigger: 'scheduled',
  checked_at: 0,
  entry_at: 300_000,
  exit_at: 600_000,
  status: 'fail',
  checks: [
    { check: 'session', status: 'ok', message: 'The login is valid.' },
    { check: 'day_trades', status: 'warn', message: 'This exit would use the last day trade.' },
    { check: 'funds', status: 'fail', message: '100.00 available does not cover the entry: add funds.' },
    { check: 'orders_allowed', status: 'unknown', message: 'Kite cannot be asked.' },
  ],
  ...over,
});

describe('readinessView', () => {
  it('lists what to fix, failures first, with the check named for the trader; ok and unknown checks are left out', () => {
    expect(readinessView({ status: 'running', readiness: report({}) })).toEqual({
      tone: 'fail',
      title: 'Not ready for the next entry',
      items: [
        { check: 'Funds', status: 'fail', message: '100.00 available does not cover the entry: add funds.' },
        { check: 'Day trades', status: 'warn', message: 'This exit would use the last day trade.' },
      ],
    });
  });

  it('a warning alone says check, not not-ready', () => {
    const warn = report({ status: 'warn', checks: [{ check: 'price_feed', status: 'warn', message: 'The price feed has gone quiet.' }] });
    expect(readinessView({ status: 'running', readiness: warn })).toMatchObject({ tone: 'warn', title: 'Check before the next entry', items: [{ check: 'Price feed' }] });
  });

  it('says nothing when all is fine or unknown, before any check, or once the strategy stopped', () => {
    expect(readinessView({ status: 'running', readiness: report({ status: 'ok' }) })).toBeNull();
    expect(readinessView({ status: 'running', readiness: report({ status: 'unknown' }) })).toBeNull();
    expect(readinessView({ status: 'running', readiness: null })).toBeNull();
    expect(readinessView({ status: 'stopped', readiness: report({}) })).toBeNull();
  });
});
