/**
 * Prints a bench JSON document as one line per figure (value, unit, floor, ratio): a quick look,
 * and the input of RESULTS.md.
 *
 *   npx tsx bench/summarize.ts result.json
 */
import { readFileSync } from 'node:fs';

const doc = JSON.parse(readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8')) as Record<string, unknown>;
const walk = (o: unknown, path: string): void => {
  if (Array.isArray(o)) return o.forEach((x, i) => walk(x, `${path}[${i}]`));
  if (o === null || typeof o !== 'object') return void console.log(`${path} = ${String(o)}`);
  const rec = o as Record<string, unknown>;
  if (typeof rec.value === 'number' && typeof rec.unit === 'string') {
    const floor = rec.floor === undefined ? '' : `  floor ${String(rec.floor)}  ×${String(rec.ratio_to_floor)}`;
    return void console.log(`${path} = ${rec.value} ${rec.unit}${floor}`);
  }
  for (const [k, v] of Object.entries(rec)) if (k !== 'what' && !k.endsWith('_program')) walk(v, path ? `${path}.${k}` : k);
};
walk(doc, '');
