/**
 * Tradeclock's icon, drawn in code: a clock face, anti-aliased from signed distances. The build
 * writes the 1024 px app icon to build/icon.png (scripts/make-icons.ts); the tray draws small
 * variants at runtime, coloured by state. A PNG encoder of ~30 lines beats shipping binaries that
 * nobody can regenerate.
 */
import { deflateSync } from 'node:zlib';

export type IconVariant =
  /** The application icon. */
  | 'app'
  /** Tray, nothing armed. */
  | 'tray-idle'
  /** Tray, strategies armed. */
  | 'tray-armed'
  /** Tray, a run needs attention. */
  | 'tray-error'
  /** macOS menu bar: black shapes on transparency, tinted by the system. */
  | 'template';

type Rgb = readonly [number, number, number];

const FACE: Readonly<Record<Exclude<IconVariant, 'template'>, Rgb>> = {
  app: [15, 118, 110],
  'tray-idle': [100, 116, 139],
  'tray-armed': [22, 163, 74],
  'tray-error': [220, 38, 38],
};

interface Shape {
  /** Signed distance in pixels: negative inside. */
  sdf(x: number, y: number): number;
  readonly color: Rgb;
}

/** RGBA pixels (row-major, 4 bytes each) of the icon at `size` × `size`. */
export function drawIcon(size: number, variant: IconVariant): Uint8Array {
  if (!Number.isInteger(size) || size < 8 || size > 4096) throw new RangeError('icon size must be an integer from 8 to 4096');
  const c = size / 2;
  const u = size; // shapes are specified as fractions of the size
  const ink: Rgb = variant === 'template' ? [0, 0, 0] : [255, 255, 255];
  const circle = (r: number) => (x: number, y: number) => Math.hypot(x - c, y - c) - r * u;
  const ring = (r: number, w: number) => (x: number, y: number) => Math.abs(Math.hypot(x - c, y - c) - r * u) - (w * u) / 2;
  const hand = (clockHours: number, length: number, width: number) => {
    const a = (clockHours / 12) * 2 * Math.PI;
    const ex = c + Math.sin(a) * length * u;
    const ey = c - Math.cos(a) * length * u;
    return (x: number, y: number) => segmentDistance(x, y, c, c, ex, ey) - (width * u) / 2;
  };
  const small = size <= 64; // thicker strokes so a 16–32 px tray icon stays legible
  const shapes: Shape[] = [];
  if (variant !== 'template') shapes.push({ sdf: circle(0.47), color: FACE[variant] });
  shapes.push({ sdf: ring(variant === 'template' ? 0.42 : 0.38, small ? 0.09 : 0.05), color: ink });
  if (!small) {
    for (let h = 0; h < 12; h++) {
      const a = (h / 12) * 2 * Math.PI;
      const px = c + Math.sin(a) * 0.29 * u;
      const py = c - Math.cos(a) * 0.29 * u;
      const r = (h % 3 === 0 ? 0.028 : 0.016) * u;
      shapes.push({ sdf: (x, y) => Math.hypot(x - px, y - py) - r, color: ink });
    }
  }
  shapes.push({ sdf: hand(10, 0.17, small ? 0.1 : 0.05), color: ink });
  shapes.push({ sdf: hand(2, 0.25, small ? 0.08 : 0.035), color: ink });
  shapes.push({ sdf: circle(small ? 0.07 : 0.045), color: ink });

  const px = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const s of shapes) {
        const cover = Math.min(1, Math.max(0, 0.5 - s.sdf(x + 0.5, y + 0.5)));
        if (cover === 0) continue;
        // "over" compositing, premultiplied
        r = s.color[0] * cover + r * (1 - cover);
        g = s.color[1] * cover + g * (1 - cover);
        b = s.color[2] * cover + b * (1 - cover);
        a = cover + a * (1 - cover);
      }
      const i = (y * size + x) * 4;
      px[i] = a > 0 ? Math.round(r / a) : 0;
      px[i + 1] = a > 0 ? Math.round(g / a) : 0;
      px[i + 2] = a > 0 ? Math.round(b / a) : 0;
      px[i + 3] = Math.round(a * 255);
    }
  }
  return px;
}

function segmentDistance(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

/** A PNG (8-bit RGBA, no interlace) of `rgba` pixels. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} bytes of RGBA, got ${rgba.length}`);
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE), as PNG chunks need. */
export function crc32(data: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The icon as a PNG file's bytes. */
export function iconPng(size: number, variant: IconVariant): Buffer {
  return encodePng(size, size, drawIcon(size, variant));
}
