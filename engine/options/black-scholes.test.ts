import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blackScholes, normalCdf } from './black-scholes';

describe('normalCdf', () => {
  it('matches the standard normal distribution to 1e-14', () => {
    // Values of Φ from R's pnorm (double precision).
    const known: Array<[number, number]> = [
      [0, 0.5],
      [0.1, 0.539827837277029],
      [1, 0.841344746068543],
      [-1.96, 0.0249978951482204],
      [3, 0.998650101968370],
      [-8, 6.22096057427178e-16],
    ];
    for (const [x, p] of known) expect(Math.abs(normalCdf(x) - p)).toBeLessThan(1e-14 + p * 1e-13);
  });
});

describe('blackScholes', () => {
  it('prices the textbook cases', () => {
    // S=100, K=100, r=0, σ=0.2, T=1: C = P = 100·(Φ(0.1) − Φ(−0.1)) = 7.96556745540…
    expect(blackScholes({ right: 'CE', spot: 100, strike: 100, years: 1, volatility: 0.2, rate: 0 })).toBeCloseTo(7.965567455405804, 10);
    expect(blackScholes({ right: 'PE', spot: 100, strike: 100, years: 1, volatility: 0.2, rate: 0 })).toBeCloseTo(7.965567455405804, 10);
    // Hull's example 15.6: S=42, K=40, r=10 %, σ=20 %, T=0.5: c = 4.76, p = 0.81.
    expect(blackScholes({ right: 'CE', spot: 42, strike: 40, years: 0.5, volatility: 0.2, rate: 0.1 })).toBeCloseTo(4.7594, 4);
    expect(blackScholes({ right: 'PE', spot: 42, strike: 40, years: 0.5, volatility: 0.2, rate: 0.1 })).toBeCloseTo(0.8086, 4);
  });

  it('is worth its intrinsic value at expiry and without volatility', () => {
    expect(blackScholes({ right: 'CE', spot: 26120, strike: 26000, years: 0, volatility: 0.15, rate: 0 })).toBe(120);
    expect(blackScholes({ right: 'PE', spot: 26120, strike: 26000, years: -0.01, volatility: 0.15, rate: 0 })).toBe(0);
    expect(blackScholes({ right: 'PE', spot: 25900, strike: 26000, years: 0.1, volatility: 0, rate: 0 })).toBe(100);
  });

  it('keeps put-call parity and the no-arbitrage bounds', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 100_000, noNaN: true }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.15, noNaN: true }),
        (spot, moneyness, years, volatility, rate) => {
          const strike = spot * moneyness;
          const c = blackScholes({ right: 'CE', spot, strike, years, volatility, rate });
          const p = blackScholes({ right: 'PE', spot, strike, years, volatility, rate });
          const forward = spot - strike * Math.exp(-rate * years);
          expect(c - p).toBeCloseTo(forward, Math.max(0, 8 - Math.ceil(Math.log10(spot))));
          expect(c).toBeGreaterThanOrEqual(Math.max(0, forward) - spot * 1e-9);
          expect(c).toBeLessThanOrEqual(spot * (1 + 1e-12));
        },
      ),
    );
  });

  it('refuses a price it cannot model', () => {
    expect(() => blackScholes({ right: 'CE', spot: Number.NaN, strike: 100, years: 1, volatility: 0.2, rate: 0 })).toThrow(/spot and strike above 0/);
    expect(() => blackScholes({ right: 'CE', spot: 100, strike: 100, years: 1, volatility: -0.2, rate: 0 })).toThrow(RangeError);
  });
});
