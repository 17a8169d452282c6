/**
 * The desktop app's command line and single-instance behaviour. One Tradeclock per user: a second
 * launch (a click on the icon while it runs in the tray) brings the running one's window back
 * instead of starting a second engine on the same database.
 */
import { defaultDataDir } from '../engine/default-data-dir';

export interface ShellArgs {
  /** --data-dir=<dir> / --data-dir <dir>. */
  readonly dataDir: string | null;
}

export function parseShellArgs(argv: readonly string[]): ShellArgs {
  let dataDir: string | null = null;
  argv.forEach((arg, i) => {
    if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length) || null;
    else if (arg === '--data-dir' && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) dataDir = argv[i + 1]!;
  });
  return { dataDir };
}

/**
 * The engine's data directory: --data-dir, else TRADECLOCK_DATA_DIR, else the platform's app-data
 * dir, the same one `tradeclock daemon` uses (so the desktop app and the headless daemon share one
 * install's data, and the data-dir lock keeps them from running on it at the same time).
 */
export function resolveDataDir(args: ShellArgs, env: Readonly<Record<string, string | undefined>>): string {
  return args.dataDir ?? (env.TRADECLOCK_DATA_DIR || defaultDataDir());
}

export type SecondInstanceAction = 'show-window' | 'create-window';

/** In the first instance, when a second one starts: bring the window back, or open it if it was closed. */
export function secondInstanceAction(hasWindow: boolean): SecondInstanceAction {
  return hasWindow ? 'show-window' : 'create-window';
}
