/**
 * Black-Scholes prices of European options, for the paper broker's simulated chain: the premium
 * of a call or put from the underlying's price, the strike, the time left, a volatility and a
 * rate. A model's output in doubles (its exp, log and normal distribution have no decimal form);
 * the paper broker rounds it to the contract's tick with its decimal arithmetic before it becomes
 * a price anyone sees, as it does every simulated price.
 */
import type { OptionRight } from './option-chain';

export interface BlackScholesInput {
  readonly right: OptionRight;
  /** The underlying's price now. */
  readonly spot: number;
  readonly strike: number;
  /** Years to expiry; at or below 0 the option is worth what it would pay at expiry. */
  readonly years: number;
  /** Annualised volatility, 0.2 for 20 %. */
  readonly volatility: number;
  /** Continuously compounded annual rate, 0.065 for 6.5 %. */
  readonly rate: number;
}

/**
 * The premium. Without time or volatility left, the discounted intrinsic value.
 * @example blackScholes({ right: 'CE', spot: 100, strike: 100, years: 1, volatility: 0.2, rate: 0 }) // 7.9655674554…
 */
export function blackScholes(i: BlackScholesInput): number {
  if (!(i.spot > 0) || !(i.strike > 0) || !Number.isFinite(i.years) || !(i.volatility >= 0) || !Number.isFinite(i.rate)) {
    throw new RangeError(`Black-Scholes needs a spot and strike above 0, a finite time and rate and a volatility of 0 or more; got ${JSON.stringify(i)}`);
  }
  const years = Math.max(0, i.years);
  const discounted = i.strike * Math.exp(-i.rate * years);
  const spread = i.volatility * Math.sqrt(years);
  if (spread === 0) return Math.max(0, i.right === 'CE' ? i.spot - discounted : discounted - i.spot);
  const d1 = (Math.log(i.spot / i.strike) + (i.rate + (i.volatility * i.volatility) / 2) * years) / spread;
  const d2 = d1 - spread;
  return i.right === 'CE' ? i.spot * normalCdf(d1) - discounted * normalCdf(d2) : discounted * normalCdf(-d2) - i.spot * normalCdf(-d1);
}

/**
 * The standard normal distribution function, to double precision: Hart's algorithm 5666 as
 * given by G. West, "Better approximations to cumulative normal functions" (Wilmott, 2005).
 * @example normalCdf(0) // 0.5
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x);
  let tail: number;
  if (z > 37) tail = 0;
  else {
    const e = Math.exp((-z * z) / 2);
    if (z < 7.07106781186547) {
      let n = 3.52624965998911e-2 * z + 0.700383064443688;
      n = n * z + 6.37396220353165;
      n = n * z + 33.912866078383;
      n = n * z + 112.079291497871;
      n = n * z + 221.213596169931;
      n = n * z + 220.206867912376;
      let d = 8.83883476483184e-2 * z + 1.75566716318264;
      d = d * z + 16.064177579207;
      d = d * z + 86.7807322029461;
      d = d * z + 296.564248779674;
      d = d * z + 637.333633378831;
      d = d * z + 793.826512519948;
      d = d * z + 440.413735824752;
      tail = (e * n) / d;
    } else {
      let b = z + 0.65;
      b = z + 4 / b;
      b = z + 3 / b;
      b = z + 2 / b;
      b = z + 1 / b;
      tail = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - tail : tail;
}
