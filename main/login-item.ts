/**
 * "Start at login". Electron's app.setLoginItemSettings works on macOS and Windows only; on Linux
 * it does nothing (electron#15198, closed wontfix), so the shell writes an XDG autostart entry
 * itself. The app then starts with `--hidden`: tray only, engine running, no window.
 */
import { join } from 'node:path';

export const HIDDEN_ARG = '--hidden';

export type LoginItemPlan =
  | { readonly kind: 'electron'; readonly settings: { readonly openAtLogin: boolean; readonly args: readonly string[] } }
  /** Write `content` to `file`, or delete `file` when content is null. */
  | { readonly kind: 'xdg'; readonly file: string; readonly content: string | null };

export interface LoginItemInput {
  readonly platform: string;
  readonly enabled: boolean;
  /** What to run: on Linux the AppImage file ($APPIMAGE) when there is one, else the executable. */
  readonly command: string;
  /** Arguments before --hidden (in development: the app path given to the electron binary). */
  readonly args?: readonly string[];
  /** $XDG_CONFIG_HOME, or ~/.config. */
  readonly configHome: string;
}

export function loginItemPlan(input: LoginItemInput): LoginItemPlan {
  const args = [...(input.args ?? []), HIDDEN_ARG];
  if (input.platform === 'linux') {
    return {
      kind: 'xdg',
      file: join(input.configHome, 'autostart', 'tradeclock.desktop'),
      content: input.enabled ? xdgAutostartEntry(input.command, args) : null,
    };
  }
  return { kind: 'electron', settings: { openAtLogin: input.enabled, args } };
}

/**
 * One argument of a desktop entry's Exec key, quoted per the Desktop Entry Specification:
 * reserved characters force double quotes; `"`, `` ` ``, `$` and `\` are backslash-escaped inside
 * them; then the string-level escape doubles every backslash; `%` is written `%%` (field codes).
 */
export function quoteExecArg(arg: string): string {
  const needsQuotes = /[\s"'\\><~|&;$*?#()`%]/.test(arg) || arg === '';
  let out = needsQuotes ? `"${arg.replace(/["`$\\]/g, (c) => `\\${c}`)}"` : arg;
  out = out.replace(/\\/g, '\\\\');
  return out.replace(/%/g, '%%');
}

export function xdgAutostartEntry(command: string, args: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Tradeclock',
    'Comment=Time-based trading daemon (starts in the tray)',
    `Exec=${[command, ...args].map(quoteExecArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Whether this launch should start without a window (login item, or --hidden given by hand). */
export function startsHidden(argv: readonly string[], openedAtLogin: boolean): boolean {
  return openedAtLogin || argv.includes(HIDDEN_ARG);
}
