/**
 * The seam between Electron and the shell's logic, checked by machine: Electron is imported (as a
 * value) only by the entry points and by main/electron/, so everything else here runs, and is
 * tested, in plain Node. The preload and the bridge contract stay importable by a sandboxed
 * preload and by the renderer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const here = import.meta.dirname;
const ELECTRON_ALLOWED = new Set(['index.ts', 'preload.ts']);

/** Value imports (not `import type`) of a file, as written. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*import\s+(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? m[2]!);
}

function allImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

const plainFiles = readdirSync(here).filter((f) => f.endsWith('.ts') && !ELECTRON_ALLOWED.has(f));

describe('the Electron seam', () => {
  it('keeps electron out of the plain modules (put Electron calls in main/electron/)', () => {
    const offenders = plainFiles.filter((f) => valueImports(join(here, f)).some((s) => s === 'electron' || s.startsWith('electron/')));
    expect(offenders).toEqual([]);
  });

  it('lets the preload import only electron and import-free contract code', () => {
    expect(allImports(join(here, 'preload.ts')).sort()).toEqual(['./bridge-api', './preload-args', 'electron']);
    expect(allImports(join(here, 'preload-args.ts'))).toEqual(['./bridge-api']);
    expect(allImports(join(here, 'bridge-api.ts'))).toEqual([]);
  });

  it('reaches the engine only through its public pieces, never its API server internals', () => {
    const files = [...plainFiles.map((f) => join(here, f)), ...readdirSync(join(here, 'electron')).map((f) => join(here, 'electron', f))];
    const offenders = files.flatMap((f) => allImports(f).filter((s) => /engine\/api\//.test(s)).map((s) => `${f}: ${s}`));
    expect(offenders).toEqual([]);
  });

  it('the checker sees a value import and ignores a type import', () => {
    expect(valueImports(join(here, 'web-preferences.ts'))).not.toContain('electron');
    expect(allImports(join(here, 'web-preferences.ts'))).toContain('electron');
    expect(valueImports(join(here, 'electron', 'tray.ts'))).toContain('electron');
  });
});
