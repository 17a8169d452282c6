/**
 * The renderer's side of the dependency direction, checked by machine: the UI talks to the
 * engine only over the local API, so from engine/ it may take types only (and from main/ only
 * the bridge's types); nothing with Node, Electron or the database reaches the browser bundle.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const rendererSrc = join(root, 'renderer', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(p) ? [p] : [];
  });
}

interface ImportStatement {
  readonly spec: string;
  readonly typeOnly: boolean;
}

/** Static imports and re-exports, plus dynamic import() calls (never type-only). */
export function importsOf(text: string): ImportStatement[] {
  const out: ImportStatement[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm)) {
    out.push({ spec: m[4]!, typeOnly: Boolean(m[2]) });
  }
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push({ spec: m[1]!, typeOnly: false });
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1]!, typeOnly: false });
  return out;
}

const topFolder = (file: string, spec: string) => (spec.startsWith('.') ? relative(root, join(file, '..', spec)).split(/[\\/]/)[0] : null);

function violation(file: string, { spec, typeOnly }: ImportStatement): string | null {
  if (spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http'].includes(spec)) {
    return `imports ${spec}: the renderer runs in a browser; ask the engine through the API`;
  }
  if (spec === 'electron' || spec.startsWith('electron/')) return 'imports electron: use the preload bridge (window.tradeclock, main/bridge-api.ts)';
  if (['better-sqlite3', 'drizzle-orm', 'ioredis', 'fastify', 'pino'].some((p) => spec === p || spec.startsWith(`${p}/`))) {
    return `imports ${spec}: server-side code; the renderer gets data from the API`;
  }
  const top = topFolder(file, spec);
  if (top === 'db') return `imports ${spec}: the database is the engine's; read it through the API`;
  if (top === 'engine' && !typeOnly) return `imports ${spec} as a value: take types only ("import type") from engine/api`;
  if (top === 'main' && !(typeOnly && /main\/bridge-api$/.test(relative(root, join(file, '..', spec))))) {
    return `imports ${spec}: from main/ the renderer may take only the bridge's types (import type … from main/bridge-api)`;
  }
  return null;
}

describe('renderer imports', () => {
  it('take only types from engine/ and main/bridge-api, and nothing with Node, Electron or the database', () => {
    const found = sources(rendererSrc)
      .filter((f) => !/\.test\.tsx?$/.test(f))
      .flatMap((file) =>
        importsOf(readFileSync(file, 'utf8'))
          .map((i) => violation(file, i))
          .filter((v): v is string => v !== null)
          .map((v) => `${relative(root, file)}: ${v}`),
      );
    expect(found).toEqual([]);
  });

  it('the checker itself catches wrong-way imports', () => {
    const file = join(rendererSrc, 'lib', 'x.ts');
    const check = (text: string) => importsOf(text).map((i) => violation(file, i));
    expect(check("import { startDaemon } from '../../../engine/daemon';")[0]).toMatch(/types only/);
    expect(check("import type { StrategyDto } from '../../../engine/api';")[0]).toBeNull();
    expect(check("import { readFileSync } from 'node:fs';")[0]).toMatch(/browser/);
    expect(check("import { ipcRenderer } from 'electron';")[0]).toMatch(/preload bridge/);
    expect(check("import type { X } from '../../../main/index';")[0]).toMatch(/bridge/);
    expect(check("import type { TradeclockBridge } from '../../../main/bridge-api';")[0]).toBeNull();
    expect(check("const m = await import('../../../engine/api');")[0]).toMatch(/types only/);
  });
});
