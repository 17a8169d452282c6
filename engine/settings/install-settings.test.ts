/**
 * The install's settings on a real SQLite settings table: the defaults, a stored value, a stored
 * value that is not usable (logged, the default used), a change saved and told to who applies it,
 * and the API's validation naming the field and its range.
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { openTestDb } from '../../db/test-support';
import { InstallSettings, installSettingsPatch, readInstallSetting } from './install-settings';

const silent = pino({ level: 'silent' });

function logged() {
  const lines: string[] = [];
  return { lines, logger: pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) }) };
}

describe('readInstallSetting', () => {
  it('is the fallback unless set, and the stored whole number when it is in range', () => {
    const { repos } = openTestDb();
    expect(readInstallSetting(repos.settings, silent, 'readiness_lead_minutes', 5)).toBe(5);
    repos.settings.set('readiness_lead_minutes', '15');
    repos.settings.set('stale_price_seconds', '600');
    expect(readInstallSetting(repos.settings, silent, 'readiness_lead_minutes', 5)).toBe(15);
    expect(readInstallSetting(repos.settings, silent, 'stale_price_seconds', 15)).toBe(600);
  });

  it.each([
    ['readiness_lead_minutes', '0', 'readiness_lead_minutes must be a whole number of minutes from 1 to 240: using 5'],
    ['readiness_lead_minutes', '241', 'readiness_lead_minutes must be a whole number of minutes from 1 to 240: using 5'],
    ['readiness_lead_minutes', '2.5', 'readiness_lead_minutes must be a whole number of minutes from 1 to 240: using 5'],
    ['readiness_lead_minutes', 'five', 'readiness_lead_minutes must be a whole number of minutes from 1 to 240: using 5'],
    ['readiness_lead_minutes', '', 'readiness_lead_minutes must be a whole number of minutes from 1 to 240: using 5'],
    ['stale_price_seconds', '4', 'stale_price_seconds must be a whole number of seconds from 5 to 600: using 5'],
    ['stale_price_seconds', '601', 'stale_price_seconds must be a whole number of seconds from 5 to 600: using 5'],
  ] as const)('ignores %s = %j, saying so', (key, value, message) => {
    const { repos } = openTestDb();
    const { lines, logger } = logged();
    repos.settings.set(key, value);
    expect(readInstallSetting(repos.settings, logger, key, 5)).toBe(5);
    expect(lines.join('')).toContain(`setting ${message}`);
  });
});

describe('InstallSettings', () => {
  it('starts from the stored values, else the engine\'s own defaults, else the rules\' defaults', () => {
    const { repos } = openTestDb();
    expect(new InstallSettings(repos.settings, silent).values()).toEqual({ readiness_lead_minutes: 5, stale_price_seconds: 15 });
    expect(new InstallSettings(repos.settings, silent, { stale_price_seconds: 2 }).values()).toEqual({ readiness_lead_minutes: 5, stale_price_seconds: 2 });
    repos.settings.set('stale_price_seconds', '45');
    expect(new InstallSettings(repos.settings, silent, { stale_price_seconds: 2 }).values()).toEqual({ readiness_lead_minutes: 5, stale_price_seconds: 45 });
  });

  it('saves a change, tells its listeners which settings changed, and a restart reads it back', () => {
    const { repos } = openTestDb();
    const settings = new InstallSettings(repos.settings, silent);
    const told: unknown[] = [];
    settings.onChange((values, changed) => told.push({ values, changed }));
    expect(settings.update({ stale_price_seconds: 30 })).toEqual({ readiness_lead_minutes: 5, stale_price_seconds: 30 });
    expect(told).toEqual([{ values: { readiness_lead_minutes: 5, stale_price_seconds: 30 }, changed: ['stale_price_seconds'] }]);
    expect(repos.settings.get('stale_price_seconds')).toBe('30');
    expect(repos.settings.get('readiness_lead_minutes')).toBeUndefined();
    expect(new InstallSettings(repos.settings, silent).values()).toEqual({ readiness_lead_minutes: 5, stale_price_seconds: 30 });
  });
});

describe('installSettingsPatch', () => {
  const issues = (value: unknown) => {
    const r = installSettingsPatch.safeParse(value);
    return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
  };

  it('takes either setting or both', () => {
    expect(installSettingsPatch.parse({ readiness_lead_minutes: 10, stale_price_seconds: 20 })).toEqual({ readiness_lead_minutes: 10, stale_price_seconds: 20 });
    expect(installSettingsPatch.parse({ stale_price_seconds: 5 })).toEqual({ stale_price_seconds: 5 });
  });

  it('refuses a value out of range, not whole, not a number, an unknown field or nothing, naming the field', () => {
    expect(issues({ readiness_lead_minutes: 0 })).toEqual([['readiness_lead_minutes', 'readiness_lead_minutes must be a whole number of minutes from 1 to 240']]);
    expect(issues({ stale_price_seconds: 12.5 })).toEqual([['stale_price_seconds', 'stale_price_seconds must be a whole number of seconds from 5 to 600']]);
    expect(issues({ stale_price_seconds: '30' })).toEqual([['stale_price_seconds', 'stale_price_seconds must be a whole number of seconds from 5 to 600']]);
    expect(issues({ stale_after_ms: 30 })).toEqual([['', expect.stringContaining('stale_after_ms')]]);
    expect(issues({})).toEqual([['', 'name at least one setting to change: readiness_lead_minutes or stale_price_seconds']]);
  });
});
