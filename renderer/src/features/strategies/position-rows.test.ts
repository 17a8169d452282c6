import { describe, expect, it } from 'vitest';
import { strategyFormDto } from '../../../../engine/api/strategy-form-dto';
import { MAX_POSITIONS, MIN_POSITIONS, positionSpec } from '../../../../engine/core/position-spec';
import { ApiError } from '../../lib/api-client';
import { addRow, canRemoveRow, inheritedFrom, inheritedText, POSITION_COUNT, PRESETS, presetRows, removeRow, rowChoiceText, rowInputNames, rowKeyShown, rowsFormErrors, withRowKey } from './position-rows';
import { choicesOfField } from './strategy-descriptor';
import { blankRow, bodyOf, labelsOf, valuesOf, type FormField, type RowValues } from './strategy-descriptor';

/** The descriptor as the engine will send it once it trades positions (available: true). */
const fields: FormField[] = strategyFormDto().fields.map((f) => ({ ...f, available: true }));
const positions = fields.find((f) => f.name === 'positions')!;
const items = positions.item_fields!;
const labels = labelsOf(fields);

describe('rows', () => {
  it('holds as many positions as the engine takes', () => {
    expect(POSITION_COUNT).toEqual({ min: MIN_POSITIONS, max: MAX_POSITIONS });
  });

  it('adds the two a strategy with positions needs at first, then one at a time up to the most', () => {
    let rows = addRow([], items);
    expect(rows).toEqual([blankRow(items), blankRow(items)]);
    expect(blankRow(items)).toEqual({ side: '', option_right: '', option_expiry: 'current_week', option_strike: '', lots: '', stop_loss: '', stop_loss_mode: '', target: '', target_mode: '', trail: '', trail_mode: '', move_stop_to_cost_after: '', move_stop_to_cost_mode: '', reentries: '' });
    while (rows.length < POSITION_COUNT.max) rows = addRow(rows, items);
    expect(addRow(rows, items)).toBe(rows);
  });

  it('removes a row but never below the least (the trader removes them all instead)', () => {
    const three: RowValues[] = [{ option_right: 'CE' }, { option_right: 'PE' }, { option_right: 'CE', option_strike: 'atm+4' }];
    expect(removeRow(three, 1)).toEqual([three[0], three[2]]);
    expect(canRemoveRow(three.slice(0, 2))).toBe(false);
    expect(removeRow(three.slice(0, 2), 0)).toHaveLength(2);
  });
});

describe('presets', () => {
  const body = (id: string) => {
    const preset = PRESETS.find((p) => p.id === id)!;
    return bodyOf(fields, { ...valuesOf(fields), positions: { rows: presetRows(preset, items) } }, undefined, new Set()).positions as unknown[];
  };

  it('fill the rows a trader expects: a short straddle sells the ATM CE and PE', () => {
    expect(body('short_straddle')).toEqual([
      { side: 'sell', option_right: 'CE', option_expiry: 'current_week', option_strike: 'atm' },
      { side: 'sell', option_right: 'PE', option_expiry: 'current_week', option_strike: 'atm' },
    ]);
  });

  it('a strangle sells out of the money on both sides; an iron fly adds a bought hedge further out on each', () => {
    expect(body('short_strangle')).toMatchObject([{ side: 'sell', option_right: 'CE', option_strike: 'atm+2' }, { side: 'sell', option_right: 'PE', option_strike: 'atm+2' }]);
    expect(body('iron_fly').map((p) => p as { side: string; option_right: string; option_strike: string }).map((p) => `${p.side} ${p.option_right} ${p.option_strike}`)).toEqual(['sell CE atm', 'sell PE atm', 'buy CE atm+4', 'buy PE atm+4']);
  });

  it('each is a list of positions the engine reads, within its bounds and with no two on one contract rule', () => {
    for (const p of PRESETS) {
      const sent = body(p.id);
      expect(sent.length, p.id).toBeGreaterThanOrEqual(MIN_POSITIONS);
      expect(sent.length, p.id).toBeLessThanOrEqual(MAX_POSITIONS);
      for (const row of sent) expect(positionSpec.safeParse(row).success, `${p.id} ${JSON.stringify(row)}`).toBe(true);
      const rules = sent.map((r) => JSON.stringify([(r as { option_right: string }).option_right, (r as { option_strike: string }).option_strike]));
      expect(new Set(rules).size, p.id).toBe(sent.length);
      // Only the engine's keys.
      for (const row of p.rows) for (const key of Object.keys(row)) expect(items.map((k) => k.name)).toContain(key);
    }
  });
});

describe('what an empty key means', () => {
  const item = (name: string) => items.find((k) => k.name === name)!;

  it('lots, stop-loss, target and their units are the strategy\'s; side, option, expiry and strike are the row\'s own', () => {
    expect(['lots', 'stop_loss', 'stop_loss_mode', 'target', 'target_mode'].map((n) => inheritedFrom(item(n), fields)?.name)).toEqual(['qty', 'stop_loss', 'stop_loss_mode', 'target', 'target_mode']);
    expect(['side', 'option_right', 'option_expiry', 'option_strike'].map((n) => inheritedFrom(item(n), fields))).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('shows the strategy\'s value as typed, its unit in words, and none when it has none', () => {
    const values = { ...valuesOf(fields), qty: ' 2 ', stop_loss: '30', stop_loss_mode: 'percent', target: '' };
    const shown = (n: string) => inheritedText(inheritedFrom(item(n), fields)!, values);
    expect(['lots', 'stop_loss', 'stop_loss_mode', 'target', 'target_mode'].map(shown)).toEqual(["Strategy's: 2", "Strategy's: 30", "Strategy's: % of entry", "Strategy's: none", "Strategy's: price"]);
  });

  it('a trail, a move to cost and re-entries left empty are the strategy\'s, shown as the strategy has them', () => {
    const keys = ['trail', 'trail_mode', 'move_stop_to_cost_after', 'move_stop_to_cost_mode', 'reentries'];
    expect(keys.map((n) => inheritedFrom(item(n), fields)?.name)).toEqual(keys);
    const values = { ...valuesOf(fields), trail: '5', trail_mode: 'percent', move_stop_to_cost_after: '' };
    const shown = (n: string) => inheritedText(inheritedFrom(item(n), fields)!, values);
    expect(keys.map(shown)).toEqual(["Strategy's: 5", "Strategy's: % of best price", "Strategy's: none", "Strategy's: points", "Strategy's: 0"]);
  });
});

describe('a future\'s row', () => {
  it('has no strike, its expiry the month\'s, and its price unit says price, not premium', () => {
    const ce = { ...blankRow(items), option_right: 'CE', option_strike: 'atm+2' };
    const fut = withRowKey(ce, 'option_right', 'FUT');
    expect(fut).toMatchObject({ option_right: 'FUT', option_expiry: 'current_month', option_strike: '' });
    // A listed date the trader chose stays.
    expect(withRowKey({ ...ce, option_expiry: '2027-01-26' }, 'option_right', 'FUT').option_expiry).toBe('2027-01-26');
    expect(withRowKey(ce, 'option_right', 'PE')).toEqual({ ...ce, option_right: 'PE' });
    expect([rowKeyShown(fut, 'option_strike'), rowKeyShown(ce, 'option_strike'), rowKeyShown(fut, 'option_expiry')]).toEqual([false, true, true]);
    const mode = items.find((k) => k.name === 'stop_loss_mode')!;
    expect(choicesOfField(mode, '').map((v) => rowChoiceText(mode, v, fut))).toEqual(['price', 'points', '% of entry']);
    // As the engine reads it: the month's future, no strike.
    expect(positionSpec.parse(bodyOf(fields, { ...valuesOf(fields), positions: { rows: [{ ...fut, side: 'buy', stop_loss: '80', stop_loss_mode: 'points' }] } }, undefined, new Set()).positions?.[0])).toEqual({ side: 'buy', option_right: 'FUT', option_expiry: 'current_month', stop_loss: 80, stop_loss_mode: 'points' });
  });
});

describe('a level\'s unit', () => {
  it('offers the premium itself for a position\'s stop-loss and target, and sends it as the engine reads it', () => {
    const item = (name: string) => items.find((k) => k.name === name)!;
    for (const name of ['stop_loss_mode', 'target_mode']) {
      expect(choicesOfField(item(name), '').map((v) => rowChoiceText(item(name), v))).toEqual(['premium', 'points', '% of entry']);
    }
    // A trail follows the best premium: no absolute premium there.
    expect(choicesOfField(item('trail_mode'), '').map((v) => rowChoiceText(item('trail_mode'), v))).toEqual(['points', '% of best price']);
    const rows: RowValues[] = [
      { ...blankRow(items), side: 'sell', option_right: 'CE', stop_loss: '180', stop_loss_mode: 'price' },
      { ...blankRow(items), side: 'sell', option_right: 'PE' },
    ];
    const sent = bodyOf(fields, { ...valuesOf(fields), positions: { rows } }, undefined, new Set()).positions as unknown[];
    expect(sent[0]).toEqual({ side: 'sell', option_right: 'CE', option_expiry: 'current_week', stop_loss: 180, stop_loss_mode: 'price' });
    expect(positionSpec.parse(sent[0])).toMatchObject({ stop_loss: 180, stop_loss_mode: 'price' });
  });
});

describe('errors', () => {
  const values = { ...valuesOf(fields), positions: { rows: presetRows(PRESETS[0]!, items) } };
  const err = new ApiError(400, 'validation_failed', 'invalid', [
    { field: 'positions.1.stop_loss', message: 'stop_loss must be below 100 when its unit is percent' },
    { field: 'positions.0', message: 'positions 0 and 1 choose the same contract (CE current_week atm): one contract is one position; give it more lots' },
    { field: 'positions', message: 'positions is not available yet: this version does not trade it; leave it out' },
    { field: 'positions.7.lots', message: 'lots must be a whole number' },
    { field: 'buy_time', message: 'buy_time is required' },
  ]);

  it('names every row and key an answer may come under, in the order they are shown', () => {
    expect(rowInputNames('positions', values.positions, items).slice(0, 4)).toEqual(['positions', 'positions.0', 'positions.0.side', 'positions.0.option_right']);
    expect(rowInputNames('positions', values.positions, items)).toHaveLength(1 + 2 * (1 + items.length));
    expect(rowInputNames('positions', { rows: [] }, items)).toEqual(['positions']);
  });

  it('shows a row key\'s error under that key in its row, in the key\'s words; a row\'s under the row; the field\'s by its label; a row not shown in the summary', () => {
    const { errors, inputs } = rowsFormErrors(err, labels, fields, values);
    expect(errors.fields).toEqual({
      'positions.1.stop_loss': 'Stop-loss must be below 100 when its unit is percent',
      'positions.0': 'positions 0 and 1 choose the same contract (CE current_week atm): one contract is one position; give it more lots',
      positions: 'Positions is not available yet: this version does not trade it; leave it out',
      buy_time: 'BUY time is required',
    });
    expect(errors.form).toEqual(['Position 8: Lots must be a whole number']);
    // The first refused input in the form's order takes the keyboard: the positions (entry) before the BUY time.
    expect(inputs.find((n) => errors.fields[n])).toBe('positions');
  });
});
