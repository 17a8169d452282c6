import { describe, expect, it } from 'vitest';
import { ApiError } from '../lib/api-client';
import { formErrors } from './field-errors';

describe('formErrors', () => {
  const err = new ApiError(400, 'validation_failed', 'bad', [
    { field: 'symbol', message: 'symbol is required' },
    { field: 'options.scripts.CRYPTO:BTC.1.afterMs', message: 'must not be earlier than the previous point' },
    { field: 'credentials', message: 'refused' },
  ]);

  it('puts each field error under its input, nested paths under their parent, the rest in the summary', () => {
    expect(formErrors(err, ['symbol', 'options'], 'options')).toEqual({
      fields: { symbol: 'symbol is required', options: 'scripts.CRYPTO:BTC.1.afterMs: must not be earlier than the previous point' },
      form: ['credentials: refused'],
    });
  });

  it('shows an error without fields as one message', () => {
    expect(formErrors(new ApiError(409, 'conflict', 'strategy is already running'), ['symbol'])).toEqual({ fields: {}, form: ['strategy is already running'] });
  });
});
