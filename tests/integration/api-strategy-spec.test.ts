/**
 * The strategy definition through the API: the re-entry and days keys are taken and read back,
 * their rules name them, and at their defaults a body is the v1 strategy it always was. The exit keys are traded (stop-loss in points or percent, target, trailing stop, move to
 * cost): each level or distance in price or points must be at least one price step of the
 * instrument. GET /strategy/form describes every field from the same definition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness;
let token: string;
let account: number;
beforeAll(async () => {
  h = await startApiHarness();
  ({ token } = await h.register());
  account = await h.connectPaper(token);
});
afterAll(async () => h?.close());

const V1 = () => ({ broker_account_id: account, symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:05', sell_time: '09:10', stop_loss: 95 });

/** [field, message] of a 400, after checking the error shape. */
async function refused(res: Promise<{ status: number; body: any }>): Promise<Array<[string, string]>> {
  const { status, body } = await res;
  expect(status).toBe(400);
  expect(body.error.code).toBe('validation_failed');
  return body.error.fields.map((f: { field: string; message: string }) => [f.field, f.message]);
}

const strategies = async () => (await h.call('GET', '/strategy', { token })).body.strategies as Array<Record<string, unknown>>;

describe('the re-entry and days keys', () => {
  // A re-entry after a stop-loss needs a stop in points or percent: a price stop would be reached again at once.
  const LEGS = { stop_loss: 2, stop_loss_mode: 'points', reentries: 2, reentry_after: 'either', reentry_cutoff: '09:08', target: 3, target_mode: 'points', square_off_time: '09:12', repeat: 'daily', weekdays: ['mon', 'wed', 'fri'] } as const;

  it('are taken on create, and GET shows them as stored (times as HH:MM:SS)', async () => {
    const created = await h.createStrategy(token, account, LEGS);
    expect(created.status).toBe(201);
    const stored = { ...LEGS, reentry_cutoff: '09:08:00', square_off_time: '09:12:00' };
    expect(created.body).toMatchObject(stored);
    expect((await h.call('GET', `/strategy/${created.body.id}`, { token })).body).toMatchObject(stored);
    await h.call('DELETE', `/strategy/${created.body.id}`, { token });
  });

  it('a strategy without them says so: no re-entry, every day, the SELL time as square-off', async () => {
    const { body } = await h.createStrategy(token, account);
    expect(body).toMatchObject({ reentries: 0, reentry_after: 'stop_loss', reentry_cutoff: null, square_off_time: null, weekdays: null });
    await h.call('DELETE', `/strategy/${body.id}`, { token });
  });

  it('an edit with null removes the cut-off and the weekdays, as turning re-entries off and repeating once do', async () => {
    const { body: s } = await h.createStrategy(token, account, LEGS);
    const edited = await h.call('PATCH', `/strategy/${s.id}`, { token, body: { reentries: 0, reentry_cutoff: null, repeat: 'once', weekdays: null } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ reentries: 0, reentry_cutoff: null, repeat: 'once', weekdays: null, square_off_time: '09:12:00' });
    await h.call('DELETE', `/strategy/${s.id}`, { token });
  });

  it('their rules name them: a cut-off is required with re-entries, weekdays need a daily strategy', async () => {
    expect(await refused(h.createStrategy(token, account, { stop_loss: 2, stop_loss_mode: 'points', reentries: 2 }))).toEqual([
      ['reentry_cutoff', 'reentry_cutoff is required when reentries is above 0: no re-entry goes out at or after it'],
    ]);
    const { body: s } = await h.createStrategy(token, account);
    // The rules between fields see the stored strategy merged with the edit.
    expect(await refused(h.call('PATCH', `/strategy/${s.id}`, { token, body: { weekdays: ['mon'] } }))).toEqual([
      ['weekdays', 'weekdays apply only to a strategy that repeats daily: set repeat to daily or leave weekdays out'],
    ]);
    expect((await h.call('GET', `/strategy/${s.id}`, { token })).body).toEqual(s);
    await h.call('DELETE', `/strategy/${s.id}`, { token });
  });

  it('at their defaults, a body is the v1 strategy it always was', async () => {
    const plain = await h.createStrategy(token, account);
    const spelled = await h.createStrategy(token, account, { side: 'buy', stop_loss_mode: 'price', target: null, target_mode: 'price', trail_mode: 'points', move_stop_to_cost_mode: 'points', reentries: 0, reentry_after: 'stop_loss', weekdays: null });
    expect(plain.status).toBe(201);
    expect(spelled.status).toBe(201);
    const { id: _a, created_at: _b, updated_at: _c, ...a } = plain.body;
    const { id: _d, created_at: _e, updated_at: _f, ...b } = spelled.body;
    expect(b).toEqual(a);
    expect(a).toMatchObject({ buy_time: '09:05:00', sell_time: '09:10:00', stop_loss: 95, repeat: 'once', buy_grace_seconds: 60 });
    for (const s of [plain, spelled]) await h.call('DELETE', `/strategy/${s.body.id}`, { token });
  });
});

describe('re-entry: how many, after which exit, until when', () => {
  const REENTRY = { reentries: 2, reentry_cutoff: '09:08', stop_loss: 2, stop_loss_mode: 'points' } as const;

  it('is kept as sent, with a stop-loss in points or percent and a cut-off inside the day', async () => {
    const res = await h.createStrategy(token, account, { ...REENTRY, reentry_after: 'either', target: 1, target_mode: 'percent' });
    expect(res.status).toBe(201);
    expect(h.repos.strategies.getInternal(res.body.id)?.spec).toMatchObject({ reentries: 2, reentry_after: 'either', reentry_cutoff: '09:08:00', stop_loss_mode: 'points', target_mode: 'percent' });
    await h.call('DELETE', `/strategy/${res.body.id}`, { token });
  });

  it('after a stop-loss needs it in points or percent; after a target, a target in points or percent; each named, all at once', async () => {
    expect(await refused(h.createStrategy(token, account, { reentries: 2, reentry_cutoff: '09:08' }))).toEqual([
      ['stop_loss_mode', 'a re-entry after the stop-loss (reentry_after stop_loss) needs stop_loss_mode points or percent: a stop-loss price would be at or past the price again at once'],
    ]);
    expect(await refused(h.createStrategy(token, account, { ...REENTRY, reentry_after: 'target' }))).toEqual([['target', 'reentry_after target needs a target: without one no exit allows a re-entry']]);
    expect(await refused(h.createStrategy(token, account, { reentries: 1, reentry_after: 'either', target: 110 }))).toEqual([
      ['reentry_cutoff', 'reentry_cutoff is required when reentries is above 0: no re-entry goes out at or after it'],
      ['stop_loss_mode', 'a re-entry after the stop-loss (reentry_after either) needs stop_loss_mode points or percent: a stop-loss price would be at or past the price again at once'],
      ['target_mode', 'a re-entry after the target (reentry_after either) needs target_mode points or percent: a target price would be at or past the price again at once'],
    ]);
    expect(await strategies()).toEqual([]);
  });

  it('an edit is judged merged with the stored strategy: turning re-entry on over a stop-loss price is refused', async () => {
    const { body: s } = await h.createStrategy(token, account);
    expect(await refused(h.call('PATCH', `/strategy/${s.id}`, { token, body: { reentries: 1, reentry_cutoff: '09:08' } }))).toEqual([
      ['stop_loss_mode', 'a re-entry after the stop-loss (reentry_after stop_loss) needs stop_loss_mode points or percent: a stop-loss price would be at or past the price again at once'],
    ]);
    const edited = await h.call('PATCH', `/strategy/${s.id}`, { token, body: { reentries: 1, reentry_cutoff: '09:08', stop_loss: 1, stop_loss_mode: 'percent' } });
    expect(edited.status).toBe(200);
    expect(h.repos.strategies.getInternal(s.id)?.spec).toMatchObject({ reentries: 1, reentry_cutoff: '09:08:00', stop_loss_mode: 'percent' });
    await h.call('DELETE', `/strategy/${s.id}`, { token });
  });
});

describe('square_off_time: the last moment a position may stay open', () => {
  it('is taken at or after the SELL time and returned as sent; none is null, and a paper account adds none', async () => {
    const created = await h.createStrategy(token, account, { square_off_time: '09:12' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ sell_time: '09:10:00', square_off_time: '09:12:00' });
    expect((await h.call('GET', `/strategy/${created.body.id}`, { token })).body).toMatchObject({ square_off_time: '09:12:00' });
    const plain = await h.createStrategy(token, account);
    expect(plain.body.square_off_time).toBeNull();
    for (const s of [created, plain]) await h.call('DELETE', `/strategy/${s.body.id}`, { token });
  });
});

describe('weekdays: a daily strategy trades only on the days named', () => {
  it('are taken on create and returned as sent; an edit with null trades every day again', async () => {
    const created = await h.createStrategy(token, account, { repeat: 'daily', weekdays: ['mon', 'wed', 'fri'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ repeat: 'daily', weekdays: ['mon', 'wed', 'fri'] });
    expect((await h.call('GET', `/strategy/${created.body.id}`, { token })).body).toMatchObject({ weekdays: ['mon', 'wed', 'fri'] });
    expect((await strategies()).find((x) => x.id === created.body.id)).toMatchObject({ weekdays: ['mon', 'wed', 'fri'] });
    const edited = await h.call('PATCH', `/strategy/${created.body.id}`, { token, body: { weekdays: null } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ repeat: 'daily', weekdays: null });
    await h.call('DELETE', `/strategy/${created.body.id}`, { token });
  });

  it('weekdays on which the exchange never trades are refused naming them, and nothing is saved', async () => {
    const before = (await strategies()).length;
    expect(await refused(h.createStrategy(token, account, { repeat: 'daily', weekdays: ['sat', 'sun'] }))).toEqual([
      ['weekdays', 'weekdays (sat, sun) never fall on a day NYSE trades: with the BUY at 09:05:00 America/New_York, no such day within 370 days of 2026-03-09 is a trading day of the exchange'],
    ]);
    // An edit that moves the BUY so those days are never the exchange's: refused the same way, the strategy kept.
    const { body: s } = await h.createStrategy(token, account, { repeat: 'daily', weekdays: ['sat'], timezone: 'Asia/Kolkata', buy_time: '01:00', sell_time: '02:00' });
    expect(s.weekdays).toEqual(['sat']);
    expect((await refused(h.call('PATCH', `/strategy/${s.id}`, { token, body: { weekdays: ['mon'] } }))).map(([f]) => f)).toEqual(['weekdays']);
    expect((await h.call('GET', `/strategy/${s.id}`, { token })).body).toEqual(s);
    await h.call('DELETE', `/strategy/${s.id}`, { token });
    expect(await strategies()).toHaveLength(before);
  });
});

describe('the exit keys: stop-loss in points or percent, target, trailing stop, move to cost', () => {
  const EXITS = { stop_loss: 2, stop_loss_mode: 'points', target: 3, target_mode: 'percent', trail: 1.5, trail_mode: 'points', move_stop_to_cost_after: 1, move_stop_to_cost_mode: 'percent' } as const;
  const step = (field: string, mode?: string) => `${field} must be at least one price step of AAPL at this broker (0.05)${mode ? ` when ${mode} is points` : ''}`;
  /** A paper account whose instruments move in steps of 0.05. */
  const coarseAccount = async () => {
    const res = await h.call('POST', '/broker/connect', { token, body: { broker: 'paper', label: 'Paper 0.05', options: { seed: 1, volatilityBps: 0, tickIntervalMs: 60_000, tickSize: 0.05 } } });
    expect(res.status).toBe(201);
    return res.body.id as number;
  };

  it('are taken on create, and GET shows them as sent', async () => {
    const created = await h.createStrategy(token, account, EXITS);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject(EXITS);
    expect((await h.call('GET', `/strategy/${created.body.id}`, { token })).body).toMatchObject(EXITS);
    await h.call('DELETE', `/strategy/${created.body.id}`, { token });
  });

  it('the backstop: left out it is the broker\'s default (off on paper), on and off are kept, null on an edit goes back to the default', async () => {
    const plain = await h.createStrategy(token, account, { backstop_margin: 0, backstop_margin_mode: 'points' });
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({ backstop: null, backstop_on: false, backstop_margin: null, backstop_margin_mode: 'points' });
    const on = await h.createStrategy(token, account, { backstop: true, backstop_margin: 1.5, backstop_margin_mode: 'percent' });
    expect(on.status).toBe(201);
    expect(on.body).toMatchObject({ backstop: true, backstop_on: true, backstop_margin: 1.5, backstop_margin_mode: 'percent' });
    const off = await h.call('PATCH', `/strategy/${plain.body.id}`, { token, body: { backstop: false } });
    expect(off.body).toMatchObject({ backstop: false, backstop_on: false });
    const back = await h.call('PATCH', `/strategy/${on.body.id}`, { token, body: { backstop: null, backstop_margin: null } });
    expect(back.body).toMatchObject({ backstop: null, backstop_on: false, backstop_margin: null });
    const wrong = await h.createStrategy(token, account, { backstop: 'yes' });
    expect(wrong.body.error.fields).toEqual([{ field: 'backstop', message: "backstop must be true or false; leave it out for the broker's default" }]);
    await h.call('DELETE', `/strategy/${plain.body.id}`, { token });
    await h.call('DELETE', `/strategy/${on.body.id}`, { token });
  });

  it('an edit with null removes a target; the keys it does not name stay as stored', async () => {
    const { body: s } = await h.createStrategy(token, account, { target: 120, trail: 2 });
    expect(s).toMatchObject({ target: 120, target_mode: 'price', trail: 2 });
    const edited = await h.call('PATCH', `/strategy/${s.id}`, { token, body: { target: null } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ target: null, trail: 2, stop_loss: 95 });
    expect((await h.call('GET', `/strategy/${s.id}`, { token })).body).toMatchObject({ target: null, trail: 2 });
    await h.call('DELETE', `/strategy/${s.id}`, { token });
  });

  it('each level or distance in price or points below one price step is refused, naming its field; a percent is not held to the step', async () => {
    const coarse = await coarseAccount();
    const before = (await strategies()).length;
    const tooFine = { stop_loss: 0.03, stop_loss_mode: 'points', target: 0.04, target_mode: 'points', trail: 0.02, move_stop_to_cost_after: 0.01 };
    expect((await refused(h.createStrategy(token, coarse, tooFine))).sort()).toEqual([
      ['move_stop_to_cost_after', step('move_stop_to_cost_after', 'move_stop_to_cost_mode')],
      ['stop_loss', step('stop_loss', 'stop_loss_mode')],
      ['target', step('target', 'target_mode')],
      ['trail', step('trail', 'trail_mode')],
    ]);
    // As prices, the stop and the target are held to the step too.
    expect((await refused(h.createStrategy(token, coarse, { stop_loss: 0.03, target: 0.04 }))).sort()).toEqual([
      ['stop_loss', step('stop_loss')],
      ['target', step('target')],
    ]);
    expect(await strategies()).toHaveLength(before);
    // In percent (of a price known only at the entry) the same numbers are fine.
    const percent = await h.createStrategy(token, coarse, { stop_loss: 0.03, stop_loss_mode: 'percent', target: 0.04, target_mode: 'percent', trail: 0.02, trail_mode: 'percent', move_stop_to_cost_after: 0.01, move_stop_to_cost_mode: 'percent' });
    expect(percent.status).toBe(201);
    await h.call('DELETE', `/strategy/${percent.body.id}`, { token });
  });

  it('a price target at or below a price stop is refused naming the target; with other problems, all in one answer', async () => {
    expect(await refused(h.createStrategy(token, account, { stop_loss: 95, target: 95 }))).toEqual([['target', 'target must be above stop_loss (95) when both are prices']]);
    // In points the target is above the fill whatever the numbers.
    const points = await h.createStrategy(token, account, { stop_loss: 95, target: 5, target_mode: 'points' });
    expect(points.status).toBe(201);
    await h.call('DELETE', `/strategy/${points.body.id}`, { token });
    const coarse = await coarseAccount();
    const before = (await strategies()).length;
    expect((await refused(h.createStrategy(token, coarse, { qty: 0, target: 90, trail: 0.02, buy_time: 'nine' }))).map(([f]) => f).sort()).toEqual(['buy_time', 'qty', 'target', 'trail']);
    expect(await strategies()).toHaveLength(before);
  });
});

describe('GET /strategy/form', () => {
  it('needs a signed-in user, like every strategy route', async () => {
    expect((await h.call('GET', '/strategy/form')).status).toBe(401);
    expect((await h.call('GET', '/strategy/form', { token: 'not-a-token' })).status).toBe(401);
  });

  it('describes every field of the definition, in form order, each labelled, grouped and hinted', async () => {
    const { status, body } = await h.call('GET', '/strategy/form', { token });
    expect(status).toBe(200);
    expect(body.spec_version).toBe(2);
    expect(body.fields.map((f: { name: string }) => f.name)).toEqual([
      'broker_account_id', 'symbol', 'exchange', 'option_right', 'option_expiry', 'option_strike', 'positions', 'side', 'qty',
      'buy_time', 'sell_time', 'square_off_time', 'timezone', 'buy_grace_seconds',
      'stop_loss', 'stop_loss_mode', 'target', 'target_mode', 'trail', 'trail_mode', 'move_stop_to_cost_after', 'move_stop_to_cost_mode',
      'backstop', 'backstop_margin', 'backstop_margin_mode',
      'mtm_stop', 'mtm_target', 'on_position_failure', 'stops_to_cost_on_stop',
      'reentries', 'reentry_after', 'reentry_cutoff',
      'repeat', 'weekdays', 'dte',
    ]);
    for (const f of body.fields) {
      expect(Object.keys(f).filter((k) => k !== 'enum' && k !== 'item_fields' && k !== 'open').sort(), f.name).toEqual(['available', 'default', 'group', 'hint', 'label', 'name', 'required', 'show_when', 'type', 'unit']);
      expect(f.label, f.name).toMatch(/\S/);
      expect(f.hint, f.name).toMatch(/\S/);
      expect(['entry', 'exits', 'time', 'reentry', 'days'], f.name).toContain(f.group);
    }
  });

  it('reads type, choices, required and default from the rules, and says when a field applies', async () => {
    const { body } = await h.call('GET', '/strategy/form', { token });
    const field = (name: string) => body.fields.find((f: { name: string }) => f.name === name);
    expect(field('stop_loss')).toEqual({ name: 'stop_loss', type: 'number', required: true, default: null, label: 'Stop-loss', hint: 'Sold at once if the price falls to it: a price, or points or % below the entry fill price', group: 'exits', unit: null, available: true, show_when: null });
    expect(field('symbol')).toMatchObject({ type: 'string', required: true, default: null, available: true });
    expect(field('exchange')).toMatchObject({ type: 'string', enum: ['NSE', 'BSE', 'NFO', 'BFO', 'NYSE', 'NASDAQ', 'CRYPTO'], required: false, default: null });
    expect(field('option_right')).toMatchObject({ type: 'string', enum: ['CE', 'PE'], required: false, default: null, group: 'entry', available: true });
    // Open: the rules are suggestions, a listed expiry date may be typed too.
    expect(field('option_expiry')).toMatchObject({ type: 'string', enum: ['current_week', 'next_week', 'current_month'], open: true, required: false, default: 'current_week' });
    expect(field('option_right')).not.toHaveProperty('open');
    // Days to expiry: a list of the days a form ticks, sent as its digits (the API takes numbers too).
    expect(field('dte')).toMatchObject({ type: 'list', enum: Array.from({ length: 35 }, (_, n) => String(n)), required: false, default: null, group: 'days', show_when: { field: 'repeat', equals: 'daily' } });
    expect(field('option_strike')).toMatchObject({ type: 'string', required: false, default: 'atm' });
    // A list of objects is rows, each key described as a field is, from the position's own rules.
    const positions = field('positions');
    expect(positions).toMatchObject({ type: 'rows', required: false, default: null, group: 'entry', available: true, show_when: null });
    expect(positions.item_fields.map((f: { name: string }) => f.name)).toEqual(['side', 'option_right', 'option_expiry', 'option_strike', 'lots', 'stop_loss', 'stop_loss_mode', 'target', 'target_mode', 'trail', 'trail_mode', 'move_stop_to_cost_after', 'move_stop_to_cost_mode', 'reentries']);
    expect(positions.item_fields[0]).toEqual({ name: 'side', type: 'string', enum: ['buy', 'sell'], required: true, default: null, label: 'Side', hint: expect.stringMatching(/sold first/), unit: null });
    expect(positions.item_fields.find((f: { name: string }) => f.name === 'stop_loss_mode')).toMatchObject({ enum: ['price', 'points', 'percent'], required: false, default: null });
    expect(positions.item_fields.find((f: { name: string }) => f.name === 'lots')).toMatchObject({ type: 'number', required: false, unit: 'lots' });
    // Trail, move to cost and re-entries per position: each empty is the strategy's (no default of its own), a unit only points or percent.
    expect(positions.item_fields.find((f: { name: string }) => f.name === 'trail_mode')).toMatchObject({ enum: ['points', 'percent'], required: false, default: null, label: 'Trailing stop unit' });
    expect(positions.item_fields.find((f: { name: string }) => f.name === 'move_stop_to_cost_mode')).toMatchObject({ enum: ['points', 'percent'], required: false, default: null });
    expect(positions.item_fields.find((f: { name: string }) => f.name === 'reentries')).toMatchObject({ type: 'number', required: false, default: null, label: 'Re-entries', hint: expect.stringMatching(/contract it traded/) });
    // The group's rules, shown with positions only (they are refused without).
    const withPositions = { field: 'positions', filled: true };
    expect(field('mtm_stop')).toMatchObject({ type: 'number', required: false, default: null, unit: 'rupees', group: 'exits', available: true, show_when: withPositions });
    expect(field('mtm_target')).toMatchObject({ type: 'number', required: false, default: null, unit: 'rupees', group: 'exits', available: true, show_when: withPositions });
    expect(field('on_position_failure')).toMatchObject({ type: 'string', enum: ['unwind', 'keep'], required: false, default: null, group: 'entry', available: true, show_when: withPositions });
    expect(field('stops_to_cost_on_stop')).toMatchObject({ type: 'boolean', required: false, default: null, group: 'exits', available: true, show_when: withPositions });
    expect(field('buy_time')).toMatchObject({ type: 'string', required: true, unit: 'time of day', group: 'time' });
    expect(field('buy_grace_seconds')).toMatchObject({ type: 'number', required: false, default: 60, unit: 'seconds' });
    expect(field('repeat')).toMatchObject({ type: 'string', enum: ['once', 'daily'], required: false, default: 'once', available: true });
    expect(field('side')).toMatchObject({ type: 'string', enum: ['buy', 'sell'], required: false, default: 'buy', label: 'Entry side', group: 'entry', available: true });
    expect(field('target')).toMatchObject({ type: 'number', required: false, default: null, group: 'exits', available: true });
    expect(field('reentry_cutoff')).toMatchObject({ type: 'string', required: false, default: null, unit: 'time of day', available: true, show_when: { field: 'reentries', above: 0 } });
    expect(field('reentry_after')).toMatchObject({ enum: ['stop_loss', 'target', 'either'], default: 'stop_loss', show_when: { field: 'reentries', above: 0 } });
    // Left out: the broker's default (no default of its own); the margin in points unless they say percent, shown unless it is off.
    expect(field('backstop')).toMatchObject({ type: 'boolean', required: false, default: null, group: 'exits', available: true, show_when: null });
    expect(field('backstop_margin')).toMatchObject({ type: 'number', required: false, default: null, available: true, show_when: { field: 'backstop', unless: 'false' } });
    expect(field('backstop_margin_mode')).toMatchObject({ enum: ['points', 'percent'], default: 'points', available: true, show_when: { field: 'backstop', unless: 'false' } });
    expect(field('square_off_time')).toMatchObject({ type: 'string', required: false, default: null, unit: 'time of day', group: 'time', available: true, show_when: null });
    expect(field('trail_mode')).toMatchObject({ enum: ['points', 'percent'], default: 'points', available: true });
    expect(field('reentries')).toMatchObject({ type: 'number', default: 0, group: 'reentry', available: true, show_when: null });
    expect(field('weekdays')).toMatchObject({ type: 'list', enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], required: false, default: null, group: 'days', available: true, show_when: { field: 'repeat', equals: 'daily' } });
    expect(field('qty').enum).toBeUndefined();
  });
});

describe('a crypto pair (issue 22)', () => {
  it('takes BASE/QUOTE and a quantity as a decimal string, and reads back the quantity with the pair\'s step', async () => {
    const pair = { symbol: 'BTC/USDT', exchange: 'CRYPTO', qty: '0.0015', buy_time: '03:00', sell_time: '03:30', stop_loss: 59_000 };
    const created = await h.createStrategy(token, account, pair);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ symbol: 'BTC/USDT', exchange: 'CRYPTO', qty: 0.0015, qty_step: 0.00001, timezone: 'UTC' });
    expect((await h.call('GET', `/strategy/${created.body.id}`, { token })).body).toMatchObject({ qty: 0.0015, qty_step: 0.00001 });
    expect((await h.call('GET', '/strategy/form', { token })).body.fields.find((f: { name: string }) => f.name === 'qty')).toMatchObject({ type: 'decimal' });
    expect(await refused(h.createStrategy(token, account, { ...pair, qty: '0.000151' }))).toEqual([['qty', "qty 0.000151 is not a multiple of BTC/USDT's step 0.00001"]]);
    await h.call('DELETE', `/strategy/${created.body.id}`, { token });
    // A whole-share instrument says it has no step.
    const { body: aapl } = await h.createStrategy(token, account);
    expect(aapl).toMatchObject({ qty: 10, qty_step: null });
    await h.call('DELETE', `/strategy/${aapl.id}`, { token });
  });
});
