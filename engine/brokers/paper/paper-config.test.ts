import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import { DomainError } from '../../core/errors';
import { paperBrokerOptionsSchema, parsePaperBrokerOptions } from './paper-config';
import { createPaperBroker } from './paper-broker';

function fieldsOf(raw: unknown): string[] {
  try {
    parsePaperBrokerOptions(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    const domain = error as DomainError;
    expect(domain.code).toBe('validation_failed');
    return (domain.fields ?? []).map((f) => f.field);
  }
  throw new Error('expected a validation error');
}

describe('paper broker options', () => {
  it('applies the documented defaults', () => {
    expect(parsePaperBrokerOptions({})).toEqual({
      tickIntervalMs: 250,
      volatilityBps: 2,
      startPrices: {},
      slippageBps: 0,
      ackLatencyMs: 0,
      fillLatencyMs: 0,
      scripts: {},
      optionVolatility: 0.15,
      tickSize: 0.01,
    });
    expect(parsePaperBrokerOptions(undefined).tickIntervalMs).toBe(250);
  });

  it('accepts a full, valid set of options', () => {
    const options = {
      seed: 42,
      tickIntervalMs: 1000,
      volatilityBps: 10,
      startPrices: { 'NSE:INFY': 1500, 'CRYPTO:BTC-USD': 60000 },
      slippageBps: 5,
      ackLatencyMs: 20,
      fillLatencyMs: 80,
      scripts: { 'NYSE:BRK.B': [{ afterMs: 0, price: 400 }, { afterMs: 0, price: 401 }, { afterMs: 5000, price: 380 }] },
      optionVolatility: 0.2,
      tickSize: 0.05,
    };
    expect(paperBrokerOptionsSchema.parse(options)).toEqual(options);
  });

  it.each([
    [{ seed: 1.5 }, 'seed'],
    [{ tickIntervalMs: 0 }, 'tickIntervalMs'],
    [{ tickIntervalMs: 2.5 }, 'tickIntervalMs'],
    [{ volatilityBps: -1 }, 'volatilityBps'],
    [{ volatilityBps: Number.NaN }, 'volatilityBps'],
    [{ slippageBps: '5' }, 'slippageBps'],
    [{ ackLatencyMs: -10 }, 'ackLatencyMs'],
    [{ fillLatencyMs: Infinity }, 'fillLatencyMs'],
    [{ tickSize: 0 }, 'tickSize'],
    [{ startPrices: { 'NSE:INFY': 0 } }, 'startPrices.NSE:INFY'],
    [{ startPrices: { 'LSE:VOD': 100 } }, 'startPrices.LSE:VOD'],
    [{ startPrices: { 'NSE:infy': 100 } }, 'startPrices.NSE:infy'],
    [{ scripts: { 'NSE:INFY': [] } }, 'scripts.NSE:INFY'],
    [{ scripts: { 'NSE:INFY': [{ afterMs: 0, price: -3 }] } }, 'scripts.NSE:INFY.0.price'],
    [{ scripts: { 'NSE:INFY': [{ afterMs: 500, price: 3 }, { afterMs: 100, price: 2 }] } }, 'scripts.NSE:INFY.1.afterMs'],
    [{ scripts: { 'NSE:INFY': [{ at: 0, price: 3 }] } }, 'scripts.NSE:INFY.0.at'],
    [{ slipageBps: 5 }, 'slipageBps'],
    [42, 'options'],
  ])('rejects %j naming the field', (raw, field) => {
    expect(fieldsOf(raw)).toContain(field);
  });

  it('reports every bad field at once, in a readable message', () => {
    try {
      parsePaperBrokerOptions({ tickSize: -1, slippageBps: -1 });
      expect.unreachable();
    } catch (error) {
      const domain = error as DomainError;
      expect(domain.fields?.map((f) => f.field).sort()).toEqual(['slippageBps', 'tickSize']);
      expect(domain.message).toMatch(/^tickSize: .+; slippageBps: .+|^slippageBps: .+; tickSize: .+/);
      expect(domain.toJSON().code).toBe('validation_failed');
    }
  });

  it('createPaperBroker validates the same way', () => {
    const clock = new FakeClock(0);
    expect(() => createPaperBroker({ clock, tickSize: -0.01 })).toThrowError(/tickSize/);
  });
});
