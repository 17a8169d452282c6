/**
 * The positions of a multi-position strategy (issue 19), as the strategy's one definition parses
 * them: a short straddle reads as the trader wrote it, each position's own keys win over the
 * strategy's, and every rule names the key (with its position) the trader must change.
 */
import { describe, expect, it } from 'vitest';
import { strategySpec } from './strategy-spec';
import { MAX_POSITIONS } from './position-spec';

const straddle = {
  broker_account_id: 1,
  symbol: 'nifty',
  qty: 1,
  buy_time: '09:20',
  sell_time: '15:10',
  stop_loss: 30,
  stop_loss_mode: 'percent',
  positions: [
    { side: 'sell', option_right: 'CE' },
    { side: 'sell', option_right: 'PE', lots: 2, stop_loss: 40, stop_loss_mode: 'points' },
  ],
};

const issues = (body: Record<string, unknown>) => strategySpec.safeParse(body).error?.issues.map((i) => [i.path.join('.'), i.message]);

describe('positions', () => {
  it('reads a short straddle: each position its own side and right, the defaults left out, its own lots and stop kept', () => {
    const spec = strategySpec.parse({ ...straddle, positions: [{ ...straddle.positions[0], option_strike: ' ATM ', option_expiry: 'current_week' }, straddle.positions[1]] });
    expect(spec.symbol).toBe('NIFTY');
    expect(spec.positions).toEqual([
      { side: 'sell', option_right: 'CE' },
      { side: 'sell', option_right: 'PE', lots: 2, stop_loss: 40, stop_loss_mode: 'points' },
    ]);
    expect(issues(straddle)).toBeUndefined();
  });

  it('takes 2 to 10 positions: one is the strategy\'s own keys, eleven is past the bound', () => {
    expect(issues({ ...straddle, positions: [straddle.positions[0]] })).toEqual([['positions', "positions must list 2 to 10 positions; one position is the strategy's own keys: leave positions out"]]);
    const eleven = Array.from({ length: MAX_POSITIONS + 1 }, (_, i) => ({ side: 'buy', option_right: 'CE', option_strike: `atm+${i + 1}` }));
    expect(issues({ ...straddle, positions: eleven })).toEqual([['positions', 'positions must list 2 to 10 positions']]);
    const ten = eleven.slice(0, MAX_POSITIONS);
    expect(issues({ ...straddle, positions: ten })).toBeUndefined();
    expect(issues({ ...straddle, positions: 'CE,PE' })).toEqual([['positions', 'positions must be a list of positions']]);
  });

  it('names a position\'s bad key by its place: side and right required, lots whole, a stop\'s unit known, no unknown key', () => {
    expect(issues({ ...straddle, positions: [{ option_right: 'CE' }, { side: 'short', option_right: 'PE', lots: 1.5, stop_loss_mode: 'premium', strike: 'atm' }] })).toEqual([
      ['positions.0.side', 'side is required'],
      ['positions.1.side', 'side must be one of buy, sell'],
      ['positions.1.lots', 'lots must be a whole number'],
      ['positions.1.stop_loss_mode', 'stop_loss_mode must be one of price, points, percent'],
      ['positions.1', 'Unrecognized key: "strike"'],
    ]);
  });

  it('refuses the strategy\'s side and option keys beside positions: each position names its own', () => {
    expect(issues({ ...straddle, side: 'sell', option_right: 'CE', option_expiry: 'next_week', option_strike: 'atm+1' })).toEqual([
      ['option_right', 'option_right applies to a strategy of one position: with positions, each position names its own option_right; leave it out'],
      ['option_expiry', 'option_expiry applies to a strategy of one position: with positions, each position names its own option_expiry; leave it out'],
      ['option_strike', 'option_strike applies to a strategy of one position: with positions, each position names its own option_strike; leave it out'],
      ['side', 'side applies to a strategy of one position: with positions, each position names its own side; leave it out'],
    ]);
  });

  it('needs an index with options on its derivatives exchange, and levels in points or percent of the premium', () => {
    expect(issues({ ...straddle, symbol: 'RELIANCE' })).toEqual([['symbol', 'symbol must be an index with options (NIFTY, BANKNIFTY, FINNIFTY, SENSEX) when the strategy has positions']]);
    expect(issues({ ...straddle, exchange: 'NSE' })).toEqual([['exchange', "exchange must be NFO (or left out) for NIFTY's options"]]);
    expect(issues({ ...straddle, symbol: 'SENSEX', exchange: 'BFO' })).toBeUndefined();
    expect(issues({ ...straddle, stop_loss_mode: 'price', target: 50 })).toEqual([
      ['stop_loss_mode', "stop_loss_mode must be points or percent with positions, the stop of every position whose own is left out; an absolute premium is one contract's: set it on the position, with its own stop_loss and stop_loss_mode price"],
      ['target_mode', "target_mode must be points or percent with positions, the target of every position whose own is left out; an absolute premium is one contract's: set it on the position, with its own target and target_mode price"],
    ]);
  });

  it('checks a percent level under 100 on the position that sets it, the strategy\'s own on the strategy', () => {
    expect(issues({ ...straddle, positions: [{ side: 'sell', option_right: 'CE', stop_loss: 150 }, { side: 'sell', option_right: 'PE', target: 100, target_mode: 'percent' }] })).toEqual([
      ['positions.0.stop_loss', 'stop_loss must be below 100 when its unit is percent'],
      ['positions.1.target', 'target must be below 100 when its unit is percent'],
    ]);
    expect(issues({ ...straddle, stop_loss: 100 })).toEqual([['stop_loss', 'stop_loss must be below 100 when stop_loss_mode is percent']]);
    expect(issues({ ...straddle, positions: [{ side: 'sell', option_right: 'CE', target: 20 }, { side: 'sell', option_right: 'PE', target: 20, target_mode: 'points' }] })).toEqual([
      ['positions.0.target_mode', "target_mode is required with this position's target (points, percent, or price for a premium): the strategy's target_mode is price, which no position inherits"],
    ]);
    // 150 points on a position whose own unit is points is no percent.
    expect(issues({ ...straddle, positions: [straddle.positions[0], { ...straddle.positions[1], stop_loss: 150 }] })).toBeUndefined();
  });

  it('takes an absolute premium as a position\'s own stop-loss or target, on the side of the premium its side needs', () => {
    const short = (extra: Record<string, unknown>) => ({ ...straddle, positions: [{ side: 'sell', option_right: 'CE', ...extra }, straddle.positions[1]] });
    const long = (extra: Record<string, unknown>) => ({ ...straddle, positions: [straddle.positions[0], { side: 'buy', option_right: 'PE', ...extra }] });
    const parsed = strategySpec.parse(short({ stop_loss: 180, stop_loss_mode: 'price', target: 40, target_mode: 'price' }));
    expect(parsed.positions?.[0]).toEqual({ side: 'sell', option_right: 'CE', stop_loss: 180, stop_loss_mode: 'price', target: 40, target_mode: 'price' });
    expect(issues(long({ stop_loss: 60, stop_loss_mode: 'price', target: 150, target_mode: 'price', option_strike: 'premium:100' }))).toBeUndefined();
    // The unit without the position's own value would read the strategy's 30 percent as a premium of 30.
    expect(issues(short({ stop_loss_mode: 'price', target_mode: 'price' }))).toEqual([
      ['positions.0.stop_loss', "stop_loss is required with stop_loss_mode price: an absolute premium is this position's own, and the strategy's stop_loss is points or percent of each premium"],
      ['positions.0.target', "target is required with target_mode price: an absolute premium is this position's own, and the strategy's target is points or percent of each premium"],
    ]);
    expect(issues(short({ stop_loss: 40, stop_loss_mode: 'price', target: 180, target_mode: 'price' }))).toEqual([
      ['positions.0.target', 'target must be below stop_loss (40) when both are premiums of a sold option: it gains as its premium falls'],
    ]);
    expect(issues(long({ stop_loss: 150, stop_loss_mode: 'price', target: 150, target_mode: 'price' }))).toEqual([['positions.1.target', 'target must be above stop_loss (150) when both are premiums of a bought option']]);
    expect(issues(short({ option_strike: 'premium:120', stop_loss: 100, stop_loss_mode: 'price', target: 130, target_mode: 'price' }))).toEqual([
      ['positions.0.target', 'target must be below stop_loss (100) when both are premiums of a sold option: it gains as its premium falls'],
      ['positions.0.stop_loss', 'stop_loss must be above 120 for a sold option whose strike is chosen by premium:120: its entry premium is near 120, so the stop would be reached at the entry'],
      ['positions.0.target', 'target must be below 120 for a sold option whose strike is chosen by premium:120: its entry premium is near 120, so the target would be reached at the entry'],
    ]);
    expect(issues(long({ option_strike: 'premium:100', stop_loss: 100, stop_loss_mode: 'price' }))).toEqual([
      ['positions.1.stop_loss', 'stop_loss must be below 100 for a bought option whose strike is chosen by premium:100: its entry premium is near 100, so the stop would be reached at the entry'],
    ]);
  });

  it("takes the index's future as a position (FUT): the month's by default, no strike, one position per expiry", () => {
    const fut = { side: 'buy', option_right: 'FUT', stop_loss: 80, stop_loss_mode: 'points' };
    const covered = { ...straddle, positions: [{ ...fut, option_expiry: 'current_week' }, { side: 'sell', option_right: 'CE', option_strike: 'atm+2' }] };
    // current_week, the form's default, is left out: the month's future, the nearest listed.
    expect(strategySpec.parse(covered).positions![0]).toEqual(fut);
    expect(issues({ ...straddle, positions: [{ ...fut, option_strike: ' ATM ' }, straddle.positions[1]] })).toBeUndefined();
    expect(issues({ ...straddle, positions: [{ ...fut, option_expiry: 'next_week', option_strike: 'premium:100' }, straddle.positions[1]] })).toEqual([
      ['positions.0.option_expiry', "option_expiry next_week names a weekly expiry, and futures expire monthly: use current_month (the default for a future) or a listed expiry date YYYY-MM-DD (the next month's future)"],
      ['positions.0.option_strike', 'option_strike applies to an option: a future has no strike; leave it out'],
    ]);
    expect(issues({ ...straddle, positions: [fut, { ...fut, side: 'sell', option_expiry: 'current_month' }] })).toEqual([
      ['positions.1', 'positions 0 and 1 choose the same contract (FUT current_month): one contract is one position; give it more lots'],
    ]);
    // current_week (the form's default) is the month's future too: the same contract.
    expect(issues({ ...straddle, positions: [{ ...fut, option_expiry: 'current_week' }, { ...fut, side: 'sell', option_expiry: 'current_month' }] })).toEqual([
      ['positions.1', 'positions 0 and 1 choose the same contract (FUT current_month): one contract is one position; give it more lots'],
    ]);
    expect(issues({ ...straddle, positions: [fut, { ...fut, side: 'sell', option_expiry: '2027-01-26' }] })).toBeUndefined();
    // The strategy's own option_right stays an option's.
    expect(issues({ ...straddle, positions: undefined, option_right: 'FUT' })).toEqual([['option_right', 'option_right must be one of CE, PE']]);
  });

  it("refuses a future's level in percent taken from the strategy: a premium's percent of the index's price is no stop", () => {
    // The strategy's 30 percent stop, inherited whole: 30% of ~26,000 is ~7,800 index points.
    expect(issues({ ...straddle, target: 50, target_mode: 'percent', positions: [{ side: 'buy', option_right: 'FUT' }, straddle.positions[1]] })).toEqual([
      ['positions.0.stop_loss', "a future's stop_loss would be the strategy's 30 percent, sized to an option's premium: on the future's price that is thousands of index points, no stop_loss in practice; set this position's own stop_loss in points or price"],
      ['positions.0.target', "a future's target would be the strategy's 50 percent, sized to an option's premium: on the future's price that is thousands of index points, no target in practice; set this position's own target in points or price"],
    ]);
    // Its own value under the strategy's percent unit is inherited percent too; a trail in percent likewise.
    expect(issues({ ...straddle, trail: 10, trail_mode: 'percent', positions: [{ side: 'buy', option_right: 'FUT', stop_loss: 1 }, straddle.positions[1]] })).toEqual([
      ['positions.0.stop_loss', "a future's stop_loss would be the strategy's 1 percent, sized to an option's premium: on the future's price that is thousands of index points, no stop_loss in practice; set this position's own stop_loss in points or price"],
      ['positions.0.trail', "a future's trail would be the strategy's 10 percent, sized to an option's premium: on the future's price that is thousands of index points, no trail in practice; set this position's own trail in points"],
    ]);
    // Its own, value and unit (points, an absolute price, or a percent it states itself), or the strategy's in points: taken.
    for (const own of [{ stop_loss: 80, stop_loss_mode: 'points' }, { stop_loss: 25900, stop_loss_mode: 'price' }, { stop_loss: 0.5, stop_loss_mode: 'percent' }]) {
      expect(issues({ ...straddle, positions: [{ side: 'buy', option_right: 'FUT', ...own }, straddle.positions[1]] })).toBeUndefined();
    }
    expect(issues({ ...straddle, stop_loss: 40, stop_loss_mode: 'points', positions: [{ side: 'buy', option_right: 'FUT' }, straddle.positions[1]] })).toBeUndefined();
  });

  it('refuses a premium level on a position that re-enters after that exit: the premium would be there again at once', () => {
    const reentering = { ...straddle, reentry_cutoff: '14:00', positions: [{ side: 'sell', option_right: 'CE', reentries: 1, stop_loss: 180, stop_loss_mode: 'price', target: 40, target_mode: 'price' }, straddle.positions[1]] };
    expect(issues(reentering)).toEqual([
      ['positions.0.stop_loss_mode', "a re-entry after the stop-loss (reentry_after stop_loss) needs this position's stop_loss_mode points or percent: the premium would be at its stop-loss premium again at once"],
    ]);
    expect(issues({ ...reentering, reentry_after: 'either' })).toEqual([
      ['positions.0.stop_loss_mode', "a re-entry after the stop-loss (reentry_after either) needs this position's stop_loss_mode points or percent: the premium would be at its stop-loss premium again at once"],
      ['positions.0.target_mode', "a re-entry after the target (reentry_after either) needs this position's target_mode points or percent: the premium would be at its target premium again at once"],
    ]);
    // Re-entering after its target only, a premium stop-loss ends the day's entries of that position: allowed.
    expect(issues({ ...reentering, reentry_after: 'target', positions: [{ ...reentering.positions[0], target: 20, target_mode: 'points' }, straddle.positions[1]] })).toBeUndefined();
  });

  it('refuses two positions choosing their contract by the same rule, whatever their sides', () => {
    expect(issues({ ...straddle, positions: [{ side: 'sell', option_right: 'CE' }, { side: 'buy', option_right: 'CE', option_strike: 'ATM', option_expiry: 'current_week' }] })).toEqual([
      ['positions.1', 'positions 0 and 1 choose the same contract (CE current_week atm): one contract is one position; give it more lots'],
    ]);
    expect(issues({ ...straddle, positions: [{ side: 'sell', option_right: 'CE' }, { side: 'buy', option_right: 'CE', option_strike: 'atm+2' }] })).toBeUndefined();
  });

  it('takes a backstop on, off or left out, with its margin: each position rests its own (its id names the position)', () => {
    expect(issues({ ...straddle, backstop: false })).toBeUndefined();
    expect(issues({ ...straddle, backstop: true, backstop_margin: 5, backstop_margin_mode: 'percent' })).toBeUndefined();
    expect(issues({ ...straddle, backstop: true })).toBeUndefined();
    expect(issues(straddle)).toBeUndefined();
  });
});

describe('trail, move to cost and re-entries per position', () => {
  const reentering = { ...straddle, reentry_cutoff: '12:00' };

  it('takes each on the strategy (every position\'s) and on a position (its own), units points or percent only', () => {
    const spec = strategySpec.parse({
      ...reentering,
      trail: 5,
      move_stop_to_cost_after: 10,
      reentries: 1,
      positions: [
        { side: 'sell', option_right: 'CE', trail: 20, trail_mode: 'percent', reentries: 0 },
        { side: 'sell', option_right: 'PE', move_stop_to_cost_after: 15, move_stop_to_cost_mode: 'percent', reentries: 2 },
      ],
    });
    expect(spec.positions).toEqual([
      { side: 'sell', option_right: 'CE', trail: 20, trail_mode: 'percent', reentries: 0 },
      { side: 'sell', option_right: 'PE', move_stop_to_cost_after: 15, move_stop_to_cost_mode: 'percent', reentries: 2 },
    ]);
    expect(issues({ ...straddle, positions: [{ side: 'sell', option_right: 'CE', trail_mode: 'price', reentries: 10 }, { side: 'sell', option_right: 'PE', move_stop_to_cost_after: -1, reentries: 1.5 }] })).toEqual([
      ['positions.0.trail_mode', 'trail_mode must be one of points, percent'],
      ['positions.0.reentries', 'reentries must be between 0 and 9'],
      ['positions.1.move_stop_to_cost_after', 'move_stop_to_cost_after must be greater than 0'],
      ['positions.1.reentries', 'reentries must be a whole number'],
    ]);
  });

  it('checks a percent trail or move to cost under 100 on the position that sets it', () => {
    expect(issues({ ...straddle, trail_mode: 'percent', positions: [{ side: 'sell', option_right: 'CE', trail: 100 }, { side: 'sell', option_right: 'PE', move_stop_to_cost_after: 120, move_stop_to_cost_mode: 'percent' }] })).toEqual([
      ['positions.0.trail', 'trail must be below 100 when its unit is percent'],
      ['positions.1.move_stop_to_cost_after', 'move_stop_to_cost_after must be below 100 when its unit is percent'],
    ]);
  });

  it('needs the strategy\'s cut-off when a position re-enters (said once), and a target for one that re-enters after its target', () => {
    const both = [
      { side: 'sell', option_right: 'CE', reentries: 1 },
      { side: 'sell', option_right: 'PE', reentries: 2 },
    ];
    expect(issues({ ...straddle, positions: both })).toEqual([['reentry_cutoff', 'reentry_cutoff is required when a position re-enters (position 1 has reentries 1): no re-entry goes out at or after it']]);
    expect(issues({ ...reentering, positions: both })).toBeUndefined();
    // After the target: the CE has one of its own; the PE has none, nor has the strategy.
    expect(issues({ ...reentering, reentry_after: 'target', positions: [{ ...both[0], target: 20, target_mode: 'points' }, both[1]] })).toEqual([
      ['positions.1.target', "reentry_after target needs a target for this position (its own or the strategy's): without one no exit allows its re-entry"],
    ]);
    // A position that never re-enters needs none; the strategy's target serves every position.
    expect(issues({ ...reentering, reentry_after: 'target', positions: [{ ...both[0], target: 20, target_mode: 'points' }, { ...both[1], reentries: 0 }] })).toBeUndefined();
    expect(issues({ ...reentering, reentries: 1, reentry_after: 'target', target: 30, target_mode: 'percent' })).toBeUndefined();
  });
});

describe('the group\'s keys', () => {
  it('reads the combined MTM stop and target in money, the failure rule and stops to cost; left out, none of them', () => {
    const spec = strategySpec.parse({ ...straddle, mtm_stop: 2500, mtm_target: 4000.5, on_position_failure: 'keep', stops_to_cost_on_stop: true });
    expect(spec).toMatchObject({ mtm_stop: 2500, mtm_target: 4000.5, on_position_failure: 'keep', stops_to_cost_on_stop: true });
    const plain = strategySpec.parse(straddle);
    expect([plain.mtm_stop, plain.mtm_target, plain.on_position_failure, plain.stops_to_cost_on_stop]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('names a bad amount or choice by its key', () => {
    expect(issues({ ...straddle, mtm_stop: -100, mtm_target: 12.345, on_position_failure: 'hedge', stops_to_cost_on_stop: 'yes' })).toEqual([
      ['mtm_stop', 'mtm_stop must be greater than 0'],
      ['mtm_target', 'mtm_target must have at most 2 decimals (rupees and paise)'],
      ['on_position_failure', 'on_position_failure must be one of unwind, keep'],
      ['stops_to_cost_on_stop', 'stops_to_cost_on_stop must be true or false'],
    ]);
    expect(issues({ ...straddle, mtm_stop: 2e9 })).toEqual([['mtm_stop', 'mtm_stop must be at most 1000000000']]);
  });

  it('refuses each of them without positions, saying they are the group\'s; their defaults pass', () => {
    const { positions: _, ...single } = straddle;
    const one = { ...single, option_right: 'CE' };
    expect(issues({ ...one, mtm_stop: 1000, mtm_target: 2000, on_position_failure: 'keep', stops_to_cost_on_stop: true })).toEqual(
      (['mtm_stop', 'mtm_target', 'on_position_failure', 'stops_to_cost_on_stop'] as const).map((key) => [key, `${key} applies to a strategy with positions (it is a rule of the positions as a group): add positions or leave ${key} out`]),
    );
    expect(issues({ ...one, on_position_failure: 'unwind', stops_to_cost_on_stop: false, mtm_stop: null })).toBeUndefined();
  });
});
