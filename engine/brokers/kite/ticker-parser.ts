/**
 * Kite's binary ticker, byte by byte (kite.trade/docs/connect/v3/websocket; the JS, Python and Go
 * SDK parsers agree on every offset). A message is: uint16 packet count, then per packet a uint16
 * length and that many bytes; all integers big-endian. The packet's length says its layout:
 *
 *   8   ltp            token, last price
 *   28  index quote    token, ltp, HIGH, LOW, OPEN, CLOSE, change   (index order differs!)
 *   32  index full     as 28 + exchange timestamp
 *   44  quote          token, ltp, ltq, atp, volume, buy qty, sell qty, OPEN, HIGH, LOW, CLOSE
 *   184 full           as 44 + ltt, oi, oi high, oi low, exchange timestamp, 10 depth entries
 *
 * Prices are integers in the segment's smallest unit: ÷100, but CDS ÷1e7 and BCD ÷1e4. A frame
 * that does not add up is rejected whole; one packet of a size we do not know is skipped.
 */

export type KiteTickMode = 'ltp' | 'quote' | 'full';

/** Segment ids (instrument_token & 0xFF). */
export const KITE_SEGMENTS = { NSE: 1, NFO: 2, CDS: 3, BSE: 4, BFO: 5, BCD: 6, MCX: 7, MCXSX: 8, INDICES: 9 } as const;

export interface KiteDepthLevel {
  readonly quantity: number;
  readonly price: number;
  readonly orders: number;
}

export interface KiteOhlc {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** One decoded packet. Times are epoch ms (null when Kite sends 0); prices are rupees. */
export interface KitePacket {
  readonly instrumentToken: number;
  readonly segment: number;
  readonly tradable: boolean;
  readonly mode: KiteTickMode;
  readonly lastPrice: number;
  readonly ohlc?: KiteOhlc;
  /**
   * Absolute change from the previous close (ltp − close). The SDKs disagree (JS and Python give
   * a percentage, Go and the official mock JSON the absolute value); we pick absolute and
   * recompute it for index packets too instead of trusting their change field.
   */
  readonly change?: number;
  readonly lastTradedQuantity?: number;
  readonly averageTradedPrice?: number;
  readonly volumeTraded?: number;
  readonly totalBuyQuantity?: number;
  readonly totalSellQuantity?: number;
  readonly lastTradeTime?: number | null;
  readonly oi?: number;
  readonly oiDayHigh?: number;
  readonly oiDayLow?: number;
  readonly exchangeTimestamp?: number | null;
  readonly depth?: { readonly buy: readonly KiteDepthLevel[]; readonly sell: readonly KiteDepthLevel[] };
}

export type FrameParse =
  | { readonly ok: true; readonly packets: readonly KitePacket[]; readonly skipped: readonly string[] }
  | { readonly ok: false; readonly error: string };

export const PACKET_SIZES = { ltp: 8, indexQuote: 28, indexFull: 32, quote: 44, full: 184 } as const;

/** The divisor that turns a packet's integer price into rupees for the token's segment. */
export function priceDivisor(instrumentToken: number): number {
  const segment = instrumentToken & 0xff;
  if (segment === KITE_SEGMENTS.CDS) return 10_000_000;
  if (segment === KITE_SEGMENTS.BCD) return 10_000;
  return 100;
}

/** Heartbeats are 1-byte binary frames; the SDKs skip anything shorter than 2 bytes. */
export function isHeartbeat(frame: Uint8Array): boolean {
  return frame.byteLength < 2;
}

/**
 * Splits and decodes one binary message.
 *
 * @example parseTickerFrame(Buffer.from('00010008000d80010000997f', 'hex')) // one ltp packet: token 884737, 392.95
 */
export function parseTickerFrame(frame: Uint8Array): FrameParse {
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (buf.length < 2) return { ok: false, error: `frame of ${buf.length} byte(s) is a heartbeat, not data` };
  const count = buf.readUInt16BE(0);
  let offset = 2;
  const packets: KitePacket[] = [];
  const skipped: string[] = [];
  for (let i = 0; i < count; i++) {
    if (offset + 2 > buf.length) return { ok: false, error: `frame says ${count} packets but ends after ${i} (no length for packet ${i + 1})` };
    const length = buf.readUInt16BE(offset);
    offset += 2;
    if (offset + length > buf.length) return { ok: false, error: `packet ${i + 1} says ${length} bytes but only ${buf.length - offset} remain` };
    const decoded = parsePacket(buf.subarray(offset, offset + length));
    if (typeof decoded === 'string') skipped.push(`packet ${i + 1}: ${decoded}`);
    else packets.push(decoded);
    offset += length;
  }
  if (offset !== buf.length) return { ok: false, error: `${buf.length - offset} stray byte(s) after ${count} packet(s)` };
  return { ok: true, packets, skipped };
}

/** Decodes one unframed packet, or says why it cannot. */
export function parsePacket(p: Buffer): KitePacket | string {
  if (p.length < 8) return `${p.length}-byte packet is too short`;
  const instrumentToken = p.readUInt32BE(0);
  const segment = instrumentToken & 0xff;
  const d = priceDivisor(instrumentToken);
  const price = (at: number) => p.readUInt32BE(at) / d;
  const u32 = (at: number) => p.readUInt32BE(at);
  const time = (at: number) => (u32(at) === 0 ? null : u32(at) * 1000);
  const base = { instrumentToken, segment, tradable: segment !== KITE_SEGMENTS.INDICES, lastPrice: price(4) };

  switch (p.length) {
    case PACKET_SIZES.ltp:
      return { ...base, mode: 'ltp' };
    case PACKET_SIZES.indexQuote:
    case PACKET_SIZES.indexFull: {
      // Index packets order the fields high, low, open, close; bytes 24–28 (change) are ignored.
      const ohlc = { high: price(8), low: price(12), open: price(16), close: price(20) };
      const full = p.length === PACKET_SIZES.indexFull;
      return { ...base, tradable: false, mode: full ? 'full' : 'quote', ohlc, change: base.lastPrice - ohlc.close, ...(full ? { exchangeTimestamp: time(28) } : {}) };
    }
    case PACKET_SIZES.quote:
    case PACKET_SIZES.full: {
      const ohlc = { open: price(28), high: price(32), low: price(36), close: price(40) };
      const quote = {
        ...base,
        mode: 'quote' as KiteTickMode,
        lastTradedQuantity: u32(8),
        averageTradedPrice: price(12),
        volumeTraded: u32(16),
        totalBuyQuantity: u32(20),
        totalSellQuantity: u32(24),
        ohlc,
        change: base.lastPrice - ohlc.close,
      };
      if (p.length === PACKET_SIZES.quote) return quote;
      const level = (at: number): KiteDepthLevel => ({ quantity: u32(at), price: price(at + 4), orders: p.readUInt16BE(at + 8) });
      // 10 entries of 12 bytes (qty, price, orders, 2 bytes padding): 5 bids from 64, 5 offers from 124.
      const entries = Array.from({ length: 10 }, (_, i) => level(64 + i * 12));
      return {
        ...quote,
        mode: 'full',
        lastTradeTime: time(44),
        oi: u32(48),
        oiDayHigh: u32(52),
        oiDayLow: u32(56),
        exchangeTimestamp: time(60),
        depth: { buy: entries.slice(0, 5), sell: entries.slice(5) },
      };
    }
    default:
      return `unknown packet size ${p.length} (expected 8, 28, 32, 44 or 184)`;
  }
}
