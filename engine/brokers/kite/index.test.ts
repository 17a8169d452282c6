/** The broker kind the composition root registers: schemas, secrecy, capabilities. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import { kiteBrokerKind } from './index';

describe('kiteBrokerKind', () => {
  const kind = kiteBrokerKind();

  it('needs a secret and validates credentials strictly', () => {
    expect(kind.needsSecret).toBe(true);
    expect(kind.credentialsSchema.safeParse({ api_key: 'abc', api_secret: 'def' }).success).toBe(true);
    expect(kind.credentialsSchema.safeParse({ api_key: 'abc', api_secret: 'def', extra: 'x' }).success).toBe(false);
    expect(kind.optionsSchema.parse({})).toMatchObject({ mode: 'ltp', product: 'MIS', exchanges: ['NSE', 'BSE'] });
  });

  it('creates a broker stating Kite\'s differences as capabilities, with no network until start', async () => {
    const broker = kind.create({ clock: new FakeClock(0), credentials: { api_key: 'abc', api_secret: 'def' }, options: {} });
    expect(broker.capabilities).toEqual({
      kind: 'kite',
      exchanges: ['NSE', 'BSE', 'NFO', 'BFO'],
      orderTypes: ['market'],
      rejectsDuplicateClientOrderId: false,
      // The SDKs' 7 s timeout (ours by default) and 3 s for the request's way and Kite's queue.
      placedOrderListedWithinMs: 10_000,
      clientOrderIdMaxLength: 20,
      ordersPerSecond: 10,
      ordersPerMinute: 400,
      sessionExpiresDaily: { at: '06:00', timezone: 'Asia/Kolkata' },
      fractionalQty: false,
      sellFirst: 'intraday_product',
      // Zerodha squares MIS off at 15:20 IST in equity cash and 15:25 in F&O (NFO, BFO).
      intradaySquareOff: {
        NSE: { segment: 'equity cash', at: '15:20:00', defaultAt: '15:15:00', timezone: 'Asia/Kolkata' },
        BSE: { segment: 'equity cash', at: '15:20:00', defaultAt: '15:15:00', timezone: 'Asia/Kolkata' },
        NFO: { segment: 'equity derivatives', at: '15:25:00', defaultAt: '15:20:00', timezone: 'Asia/Kolkata' },
        BFO: { segment: 'equity derivatives', at: '15:25:00', defaultAt: '15:20:00', timezone: 'Asia/Kolkata' },
      },
      ordersFromRegisteredIp: true,
    });
    // The kind says what the broker's resting stops do, before any broker is opened (the DTO's backstop words).
    expect([kind.backstopByDefault, kind.backstopOco]).toEqual([broker.restingStops?.onByDefault, broker.restingStops?.oco]);
    expect(kind.backstopOco).toBe(true);
    await broker.stop();
    // A longer timeout of ours says Kite may answer that late: the bound grows with it.
    const patient = kind.create({ clock: new FakeClock(0), credentials: { api_key: 'abc', api_secret: 'def' }, options: { request_timeout_ms: 15_000 } });
    expect(patient.capabilities.placedOrderListedWithinMs).toBe(18_000);
    await patient.stop();
  });

  it('sells first on an MIS (intraday) account only; a CNC (delivery) account cannot', async () => {
    const cnc = kind.create({ clock: new FakeClock(0), credentials: { api_key: 'abc', api_secret: 'def' }, options: { product: 'CNC' } });
    expect(cnc.capabilities.sellFirst).toBe('none');
    // Zerodha squares off MIS positions only: a CNC account has no square-off of its own.
    expect(cnc.capabilities.intradaySquareOff).toBeNull();
    expect(cnc.capabilities.kind).toBe('kite');
    await cnc.stop();
  });

  it('refuses bad options with the field named', () => {
    expect(() => kind.create({ clock: new FakeClock(0), credentials: { api_key: 'abc', api_secret: 'def' }, options: { mode: 'tick' } })).toThrow(/mode: must be ltp, quote or full/);
  });
});
