import { describe, expect, it } from 'vitest';
import { asStrategyId } from '../core/ids';
import { ClosingGroups } from './closing-groups';

describe('ClosingGroups', () => {
  it("names a closing group's reason for its own day only, until its flag is journaled", () => {
    const closing = new ClosingGroups();
    const s = asStrategyId(3);
    expect(closing.reasonOf(s, '2026-12-07')).toBeNull();
    closing.set(s, '2026-12-07', 'mtm_stop');
    expect(closing.reasonOf(s, '2026-12-07')).toBe('mtm_stop');
    // The next day's group (a daily strategy armed again) is not the closing one.
    expect(closing.reasonOf(s, '2026-12-08')).toBeNull();
    expect(closing.reasonOf(asStrategyId(4), '2026-12-07')).toBeNull();
    closing.clear(s);
    expect(closing.reasonOf(s, '2026-12-07')).toBeNull();
    closing.set(s, '2026-12-07', 'unwind');
    closing.clearAll();
    expect(closing.reasonOf(s, '2026-12-07')).toBeNull();
  });
});
