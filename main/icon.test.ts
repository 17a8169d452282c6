import { existsSync, readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, drawIcon, encodePng, iconPng } from './icon';

/** A minimal PNG reader: chunks with CRCs checked, IHDR, and the inflated scanlines. */
function readPng(png: Buffer) {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len)).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
    chunks.push({ type, data });
    at += 12 + len;
  }
  const ihdr = chunks[0]!.data;
  const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
  return { types: chunks.map((c) => c.type), width: ihdr.readUInt32BE(0), height: ihdr.readUInt32BE(4), depth: ihdr[8], colour: ihdr[9], raw: inflateSync(idat) };
}

describe('icon', () => {
  it('computes CRC-32 as PNG specifies', () => {
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('encodes a PNG that decodes back to the same pixels', () => {
    const px = drawIcon(16, 'tray-armed');
    const png = readPng(encodePng(16, 16, px));
    expect(png).toMatchObject({ types: ['IHDR', 'IDAT', 'IEND'], width: 16, height: 16, depth: 8, colour: 6 });
    for (let y = 0; y < 16; y++) {
      expect(png.raw[y * 65]).toBe(0);
      expect([...png.raw.subarray(y * 65 + 1, y * 65 + 65)]).toEqual([...px.subarray(y * 64, y * 64 + 64)]);
    }
  });

  it('draws an opaque face, transparent corners, white hands at the centre', () => {
    const size = 64;
    const px = drawIcon(size, 'app');
    const at = (x: number, y: number) => [...px.subarray((y * size + x) * 4, (y * size + x) * 4 + 4)];
    expect(at(0, 0)[3]).toBe(0);
    expect(at(32, 32)).toEqual([255, 255, 255, 255]);
    expect(at(20, 44)).toEqual([15, 118, 110, 255]); // the face, between hands and ring
  });

  it('draws a template as black on transparency only', () => {
    const px = drawIcon(32, 'template');
    for (let i = 0; i < px.length; i += 4) expect([px[i], px[i + 1], px[i + 2]]).toEqual([0, 0, 0]);
  });

  it('rejects sizes it cannot draw', () => {
    expect(() => drawIcon(4, 'app')).toThrow(RangeError);
    expect(() => encodePng(2, 2, new Uint8Array(3))).toThrow(RangeError);
  });

  it('build/icon.png is the committed 1024 px rendering of the app icon (regenerate: tsx scripts/make-icons.ts)', () => {
    const path = new URL('../build/icon.png', import.meta.url);
    expect(existsSync(path)).toBe(true);
    const png = readPng(readFileSync(path));
    expect(png).toMatchObject({ width: 1024, height: 1024 });
    // Compared as pixels, not bytes: another zlib may compress the same pixels differently.
    expect(png.raw.equals(readPng(iconPng(1024, 'app')).raw)).toBe(true);
  });
});
