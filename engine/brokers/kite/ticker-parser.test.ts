/**
 * The binary ticker parser against the official sample packets and against packets written here
 * byte by byte from the documented layout: every size, the index field order, the divisor per
 * segment, framing with several packets, and malformed frames (rejected, never thrown).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededJitter } from './backoff';
import { isHeartbeat, parsePacket, parseTickerFrame, priceDivisor, type KitePacket } from './ticker-parser';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8').trim();

/** Frames unframed packets: uint16 count, then uint16 length + bytes each. */
function framed(...packets: Buffer[]): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(packets.length);
  return Buffer.concat([head, ...packets.flatMap((p) => [Buffer.from([p.length >> 8, p.length & 0xff]), p])]);
}

function only(frame: Buffer): KitePacket {
  const r = parseTickerFrame(frame);
  if (!r.ok) throw new Error(r.error);
  expect(r.skipped).toEqual([]);
  expect(r.packets).toHaveLength(1);
  return r.packets[0]!;
}

/** A packet of `size` bytes with uint32 values at the given offsets. */
function packet(size: number, u32: Record<number, number>, u16: Record<number, number> = {}): Buffer {
  const b = Buffer.alloc(size);
  for (const [at, v] of Object.entries(u32)) b.writeUInt32BE(v, Number(at));
  for (const [at, v] of Object.entries(u16)) b.writeUInt16BE(v, Number(at));
  return b;
}

describe('official sample packets (kiteconnectjs test fixtures, MIT)', () => {
  it('decodes the framed 12-byte ltp message', () => {
    expect(only(Buffer.from(fixture('ltp_mode_binary.hex'), 'hex'))).toEqual({ instrumentToken: 884737, segment: 1, tradable: true, mode: 'ltp', lastPrice: 392.95 });
  });

  it('decodes the 44-byte quote packet', () => {
    const p = only(framed(Buffer.from(fixture('ticker_quote.packet'), 'base64')));
    expect(p).toMatchObject({
      instrumentToken: 408065,
      mode: 'quote',
      tradable: true,
      lastPrice: 1573.15,
      lastTradedQuantity: 1,
      averageTradedPrice: 1570.33,
      volumeTraded: 1175986,
      totalBuyQuantity: 256511,
      totalSellQuantity: 360503,
      ohlc: { open: 1569.15, high: 1575, low: 1561.05, close: 1567.8 },
    });
    expect(p.change).toBeCloseTo(1573.15 - 1567.8, 10);
  });

  it('decodes the 184-byte full packet with its depth', () => {
    const p = only(framed(Buffer.from(fixture('ticker_full.packet'), 'base64')));
    expect(p).toMatchObject({
      mode: 'full',
      lastPrice: 1573.7,
      lastTradedQuantity: 7,
      averageTradedPrice: 1570.37,
      volumeTraded: 1192471,
      totalBuyQuantity: 256443,
      totalSellQuantity: 363009,
      ohlc: { open: 1569.15, high: 1575, low: 1561.05, close: 1567.8 },
      lastTradeTime: 1625461887_000,
      exchangeTimestamp: 1625461887_000,
      oi: 0,
      oiDayHigh: 0,
      oiDayLow: 0,
    });
    expect(p.depth!.buy).toEqual([
      { quantity: 5, price: 1573.4, orders: 1 },
      { quantity: 140, price: 1573, orders: 2 },
      { quantity: 2, price: 1572.95, orders: 1 },
      { quantity: 219, price: 1572.9, orders: 7 },
      { quantity: 50, price: 1572.85, orders: 1 },
    ]);
    expect(p.depth!.sell).toEqual([
      { quantity: 172, price: 1573.7, orders: 3 },
      { quantity: 44, price: 1573.75, orders: 3 },
      { quantity: 302, price: 1573.85, orders: 3 },
      { quantity: 141, price: 1573.9, orders: 2 },
      { quantity: 724, price: 1573.95, orders: 5 },
    ]);
  });
});

describe('every packet size, byte by byte', () => {
  const NSE = 408065; // & 0xFF = 1
  const NIFTY = 256265; // & 0xFF = 9

  it('8 bytes: token at 0, last price at 4', () => {
    expect(only(framed(packet(8, { 0: NSE, 4: 123456 })))).toEqual({ instrumentToken: NSE, segment: 1, tradable: true, mode: 'ltp', lastPrice: 1234.56 });
  });

  it('28 bytes (index quote): high 8, low 12, open 16, close 20 — not the tradable order', () => {
    const p = only(framed(packet(28, { 0: NIFTY, 4: 2250000, 8: 2260000, 12: 2240000, 16: 2245000, 20: 2230000, 24: 2_000 })));
    expect(p).toEqual({ instrumentToken: NIFTY, segment: 9, tradable: false, mode: 'quote', lastPrice: 22500, ohlc: { high: 22600, low: 22400, open: 22450, close: 22300 }, change: 200 });
  });

  it('32 bytes (index full): as 28 plus the exchange timestamp at 28', () => {
    const p = only(framed(packet(32, { 0: NIFTY, 4: 2250000, 8: 2260000, 12: 2240000, 16: 2245000, 20: 2230000, 28: 1773028800 })));
    expect(p).toMatchObject({ mode: 'full', tradable: false, ohlc: { high: 22600, low: 22400, open: 22450, close: 22300 }, exchangeTimestamp: 1773028800_000 });
  });

  it('44 bytes (quote): ltq 8, atp 12, volume 16, buy 20, sell 24, open 28, high 32, low 36, close 40', () => {
    const p = only(framed(packet(44, { 0: NSE, 4: 10000, 8: 11, 12: 9950, 16: 12345, 20: 600, 24: 700, 28: 9900, 32: 10100, 36: 9800, 40: 9850 })));
    expect(p).toEqual({
      instrumentToken: NSE,
      segment: 1,
      tradable: true,
      mode: 'quote',
      lastPrice: 100,
      lastTradedQuantity: 11,
      averageTradedPrice: 99.5,
      volumeTraded: 12345,
      totalBuyQuantity: 600,
      totalSellQuantity: 700,
      ohlc: { open: 99, high: 101, low: 98, close: 98.5 },
      change: 1.5,
    });
  });

  it('184 bytes (full): ltt 44, oi 48/52/56, timestamp 60, depth entries of 12 bytes from 64 (bids) and 124 (offers)', () => {
    const u32: Record<number, number> = { 0: NSE, 4: 10000, 28: 9900, 32: 10100, 36: 9800, 40: 9850, 44: 1773028790, 48: 5000, 52: 5100, 56: 4900, 60: 1773028800 };
    const u16: Record<number, number> = {};
    for (let i = 0; i < 10; i++) {
      u32[64 + i * 12] = 100 + i; // quantity
      u32[64 + i * 12 + 4] = 9990 + i; // price
      u16[64 + i * 12 + 8] = i + 1; // orders; then 2 bytes of padding
    }
    const raw = packet(184, u32, u16);
    raw.writeUInt16BE(0xffff, 64 + 10); // padding must be ignored
    const p = only(framed(raw));
    expect(p).toMatchObject({ mode: 'full', lastTradeTime: 1773028790_000, oi: 5000, oiDayHigh: 5100, oiDayLow: 4900, exchangeTimestamp: 1773028800_000 });
    expect(p.depth!.buy[0]).toEqual({ quantity: 100, price: 99.9, orders: 1 });
    expect(p.depth!.buy[4]).toEqual({ quantity: 104, price: 99.94, orders: 5 });
    expect(p.depth!.sell[0]).toEqual({ quantity: 105, price: 99.95, orders: 6 });
    expect(p.depth!.sell[4]).toEqual({ quantity: 109, price: 99.99, orders: 10 });
  });

  it('a zero timestamp means absent', () => {
    expect(only(framed(packet(184, { 0: NSE, 4: 1 }))).exchangeTimestamp).toBeNull();
  });
});

describe('price divisor per segment (token & 0xFF)', () => {
  it.each([
    ['NSE', 408065, 100],
    ['NFO', 0x100 | 2, 100],
    ['CDS', 412675, 10_000_000],
    ['BSE', 128083204, 100],
    ['BCD', 2222086, 10_000],
    ['MCX', 0x100 | 7, 100],
    ['INDICES', 256265, 100],
  ])('%s divides by its unit', (_name, token, divisor) => {
    expect(priceDivisor(token)).toBe(divisor);
  });

  it('decodes CDS at 1e7 and BCD at 1e4', () => {
    expect(only(framed(packet(8, { 0: 412675, 4: 832_512_500 }))).lastPrice).toBeCloseTo(83.25125, 10);
    expect(only(framed(packet(8, { 0: 2222086, 4: 832_525 }))).lastPrice).toBeCloseTo(83.2525, 10);
  });
});

describe('framing', () => {
  it('splits several packets of different sizes in one message', () => {
    const r = parseTickerFrame(framed(packet(8, { 0: 408065, 4: 100 }), packet(28, { 0: 256265, 4: 200 }), packet(44, { 0: 779521, 4: 300 })));
    expect(r.ok && r.packets.map((p) => [p.instrumentToken, p.mode, p.lastPrice])).toEqual([
      [408065, 'ltp', 1],
      [256265, 'quote', 2],
      [779521, 'quote', 3],
    ]);
  });

  it('treats a 1-byte frame as a heartbeat', () => {
    expect(isHeartbeat(Buffer.from([0]))).toBe(true);
    expect(isHeartbeat(Buffer.from([0, 0]))).toBe(false);
    expect(parseTickerFrame(Buffer.from([0])).ok).toBe(false);
  });

  it('accepts an empty message (count 0)', () => {
    expect(parseTickerFrame(Buffer.from([0, 0]))).toEqual({ ok: true, packets: [], skipped: [] });
  });
});

describe('malformed frames are rejected, never thrown', () => {
  it('a count larger than the packets present', () => {
    const f = framed(packet(8, { 0: 408065, 4: 1 }));
    f.writeUInt16BE(2, 0);
    expect(parseTickerFrame(f)).toEqual({ ok: false, error: expect.stringMatching(/says 2 packets but ends after 1/) });
  });

  it('a length running past the end', () => {
    const f = framed(packet(44, { 0: 408065 })).subarray(0, 30);
    expect(parseTickerFrame(f)).toEqual({ ok: false, error: expect.stringMatching(/says 44 bytes but only 26 remain/) });
  });

  it('stray bytes after the last packet', () => {
    expect(parseTickerFrame(Buffer.concat([framed(packet(8, { 0: 408065, 4: 1 })), Buffer.from([1, 2, 3])]))).toEqual({ ok: false, error: '3 stray byte(s) after 1 packet(s)' });
  });

  it('skips a packet of an unknown size and keeps the others', () => {
    const r = parseTickerFrame(framed(packet(12, { 0: 408065 }), packet(8, { 0: 408065, 4: 500 }), packet(4, { 0: 1 })));
    expect(r).toEqual({ ok: true, packets: [expect.objectContaining({ lastPrice: 5 })], skipped: [expect.stringMatching(/packet 1: unknown packet size 12/), expect.stringMatching(/packet 3: 4-byte packet is too short/)] });
  });

  it('never throws on random bytes', () => {
    const u = seededJitter(20260309);
    const next = (lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1));
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: next(0, 300) }, () => next(0, 255)));
      // Half the cases get a plausible header so the packet paths are reached too.
      if (i % 2 === 0 && bytes.length >= 4) bytes.writeUInt16BE(next(0, 3), 0);
      expect(() => parseTickerFrame(bytes)).not.toThrow();
    }
    expect(() => parsePacket(Buffer.alloc(0))).not.toThrow();
  });
});
