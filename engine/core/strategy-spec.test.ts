/**
 * The one definition of a strategy. What matters for money: every body the API took before issue
 * 18 still parses and means the same strategy (the v2 keys at defaults that do what v1 did), and
 * specFromV1 of a stored v1 row is exactly the spec that body makes, so a migrated strategy trades
 * as it did. Over random v1 rows (fast-check) and by example.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXCHANGES, REPEATS } from './types';
import {
  settledSpec,
  specFromV1,
  storedStrategySpec,
  STRATEGY_FIELD_META,
  STRATEGY_FIELD_SHOW_WHEN,
  strategyShape,
  strategySpec,
  type V1StrategyRow,
} from './strategy-spec';

const pad = (n: number) => String(n).padStart(2, '0');
const clock = (seconds: number) => `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;

/** A v1 row as the strategy service stored it: times "HH:MM:SS", SELL after BUY, symbol upper-case. */
const v1Row: fc.Arbitrary<V1StrategyRow> = fc
  .record({
    broker_account_id: fc.integer({ min: 1, max: 1_000_000 }),
    symbol: fc.stringMatching(/^[A-Z0-9][A-Z0-9.&_-]{0,29}$/),
    exchange: fc.constantFrom(...EXCHANGES),
    qty: fc.integer({ min: 1, max: 1_000_000 }),
    buy: fc.integer({ min: 0, max: 86_398 }),
    sellAfter: fc.integer({ min: 1, max: 86_399 }),
    stop_loss: fc.oneof(fc.constantFrom(1e-8, 0.05, 1e9), fc.integer({ min: 1, max: 1e15 }).map((n) => n / 1e6)),
    timezone: fc.constantFrom('America/New_York', 'Asia/Kolkata', 'UTC', 'Europe/London'),
    repeat: fc.constantFrom(...REPEATS),
    graceSeconds: fc.integer({ min: 0, max: 3600 }),
  })
  .map(({ buy, sellAfter, graceSeconds, ...r }) => ({
    ...r,
    buy_time: clock(buy),
    sell_time: clock(Math.min(86_399, buy + sellAfter)),
    buy_grace_ms: graceSeconds * 1000,
  }));

/** The v1 keys a body may leave out. */
const OMITTABLE = ['exchange', 'timezone', 'repeat', 'buy_grace_seconds'] as const;

/**
 * The body a trader could have sent for `row`: symbol in any case with spaces, "HH:MM" when the
 * seconds are 0, and the keys in `omit` left out (the row then holds what leaving them out gave).
 */
function v1Body(row: V1StrategyRow, lower: boolean, omit: readonly string[]): Record<string, unknown> {
  const typed = (t: string) => (t.endsWith(':00') ? t.slice(0, 5) : t);
  const body: Record<string, unknown> = {
    broker_account_id: row.broker_account_id,
    symbol: ` ${lower ? row.symbol.toLowerCase() : row.symbol} `,
    exchange: row.exchange,
    qty: row.qty,
    buy_time: typed(row.buy_time),
    sell_time: typed(row.sell_time),
    stop_loss: row.stop_loss,
    timezone: row.timezone,
    repeat: row.repeat,
    buy_grace_seconds: row.buy_grace_ms / 1000,
  };
  for (const key of omit) delete body[key];
  return body;
}

const BODY = { broker_account_id: 1, symbol: 'AAPL', qty: 10, buy_time: '09:30', sell_time: '15:55', stop_loss: 95 };

/** Every problem of `body` as [field, message]. */
function problems(body: Record<string, unknown>): Array<[string, string]> {
  const r = strategySpec.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.') || 'body', i.message]);
}

describe('a v1 body', () => {
  it('parses, and settles to specFromV1 of the row the service stored for it (1 000 random rows)', () => {
    fc.assert(
      fc.property(v1Row, fc.boolean(), fc.subarray([...OMITTABLE]), (stored, lower, omit) => {
        const row = { ...stored, ...(omit.includes('repeat') ? { repeat: 'once' as const } : {}), ...(omit.includes('buy_grace_seconds') ? { buy_grace_ms: 60_000 } : {}) };
        // The exchange and zone left out are the service's to settle (from the account and the exchange).
        const parsed = strategySpec.parse(v1Body(row, lower, omit));
        expect(settledSpec(parsed, row.exchange, row.timezone)).toEqual(specFromV1(row));
        expect(storedStrategySpec.parse(specFromV1(row))).toEqual(specFromV1(row));
      }),
      { numRuns: 1000 },
    );
  });

  it('means what it meant: buy first, a stop-loss price, no target, trail, move to cost or re-entry, every day, once, 60 s grace', () => {
    expect(strategySpec.parse(BODY)).toEqual({
      ...BODY,
      side: 'buy',
      stop_loss_mode: 'price',
      target_mode: 'price',
      trail_mode: 'points',
      move_stop_to_cost_mode: 'points',
      reentries: 0,
      reentry_after: 'stop_loss',
      repeat: 'once',
      buy_grace_seconds: 60,
    });
  });

  it('keeps each v1 message as it was', () => {
    expect(problems({ ...BODY, stop_loss: undefined })).toEqual([['stop_loss', 'stop_loss is required']]);
    expect(problems({ ...BODY, stop_loss: 1e308 })).toEqual([['stop_loss', 'stop_loss must be at most 1000000000']]);
    expect(problems({ ...BODY, stop_loss: 95.123456789 })).toEqual([['stop_loss', 'stop_loss must have at most 8 decimals']]);
    // Whole shares are the broker's rule now (issue 22: a crypto pair trades in fractions): strategy-service.ts.
    expect(problems({ ...BODY, qty: 1.5 })).toEqual([]);
    expect(problems({ ...BODY, qty: 'ten' })).toEqual([['qty', 'qty must be a number']]);
    expect(problems({ ...BODY, buy_time: '9:30' })).toEqual([['buy_time', 'buy_time must be a 24-hour time "HH:MM" or "HH:MM:SS"']]);
    expect(problems({ ...BODY, sell_time: '09:29' })).toEqual([['sell_time', 'sell_time must be later than buy_time (09:30) on the same day']]);
    expect(problems({ ...BODY, repeat: 'weekly' })).toEqual([['repeat', 'repeat must be one of once, daily']]);
    expect(problems({ ...BODY, colour: 'red' })).toEqual([['body', 'Unrecognized key: "colour"']]);
  });
});

describe('qty', () => {
  it('takes a number or a plain decimal string, read as the decimal written', () => {
    for (const [qty, parsed] of [[10, 10], ['0.0015', 0.0015], [' 0.1 ', 0.1], [0.00151, 0.00151], ['1000000', 1_000_000], ['0.00000001', 1e-8]] as const) {
      expect(strategySpec.parse({ ...BODY, qty }).qty).toBe(parsed);
    }
  });

  it('refuses what is no quantity, naming why', () => {
    expect(problems({ ...BODY, qty: undefined })).toEqual([['qty', 'qty is required']]);
    expect(problems({ ...BODY, qty: '' })).toEqual([['qty', 'qty is required']]);
    expect(problems({ ...BODY, qty: true })).toEqual([['qty', 'qty must be a number']]);
    expect(problems({ ...BODY, qty: '1e5' })).toEqual([['qty', 'qty must be a number']]);
    expect(problems({ ...BODY, qty: '-1' })).toEqual([['qty', 'qty must be greater than 0']]);
    expect(problems({ ...BODY, qty: 0 })).toEqual([['qty', 'qty must be greater than 0']]);
    expect(problems({ ...BODY, qty: '0.000000001' })).toEqual([['qty', 'qty must be at least 0.00000001']]);
    expect(problems({ ...BODY, qty: 1_000_001 })).toEqual([['qty', 'qty must be at most 1000000']]);
    expect(problems({ ...BODY, qty: 0.1 + 0.2 })).toEqual([['qty', 'qty must have at most 15 significant digits, got 0.30000000000000004']]);
  });
});

describe('symbol', () => {
  it('takes a crypto pair BASE/QUOTE with one slash, upper-cased', () => {
    expect(strategySpec.parse({ ...BODY, symbol: ' btc/usdt ' }).symbol).toBe('BTC/USDT');
    for (const symbol of ['BTC//USDT', '/USDT', 'BTC/', 'A/B/C', 'BTC/USDT/']) {
      expect(problems({ ...BODY, symbol })).toEqual([['symbol', 'symbol must be 1-30 ASCII letters, digits or . & _ -, or a pair BASE/QUOTE such as BTC/USDT']]);
    }
  });
});

describe('the backstop keys', () => {
  it('keep only what the trader set: left out or null (the broker\'s default), a margin of 0 and points parse to nothing, so a stored spec without them is itself; on and off are kept', () => {
    const plain = strategySpec.parse(BODY);
    for (const patch of [{}, { backstop: null }, { backstop_margin: 0 }, { backstop_margin_mode: 'points' }]) {
      const parsed = strategySpec.parse({ ...BODY, ...patch });
      expect(parsed).toEqual(plain);
      expect(JSON.parse(JSON.stringify(parsed))).not.toHaveProperty('backstop');
    }
    expect(strategySpec.parse({ ...BODY, backstop: false })).toEqual({ ...plain, backstop: false });
    expect(strategySpec.parse({ ...BODY, backstop: true })).toEqual({ ...plain, backstop: true });
    expect(strategySpec.parse({ ...BODY, backstop_margin: 0.5, backstop_margin_mode: 'percent' })).toEqual({ ...plain, backstop_margin: 0.5, backstop_margin_mode: 'percent' });
  });

  it('a form offers the backstop as the broker\'s default, on or off, its margin in points', () => {
    expect(strategyShape.backstop.parse(undefined)).toBeUndefined();
    expect(strategyShape.backstop.parse(null)).toBeUndefined();
    expect(strategyShape.backstop.parse(false)).toBe(false);
    expect(strategyShape.backstop.parse(true)).toBe(true);
    expect(STRATEGY_FIELD_META.backstop.group).toBe('exits');
  });
});

describe('specFromV1', () => {
  it('copies a row stored under older rules without judging it: that is the strategy that runs', () => {
    const row: V1StrategyRow = { broker_account_id: 3, symbol: 'aapl', exchange: 'NYSE', qty: 0.5, buy_time: '09:30:00', sell_time: '09:00:00', stop_loss: 95.123456789, timezone: 'America/New_York', repeat: 'daily', buy_grace_ms: 1500 };
    expect(specFromV1(row)).toMatchObject({ symbol: 'aapl', qty: 0.5, sell_time: '09:00:00', stop_loss: 95.123456789, buy_grace_seconds: 1.5, repeat: 'daily' });
    expect(storedStrategySpec.safeParse(specFromV1(row)).success).toBe(false);
  });

  it('sets no optional v2 key: absent means none (no target, trail, square-off, cut-off or weekday filter)', () => {
    const spec = specFromV1({ broker_account_id: 1, symbol: 'AAPL', exchange: 'NYSE', qty: 1, buy_time: '09:30:00', sell_time: '15:55:00', stop_loss: 95, timezone: 'UTC', repeat: 'once', buy_grace_ms: 60_000 });
    for (const key of ['target', 'trail', 'move_stop_to_cost_after', 'square_off_time', 'reentry_cutoff', 'weekdays']) expect(key in spec, key).toBe(false);
  });
});

describe('the v2 keys', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['side', { side: 'long' }, 'side', 'side must be one of buy, sell'],
    ['stop_loss_mode', { stop_loss_mode: 'pct' }, 'stop_loss_mode', 'stop_loss_mode must be one of price, points, percent'],
    ['trail_mode has no price', { trail_mode: 'price' }, 'trail_mode', 'trail_mode must be one of points, percent'],
    ['target 0', { target: 0 }, 'target', 'target must be greater than 0'],
    ['trail with 9 decimals', { trail: 0.123456789 }, 'trail', 'trail must have at most 8 decimals'],
    ['reentries above 9', { reentries: 10, reentry_cutoff: '12:00' }, 'reentries', 'reentries must be between 0 and 9'],
    ['reentries 1.5', { reentries: 1.5, reentry_cutoff: '12:00' }, 'reentries', 'reentries must be a whole number'],
    ['reentry_after', { reentry_after: 'any' }, 'reentry_after', 'reentry_after must be one of stop_loss, target, either'],
    ['square_off_time shape', { square_off_time: '4pm' }, 'square_off_time', 'square_off_time must be a 24-hour time "HH:MM" or "HH:MM:SS"'],
    ['no weekday', { repeat: 'daily', weekdays: [] }, 'weekdays', 'weekdays must name at least one day; leave it out for every trading day'],
    ['a weekday twice', { repeat: 'daily', weekdays: ['mon', 'mon'] }, 'weekdays', 'weekdays must name each day once'],
    ['weekdays not a list', { repeat: 'daily', weekdays: 'mon' }, 'weekdays', 'weekdays must be a list of days: mon, tue, wed, thu, fri, sat, sun'],
    ['backstop not a switch', { backstop: 'yes' }, 'backstop', "backstop must be true or false; leave it out for the broker's default"],
    ['backstop_margin below 0', { backstop_margin: -0.5 }, 'backstop_margin', 'backstop_margin must be 0 or more'],
    ['backstop_margin with 9 decimals', { backstop_margin: 0.123456789 }, 'backstop_margin', 'backstop_margin must have at most 8 decimals'],
    ['backstop_margin_mode has no price', { backstop_margin_mode: 'price' }, 'backstop_margin_mode', 'backstop_margin_mode must be one of points, percent'],
    ['backstop_margin of 100 %', { backstop_margin: 100, backstop_margin_mode: 'percent' }, 'backstop_margin', 'backstop_margin must be below 100 when backstop_margin_mode is percent'],
    ['a margin with the backstop off', { backstop: false, backstop_margin: 1 }, 'backstop_margin', 'backstop_margin applies only with the backstop on: set backstop to true or leave the margin out'],
  ])('%s: its own rule, naming it', (_name, patch, field, message) => {
    expect(problems({ ...BODY, ...patch })).toEqual([[field, message]]);
  });

  it('an unknown weekday is named with its place in the list', () => {
    expect(problems({ ...BODY, repeat: 'daily', weekdays: ['mon', 'funday'] })).toEqual([['weekdays.1', 'weekdays must be one of mon, tue, wed, thu, fri, sat, sun']]);
  });

  it('null says "none" for a key that may be left out, so an edit can remove a target; it is absent after parsing', () => {
    const nones = { square_off_time: null, target: null, trail: null, move_stop_to_cost_after: null, reentry_cutoff: null, weekdays: null };
    const parsed = strategySpec.parse({ ...BODY, ...nones });
    expect(JSON.parse(JSON.stringify(parsed))).toEqual(strategySpec.parse(BODY));
    expect(problems({ ...BODY, reentries: 1, reentry_cutoff: null, stop_loss_mode: 'points' })).toEqual([['reentry_cutoff', 'reentry_cutoff is required when reentries is above 0: no re-entry goes out at or after it']]);
    // A key that must be there is still required.
    expect(problems({ ...BODY, stop_loss: null })).toEqual([['stop_loss', 'stop_loss is required']]);
  });

  it('accept every value the engine will trade', () => {
    const all = {
      ...BODY,
      side: 'sell',
      square_off_time: '15:55',
      stop_loss: 1.5,
      stop_loss_mode: 'percent',
      target: 30,
      target_mode: 'points',
      trail: 0.5,
      trail_mode: 'percent',
      move_stop_to_cost_after: 2,
      move_stop_to_cost_mode: 'points',
      reentries: 9,
      reentry_after: 'either',
      reentry_cutoff: '14:00',
      repeat: 'daily',
      weekdays: ['mon', 'wed', 'fri'],
    };
    expect(strategySpec.parse(all)).toEqual({ ...all, buy_grace_seconds: 60 });
  });
});

describe('rules between fields, each naming its field, checked whatever else fails', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['SELL at BUY', { sell_time: '09:30:00' }, 'sell_time', 'sell_time must be later than buy_time (09:30) on the same day'],
    ['square-off before SELL', { square_off_time: '15:54:59' }, 'square_off_time', 'square_off_time must not be earlier than sell_time (15:55)'],
    ['cut-off at BUY', { reentries: 1, reentry_cutoff: '09:30', stop_loss_mode: 'points' }, 'reentry_cutoff', 'reentry_cutoff must be later than buy_time (09:30) and earlier than sell_time (15:55)'],
    ['cut-off at SELL', { reentries: 1, reentry_cutoff: '15:55:00', stop_loss_mode: 'points' }, 'reentry_cutoff', 'reentry_cutoff must be later than buy_time (09:30) and earlier than sell_time (15:55)'],
    ['cut-off missing', { reentries: 2, stop_loss_mode: 'percent', stop_loss: 2 }, 'reentry_cutoff', 'reentry_cutoff is required when reentries is above 0: no re-entry goes out at or after it'],
    ['stop-loss of 100 %', { stop_loss: 100, stop_loss_mode: 'percent' }, 'stop_loss', 'stop_loss must be below 100 when stop_loss_mode is percent'],
    ['target of 150 %', { target: 150, target_mode: 'percent' }, 'target', 'target must be below 100 when target_mode is percent'],
    ['trail of 100 %', { trail: 100, trail_mode: 'percent' }, 'trail', 'trail must be below 100 when trail_mode is percent'],
    ['move to cost after 100 %', { move_stop_to_cost_after: 100, move_stop_to_cost_mode: 'percent' }, 'move_stop_to_cost_after', 'move_stop_to_cost_after must be below 100 when move_stop_to_cost_mode is percent'],
    ['target at the stop, both prices', { stop_loss: 95, target: 95 }, 'target', 'target must be above stop_loss (95) when both are prices'],
    ['a short\'s target above its stop', { side: 'sell', stop_loss: 105, target: 110 }, 'target', 'target must be below stop_loss (105) when both are prices and the entry sells first'],
    ['weekdays of a one-off', { weekdays: ['mon'] }, 'weekdays', 'weekdays apply only to a strategy that repeats daily: set repeat to daily or leave weekdays out'],
    ['a re-entry after a stop-loss price', { reentries: 1, reentry_cutoff: '12:00' }, 'stop_loss_mode', 'a re-entry after the stop-loss (reentry_after stop_loss) needs stop_loss_mode points or percent: a stop-loss price would be at or past the price again at once'],
    ['a re-entry after either exit, the target a price', { reentries: 1, reentry_cutoff: '12:00', reentry_after: 'either', stop_loss: 2, stop_loss_mode: 'points', target: 110 }, 'target_mode', 'a re-entry after the target (reentry_after either) needs target_mode points or percent: a target price would be at or past the price again at once'],
    ['a re-entry after a target, none set', { reentries: 1, reentry_cutoff: '12:00', reentry_after: 'target' }, 'target', 'reentry_after target needs a target: without one no exit allows a re-entry'],
  ])('%s', (_name, patch, field, message) => {
    expect(problems({ ...BODY, ...patch })).toEqual([[field, message]]);
  });

  it('a re-entry after a target alone leaves the stop-loss a price; after either, with no target, the stop decides', () => {
    expect(problems({ ...BODY, reentries: 2, reentry_cutoff: '12:00', reentry_after: 'target', target: 1, target_mode: 'percent' })).toEqual([]);
    expect(problems({ ...BODY, reentries: 2, reentry_cutoff: '12:00', reentry_after: 'either', stop_loss: 1, stop_loss_mode: 'percent' })).toEqual([]);
  });

  it('a target below the stop is fine when either is a distance (points or percent from the fill)', () => {
    expect(problems({ ...BODY, stop_loss: 95, target: 2, target_mode: 'points' })).toEqual([]);
    expect(problems({ ...BODY, stop_loss: 2, stop_loss_mode: 'percent', target: 1 })).toEqual([]);
  });

  it('a square-off at the SELL time, a cut-off inside the day and 99.9 % are fine; points may be 100 or more', () => {
    expect(problems({ ...BODY, square_off_time: '15:55:00', reentries: 1, reentry_cutoff: '15:54:59', stop_loss: 99.9, stop_loss_mode: 'percent', target: 250, target_mode: 'points' })).toEqual([]);
  });

  it('names every problem at once, own rules and rules between fields together', () => {
    const found = problems({ ...BODY, qty: 0, sell_time: '09:00', square_off_time: '08:00', reentries: 3, stop_loss: 120, stop_loss_mode: 'percent' });
    expect(found.map(([field]) => field).sort()).toEqual(['qty', 'reentry_cutoff', 'sell_time', 'square_off_time', 'stop_loss']);
  });
});

describe('field meta', () => {
  it('every field has a label, a hint and a group, and no two fields share a label', () => {
    expect(Object.keys(STRATEGY_FIELD_META)).toEqual(Object.keys(strategyShape));
    for (const [name, meta] of Object.entries(STRATEGY_FIELD_META)) {
      expect(meta.label.trim(), name).not.toBe('');
      expect(meta.hint.trim(), name).not.toBe('');
      expect(['entry', 'exits', 'time', 'reentry', 'days'], name).toContain(meta.group);
    }
    const labels = Object.values(STRATEGY_FIELD_META).map((m) => m.label);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('marks every key available: the engine trades them all, the backstop and several positions at once included', () => {
    // A key marked unavailable again is refused by the service (strategy-service.ts refuseUnavailable, tested there).
    const unavailable = Object.entries(STRATEGY_FIELD_META).filter(([, m]) => !m.available).map(([name]) => name);
    expect(unavailable).toEqual([]);
  });

  it('shows a field only with the one it depends on: the re-entry kind and cut-off with re-entries, weekdays with a daily repeat, an option\'s expiry and strike with its right, the group\'s rules with positions', () => {
    expect(STRATEGY_FIELD_SHOW_WHEN).toEqual({
      option_expiry: { field: 'option_right', filled: true },
      option_strike: { field: 'option_right', filled: true },
      reentry_after: { field: 'reentries', above: 0 },
      reentry_cutoff: { field: 'reentries', above: 0 },
      weekdays: { field: 'repeat', equals: 'daily' },
      dte: { field: 'repeat', equals: 'daily' },
      backstop_margin: { field: 'backstop', unless: 'false' },
      backstop_margin_mode: { field: 'backstop', unless: 'false' },
      mtm_stop: { field: 'positions', filled: true },
      mtm_target: { field: 'positions', filled: true },
      on_position_failure: { field: 'positions', filled: true },
      stops_to_cost_on_stop: { field: 'positions', filled: true },
    });
    // The field depended on is always shown, and a choice it must equal is one of its choices.
    for (const when of Object.values(STRATEGY_FIELD_SHOW_WHEN)) expect(STRATEGY_FIELD_SHOW_WHEN).not.toHaveProperty(when.field);
    expect(REPEATS).toContain('daily');
  });
});

describe('the option keys', () => {
  const option = { broker_account_id: 1, symbol: 'nifty', option_right: 'CE', qty: 2, buy_time: '09:20', sell_time: '15:10', stop_loss: 40, stop_loss_mode: 'points' };
  it('parse the rule, leaving the defaults out, and refuse what cannot be known before the BUY', () => {
    expect(strategySpec.parse({ ...option, option_strike: ' ATM+2 ' })).toMatchObject({ symbol: 'NIFTY', option_right: 'CE', option_strike: 'atm+2' });
    const defaults = strategySpec.parse({ ...option, option_expiry: 'current_week', option_strike: 'atm' });
    expect([defaults.option_expiry, defaults.option_strike]).toEqual([undefined, undefined]);
    expect(strategySpec.parse({ ...option, option_strike: 'premium:85.5' }).option_strike).toBe('premium:85.5');
    const issues = (body: Record<string, unknown>) => strategySpec.safeParse(body).error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues({ ...option, option_strike: 'atm+0' })).toEqual([['option_strike', "option_strike must be atm, atm+N or atm-N (N listed strikes, + out of the money), premium:PRICE, or width:K (K × the ATM straddle's premium from the money)"]]);
    expect(issues({ ...option, stop_loss_mode: 'price', target: 100 })).toEqual([
      ['stop_loss_mode', 'stop_loss_mode must be points or percent for an option: its premium is not known until the contract is chosen at the BUY time'],
      ['target_mode', 'target_mode must be points or percent for an option: its premium is not known until the contract is chosen at the BUY time'],
    ]);
    expect(issues({ ...option, option_right: undefined, option_expiry: 'next_week' })).toEqual([['option_expiry', 'option_expiry applies only to an option: set option_right (CE or PE) or leave option_expiry out']]);
  });
});

describe('an exact expiry date, the straddle width and the days-to-expiry filter (issue 19)', () => {
  const option = { broker_account_id: 1, symbol: 'NIFTY', option_right: 'CE', qty: 1, buy_time: '09:20', sell_time: '15:10', stop_loss: 40, stop_loss_mode: 'points' };
  const issues = (body: Record<string, unknown>) => strategySpec.safeParse(body).error?.issues.map((i) => [i.path.join('.'), i.message]);

  it('takes an expiry as a rule or a calendar date YYYY-MM-DD, and refuses anything else naming the field', () => {
    expect(strategySpec.parse({ ...option, option_expiry: '2026-12-22' }).option_expiry).toBe('2026-12-22');
    expect(strategySpec.parse({ ...option, option_expiry: 'current_month' }).option_expiry).toBe('current_month');
    expect(issues({ ...option, option_expiry: '22-12-2026' })).toEqual([['option_expiry', 'option_expiry must be one of current_week, next_week, current_month, or an expiry date YYYY-MM-DD']]);
    expect(issues({ ...option, option_expiry: '2026-02-30' })).toEqual([['option_expiry', 'option_expiry must be a real date YYYY-MM-DD']]);
    expect(issues({ ...option, option_expiry: '2026-13-01' })).toEqual([['option_expiry', 'option_expiry must be a real date YYYY-MM-DD']]);
    expect(strategySpec.parse({ ...option, option_expiry: '2028-02-29' }).option_expiry).toBe('2028-02-29');
    // A date is an option key like the rules: without an option it is refused.
    expect(issues({ ...option, option_right: undefined, option_expiry: '2026-12-22' })).toEqual([['option_expiry', 'option_expiry applies only to an option: set option_right (CE or PE) or leave option_expiry out']]);
  });

  it('takes a straddle width width:K with K above 0 and at most 5, two decimals', () => {
    expect(strategySpec.parse({ ...option, option_strike: ' Width:0.5 ' }).option_strike).toBe('width:0.5');
    expect(strategySpec.parse({ ...option, option_strike: 'width:5' }).option_strike).toBe('width:5');
    const width = 'option_strike width:K needs K above 0 and at most 5 (width:0 is atm)';
    expect(issues({ ...option, option_strike: 'width:0' })).toEqual([['option_strike', width]]);
    expect(issues({ ...option, option_strike: 'width:5.5' })).toEqual([['option_strike', width]]);
    const pattern = "option_strike must be atm, atm+N or atm-N (N listed strikes, + out of the money), premium:PRICE, or width:K (K × the ATM straddle's premium from the money)";
    expect(issues({ ...option, option_strike: 'width:12' })).toEqual([['option_strike', pattern]]);
    expect(issues({ ...option, option_strike: 'width:0.125' })).toEqual([['option_strike', pattern]]);
    expect(issues({ ...option, option_strike: 'width:-1' })).toEqual([['option_strike', pattern]]);
  });

  it('takes dte as whole days 0–34, numbers or the form\'s digits, each once, sorted; a daily option strategy only', () => {
    const daily = { ...option, repeat: 'daily' };
    expect(strategySpec.parse({ ...daily, dte: [2, '0', 1] }).dte).toEqual([0, 1, 2]);
    expect(strategySpec.parse(daily).dte).toBeUndefined();
    const list = 'dte must be a list of whole numbers of days, 0 to 34 (0: the expiry day)';
    expect(issues({ ...daily, dte: [35] })).toEqual([['dte.0', list]]);
    expect(issues({ ...daily, dte: [1.5] })).toEqual([['dte.0', list]]);
    expect(issues({ ...daily, dte: ['-1'] })).toEqual([['dte.0', list]]);
    expect(issues({ ...daily, dte: 0 })).toEqual([['dte', list]]);
    expect(issues({ ...daily, dte: [] })).toEqual([['dte', 'dte must name at least one day; leave it out for any day']]);
    expect(issues({ ...daily, dte: [1, '1'] })).toEqual([['dte', 'dte must name each day once']]);
    expect(issues({ ...option, dte: [0] })).toEqual([['dte', 'dte applies only to a strategy that repeats daily: set repeat to daily or leave dte out']]);
    expect(issues({ ...daily, option_right: undefined, symbol: 'AAPL', stop_loss_mode: 'price', dte: [0] })).toEqual([['dte', 'dte applies only to an option (its days to expiry): set option_right or positions, or leave dte out']]);
    const straddle = { ...daily, option_right: undefined, positions: [{ side: 'sell', option_right: 'CE' }, { side: 'sell', option_right: 'PE' }] };
    expect(strategySpec.parse({ ...straddle, dte: [0] }).dte).toEqual([0]);
  });
});
