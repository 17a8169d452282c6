/**
 * The install's data directory when neither `--data-dir` nor TRADECLOCK_DATA_DIR names one: the
 * platform's app-data directory (~/.local/share/tradeclock, ~/Library/Application Support/tradeclock,
 * %LOCALAPPDATA%\tradeclock\Data). The headless daemon, the desktop app and the restore script all
 * use this one, so they find the same install (and its data-dir lock keeps them apart).
 *
 * @example defaultDataDir() // '/home/ana/.local/share/tradeclock'
 */
import envPaths from 'env-paths';

export function defaultDataDir(): string {
  return envPaths('tradeclock', { suffix: '' }).data;
}
