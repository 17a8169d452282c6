/**
 * Reads a .cpuprofile (from `npx tsx bench/run.ts --profile`) and prints where the time went:
 * self time by function and by file, so a bottleneck shows without opening DevTools. The bench's
 * processes run esbuild bundles; positions in a bundle are mapped back to the TypeScript sources
 * through its source map (kept beside it when the bench profiles).
 *
 *   npx tsx bench/profile-top.ts bench/profiles/CPU.….cpuprofile [--top 30] [--inclusive]
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Node {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  readonly children?: number[];
}
interface Profile {
  readonly nodes: Node[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile> [--top N]');
const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 30;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const maps = new Map<string, { map: SourceMap; dir: string } | null>();
/** The source map beside a bundle the profile ran (`<bundle>.mjs.map`), if it is still there. */
function mapOf(url: string): { map: SourceMap; dir: string } | null {
  if (!url.startsWith('file://')) return null;
  let found = maps.get(url);
  if (found === undefined) {
    const path = `${fileURLToPath(url)}.map`;
    found = existsSync(path) ? { map: new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]), dir: dirname(path) } : null;
    maps.set(url, found);
  }
  return found;
}
let mapped = 0;
for (const n of profile.nodes) {
  const m = mapOf(n.callFrame.url);
  if (!m) continue;
  const entry = m.map.findEntry(n.callFrame.lineNumber, n.callFrame.columnNumber) as { originalSource?: string; originalLine?: number };
  if (!entry.originalSource) continue;
  const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(m.dir, entry.originalSource);
  n.callFrame.url = `file://${ROOT}/${relative(ROOT, source)}`;
  n.callFrame.lineNumber = entry.originalLine ?? n.callFrame.lineNumber;
  mapped++;
}
if (profile.nodes.some((n) => /\.bench-build-\d+\//.test(n.callFrame.url)) && mapped === 0) {
  console.log('(the bundles\' source maps are gone: run the bench with --profile, which keeps them, to see source files)');
}
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string) => url.replace(/^file:\/\/.*?\/(node_modules|engine|db|tests|bench)\//, '$1/').replace(/^node:/, 'node:');
const fnKey = (n: Node) => `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const fileKey = (n: Node) => {
  const u = shortUrl(n.callFrame.url);
  const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  return m ? `node_modules/${m[1]}` : u || `(${n.callFrame.functionName})`;
};

function table(title: string, key: (n: Node) => string): void {
  const sums = new Map<string, number>();
  for (const [id, t] of self) {
    const k = key(byId.get(id)!);
    sums.set(k, (sums.get(k) ?? 0) + t);
  }
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms)`);
  for (const [k, t] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(t / 1000).toFixed(1).padStart(9)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
}

/** Time of samples under each of our own functions (engine/, db/), counted once per sample. */
function inclusive(title: string, ours: (n: Node) => boolean): void {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const sums = new Map<string, number>();
  for (const [id, t] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (!ours(n)) continue;
      const k = fnKey(n);
      if (seen.has(k)) continue;
      seen.add(k);
      sums.set(k, (sums.get(k) ?? 0) + t);
    }
  }
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms)`);
  for (const [k, t] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(t / 1000).toFixed(1).padStart(9)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
}

table('self time by function', fnKey);
table('self time by file or package', fileKey);
if (process.argv.includes('--inclusive')) inclusive('total time under our functions (engine/, db/)', (n) => /^(engine|db)\//.test(shortUrl(n.callFrame.url)));
