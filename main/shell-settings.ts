/**
 * The desktop shell's own settings (not the engine's): start at login, and the last port the
 * engine listened on. Reusing that port keeps the UI's origin, and with it everything the page
 * stores per origin (theme, layout), the same from one launch to the next.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

const settingsSchema = z.object({
  openAtLogin: z.boolean().default(false),
  lastPort: z.number().int().min(1024).max(65_535).nullable().default(null),
});

export type ShellSettings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: ShellSettings = { openAtLogin: false, lastPort: null };

/** Parses settings; anything missing or invalid falls back to its default (a bad file never blocks startup). */
export function parseSettings(raw: unknown): ShellSettings {
  if (typeof raw !== 'object' || raw === null) return { ...DEFAULT_SETTINGS };
  const entries = Object.entries(settingsSchema.shape).map(([key, schema]) => {
    const parsed = schema.safeParse((raw as Record<string, unknown>)[key]);
    return [key, parsed.success ? parsed.data : DEFAULT_SETTINGS[key as keyof ShellSettings]];
  });
  return Object.fromEntries(entries) as ShellSettings;
}

export function loadSettings(path: string): ShellSettings {
  try {
    return parseSettings(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export function saveSettings(path: string, settings: ShellSettings): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
