import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { maskableIconPng } from './vite-pwa';

/** The RGBA pixels of a PNG written by main/icon.ts's encoder (one IDAT, filter 0 rows). */
function pixels(png: Buffer): (x: number, y: number) => number[] {
  const width = png.readUInt32BE(16);
  const idat = png.indexOf('IDAT');
  const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
  return (x, y) => [...raw.subarray(y * (width * 4 + 1) + 1 + x * 4, y * (width * 4 + 1) + 5 + x * 4)];
}

describe('maskableIconPng', () => {
  it('fills the whole square (a launcher may crop any of it) and keeps the clock inside the safe zone', () => {
    const png = maskableIconPng(512);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    const pixel = pixels(png);
    for (const [x, y] of [[0, 0], [511, 0], [0, 511], [511, 511], [256, 10], [10, 256]] as const) {
      expect({ x, y, px: pixel(x, y) }).toEqual({ x, y, px: [15, 118, 110, 255] });
    }
    // The clock's white ring crosses the middle row inside the safe zone (radius 0.4 of the size).
    const row = Array.from({ length: 512 }, (_, x) => pixel(x, 256));
    const white = row.map((p, x) => (p[0]! > 200 && p[1]! > 200 ? x : -1)).filter((x) => x >= 0);
    expect(white.length).toBeGreaterThan(0);
    expect(Math.min(...white)).toBeGreaterThan(256 - 0.4 * 512);
    expect(Math.max(...white)).toBeLessThan(256 + 0.4 * 512);
  });
});
