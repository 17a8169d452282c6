import { describe, expect, it } from 'vitest';
import { defaultFees, orderFees } from './fees';

describe('order fees', () => {
  it('India: brokerage capped at ₹20, STT to the rupee on the sell only, stamp on the buy only', () => {
    // BUY 1 000 × 200.10 = ₹2 00 100 at BSE: brokerage min(60.03, 20) = 20; BSE 0.00375 % = 7.50375
    // → 7.50; SEBI 0.2001 → 0.20; stamp 0.003 % = 6.003 → 6.00; GST 18 % of 27.70 = 4.986 → 4.99.
    expect(orderFees(defaultFees('BSE'), 'buy', 1000, 200.1)).toEqual({ total: 38.69, lines: { brokerage: 20, stt: 0, transaction: 7.5, sebi: 0.2, stamp: 6, gst: 4.99 } });
    // SELL 1 000 × 200.10 at NSE: STT 0.025 % = 50.025 → ₹50; NSE 0.00297 % = 5.94297 → 5.94;
    // GST 18 % of (20 + 0.20 + 5.94) = 4.7052 → 4.71.
    expect(orderFees(defaultFees('NSE'), 'sell', 1000, 200.1)).toEqual({ total: 80.85, lines: { brokerage: 20, stt: 50, transaction: 5.94, sebi: 0.2, stamp: 0, gst: 4.71 } });
  });

  it('India options: a flat ₹20, STT on the premium sold, the exchange option rate on the premium', () => {
    // SELL 130 units (2 NIFTY lots of 65) × 120.50 = ₹15 665 of premium at NFO: brokerage 20; STT
    // 0.15 % = 23.4975 → ₹23; NSE 0.03503 % = 5.48745 → 5.49; SEBI 0.015665 → 0.02; GST 18 % of
    // (20 + 0.02 + 5.49) = 4.5918 → 4.59.
    expect(orderFees(defaultFees('NFO'), 'sell', 130, 120.5)).toEqual({ total: 53.1, lines: { brokerage: 20, stt: 23, transaction: 5.49, sebi: 0.02, stamp: 0, gst: 4.59 } });
    // BUY 40 units × 250 = ₹10 000 at BFO: BSE 0.0325 % = 3.25; SEBI 0.01; stamp 0.003 % = 0.30;
    // GST 18 % of 23.26 = 4.1868 → 4.19; no STT on a buy.
    expect(orderFees(defaultFees('BFO'), 'buy', 40, 250)).toEqual({ total: 27.75, lines: { brokerage: 20, stt: 0, transaction: 3.25, sebi: 0.01, stamp: 0.3, gst: 4.19 } });
  });

  it('US: SEC fee and FINRA TAF on sells only, rounded up to the cent, the TAF capped', () => {
    // SELL 1 000 × $150 = $150 000: SEC 150 000 × 27.80 / 1e6 = 4.17; TAF 1 000 × 0.000166 = 0.166 → 0.17.
    expect(orderFees(defaultFees('NYSE'), 'sell', 1000, 150)).toEqual({ total: 4.34, lines: { commission: 0, sec: 4.17, taf: 0.17 } });
    // SELL 60 000 × $10.01 = $600 600: SEC 16.696… → 16.70; TAF 9.96 capped at 8.30.
    expect(orderFees(defaultFees('NASDAQ'), 'sell', 60_000, 10.01).lines).toEqual({ commission: 0, sec: 16.7, taf: 8.3 });
    expect(orderFees(defaultFees('NYSE'), 'buy', 1000, 150).total).toBe(0);
  });

  it('none for crypto', () => {
    expect(orderFees(defaultFees('CRYPTO'), 'sell', 2, 60_000)).toEqual({ total: 0, lines: {} });
  });
});
