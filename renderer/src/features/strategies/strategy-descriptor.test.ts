import { describe, expect, it } from 'vitest';
import { strategyFormDto } from '../../../../engine/api/strategy-form-dto';
import type { StrategyDto } from '../../lib/api-types';
import { bodyOf, groupsOf, inputKindOf, isModeOf, labelsOf, modeOf, notOfferedYet, placeholderOf, summaryOf, valuesOf, type FormField } from './strategy-descriptor';

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
  qty: 10,
  buy_time: '09:30:00',
  sell_time: '15:55:00',
  stop_loss: 180.5,
  timezone: 'America/New_York',
  repeat: 'daily',
  buy_grace_seconds: 60,
  status: 'stopped',
  created_at: 1,
  updated_at: 2,
  runtime: null,
} satisfies StrategyDto;

describe('groupsOf', () => {
  it('groups in the engine order and offers only what the engine trades, naming the rest without their modes', () => {
    const groups = groupsOf(fields);
    expect(groups.map((g) => [g.group, g.offered.map((f) => f.name), g.later.map((f) => f.label), g.optional])).toEqual([
      ['entry', ['broker_account_id', 'symbol', 'exchange', 'qty'], ['Entry side'], false],
      ['time', ['buy_time', 'sell_time', 'timezone', 'buy_grace_seconds'], ['Square-off time'], false],
      ['exits', ['stop_loss'], ['Target', 'Trailing stop', 'Move stop to cost after'], false],
      ['reentry', [], ['Re-entries', 'Re-enter after', 'Re-entry cut-off'], true],
      ['days', ['repeat'], ['Weekdays'], true],
    ]);
  });

  it('offers a field once the engine trades it, its mode drawn beside it', () => {
    const exits = groupsOf(allOn).find((g) => g.group === 'exits')!;
    expect(exits.later).toEqual([]);
    expect(modeOf(byName('stop_loss'), exits.offered)?.name).toBe('stop_loss_mode');
    expect(modeOf(byName('stop_loss'), offered)).toBeUndefined();
    expect(exits.offered.filter((f) => !isModeOf(f, allOn)).map((f) => f.name)).toEqual(['stop_loss', 'target', 'trail', 'move_stop_to_cost_after']);
  });
});

describe('words', () => {
  const titles = { entry: 'Entry', time: 'Time', exits: 'Exits', reentry: 'Re-entry', days: 'Days' };

  it('names what does not trade yet: the fields of a drawn group, a group with nothing offered by its title', () => {
    expect(notOfferedYet(groupsOf(fields), titles)).toBe('Entry side, Square-off time, Target, Trailing stop, Move stop to cost after, Re-entry, Weekdays');
    expect(notOfferedYet(groupsOf(allOn), titles)).toBeNull();
  });

  it('says what a folded group holds, in words, leaving out what is empty', () => {
    const days = groupsOf(allOn).find((g) => g.group === 'days')!;
    expect(summaryOf(days, { repeat: 'daily', weekdays: ['mon', 'fri'] })).toBe('Repeat: Every trading day, Weekdays: mon fri');
    expect(summaryOf(days, { repeat: 'once', weekdays: [] })).toBe('Repeat: Once');
  });
});

describe('inputs', () => {
  it('draws each field by its type and unit', () => {
    expect(['buy_time', 'qty', 'repeat', 'weekdays', 'symbol', 'reentry_cutoff'].map((n) => inputKindOf(byName(n)))).toEqual(['time', 'number', 'choice', 'list', 'text', 'time']);
    expect(['qty', 'stop_loss', 'buy_grace_seconds', 'buy_time', 'symbol'].map((n) => placeholderOf(byName(n)))).toEqual(['shares', 'required', '60', 'HH:MM:SS', 'required']);
  });

  it('takes its labels from the engine', () => {
    expect(labelsOf(fields)).toMatchObject({ qty: 'Quantity', buy_time: 'BUY time', stop_loss: 'Stop-loss price', target: 'Target' });
  });
});

describe('bodyOf', () => {
  it('sends a new strategy as the form always did: typed fields only, numbers as numbers, text as typed', () => {
    const values = { ...valuesOf(offered), broker_account_id: '1', symbol: 'AAPL', exchange: 'NASDAQ', qty: 'ten', buy_time: ' 09:30 ', sell_time: '15:55', stop_loss: '190' };
    expect(bodyOf(offered, values, undefined, KEPT)).toEqual({
      broker_account_id: 1,
      symbol: 'AAPL',
      exchange: 'NASDAQ',
      qty: 'ten',
      buy_time: '09:30',
      sell_time: '15:55',
      stop_loss: 190,
      repeat: 'once',
    });
  });

  it('edits an existing strategy unchanged: the same ten fields with the same values', () => {
    const values = valuesOf(offered, stored);
    expect(values).toMatchObject({ qty: '10', stop_loss: '180.5', repeat: 'daily', buy_grace_seconds: '60' });
    const { id: _id, status: _s, created_at: _c, updated_at: _u, runtime: _r, ...fieldsOfStored } = stored;
    expect(bodyOf(offered, values, stored, KEPT)).toEqual(fieldsOfStored);
  });

  it('never sends a field the engine does not trade, whatever the inputs hold', () => {
    const values = { ...valuesOf(offered, stored), target: '200', side: 'sell', weekdays: ['mon'] };
    const body = bodyOf(offered, values, stored, KEPT);
    for (const f of fields.filter((x) => !x.available)) expect(body).not.toHaveProperty(f.name);
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

  it('sends a list as the days ticked', () => {
    const values = { ...valuesOf(allOn, stored), weekdays: ['mon', 'wed'] };
    expect(bodyOf(allOn, values, stored, KEPT)).toMatchObject({ weekdays: ['mon', 'wed'] });
  });
});
