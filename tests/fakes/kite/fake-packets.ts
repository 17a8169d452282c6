/**
 * Builds Kite ticker binary messages to the documented layout (kite.trade/docs/connect/v3/websocket,
 * see ../../../engine/brokers/kite/ticker-parser.ts for the table): big-endian, prices as integers
 * in the segment's unit (÷100; CDS ÷1e7; BCD ÷1e4), index packets in high/low/open/close order.
 * Written from the layout independently of the parser, so a parser bug cannot hide in both.
 */

export type FakeTickMode = 'ltp' | 'quote' | 'full';

export interface FakeDepthLevel {
  readonly qty: number;
  readonly price: number;
  readonly orders: number;
}

/** Everything a packet can carry; prices in rupees, times in Unix seconds (0 = absent). */
export interface FakeQuote {
  readonly token: number;
  readonly lastPrice: number;
  readonly lastQty?: number;
  readonly avgPrice?: number;
  readonly volume?: number;
  readonly buyQty?: number;
  readonly sellQty?: number;
  readonly open?: number;
  readonly high?: number;
  readonly low?: number;
  readonly close?: number;
  /** Index packets only (bytes 24–28); the SDKs ignore it. */
  readonly indexChange?: number;
  readonly lastTradeTime?: number;
  readonly oi?: number;
  readonly oiDayHigh?: number;
  readonly oiDayLow?: number;
  readonly exchangeTimestamp?: number;
  readonly bids?: readonly FakeDepthLevel[];
  readonly asks?: readonly FakeDepthLevel[];
}

export const SEGMENT_INDICES = 9;

export function divisorOf(token: number): number {
  const segment = token & 0xff;
  return segment === 3 ? 10_000_000 : segment === 6 ? 10_000 : 100;
}

function writer(size: number, token: number) {
  const buf = Buffer.alloc(size);
  const d = divisorOf(token);
  return {
    buf,
    u32: (at: number, v: number) => buf.writeUInt32BE(Math.round(v) >>> 0, at),
    i32: (at: number, v: number) => buf.writeInt32BE(Math.round(v) | 0, at),
    u16: (at: number, v: number) => buf.writeUInt16BE(v & 0xffff, at),
    price: (at: number, v: number) => buf.writeUInt32BE(Math.round(v * d) >>> 0, at),
  };
}

/** 8 bytes: token, last price. */
export function ltpPacket(q: FakeQuote): Buffer {
  const w = writer(8, q.token);
  w.u32(0, q.token);
  w.price(4, q.lastPrice);
  return w.buf;
}

/** 44 bytes (quote) or 184 (full) for a tradable instrument: OHLC in open/high/low/close order. */
export function tradablePacket(q: FakeQuote, full: boolean): Buffer {
  const w = writer(full ? 184 : 44, q.token);
  w.u32(0, q.token);
  w.price(4, q.lastPrice);
  w.u32(8, q.lastQty ?? 0);
  w.price(12, q.avgPrice ?? q.lastPrice);
  w.u32(16, q.volume ?? 0);
  w.u32(20, q.buyQty ?? 0);
  w.u32(24, q.sellQty ?? 0);
  w.price(28, q.open ?? q.lastPrice);
  w.price(32, q.high ?? q.lastPrice);
  w.price(36, q.low ?? q.lastPrice);
  w.price(40, q.close ?? q.lastPrice);
  if (!full) return w.buf;
  w.u32(44, q.lastTradeTime ?? 0);
  w.u32(48, q.oi ?? 0);
  w.u32(52, q.oiDayHigh ?? 0);
  w.u32(56, q.oiDayLow ?? 0);
  w.u32(60, q.exchangeTimestamp ?? 0);
  const levels = [...pad(q.bids), ...pad(q.asks)];
  levels.forEach((l, i) => {
    const at = 64 + i * 12;
    w.u32(at, l.qty);
    w.price(at + 4, l.price);
    w.u16(at + 8, l.orders);
    // bytes at+10..at+12 stay zero: padding
  });
  return w.buf;
}

/** 28 bytes (quote) or 32 (full) for an index: high, low, open, close, change [, timestamp]. */
export function indexPacket(q: FakeQuote, full: boolean): Buffer {
  const w = writer(full ? 32 : 28, q.token);
  w.u32(0, q.token);
  w.price(4, q.lastPrice);
  w.price(8, q.high ?? q.lastPrice);
  w.price(12, q.low ?? q.lastPrice);
  w.price(16, q.open ?? q.lastPrice);
  w.price(20, q.close ?? q.lastPrice);
  w.i32(24, (q.indexChange ?? 0) * 100);
  if (full) w.u32(28, q.exchangeTimestamp ?? 0);
  return w.buf;
}

/** The packet a connection in `mode` gets for this instrument (index layout for segment 9). */
export function packetFor(mode: FakeTickMode, q: FakeQuote): Buffer {
  if (mode === 'ltp') return ltpPacket(q);
  const index = (q.token & 0xff) === SEGMENT_INDICES;
  return index ? indexPacket(q, mode === 'full') : tradablePacket(q, mode === 'full');
}

/** One binary message: uint16 count, then uint16 length + bytes per packet. */
export function frame(packets: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.alloc(2)];
  parts[0]!.writeUInt16BE(packets.length, 0);
  for (const p of packets) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(p.length, 0);
    parts.push(len, p);
  }
  return Buffer.concat(parts);
}

function pad(levels: readonly FakeDepthLevel[] | undefined): FakeDepthLevel[] {
  const out = [...(levels ?? [])].slice(0, 5);
  while (out.length < 5) out.push({ qty: 0, price: 0, orders: 0 });
  return out;
}
