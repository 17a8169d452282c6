/**
 * The install's settings a trader changes in Settings (issue 20), kept in the database's
 * `settings` table as text: how many minutes before an entry the readiness check runs, and how
 * many seconds a position's price stream may stay silent in session before a REST quote
 * cross-checks it. One set per install, read at start and applied at once when changed.
 *
 * A stored value that is not a whole number in range (written by hand, or by an older version) is
 * logged and the default used: the daemon must start whatever the table holds.
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import type { SettingsRepo } from '../../db/repos/settings';

/** Each setting's unit, range and default. */
export const INSTALL_SETTING_RULES = {
  readiness_lead_minutes: { unit: 'minutes', min: 1, max: 240, default: 5 },
  stale_price_seconds: { unit: 'seconds', min: 5, max: 600, default: 15 },
} as const;

export type InstallSettingKey = keyof typeof INSTALL_SETTING_RULES;
export type InstallSettingValues = { [K in InstallSettingKey]: number };

const rule = (key: InstallSettingKey) => {
  const r = INSTALL_SETTING_RULES[key];
  return `${key} must be a whole number of ${r.unit} from ${r.min} to ${r.max}`;
};

/** One setting's value as the API takes it: a whole number in range, else an error naming the field and the range. */
function settingSchema(key: InstallSettingKey) {
  const { min, max } = INSTALL_SETTING_RULES[key];
  const error = rule(key);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/**
 * PATCH /install-settings: the settings to change, at least one; any other field is refused.
 * @example installSettingsPatch.parse({ stale_price_seconds: 30 }) // { stale_price_seconds: 30 }
 */
export const installSettingsPatch = z
  .strictObject({
    readiness_lead_minutes: settingSchema('readiness_lead_minutes').optional(),
    stale_price_seconds: settingSchema('stale_price_seconds').optional(),
  })
  // Only when nothing else is wrong: an unknown field alone is named as such.
  .refine((p) => Object.keys(p).length > 0, { error: 'name at least one setting to change: readiness_lead_minutes or stale_price_seconds', when: (payload) => payload.issues.length === 0 });
export type InstallSettingsPatch = z.infer<typeof installSettingsPatch>;

/**
 * The stored value of `key`, or `fallback` when unset or unusable (logged, naming the rule).
 * @example readInstallSetting(repos.settings, logger, 'readiness_lead_minutes', 5) // 15 when set to "15"
 */
export function readInstallSetting(settings: Pick<SettingsRepo, 'get'>, logger: Pick<Logger, 'warn'>, key: InstallSettingKey, fallback: number): number {
  const raw = settings.get(key);
  if (raw === undefined) return fallback;
  const parsed = settingSchema(key).safeParse(raw.trim() === '' ? Number.NaN : Number(raw));
  if (parsed.success) return parsed.data;
  logger.warn({ setting: key, value: raw }, `setting ${rule(key)}: using ${fallback}`);
  return fallback;
}

/** The settings in effect, and who applies a change (the readiness schedule, the stale-price watch). */
export class InstallSettings {
  private current: InstallSettingValues;
  private readonly listeners = new Set<(values: InstallSettingValues, changed: readonly InstallSettingKey[]) => void>();

  /** `defaults` replace the rules' defaults where the engine was given its own (tests' bounds). */
  constructor(
    private readonly settings: SettingsRepo,
    logger: Pick<Logger, 'warn'>,
    defaults: Partial<InstallSettingValues> = {},
  ) {
    const read = (key: InstallSettingKey) => readInstallSetting(settings, logger, key, defaults[key] ?? INSTALL_SETTING_RULES[key].default);
    this.current = { readiness_lead_minutes: read('readiness_lead_minutes'), stale_price_seconds: read('stale_price_seconds') };
  }

  values(): Readonly<InstallSettingValues> {
    return { ...this.current };
  }

  /** Saves a validated change and applies it; the values in effect after. */
  update(patch: InstallSettingsPatch): Readonly<InstallSettingValues> {
    const changed = (Object.keys(INSTALL_SETTING_RULES) as InstallSettingKey[]).filter((k) => patch[k] !== undefined);
    const next = { ...this.current };
    for (const key of changed) {
      next[key] = patch[key]!;
      this.settings.set(key, String(next[key]));
    }
    this.current = next;
    for (const listener of this.listeners) listener({ ...next }, changed);
    return { ...next };
  }

  onChange(listener: (values: InstallSettingValues, changed: readonly InstallSettingKey[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
