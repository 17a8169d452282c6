/**
 * Keeps `npm run bench` working: runs its quick mode (small sizes, seconds) in a child process and
 * checks that the JSON has every section with finite numbers. Asserts nothing about speed.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function runQuick(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick'], { cwd: root, maxBuffer: 16 * 2 ** 20, timeout: 170_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`bench --quick failed: ${err.message}\n${stderr.slice(-3000)}`));
      else resolve(stdout);
    });
  });
}

/** Every { value, unit } figure in the document, with its path. */
function figures(node: unknown, path = ''): Array<{ path: string; value: unknown; floor?: unknown; ratio?: unknown }> {
  if (Array.isArray(node)) return node.flatMap((x, i) => figures(x, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  const rec = node as Record<string, unknown>;
  if ('value' in rec && 'unit' in rec) return [{ path, value: rec.value, floor: rec.floor, ratio: rec.ratio_to_floor }];
  return Object.entries(rec).flatMap(([k, v]) => figures(v, path ? `${path}.${k}` : k));
}

describe('npm run bench -- --quick', () => {
  it('prints one JSON document with every section, each figure a finite number with a unit', { timeout: 180_000 }, async () => {
    const doc = JSON.parse(await runQuick()) as Record<string, unknown>;
    expect(doc).toMatchObject({ bench: 'tradeclock', mode: 'quick' });
    expect(doc.machine).toMatchObject({ cpus: expect.any(Number), node: expect.any(String) });
    expect(typeof doc.date).toBe('string');
    for (const section of ['trigger_precision', 'tick_to_order', 'recovery', 'footprint', 'start_to_first_exit', 'floors']) expect(doc, section).toHaveProperty(section);
    // Both tick floors: the bare relay and the one that journals (durably) before it sends.
    expect((doc.floors as { relay: Array<{ durable: boolean }> }).relay.map((f) => f.durable).sort()).toEqual([false, true]);
    const all = figures(doc);
    for (const section of ['trigger_precision', 'tick_to_order', 'recovery', 'footprint', 'start_to_first_exit', 'floors']) {
      expect(all.filter((f) => f.path.startsWith(section)).length, `${section} has figures`).toBeGreaterThan(0);
    }
    for (const f of all) {
      expect(Number.isFinite(f.value), `${f.path} = ${String(f.value)}`).toBe(true);
      if (f.floor !== undefined) expect(Number.isFinite(f.floor) && Number.isFinite(f.ratio), `${f.path} floor/ratio`).toBe(true);
    }
  });
});
