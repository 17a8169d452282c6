/**
 * The dependency direction, checked by machine: engine/ and db/ never import electron, main/ or
 * renderer/; db/ takes from engine/ only the I/O-free core types; engine/core imports nothing
 * with I/O. A wrong-way import fails here with what to use instead.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') || p.endsWith('.tsx') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
}

const isTestCode = (file: string) => /\.(test|contract)\.ts$/.test(file);

function violations(dir: string, rule: (spec: string, file: string) => string | null, includeTests = true): string[] {
  return sources(join(root, dir))
    .filter((file) => includeTests || !isTestCode(file))
    .flatMap((file) =>
    imports(file)
      .map((spec) => rule(spec, file))
      .filter((v): v is string => v !== null)
      .map((v) => `${relative(root, file)}: ${v}`),
  );
}

const resolvesInto = (spec: string, file: string, top: string) => spec.startsWith('.') && relative(root, join(file, '..', spec)).split(/[\\/]/)[0] === top;

describe('dependency direction', () => {
  it('engine/ and db/ never import electron, main/ or renderer/', () => {
    const rule = (spec: string, file: string) =>
      spec === 'electron' || spec.startsWith('electron/') ? `imports electron: engine code must run headless; put it in main/ behind a seam`
      : resolvesInto(spec, file, 'main') ? 'imports main/: the Electron shell depends on the engine, never the reverse'
      : resolvesInto(spec, file, 'renderer') ? 'imports renderer/: the UI talks to the engine only through the local API'
      : spec === 'react' || spec.startsWith('react-') ? 'imports react: UI code belongs in renderer/'
      : null;
    expect([...violations('engine', rule), ...violations('db', rule)]).toEqual([]);
  });

  it('db/ takes only I/O-free core types from engine/', () => {
    const rule = (spec: string, file: string) =>
      resolvesInto(spec, file, 'engine') && !/engine\/core\/(ids|types|events|strategy-spec|run-plan-spec)$/.test(relative(root, join(file, '..', spec)))
        ? `imports ${spec}: db/ may use engine/core/{ids,types,events,strategy-spec,run-plan-spec} only; move shared types there`
        : null;
    expect(violations('db', rule)).toEqual([]);
  });

  it('engine/backtest takes from engine/brokers only the paper fill model', () => {
    const rule = (spec: string, file: string) =>
      spec.startsWith('.') && /^engine\/brokers\//.test(relative(root, join(file, '..', spec))) && relative(root, join(file, '..', spec)) !== 'engine/brokers/paper/paper-price'
        ? `imports ${spec}: a backtest replays past prices, not a broker; share the code from outside engine/brokers (engine/csv, engine/core)`
        : null;
    expect(violations('engine/backtest', rule)).toEqual([]);
  });

  it('engine/core has no I/O imports', () => {
    const allowed = new Set(['node:crypto', 'node:perf_hooks', 'zod', 'decimal.js']);
    const rule = (spec: string) => (!spec.startsWith('.') && !allowed.has(spec) ? `imports ${spec}: core/ is pure domain; do I/O in a service` : null);
    expect(violations('engine/core', rule, false)).toEqual([]);
  });

  it('the checker itself catches a wrong-way import', () => {
    const fake = join(root, 'engine', 'x.ts');
    expect(resolvesInto('../main/index', fake, 'main')).toBe(true);
    expect(resolvesInto('./core/types', fake, 'main')).toBe(false);
    expect(imports(join(root, 'engine', 'engine.ts'))).toContain('./core/clock');
  });
});

describe('time and randomness are injected', () => {
  it('engine code reads the clock and makes randomness only in core/clock.ts and core/ids.ts', () => {
    const allowedFiles = new Set(['engine/core/clock.ts', 'engine/core/random-ids.ts', 'engine/core/fake-clock.ts', 'engine/data-dir-lock.ts', 'engine/daemon.ts', 'engine/cli.ts']);
    const banned = /\bDate\.now\(\)|new Date\(\)|\bsetTimeout\(|\bsetInterval\(|Math\.random\(\)/;
    const offenders = sources(join(root, 'engine'))
      .filter((f) => !isTestCode(f) && !f.includes(`${join('engine', 'api')}`) && !allowedFiles.has(relative(root, f)))
      .filter((f) => banned.test(readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
