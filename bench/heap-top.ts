/**
 * Summarizes a .heapsnapshot: self size and count by constructor (or string/closure/array kind),
 * biggest first, so what an armed strategy costs in memory shows without DevTools.
 *
 *   npx tsx bench/heap-top.ts file.heapsnapshot [--top 40]
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) throw new Error('usage: heap-top.ts <file.heapsnapshot> [--top N]');
const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 40;
const snap = JSON.parse(readFileSync(file, 'utf8')) as {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
};
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const [T, N, S] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
const sums = new Map<string, { size: number; count: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += fields.length) {
  const type = types[snap.nodes[i + T]!]!;
  const name = snap.strings[snap.nodes[i + N]!]!;
  const key = type === 'object' || type === 'closure' ? `${type}: ${name}` : type;
  const size = snap.nodes[i + S]!;
  total += size;
  const e = sums.get(key) ?? { size: 0, count: 0 };
  e.size += size;
  e.count++;
  sums.set(key, e);
}
console.log(`total self size ${(total / 2 ** 20).toFixed(1)} MB`);
for (const [k, v] of [...sums].sort((a, b) => b[1].size - a[1].size).slice(0, top)) {
  console.log(`${(v.size / 2 ** 20).toFixed(2).padStart(8)} MB ${String(v.count).padStart(9)}  ${k.slice(0, 100)}`);
}
