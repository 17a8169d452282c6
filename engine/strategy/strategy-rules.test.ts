/**
 * Issue 16's field rules for a strategy: symbols are ASCII before they are upper-cased, a
 * stop-loss is a price a market can have, and no BUY or SELL time is one a DST change skips.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../tests/support/engine-harness';
import { refusedFields } from '../../tests/support/refused-fields';

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('symbol', () => {
  it('refuses letters outside ASCII instead of upper-casing them into another symbol', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const engine = t;
    // 'ß' upper-cases to 'SS', dotless 'ı' to 'I', the 'ﬀ' ligature to 'FF', the Kelvin sign 'K' stays itself.
    for (const symbol of ['ßpy', 'ıbm', 'ﬀ', 'AAPL\u212a', 'ＡＡＰＬ', 'AAPL\u0301']) {
      expect(await refusedFields(() => engine.create({ symbol })), symbol).toEqual([{ field: 'symbol', message: 'symbol must be 1-30 ASCII letters, digits or . & _ -, or a pair BASE/QUOTE such as BTC/USDT' }]);
    }
    expect(engine.engine.strategies.list(engine.user.id)).toEqual([]);
    expect((await engine.create({ symbol: ' brk.b ' })).symbol).toBe('BRK.B');
  });
});

describe('stop_loss', () => {
  it.each([
    [5e-324, 'stop_loss must be at least 0.00000001'],
    [1e-9, 'stop_loss must be at least 0.00000001'],
    [1e308, 'stop_loss must be at most 1000000000'],
    [1_000_000_000.5, 'stop_loss must be at most 1000000000'],
    [95.123456789, 'stop_loss must have at most 8 decimals'],
  ])('refuses %s', async (stop_loss, message) => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const engine = t;
    expect(await refusedFields(() => engine.create({ stop_loss }))).toEqual([{ field: 'stop_loss', message }]);
  });

  it('must be at least one price step of the instrument, and may be any price from there to 1e9', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { tickSize: 0.05 } });
    const engine = t;
    expect(await refusedFields(() => engine.create({ stop_loss: 0.01 }))).toEqual([{ field: 'stop_loss', message: 'stop_loss must be at least one price step of AAPL at this broker (0.05)' }]);
    expect((await engine.create({ stop_loss: 0.05 })).spec.stop_loss).toBe(0.05);
    expect((await engine.create({ stop_loss: 1e9 })).spec.stop_loss).toBe(1e9);
    expect((await engine.create({ stop_loss: 123.45678901 })).spec.stop_loss).toBe(123.45678901);
  });

  it('is checked on edit too', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const engine = t;
    const s = await engine.create({});
    expect(await refusedFields(() => engine.engine.strategies.update(engine.user.id, s.id, { stop_loss: 1e308 }))).toEqual([{ field: 'stop_loss', message: 'stop_loss must be at most 1000000000' }]);
    expect(engine.engine.strategies.get(engine.user.id, s.id).spec.stop_loss).toBe(95);
  });
});

describe('BUY and SELL times in a DST gap', () => {
  it('refuses a BUY and a SELL that New York\'s spring-forward would put on one instant, naming the day and the jump', async () => {
    t = await startTestEngine({ at: '2026-03-02T15:00:00Z' });
    const engine = t;
    const fields = await refusedFields(() => engine.create({ symbol: 'BTC', exchange: 'CRYPTO', timezone: 'America/New_York', buy_time: '02:15', sell_time: '02:45' }));
    expect(fields).toEqual([
      {
        field: 'buy_time',
        message:
          'buy_time 02:15:00 does not exist in America/New_York on 2026-03-08: the clocks jump from 02:00 to 03:00 for daylight saving time, ' +
          'and that day the BUY would happen at 03:00 instead. Choose a time outside 02:00–03:00',
      },
      {
        field: 'sell_time',
        message:
          'sell_time 02:45:00 does not exist in America/New_York on 2026-03-08: the clocks jump from 02:00 to 03:00 for daylight saving time, ' +
          'and that day the SELL would happen at 03:00 instead. Choose a time outside 02:00–03:00',
      },
    ]);
    expect(engine.engine.strategies.list(engine.user.id)).toEqual([]);
  });

  it('looks a year ahead: after this year\'s change, next year\'s is named', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const engine = t;
    const fields = await refusedFields(() => engine.create({ symbol: 'BTC', exchange: 'CRYPTO', timezone: 'America/New_York', buy_time: '01:00', sell_time: '02:30' }));
    expect(fields).toEqual([{ field: 'sell_time', message: expect.stringContaining('sell_time 02:30:00 does not exist in America/New_York on 2027-03-14') }]);
  });

  it('accepts a time in a gap that falls only on days the exchange is closed, and times in a fall-back overlap', async () => {
    t = await startTestEngine({ at: '2026-03-02T15:00:00Z' });
    // New York changes on a Sunday: a NYSE strategy never runs then.
    expect((await t.create({ timezone: 'America/New_York', buy_time: '02:30', sell_time: '09:30' })).spec.buy_time).toBe('02:30:00');
    // 01:30 happens twice on 2026-11-01; it runs once, at the first.
    expect((await t.create({ symbol: 'BTC', exchange: 'CRYPTO', timezone: 'America/New_York', buy_time: '01:30', sell_time: '01:45' })).spec.buy_time).toBe('01:30:00');
    // No DST in Kolkata or UTC.
    expect((await t.create({ symbol: 'BTC', exchange: 'CRYPTO', timezone: 'Asia/Kolkata', buy_time: '02:15', sell_time: '02:45' })).spec.buy_time).toBe('02:15:00');
    expect((await t.create({ symbol: 'BTC', exchange: 'CRYPTO', buy_time: '02:15', sell_time: '02:45' })).spec.timezone).toBe('UTC');
  });

  it('refuses an edit that moves a time into a gap, or the strategy into a zone where its time is in one', async () => {
    t = await startTestEngine({ at: '2026-03-02T15:00:00Z' });
    const engine = t;
    const s = await engine.create({ symbol: 'BTC', exchange: 'CRYPTO', timezone: 'UTC', buy_time: '01:30', sell_time: '04:00' });
    const update = (body: Record<string, unknown>) => engine.engine.strategies.update(engine.user.id, s.id, body);
    expect(await refusedFields(() => update({ timezone: 'Europe/London' }))).toEqual([
      { field: 'buy_time', message: expect.stringContaining('buy_time 01:30:00 does not exist in Europe/London on 2026-03-29: the clocks jump from 01:00 to 02:00') },
    ]);
    expect(await refusedFields(() => update({ timezone: 'America/New_York', buy_time: '02:10' }))).toEqual([
      { field: 'buy_time', message: expect.stringContaining('on 2026-03-08: the clocks jump from 02:00 to 03:00') },
    ]);
    expect(engine.engine.strategies.get(engine.user.id, s.id)).toMatchObject({ spec: { timezone: 'UTC', buy_time: '01:30:00' } });
    expect((await update({ timezone: 'Europe/London', buy_time: '03:00' })).spec.timezone).toBe('Europe/London');
  });
});
