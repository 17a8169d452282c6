import { describe, expect, it } from 'vitest';
import { ApiError } from '../lib/api-client';
import { labelledFormErrors } from './field-errors';
import { strategyFormDto } from '../../../engine/api/strategy-form-dto';
import { labelsOf } from '../features/strategies/strategy-descriptor';
import { AUTH_LABELS, BACKTEST_LABELS, labelled } from './field-labels';

/** The strategy form's labels as the engine sends them (GET /strategy/form). */
const STRATEGY_LABELS = labelsOf(strategyFormDto().fields);

describe('labelled', () => {
  it.each([
    ['buy_time', 'buy_time is required', 'BUY time is required'],
    ['sell_time', 'sell_time must be later than buy_time (09:30) on the same day', 'SELL time must be later than BUY time (09:30) on the same day'],
    ['stop_loss', 'stop_loss must be at least one price step of AAPL at this broker (0.05)', 'Stop-loss must be at least one price step of AAPL at this broker (0.05)'],
    ['target', 'target must be above stop_loss (95) when both are prices', 'Target must be above Stop-loss (95) when both are prices'],
    ['trail', 'trail must be below 100 when trail_mode is percent', 'Trailing stop must be below 100 when Trailing stop unit is percent'],
    ['move_stop_to_cost_mode', 'move_stop_to_cost_mode must be one of points, percent', 'Move stop to cost unit must be one of points, percent'],
    ['symbol', 'symbol APPL is not a tradable instrument on NASDAQ at this broker', 'Symbol APPL is not a tradable instrument on NASDAQ at this broker'],
    ['qty', 'qty must be a number', 'Quantity must be a number'],
    ['buy_grace_seconds', 'buy_grace_seconds must be between 0 and 3600', 'BUY grace (seconds) must be between 0 and 3600'],
    ['exchange', 'exchange must be one of NSE, BSE', 'Exchange must be one of NSE, BSE'],
    ['timezone', 'Invalid input', 'Time zone: Invalid input'],
    ['reentry_cutoff', 'reentry_cutoff is required when reentries is above 0: no re-entry goes out at or after it', 'Re-entry cut-off is required when Re-entries is above 0: no re-entry goes out at or after it'],
    ['weekdays', 'weekdays apply only to a strategy that repeats daily: set repeat to daily or leave weekdays out', 'Weekdays apply only to a strategy that repeats daily: set repeat to daily or leave weekdays out'],
  ])('%s: %j', (field, message, expected) => {
    expect(labelled(field, message, STRATEGY_LABELS)).toBe(expected);
  });

  it('puts the label before a message that starts with a verb, and leaves plain words alone', () => {
    expect(labelled('password', 'must be at least 10 characters', AUTH_LABELS)).toBe('Password must be at least 10 characters');
    expect(labelled('confirm_password', 'confirm_password must be the same as the password', AUTH_LABELS)).toBe('Confirm password must be the same as the password');
    expect(labelled('email', 'email must be an email address', AUTH_LABELS)).toBe('Email must be an email address');
  });
});

describe("the backtest panel's labels", () => {
  it("name a grid window's dotted fields and the fill's by their inputs", () => {
    expect(labelled('buy.from', 'buy.from must be a time "HH:MM"', BACKTEST_LABELS)).toBe('Entry times from must be a time "HH:MM"');
    expect(labelled('sell.every_minutes', 'sell.every_minutes must be a whole number of minutes', BACKTEST_LABELS)).toBe('Every (minutes) must be a whole number of minutes');
    expect(labelled('slippage_bps', 'slippage_bps must be at most 1000', BACKTEST_LABELS)).toBe('Slippage (bps) must be at most 1000');
    expect(labelled('sell.to', 'sell.to must not be before sell.from', BACKTEST_LABELS)).toBe('Exit times to must not be before Exit times from');
  });
});

describe('labelledFormErrors', () => {
  it('labels every field error the API sent, all of them, and the summary ones too', () => {
    const err = new ApiError(400, 'validation_failed', 'bad', [
      { field: 'buy_time', message: 'buy_time is required' },
      { field: 'sell_time', message: 'sell_time must be later than buy_time (09:30) on the same day' },
      { field: 'colour', message: 'Unrecognized key: "colour"' },
    ]);
    expect(labelledFormErrors(err, STRATEGY_LABELS)).toEqual({
      fields: { buy_time: 'BUY time is required', sell_time: 'SELL time must be later than BUY time (09:30) on the same day' },
      form: ['colour: Unrecognized key: "colour"'],
    });
  });

  it('names a field the form has no input for in the summary, by its label', () => {
    const err = new ApiError(400, 'validation_failed', 'bad', [
      { field: 'qty', message: 'qty must be a number' },
      { field: 'target', message: 'target is not available yet' },
    ]);
    expect(labelledFormErrors(err, STRATEGY_LABELS, ['qty', 'stop_loss'])).toEqual({
      fields: { qty: 'Quantity must be a number' },
      form: ['Target is not available yet'],
    });
  });
});
