import { describe, expect, it } from 'vitest';
import { parsePaperBrokerOptions } from './paper-config';
import { PAPER_LISTINGS, paperInstruments } from './paper-instruments';
import { rankMatches } from '../rank-matches';

const instruments = (options: object = {}) => paperInstruments(parsePaperBrokerOptions(options));

describe('paper instruments', () => {
  it('refuses a symbol that is not on its list, as a real broker does', async () => {
    expect(await instruments().resolve('APPL', 'NASDAQ')).toBeNull();
    expect(await instruments().resolve('FOO', 'CRYPTO')).toBeNull();
  });

  it('takes a US equity on either US exchange (orders route by symbol), an Indian one on NSE and BSE only', async () => {
    const i = instruments();
    expect(await i.resolve('AAPL', 'NYSE')).toMatchObject({ symbol: 'AAPL', exchange: 'NYSE' });
    expect(await i.resolve('IBM', 'NASDAQ')).toMatchObject({ symbol: 'IBM', exchange: 'NASDAQ' });
    expect(await i.resolve('INFY', 'BSE')).toMatchObject({ brokerRef: 'BSE:INFY' });
    expect(await i.resolve('INFY', 'NYSE')).toBeNull();
  });

  it('trades the crypto pairs in fractions of their step, everything else in whole units (no step stated)', async () => {
    const i = instruments();
    expect(await i.resolve('BTC/USDT', 'CRYPTO')).toMatchObject({ brokerRef: 'CRYPTO:BTC/USDT', qtyStep: 0.00001, minQty: 0.00001, minNotional: 5 });
    expect(await i.resolve('ETH/USDT', 'CRYPTO')).toMatchObject({ qtyStep: 0.0001, minNotional: 5 });
    expect(await i.resolve('BTCUSD', 'CRYPTO')).not.toHaveProperty('qtyStep');
    expect(await i.resolve('AAPL', 'NYSE')).not.toHaveProperty('qtyStep');
    expect(await i.resolve('BTC/USDT', 'NSE')).toBeNull();
    expect((await i.search!('BTC/', { limit: 5 })).map((m) => m.symbol)).toEqual(['BTC/USDT']);
  });

  it('lists what the account options name (startPrices, scripts) besides its own list', async () => {
    const i = instruments({ startPrices: { 'NSE:PENNY': 2 }, scripts: { 'CRYPTO:BTC-USD': [{ afterMs: 0, price: 1 }] } });
    expect(await i.resolve('PENNY', 'NSE')).toMatchObject({ brokerRef: 'NSE:PENNY' });
    expect(await i.resolve('BTC-USD', 'CRYPTO')).toMatchObject({ brokerRef: 'CRYPTO:BTC-USD' });
    expect(await i.resolve('PENNY', 'BSE')).toBeNull();
    expect(await i.search!('PEN', { limit: 5 })).toEqual([{ symbol: 'PENNY', exchange: 'NSE', name: null, tickSize: 0.01 }]);
  });

  it('searches by symbol prefix, then by name, saying where each was found', async () => {
    const found = await instruments({ tickSize: 0.05 }).search!('inf', { limit: 8 });
    expect(found).toEqual([
      { symbol: 'INFY', exchange: 'NSE', name: 'Infosys', tickSize: 0.05 },
      { symbol: 'INFY', exchange: 'BSE', name: 'Infosys', tickSize: 0.05 },
    ]);
    expect((await instruments().search!('apple', { limit: 8 })).map((m) => `${m.exchange}:${m.symbol}`)).toEqual(['NASDAQ:AAPL']);
  });

  it('narrows a search to one exchange and to the limit', async () => {
    const i = instruments();
    expect((await i.search!('INFY', { exchange: 'BSE', limit: 8 })).map((m) => m.exchange)).toEqual(['BSE']);
    expect(await i.search!('A', { limit: 3 })).toHaveLength(3);
    expect(await i.search!('  ', { limit: 3 })).toEqual([]);
  });

  it('ranks the shortest matching symbol first', () => {
    const ranked = rankMatches([{ symbol: 'VOD', name: '' }, { symbol: 'V', name: '' }, { symbol: 'AVGO', name: 'Broadcom V' }], 'v', 5);
    expect(ranked.map((l) => l.symbol)).toEqual(['V', 'VOD', 'AVGO']);
  });

  it('holds no listing twice', () => {
    const keys = PAPER_LISTINGS.map((l) => `${l.exchange}:${l.symbol}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
