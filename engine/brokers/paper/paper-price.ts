/**
 * Price arithmetic of the simulated market, in decimal so that 0.1 + 0.2 stays 0.3 and a price
 * rounded to a 0.05 tick is exactly a multiple of 0.05 when it reaches the engine.
 */
import Decimal from 'decimal.js';

/** A private Decimal constructor: another module calling `Decimal.set` cannot change our rounding. */
export const PaperDecimal = Decimal.clone({ precision: 28, rounding: Decimal.ROUND_HALF_UP });
export type PaperDecimal = InstanceType<typeof PaperDecimal>;

type Direction = 'nearest' | 'up' | 'down';

const MODES: Readonly<Record<Direction, Decimal.Rounding>> = {
  nearest: Decimal.ROUND_HALF_UP,
  up: Decimal.ROUND_CEIL,
  down: Decimal.ROUND_FLOOR,
};

/**
 * Rounds to a multiple of `tickSize`, never below one tick: a simulated price of 0 or less would
 * be a value the engine must treat as an error.
 *
 * @example roundToTick(100.004, 0.01) === 100; roundToTick(100.001, 0.05, 'up') === 100.05
 */
export function roundToTick(price: Decimal.Value, tickSize: number, direction: Direction = 'nearest'): number {
  const tick = new PaperDecimal(tickSize);
  const steps = new PaperDecimal(price).div(tick).toDecimalPlaces(0, MODES[direction]);
  return PaperDecimal.max(steps, 1).mul(tick).toNumber();
}

/**
 * The price a market order fills at: the buyer pays `slippageBps` above `price`, the seller
 * receives that much below, and the tick rounding also goes against the trader so slippage is
 * never rounded away.
 *
 * @example fillPrice(100, 'buy', 5, 0.01) === 100.05; fillPrice(100, 'sell', 5, 0.01) === 99.95
 */
export function fillPrice(price: number, side: 'buy' | 'sell', slippageBps: number, tickSize: number): number {
  const slip = new PaperDecimal(slippageBps).div(10_000);
  const factor = side === 'buy' ? slip.plus(1) : new PaperDecimal(1).minus(slip);
  return roundToTick(new PaperDecimal(price).mul(factor), tickSize, side === 'buy' ? 'up' : 'down');
}

/**
 * One random-walk step: `price × (1 + v·(2u − 1))` with `v = volatilityBps / 10 000` and `u` in
 * [0, 1). The unrounded price is kept between steps so that small moves accumulate instead of
 * being rounded back to the same tick forever.
 */
export function walkStep(price: PaperDecimal, u: number, volatilityBps: number, tickSize: number): PaperDecimal {
  const move = new PaperDecimal(volatilityBps).div(10_000).mul(2 * u - 1);
  const next = price.mul(move.plus(1));
  // Keep the walk off zero; a tiny price would otherwise sit on the one-tick floor for good.
  return PaperDecimal.max(next, tickSize);
}
