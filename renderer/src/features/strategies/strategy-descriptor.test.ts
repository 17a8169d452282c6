import { describe, expect, it } from 'vitest';
import { strategyFormDto } from '../../../../engine/api/strategy-form-dto';
import type { StrategyDto } from '../../lib/api-types';
import { bodyOf, choiceText, choicesOfField, groupsOf, inputKindOf, isModeOf, isShown, labelsOf, modeOf, notOfferedYet, placeholderOf, summaryOf, valuesOf, type FormField, type RowValues } from './strategy-descriptor';

/** The descriptor the engine sends today (GET /strategy/form). */
const fields = strategyFormDto().fields;
const byName = (name: string) => fields.find((f) => f.name === name)!;
const offered = groupsOf(fields).flatMap((g) => g.offered);
/** As if the engine traded every field: what the form does when a later slice turns one on. */
const allOn: FormField[] = fields.map((f) => ({ ...f, available: true }));
const KEPT = new Set(['exchange', 'timezone']);

const stored = {
  id: 7,
  broker_account_id: 1,
  symbol: 'AAPL',
  exchange: 'NASDAQ',
  side: 'buy',
  qty: 10,
  base: null,
  quote: null,
  qty_step: null,
  min_qty: null,
  min_notional: null,
  buy_time: '09:30:00',
  sell_time: '15:55:00',
  square_off_time: null,
  stop_loss: 180.5,
  stop_loss_mode: 'price',
  target: null,
  target_mode: 'price',
  trail: null,
  trail_mode: 'points',
  move_stop_to_cost_after: null,
  move_stop_to_cost_mode: 'points',
  backstop: null,
  backstop_on: true,
  backstop_take_profit: false,
  backstop_margin: null,
  backstop_margin_mode: 'points',
  option_right: null,
  option_expiry: 'current_week',
  option_strike: 'atm',
  positions: null,
  mtm_stop: null,
  mtm_target: null,
  on_position_failure: null,
  stops_to_cost_on_stop: null,
  reentries: 0,
  reentry_after: 'stop_loss',
  reentry_cutoff: null,
  timezone: 'America/New_York',
  repeat: 'daily',
  weekdays: null,
  dte: null,
  buy_grace_seconds: 60,
  status: 'stopped',
  created_at: 1,
  updated_at: 2,
  runtime: null,
  position_runs: [],
  readiness: null,
  stale_price: null,
} satisfies StrategyDto;

describe('groupsOf', () => {
  it('groups in the engine order and offers only what the engine trades', () => {
    const groups = groupsOf(fields);
    expect(groups.map((g) => [g.group, g.offered.map((f) => f.name), g.later.map((f) => f.label), g.optional])).toEqual([
      ['entry', ['broker_account_id', 'symbol', 'exchange', 'option_right', 'option_expiry', 'option_strike', 'positions', 'side', 'qty', 'on_position_failure'], [], false],
      ['time', ['buy_time', 'sell_time', 'square_off_time', 'timezone', 'buy_grace_seconds'], [], false],
      ['exits', ['stop_loss', 'stop_loss_mode', 'target', 'target_mode', 'trail', 'trail_mode', 'move_stop_to_cost_after', 'move_stop_to_cost_mode', 'backstop', 'backstop_margin', 'backstop_margin_mode', 'mtm_stop', 'mtm_target', 'stops_to_cost_on_stop'], [], false],
      ['reentry', ['reentries', 'reentry_after', 'reentry_cutoff'], [], true],
      ['days', ['repeat', 'weekdays', 'dte'], [], true],
    ]);
  });

  it('names the fields the engine does not trade yet, without their modes', () => {
    const someOff = fields.map((f) => (['reentries', 'reentry_after', 'reentry_cutoff', 'weekdays', 'trail', 'trail_mode'].includes(f.name) ? { ...f, available: false } : f));
    const groups = groupsOf(someOff);
    expect(groups.map((g) => [g.group, g.later.map((f) => f.label)])).toEqual([
      ['entry', []],
      ['time', []],
      ['exits', ['Trailing stop']],
      ['reentry', ['Re-entries', 'Re-enter after', 'Re-entry cut-off']],
      ['days', ['Weekdays']],
    ]);
  });

  it('draws each exit level with its unit beside it', () => {
    const exits = groupsOf(fields).find((g) => g.group === 'exits')!;
    expect(exits.offered.filter((f) => !isModeOf(f, fields)).map((f) => [f.name, modeOf(f, exits.offered)?.name])).toEqual([
      ['stop_loss', 'stop_loss_mode'],
      ['target', 'target_mode'],
      ['trail', 'trail_mode'],
      ['move_stop_to_cost_after', 'move_stop_to_cost_mode'],
      ['backstop', undefined],
      ['backstop_margin', 'backstop_margin_mode'],
      ['mtm_stop', undefined],
      ['mtm_target', undefined],
      ['stops_to_cost_on_stop', undefined],
    ]);
    expect(modeOf(byName('qty'), offered)).toBeUndefined();
  });
});

describe('words', () => {
  const titles = { entry: 'Entry', time: 'Time', exits: 'Exits', reentry: 'Re-entry', days: 'Days' };

  it('names what does not trade yet: the fields of a drawn group, a group with nothing offered by its title', () => {
    const someOff = fields.map((f) => (['square_off_time', 'reentries', 'reentry_after', 'reentry_cutoff', 'weekdays'].includes(f.name) ? { ...f, available: false } : f));
    expect(notOfferedYet(groupsOf(someOff), titles)).toBe('Square-off time, Re-entry, Weekdays');
    // The engine trades every field it describes: nothing is named.
    expect(notOfferedYet(groupsOf(fields), titles)).toBeNull();
  });

  it('says what a folded group holds, in words, leaving out what is empty', () => {
    const days = groupsOf(allOn).find((g) => g.group === 'days')!;
    expect(summaryOf(days, { repeat: 'daily', weekdays: ['mon', 'fri'] })).toBe('Repeat: Every trading day, Weekdays: Mon Fri');
    expect(summaryOf(days, { repeat: 'once', weekdays: [] })).toBe('Repeat: Once');
  });

  it('leaves a hidden field out of a folded group\'s summary: no re-entry kind without re-entries', () => {
    const reentry = groupsOf(fields).find((g) => g.group === 'reentry')!;
    expect(summaryOf(reentry, { reentries: '', reentry_after: 'stop_loss', reentry_cutoff: '' })).toBe('');
    expect(summaryOf(reentry, { reentries: '2', reentry_after: 'target', reentry_cutoff: '11:00' })).toBe('Re-entries: 2, Re-enter after: A target exit, Re-entry cut-off: 11:00');
  });

  it('says which exit allows a re-entry in plain words, and the days as Mon … Sun', () => {
    expect(byName('reentry_after').enum!.map((v) => choiceText(byName('reentry_after'), v))).toEqual(['A stop-loss (or trailing stop) exit', 'A target exit', 'Either exit']);
    expect(byName('weekdays').enum!.map((v) => choiceText(byName('weekdays'), v))).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
  });
});

describe('inputs', () => {
  it('draws each field by its type and unit', () => {
    expect(['buy_time', 'qty', 'repeat', 'weekdays', 'symbol', 'reentry_cutoff'].map((n) => inputKindOf(byName(n)))).toEqual(['time', 'number', 'choice', 'list', 'text', 'time']);
    // The backstop may be left out (the broker's default), on or off: a choice of three, not a checkbox.
    expect(inputKindOf(byName('backstop'))).toBe('choice');
    expect(['', ...choicesOfField(byName('backstop'))].map((v) => choiceText(byName('backstop'), v))).toEqual(["Broker's default (on at Alpaca and Kite, off on paper)", 'On', 'Off']);
    // An option's expiry is a rule or a date: typed, with the rules suggested; sent as typed.
    expect(inputKindOf(byName('option_expiry'))).toBe('suggest');
    expect(['symbol', 'option_right'].map((n) => inputKindOf(byName(n)))).toEqual(['text', 'choice']);
    // A choice drawn with a value that is none of its choices keeps it: drawing never changes what an edit saves.
    expect(choicesOfField(byName('repeat'), 'weekly')).toEqual(['once', 'daily', 'weekly']);
    expect(choicesOfField(byName('repeat'), 'daily')).toEqual(['once', 'daily']);
    expect(inputKindOf(byName('dte'))).toBe('list');
    expect(['qty', 'stop_loss', 'buy_grace_seconds', 'buy_time', 'symbol'].map((n) => placeholderOf(byName(n)))).toEqual(['shares, lots or coins', 'required', '60', 'HH:MM:SS', 'required']);
  });

  it('takes its labels from the engine', () => {
    expect(labelsOf(fields)).toMatchObject({ qty: 'Quantity', buy_time: 'BUY time', stop_loss: 'Stop-loss', target: 'Target', trail: 'Trailing stop', stop_loss_mode: 'Stop-loss unit' });
  });

  it('names each unit in words: a level in price, points or % of the entry, a trail in points or % of the best price', () => {
    expect(byName('stop_loss_mode').enum!.map((v) => choiceText(byName('stop_loss_mode'), v))).toEqual(['price', 'points', '% of entry']);
    expect(byName('target_mode').enum!.map((v) => choiceText(byName('target_mode'), v))).toEqual(['price', 'points', '% of entry']);
    expect(byName('trail_mode').enum!.map((v) => choiceText(byName('trail_mode'), v))).toEqual(['points', '% of best price']);
    expect(byName('move_stop_to_cost_mode').enum!.map((v) => choiceText(byName('move_stop_to_cost_mode'), v))).toEqual(['points', '% of entry']);
  });
});

describe('bodyOf', () => {
  it('sends a new strategy as the form always did: typed fields only, numbers as numbers, text as typed', () => {
    const values = { ...valuesOf(offered), broker_account_id: '1', symbol: 'AAPL', exchange: 'NASDAQ', qty: 'ten', buy_time: ' 09:30 ', sell_time: '15:55', stop_loss: '190' };
    expect(bodyOf(offered, values, undefined, KEPT)).toEqual({
      broker_account_id: 1,
      symbol: 'AAPL',
      exchange: 'NASDAQ',
      side: 'buy',
      qty: 'ten',
      buy_time: '09:30',
      sell_time: '15:55',
      stop_loss: 190,
      stop_loss_mode: 'price',
      repeat: 'once',
    });
  });

  it('sends each exit level with its unit, and no unit for a level left empty', () => {
    const values = { ...valuesOf(offered), stop_loss: '2', stop_loss_mode: 'percent', target: '5', target_mode: 'points', trail: '', trail_mode: 'percent', move_stop_to_cost_after: '' };
    const body = bodyOf(offered, values, undefined, KEPT);
    expect(body).toMatchObject({ stop_loss: 2, stop_loss_mode: 'percent', target: 5, target_mode: 'points' });
    for (const key of ['trail', 'trail_mode', 'move_stop_to_cost_after', 'move_stop_to_cost_mode']) expect(body).not.toHaveProperty(key);
  });

  it('edits a v1 strategy unchanged: the same ten fields with the same values, the stop-loss a price as it always was', () => {
    const values = valuesOf(offered, stored);
    expect(values).toMatchObject({ qty: '10', stop_loss: '180.5', stop_loss_mode: 'price', target: '', repeat: 'daily', buy_grace_seconds: '60' });
    const { id: _id, status: _s, created_at: _c, updated_at: _u, runtime: _r, position_runs: _pr, readiness: _rd, stale_price: _sp, target: _t, target_mode: _tm, trail: _tr, trail_mode: _trm, move_stop_to_cost_after: _m, move_stop_to_cost_mode: _mm, backstop: _b, backstop_on: _bo, backstop_take_profit: _btp, backstop_margin: _bm, backstop_margin_mode: _bmm, square_off_time: _so, reentry_after: _ra, reentry_cutoff: _rc, weekdays: _w, dte: _dte, option_right: _or, option_expiry: _oe, option_strike: _os, positions: _p, mtm_stop: _ms, mtm_target: _mt, on_position_failure: _opf, stops_to_cost_on_stop: _stc, base: _ba, quote: _qu, qty_step: _qs, min_qty: _mq, min_notional: _mn, ...fieldsOfStored } = stored;
    // The quantity goes as typed (issue 22): the engine reads "10" as 10.
    expect(bodyOf(offered, values, stored, KEPT)).toEqual({ ...fieldsOfStored, qty: '10' });
  });

  it('sends a quantity as typed, so a fraction stays the decimal the trader wrote', () => {
    expect(byName('qty').type).toBe('decimal');
    for (const qty of ['0.0015', '0.1', '10', '1e5']) expect(bodyOf(offered, { ...valuesOf(offered), qty: ` ${qty} ` }, undefined, KEPT).qty).toBe(qty);
  });

  it('edits a strategy with a target and a trail: shown with their units; the target emptied is sent as null, the trail kept', () => {
    const withExits: StrategyDto = { ...stored, target: 5, target_mode: 'points', trail: 1.5, trail_mode: 'percent' };
    const values = valuesOf(offered, withExits);
    expect(values).toMatchObject({ target: '5', target_mode: 'points', trail: '1.5', trail_mode: 'percent', move_stop_to_cost_after: '' });
    const body = bodyOf(offered, { ...values, target: '' }, withExits, KEPT);
    expect(body).toMatchObject({ target: null, trail: 1.5, trail_mode: 'percent' });
    expect(body).not.toHaveProperty('target_mode');
    expect(body).not.toHaveProperty('move_stop_to_cost_after');
  });

  it('never sends a field the engine does not trade, whatever the inputs hold', () => {
    const someOff = fields.map((f) => (f.group === 'reentry' || f.name === 'weekdays' ? { ...f, available: false } : f));
    const on = groupsOf(someOff).flatMap((g) => g.offered);
    const values = { ...valuesOf(on, stored), target: '200', side: 'sell', weekdays: ['mon'], reentries: '2' };
    const body = bodyOf(on, values, stored, KEPT);
    for (const f of someOff.filter((x) => !x.available)) expect(body).not.toHaveProperty(f.name);
  });

  it('on an edit, an emptied field with no default is removed (null); one with a default or settled by the engine is kept', () => {
    const withTarget = { ...stored, target: 200, weekdays: ['mon', 'fri'] } as StrategyDto;
    const values = { ...valuesOf(allOn, withTarget), target: ' ', weekdays: [], timezone: '', buy_grace_seconds: '' };
    expect(valuesOf(allOn, withTarget)).toMatchObject({ target: '200', weekdays: ['mon', 'fri'], side: 'buy', trail: '' });
    const body = bodyOf(allOn, values, withTarget, KEPT);
    expect(body).toMatchObject({ target: null, weekdays: null });
    expect(body).not.toHaveProperty('timezone');
    expect(body).not.toHaveProperty('buy_grace_seconds');
    // A field the strategy never had is left out, not cleared.
    expect(body).not.toHaveProperty('trail');
    // A new strategy never sends null.
    expect(Object.values(bodyOf(allOn, valuesOf(allOn), undefined, KEPT))).not.toContain(null);
  });

  it('sends the backstop as chosen: left out for the broker\'s default, true or false, with its margin; back to the default on an edit is null', () => {
    expect(valuesOf(offered)).toMatchObject({ backstop: '', backstop_margin: '', backstop_margin_mode: 'points' });
    const fresh = (backstop: string, margin = '') => bodyOf(offered, { ...valuesOf(offered), backstop, backstop_margin: margin }, undefined, KEPT);
    expect(fresh('')).not.toHaveProperty('backstop');
    expect(fresh('true', '0.5')).toMatchObject({ backstop: true, backstop_margin: 0.5, backstop_margin_mode: 'points' });
    expect(fresh('', '1')).toMatchObject({ backstop_margin: 1 });
    // Off: the margin is hidden, so not sent.
    expect(fresh('false', '1')).toEqual(expect.objectContaining({ backstop: false }));
    expect(fresh('false', '1')).not.toHaveProperty('backstop_margin');
    const off: StrategyDto = { ...stored, backstop: false, backstop_on: false };
    expect(valuesOf(offered, off)).toMatchObject({ backstop: 'false' });
    expect(bodyOf(offered, { ...valuesOf(offered, off), backstop: '' }, off, KEPT)).toMatchObject({ backstop: null });
  });

  it('sends a list as the days ticked', () => {
    const values = { ...valuesOf(allOn, stored), weekdays: ['mon', 'wed'] };
    expect(bodyOf(allOn, values, stored, KEPT)).toMatchObject({ weekdays: ['mon', 'wed'] });
  });

  it('sends re-entries with their kind and cut-off, and the square-off time', () => {
    const values = { ...valuesOf(offered, stored), reentries: '2', reentry_after: 'either', reentry_cutoff: '11:30', square_off_time: '15:58' };
    expect(bodyOf(offered, values, stored, KEPT)).toMatchObject({ reentries: 2, reentry_after: 'either', reentry_cutoff: '11:30', square_off_time: '15:58' });
  });

  it('sends a hidden field as emptied: re-entries at 0 remove the cut-off, a strategy that runs once loses its weekdays', () => {
    const withLegs: StrategyDto = { ...stored, reentries: 2, reentry_after: 'target', reentry_cutoff: '11:30:00', weekdays: ['mon', 'tue'] };
    const values = valuesOf(offered, withLegs);
    expect(values).toMatchObject({ reentries: '2', reentry_after: 'target', reentry_cutoff: '11:30:00', weekdays: ['mon', 'tue'] });
    const body = bodyOf(offered, { ...values, reentries: '0', repeat: 'once' }, withLegs, KEPT);
    expect(body).toMatchObject({ reentries: 0, reentry_cutoff: null, weekdays: null, repeat: 'once' });
    expect(body).not.toHaveProperty('reentry_after');
    // A new strategy with nothing typed there sends none of them.
    const fresh = bodyOf(offered, { ...valuesOf(offered), reentry_cutoff: '11:00', weekdays: ['mon'] }, undefined, KEPT);
    for (const key of ['reentries', 'reentry_after', 'reentry_cutoff', 'weekdays']) expect(fresh).not.toHaveProperty(key);
  });
});

describe('isShown', () => {
  it('shows the re-entry kind and cut-off only while re-entries are above 0, weekdays only for a daily strategy', () => {
    const shown = (name: string, values: Record<string, string>) => isShown(byName(name), values, fields);
    expect([shown('reentry_cutoff', { reentries: '' }), shown('reentry_cutoff', { reentries: '0' }), shown('reentry_cutoff', { reentries: ' 1 ' }), shown('reentry_after', { reentries: '9' })]).toEqual([false, false, true, true]);
    // Typed as something else than a number: shown, so the API's word about the count sits beside what it governs.
    expect(shown('reentry_cutoff', { reentries: 'two' })).toBe(true);
    expect([shown('weekdays', { repeat: 'once' }), shown('weekdays', { repeat: 'daily' }), shown('weekdays', {})]).toEqual([false, true, false]);
    expect(shown('reentries', {})).toBe(true);
    // The backstop's margin applies unless it is off (the broker's default included).
    expect([shown('backstop_margin', { backstop: '' }), shown('backstop_margin', { backstop: 'true' }), shown('backstop_margin', { backstop: 'false' })]).toEqual([true, true, false]);
  });

  it('shows the re-entry kind and cut-off when a position re-enters, though the strategy\'s own re-entries are 0', () => {
    const row = (reentries: string) => ({ ...Object.fromEntries(byName('positions').item_fields!.map((k) => [k.name, ''])), reentries }) as RowValues;
    const shown = (name: string, rows: RowValues[]) => isShown(byName(name), { reentries: '0', positions: { rows } }, fields);
    expect([shown('reentry_cutoff', [row(''), row('0')]), shown('reentry_cutoff', [row(''), row(' 2 ')]), shown('reentry_after', [row('1'), row('0')])]).toEqual([false, true, true]);
  });

  it("shows a group's rules once the positions editor holds a row, not before", () => {
    const row = Object.fromEntries(byName('positions').item_fields!.map((k) => [k.name, ''])) as RowValues;
    for (const name of ['mtm_stop', 'mtm_target', 'on_position_failure', 'stops_to_cost_on_stop']) {
      expect([isShown(byName(name), { positions: { rows: [] } }, fields), isShown(byName(name), { positions: { rows: [row, row] } }, fields)], name).toEqual([false, true]);
    }
  });
});

describe('option fields', () => {
  it('shows the expiry and strike only once an option is chosen, and sends them with it', () => {
    const values = { ...valuesOf(offered), broker_account_id: '1', symbol: 'NIFTY', option_right: '', qty: '2', buy_time: '09:20', sell_time: '15:10', stop_loss: '40', stop_loss_mode: 'points' };
    expect(isShown(byName('option_strike'), values, fields)).toBe(false);
    expect(bodyOf(offered, values, undefined, KEPT)).not.toHaveProperty('option_strike');
    const option = { ...values, option_right: 'PE', option_strike: 'atm+2' };
    expect(isShown(byName('option_strike'), option, fields)).toBe(true);
    expect(isShown(byName('option_expiry'), option, fields)).toBe(true);
    expect(bodyOf(offered, option, undefined, KEPT)).toMatchObject({ symbol: 'NIFTY', option_right: 'PE', option_expiry: 'current_week', option_strike: 'atm+2', qty: '2' });
  });
});

describe('rows (a strategy\'s positions)', () => {
  const positions = byName('positions');
  const items = positions.item_fields!;
  const straddle: StrategyDto = {
    ...stored,
    symbol: 'NIFTY',
    exchange: 'NFO',
    qty: 1,
    stop_loss: 30,
    stop_loss_mode: 'percent',
    positions: [
      { side: 'sell', option_right: 'CE', option_expiry: 'current_week', option_strike: 'atm', lots: null, stop_loss: null, stop_loss_mode: null, target: null, target_mode: null, trail: 10, trail_mode: 'percent', move_stop_to_cost_after: null, move_stop_to_cost_mode: null, reentries: 0 },
      { side: 'sell', option_right: 'PE', option_expiry: 'next_week', option_strike: 'atm+1', lots: 2, stop_loss: 20, stop_loss_mode: 'points', target: null, target_mode: null, trail: null, trail_mode: null, move_stop_to_cost_after: 15, move_stop_to_cost_mode: 'points', reentries: 2 },
    ],
  };

  it('draws the positions as rows of the engine\'s keys, each drawn as a field of its kind is', () => {
    expect(inputKindOf(positions)).toBe('rows');
    expect(items.map((k) => [k.name, inputKindOf(k)])).toEqual([
      ['side', 'choice'],
      ['option_right', 'choice'],
      ['option_expiry', 'suggest'],
      ['option_strike', 'text'],
      ['lots', 'number'],
      ['stop_loss', 'number'],
      ['stop_loss_mode', 'choice'],
      ['target', 'number'],
      ['target_mode', 'choice'],
      ['trail', 'number'],
      ['trail_mode', 'choice'],
      ['move_stop_to_cost_after', 'number'],
      ['move_stop_to_cost_mode', 'choice'],
      ['reentries', 'number'],
    ]);
    // A level's unit is drawn beside it in the row, as the strategy's are.
    expect(items.filter((k) => !isModeOf(k, items)).map((k) => [k.name, modeOf(k, items)?.name])).toEqual([
      ['side', undefined],
      ['option_right', undefined],
      ['option_expiry', undefined],
      ['option_strike', undefined],
      ['lots', undefined],
      ['stop_loss', 'stop_loss_mode'],
      ['target', 'target_mode'],
      ['trail', 'trail_mode'],
      ['move_stop_to_cost_after', 'move_stop_to_cost_mode'],
      ['reentries', undefined],
    ]);
    expect(valuesOf(allOn).positions).toEqual({ rows: [] });
    expect(bodyOf(allOn, valuesOf(allOn), undefined, KEPT)).not.toHaveProperty('positions');
  });

  it('edits a strategy\'s positions unchanged: its rows shown as typed text, the same positions sent back (an empty key left out)', () => {
    const values = valuesOf(allOn, straddle);
    expect(values.positions).toEqual({
      rows: [
        { side: 'sell', option_right: 'CE', option_expiry: 'current_week', option_strike: 'atm', lots: '', stop_loss: '', stop_loss_mode: '', target: '', target_mode: '', trail: '10', trail_mode: 'percent', move_stop_to_cost_after: '', move_stop_to_cost_mode: '', reentries: '0' },
        { side: 'sell', option_right: 'PE', option_expiry: 'next_week', option_strike: 'atm+1', lots: '2', stop_loss: '20', stop_loss_mode: 'points', target: '', target_mode: '', trail: '', trail_mode: '', move_stop_to_cost_after: '15', move_stop_to_cost_mode: 'points', reentries: '2' },
      ],
    });
    const sent = bodyOf(allOn, values, straddle, KEPT).positions;
    const withoutNulls = straddle.positions!.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== null)));
    expect(sent).toEqual(withoutNulls);
  });

  it('sends a typed number as a number and anything else as typed, so the API names it', () => {
    const rows: RowValues[] = [{ side: 'sell', option_right: 'CE', option_strike: ' atm+2 ', lots: 'two', stop_loss: '25.5' }, { side: '', option_right: 'PE' }];
    expect(bodyOf(allOn, { ...valuesOf(allOn), positions: { rows } }, undefined, KEPT).positions).toEqual([
      { side: 'sell', option_right: 'CE', option_strike: 'atm+2', lots: 'two', stop_loss: 25.5 },
      { option_right: 'PE' },
    ]);
  });

  it('removes the positions on an edit that empties every row (null); a strategy that had none sends none', () => {
    expect(bodyOf(allOn, { ...valuesOf(allOn, straddle), positions: { rows: [] } }, straddle, KEPT)).toMatchObject({ positions: null });
    expect(bodyOf(allOn, valuesOf(allOn, stored), stored, KEPT)).not.toHaveProperty('positions');
  });

  it('says how many positions a folded group holds', () => {
    const entry = groupsOf(allOn).find((g) => g.group === 'entry')!;
    expect(summaryOf(entry, { ...valuesOf(allOn, straddle) })).toContain('Positions: 2');
  });
});
