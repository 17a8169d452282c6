import { describe, expect, it } from 'vitest';
import type { BrokerKindDto } from '../../lib/api-types';
import { brokerForm, brokerShortName, humanizeField } from './broker-forms';

const kite: BrokerKindDto = {
  broker: 'kite',
  title: 'Zerodha Kite Connect (NSE, BSE)',
  needs_secret: true,
  daily_login: true, historical_bars: false, historical_ticks: false,
  credential_fields: [
    { name: 'api_key', secret: false, required: true },
    { name: 'api_secret', secret: true, required: true },
    { name: 'access_token', secret: true, required: false },
  ],
  option_fields: [
    { name: 'rest_url', type: 'string', required: false },
    { name: 'product', type: 'string', required: false },
  ],
};

describe('brokerForm', () => {
  it('takes fields from the engine and words from what it knows', () => {
    const form = brokerForm(kite);
    expect(form).toMatchObject({ broker: 'kite', title: kite.title, shortName: 'Kite', dailyLogin: true, optionsLabel: 'Advanced options (JSON, optional)' });
    expect(form.credentials.map((c) => [c.label, c.secret])).toEqual([
      ['API key', false],
      ['API secret', true],
      ['Access token (optional)', true],
    ]);
    expect(form.optionsHint).toContain('Keys: rest_url, product.');
  });

  it('Binance: key and secret key, testnet by default said in words, the options example', () => {
    const form = brokerForm({
      broker: 'binance',
      title: 'Binance spot (crypto pairs through CCXT, testnet or live)',
      needs_secret: true,
      daily_login: false, historical_bars: false, historical_ticks: false,
      credential_fields: [
        { name: 'api_key', secret: false, required: true },
        { name: 'secret', secret: true, required: true },
      ],
      option_fields: [
        { name: 'testnet', type: 'boolean', required: false },
        { name: 'rest_url', type: 'string', required: false },
        { name: 'timeout_ms', type: 'number', required: false },
      ],
    });
    expect(form).toMatchObject({ shortName: 'Binance', dailyLogin: false, optionsExample: '{ "testnet": true }' });
    expect(form.description).toMatch(/starts on the spot testnet.*"testnet": false for live keys and real money/);
    expect(form.credentials.map((c) => [c.label, c.secret])).toEqual([
      ['API key', false],
      ['Secret key', true],
    ]);
    expect(form.optionsHint).toContain('Keys: testnet, rest_url, timeout_ms.');
  });

  it('keeps the paper simulation options label', () => {
    const paper = brokerForm({ broker: 'paper', title: 'Paper trading (simulated market)', needs_secret: false, daily_login: false, historical_bars: false, historical_ticks: false, credential_fields: [], option_fields: [] });
    expect(paper.optionsLabel).toBe('Simulation options (JSON, optional)');
  });

  it('builds a usable form for a broker it has never heard of', () => {
    const form = brokerForm({
      broker: 'newbroker',
      title: 'New Broker (EU)',
      needs_secret: true,
      daily_login: false, historical_bars: false, historical_ticks: false,
      credential_fields: [{ name: 'clientSecret', secret: true, required: true }],
      option_fields: [{ name: 'region', type: 'string', required: true }],
    });
    expect(form).toMatchObject({ shortName: 'New Broker', description: 'New Broker (EU)', optionsLabel: 'Advanced options (JSON, optional)' });
    expect(form.credentials).toEqual([{ name: 'clientSecret', label: 'Client secret', secret: true }]);
    expect(form.optionsHint).toBe('Keys: region (required).');
    expect(humanizeField('stale_after_ms')).toBe('Stale after ms');
    expect(brokerShortName('kite', null)).toBe('Kite');
    expect(brokerShortName('mystery', [])).toBe('mystery');
  });
});
