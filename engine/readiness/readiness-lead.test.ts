/**
 * The lead time of the check before an entry: 5 minutes, or the install's setting when it is a
 * whole number of minutes from 1 to 240 (anything else is logged and ignored).
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openTestDb } from '../../db/test-support';
import { READINESS_LEAD_MINUTES, READINESS_LEAD_SETTING, readinessLeadMs } from './readiness-service';

const db = openTestDb();
afterEach(() => db.repos.settings.set(READINESS_LEAD_SETTING, ''));

describe('readinessLeadMs', () => {
  const ctx = { repos: db.repos, logger: pino({ level: 'silent' }) };

  it(`is ${READINESS_LEAD_MINUTES} minutes unless set`, () => {
    expect(readinessLeadMs({ repos: openTestDb().repos, logger: ctx.logger })).toBe(5 * 60_000);
  });

  it('follows the install setting', () => {
    db.repos.settings.set(READINESS_LEAD_SETTING, '15');
    expect(readinessLeadMs(ctx)).toBe(15 * 60_000);
  });

  it.each(['0', '241', '2.5', 'five', ''])('ignores %j, saying so', (value) => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    db.repos.settings.set(READINESS_LEAD_SETTING, value);
    expect(readinessLeadMs({ repos: db.repos, logger })).toBe(5 * 60_000);
    expect(lines.join('')).toContain(`setting ${READINESS_LEAD_SETTING} must be a whole number of minutes from 1 to 240`);
  });
});
