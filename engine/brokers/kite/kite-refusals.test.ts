/**
 * Which of Kite's refusal texts mean "nothing to sell" (lasting) and which may pass. The texts
 * are written after the ones Zerodha documents or shows (sources in README.md), not copied from
 * any account.
 */
import { describe, expect, it } from 'vitest';
import { namesPriceLimit, saysNothingToSell } from './kite-refusals';

describe('saysNothingToSell', () => {
  it.each([
    'RMS:Rule: Check holdings',
    'RMS:Rule: Check holding across exchange segment',
    'Insufficient holdings to place this sell order.',
    'Not enough holdings of INFY to sell.',
    'You do not have any open positions to exit.',
    "You don't have sufficient quantity to sell.",
    'No sellable quantity for this instrument.',
  ])('lasting: %s', (text) => {
    expect(saysNothingToSell(text)).toBe(true);
  });

  it.each([
    // Margin: funds move within the day.
    'RMS:Margin Exceeds,Required:95417.84, Available:74251.80 for entity account-XXXXX across exchange across segment across product ',
    'Insufficient funds. Required margin is 95417.84 but available margin is 74251.80. Check the orderbook for open orders.',
    // Price limits move, and a stock leaves its circuit.
    'RMS:Rule: Check circuit limit including square off order exceeds',
    'Price exceeds circuit limits for the instrument. Place an order within the daily range.',
    'The order was cancelled by the exchange because the price is outside the current allowed limit price protection range.',
    // Neither a lack of shares nor anything we know.
    'RMS: Position Limit Exceeded for this UCC',
    '16387 : Security is not allowed to trade in this market',
    'Cancelled by user',
    '',
  ])('may pass: %s', (text) => {
    expect(saysNothingToSell(text)).toBe(false);
  });

  it('reads every text given, and a price limit named in any of them wins', () => {
    expect(saysNothingToSell(null, undefined, 'RMS:Rule: Check holdings')).toBe(true);
    expect(saysNothingToSell('Insufficient holdings', 'RMS:Rule: Check circuit limit')).toBe(false);
    expect(saysNothingToSell()).toBe(false);
  });
});

describe('namesPriceLimit', () => {
  it('finds circuit limits, price bands and LPP, and nothing else', () => {
    expect(namesPriceLimit('Order price is out of the price band')).toBe(true);
    expect(namesPriceLimit('LPP range breached')).toBe(true);
    expect(namesPriceLimit('Insufficient funds')).toBe(false);
    expect(namesPriceLimit(null)).toBe(false);
  });
});
