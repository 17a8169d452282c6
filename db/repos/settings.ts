/** Install-wide key/value settings (install id, JWT secret reference, defaults). */
import { eq } from 'drizzle-orm';
import type { Orm } from '../client';
import { settings } from '../schema';

export interface SettingsRepo {
  /** The value of `key`, or undefined when never set. */
  get(key: string): string | undefined;
  /** Inserts or overwrites `key`. */
  set(key: string, value: string): void;
  /**
   * The value of `key`, first writing `make()` when absent. `make` runs only when the key is
   * missing, and the first value written wins for good.
   *
   * @example const installId = repos.settings.getOrCreate('install_id', newInstallId);
   */
  getOrCreate(key: string, make: () => string): string;
}

export function createSettingsRepo(orm: Orm): SettingsRepo {
  const get = (key: string) => orm.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value;
  return {
    get,
    set(key, value) {
      orm.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
    },
    getOrCreate(key, make) {
      const existing = get(key);
      if (existing !== undefined) return existing;
      // DO NOTHING + re-read: if another connection won the race, its value is the one kept.
      orm.insert(settings).values({ key, value: make() }).onConflictDoNothing().run();
      const value = get(key);
      if (value === undefined) throw new Error(`setting ${key} vanished after insert`);
      return value;
    },
  };
}
