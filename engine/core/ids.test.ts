/**
 * Client order ids, by example and over random inputs (fast-check). The money at stake: a leg 0 id
 * that changed format would make an upgraded daemon re-derive a different id for a run journaled
 * before the upgrade, and send a second order where the broker would have refused the same id twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asStrategyId, backstopId, clientOrderId, MAX_BACKSTOP_VERSION, MAX_EXIT_ATTEMPTS, MAX_LEG_NO, MAX_POSITION_NO, parseBackstopId, parseClientOrderId, positionClientOrderId, type ClientOrderIdParts, type StrategyId } from './ids';
import { newInstallId } from './random-ids';

/**
 * The oracle: clientOrderId as it was before legs (commit 54cc13f, engine/core/ids.ts), copied
 * here unchanged so that the leg 0 format is pinned to it and not to whatever ids.ts says now.
 */
function clientOrderIdBeforeLegs(installId: string, strategyId: StrategyId, tradingDate: string, slot: 'entry' | 'exit', attempt = 1): string {
  if (!/^[0-9a-z]{6}$/.test(installId)) throw new Error(`install id must be 6 base-36 chars, got "${installId}"`);
  const sid = strategyId.toString(36);
  if (sid.length > 5) throw new Error(`strategy id ${strategyId} too large for a 20-char client order id`);
  const m = /^\d{2}(\d{2})-(\d{2})-(\d{2})$/.exec(tradingDate);
  if (!m) throw new Error(`trading date must be YYYY-MM-DD, got "${tradingDate}"`);
  const maxAttempt = slot === 'entry' ? 1 : MAX_EXIT_ATTEMPTS;
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > maxAttempt) throw new Error(`attempt of an ${slot} order must be 1..${maxAttempt}, got ${attempt}`);
  const last = slot === 'entry' ? 'E' : attempt === 1 ? 'X' : String(attempt);
  return `tc${installId}${sid}${m[1]}${m[2]}${m[3]}${last}`;
}

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz'.split('');
const installId = fc.string({ unit: fc.constantFrom(...BASE36), minLength: 6, maxLength: 6 });
/** Small ids (1–3 base-36 characters) as often as large ones, so every width of the leg 0 id is met. */
const strategyId = fc.oneof(fc.integer({ min: 0, max: 36 ** 2 }), fc.integer({ min: 0, max: 36 ** 5 - 1 })).map(asStrategyId);
const isoDay = (min: string, max: string) =>
  fc.date({ min: new Date(`${min}T00:00:00Z`), max: new Date(`${max}T00:00:00Z`), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
/** An order's place in a run: entry (attempt 1) or an exit attempt 1–9. */
const slotAttempt = fc.oneof(
  fc.constant({ slot: 'entry' as const, attempt: 1 }),
  fc.integer({ min: 1, max: MAX_EXIT_ATTEMPTS }).map((attempt) => ({ slot: 'exit' as const, attempt })),
);
const legNo = fc.integer({ min: 0, max: MAX_LEG_NO });
/** Any valid input: leg 0 dates up to 2099 (its yymmdd), later legs' up to 2127-09-27 (3 base-36 digits of days). */
const parts: fc.Arbitrary<ClientOrderIdParts> = fc
  .record({ installId, strategyId, legNo, at: slotAttempt, day0: isoDay('2000-01-01', '2099-12-31'), dayN: isoDay('2000-01-01', '2127-09-27') })
  .map(({ at, day0, dayN, ...p }) => ({ ...p, ...at, tradingDate: p.legNo === 0 ? day0 : dayN }));
const idOf = (p: ClientOrderIdParts) =>
  p.positionNo === undefined ? clientOrderId(p.installId, p.strategyId, p.tradingDate, p.slot, p.attempt, p.legNo) : positionClientOrderId(p.installId, p.strategyId, p.tradingDate, p.positionNo, p.slot, p.attempt, p.legNo);
/** Any valid input of a position's id (days up to 2127-09-27, as legs 1–9). */
const positionParts: fc.Arbitrary<ClientOrderIdParts> = fc
  .record({ installId, strategyId, legNo, positionNo: fc.integer({ min: 0, max: MAX_POSITION_NO }), at: slotAttempt, tradingDate: isoDay('2000-01-01', '2127-09-27') })
  .map(({ at, ...p }) => ({ ...p, ...at }));

describe('clientOrderId', () => {
  it('is the same for the same strategy, date and slot, and differs otherwise', () => {
    const a = clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'entry');
    expect(a).toBe('tck3x9a116260309E');
    expect(clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'entry')).toBe(a);
    expect(clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'exit')).toBe('tck3x9a116260309X');
    expect(clientOrderId('k3x9a1', asStrategyId(43), '2026-03-09', 'entry')).not.toBe(a);
    expect(clientOrderId('k3x9a1', asStrategyId(42), '2026-03-10', 'entry')).not.toBe(a);
    expect(clientOrderId('zzzzzz', asStrategyId(42), '2026-03-09', 'entry')).not.toBe(a);
  });

  it('fits Kite\'s 20-character tag for the largest strategy id it accepts', () => {
    const id = clientOrderId('zzzzzz', asStrategyId(36 ** 5 - 1), '2099-12-31', 'exit');
    expect(id.length).toBeLessThanOrEqual(20);
    expect(id).toMatch(/^[0-9a-zA-Z]+$/);
    expect(() => clientOrderId('zzzzzz', asStrategyId(36 ** 5), '2099-12-31', 'exit')).toThrow(/too large/);
  });

  it('numbers the attempts of an exit, each its own id within 20 characters, and gives an entry one attempt', () => {
    const ids = Array.from({ length: MAX_EXIT_ATTEMPTS }, (_, i) => clientOrderId('zzzzzz', asStrategyId(36 ** 5 - 1), '2099-12-31', 'exit', i + 1));
    expect(ids[0]).toBe(clientOrderId('zzzzzz', asStrategyId(36 ** 5 - 1), '2099-12-31', 'exit'));
    expect(ids[1]).toMatch(/2$/);
    expect(new Set([...ids, clientOrderId('zzzzzz', asStrategyId(36 ** 5 - 1), '2099-12-31', 'entry')]).size).toBe(MAX_EXIT_ATTEMPTS + 1);
    for (const id of ids) expect(id).toMatch(/^[0-9a-zA-Z]{1,20}$/);
    // Strategy 1 on 2026-03-09 attempt 2 must not read as strategy 12 on some other day's first exit.
    expect(clientOrderId('k3x9a1', asStrategyId(1), '2026-03-09', 'exit', 2)).toBe('tck3x9a11260309' + '2');
    expect(() => clientOrderId('k3x9a1', asStrategyId(1), '2026-03-09', 'exit', MAX_EXIT_ATTEMPTS + 1)).toThrow(/attempt/);
    expect(() => clientOrderId('k3x9a1', asStrategyId(1), '2026-03-09', 'entry', 2)).toThrow(/attempt/);
  });

  it('rejects a malformed install id or date', () => {
    expect(() => clientOrderId('ABC', asStrategyId(1), '2026-03-09', 'entry')).toThrow(/install id/);
    expect(() => clientOrderId('abc123', asStrategyId(1), '9.3.2026', 'entry')).toThrow(/YYYY-MM-DD/);
  });

  it('makes install ids of 6 base-36 characters', () => {
    for (let i = 0; i < 50; i++) expect(newInstallId()).toMatch(/^[0-9a-z]{6}$/);
  });

  it('writes legs 1–9 as tr + install + day + strategy + leg + slot, 18 characters, never a tc id', () => {
    // 2026-03-09 is day 9564 since 2000-01-01: "7do" in base 36; strategy 42 is "16", padded to 5.
    expect(clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'entry', 1, 1)).toBe('trk3x9a17do00016' + '1E');
    expect(clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'exit', 1, 9)).toBe('trk3x9a17do00016' + '9X');
    expect(clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'exit', 7, 3)).toBe('trk3x9a17do00016' + '37');
    expect(clientOrderId('k3x9a1', asStrategyId(0), '2000-01-01', 'entry', 1, 1)).toBe('trk3x9a1' + '000' + '00000' + '1E');
    expect(clientOrderId('zzzzzz', asStrategyId(36 ** 5 - 1), '2127-09-27', 'exit', 9, 9)).toBe('trzzzzzz' + 'zzz' + 'zzzzz' + '99');
  });

  it('refuses what has no id, naming it', () => {
    const sid = asStrategyId(42);
    expect(() => clientOrderId('k3x9a1', sid, '2026-03-09', 'exit', 1, 10)).toThrow(/leg must be 0\.\.9, got 10/);
    expect(() => clientOrderId('k3x9a1', sid, '2026-03-09', 'exit', 1, -1)).toThrow(/leg must be/);
    expect(() => clientOrderId('k3x9a1', sid, '2026-03-09', 'exit', 1, 1.5)).toThrow(/leg must be/);
    expect(() => clientOrderId('k3x9a1', asStrategyId(-1), '2026-03-09', 'entry')).toThrow(/strategy id must be a whole number/);
    expect(() => clientOrderId('k3x9a1', asStrategyId(1.5), '2026-03-09', 'entry')).toThrow(/strategy id must be a whole number/);
    expect(() => clientOrderId('k3x9a1', sid, '2026-02-30', 'entry')).toThrow(/2026-02-30 is not a calendar date/);
    expect(() => clientOrderId('k3x9a1', sid, '1999-12-31', 'entry')).toThrow(/before 2000-01-01/);
    expect(() => clientOrderId('k3x9a1', sid, '2100-01-01', 'entry')).toThrow(/past 2099/);
    expect(clientOrderId('k3x9a1', sid, '2100-01-01', 'entry', 1, 1)).toMatch(/^tr/);
    expect(() => clientOrderId('k3x9a1', sid, '2127-09-28', 'entry', 1, 1)).toThrow(/past 2127-09-27/);
  });

  it('reads an id back, and refuses one it does not make with why', () => {
    expect(parseClientOrderId('tck3x9a1162603092')).toEqual({ installId: 'k3x9a1', strategyId: 42, tradingDate: '2026-03-09', legNo: 0, slot: 'exit', attempt: 2 });
    expect(parseClientOrderId('tck3x9a1162603' + '09E')).toMatchObject({ slot: 'entry', attempt: 1, legNo: 0 });
    expect(parseClientOrderId('trk3x9a17do00016' + '3X')).toEqual({ installId: 'k3x9a1', strategyId: 42, tradingDate: '2026-03-09', legNo: 3, slot: 'exit', attempt: 1 });
    const refused = (id: string) => expect(() => parseClientOrderId(id)).toThrow(new RegExp(`^"${id}" is not a Tradeclock client order id: `));
    refused('');
    refused('f47ac10b-58cc-4372-a567-0e02b2c3d479');
    refused('tck3x9a10162603092');
    expect(() => parseClientOrderId('tck3x9a10162603092')).toThrow(/no leading zeros/);
    expect(() => parseClientOrderId('tck3x9a1162602302')).toThrow(/2026-02-30 is not a calendar date/);
    expect(() => parseClientOrderId('tck3x9a116260309Y')).toThrow(/leg 0 id is tc \+ install/);
    expect(() => parseClientOrderId('trk3x9a17do000160X')).toThrow(/leg 1-9 id is tr \+ install/);
    expect(() => parseClientOrderId('TCk3x9a116260309E')).toThrow(/none of tc \(leg 0\), tr \(legs 1-9\) and tp/);
  });
});

describe('clientOrderId over random inputs', () => {
  it('leg 0 is byte for byte the id of before legs, for 10 000 inputs, with the leg given or left out', () => {
    fc.assert(
      fc.property(installId, strategyId, isoDay('2000-01-01', '2099-12-31'), slotAttempt, (install, sid, day, { slot, attempt }) => {
        const before = clientOrderIdBeforeLegs(install, sid, day, slot, attempt);
        expect(clientOrderId(install, sid, day, slot, attempt)).toBe(before);
        expect(clientOrderId(install, sid, day, slot, attempt, 0)).toBe(before);
      }),
      { numRuns: 10_000 },
    );
  });

  it('reads back as the parts it was made from, at every leg', () => {
    fc.assert(
      fc.property(parts, (p) => {
        expect(parseClientOrderId(idOf(p))).toEqual(p);
      }),
      { numRuns: 5_000 },
    );
  });

  it('gives every (strategy, day, leg, slot, attempt) its own id: all 100 per strategy and day, across neighbouring strategies and days', () => {
    const near = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(35, 36, 36 ** 2 - 1, 36 ** 2, 36 ** 4, 36 ** 5 - 1)).map(asStrategyId);
    fc.assert(
      fc.property(
        installId,
        fc.uniqueArray(fc.oneof(near, strategyId), { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(isoDay('2000-01-01', '2099-12-31'), { minLength: 1, maxLength: 3 }),
        (install, sids, days) => {
          const ids = sids.flatMap((sid) =>
            days.flatMap((day) =>
              Array.from({ length: MAX_LEG_NO + 1 }, (_, leg) => [
                clientOrderId(install, sid, day, 'entry', 1, leg),
                ...Array.from({ length: MAX_EXIT_ATTEMPTS }, (_, i) => clientOrderId(install, sid, day, 'exit', i + 1, leg)),
              ]).flat(),
            ),
          );
          expect(ids).toHaveLength(sids.length * days.length * (MAX_LEG_NO + 1) * (1 + MAX_EXIT_ATTEMPTS));
          expect(new Set(ids).size).toBe(ids.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fits Kite\'s 20-character alphanumeric tag for every leg 0–9 and attempt 1–9, at the widest inputs and at random ones', () => {
    for (let leg = 0; leg <= MAX_LEG_NO; leg++) {
      const day = leg === 0 ? '2099-12-31' : '2127-09-27';
      const ids = [
        clientOrderId('zzzzzz', asStrategyId(36 ** 5 - 1), day, 'entry', 1, leg),
        ...Array.from({ length: MAX_EXIT_ATTEMPTS }, (_, i) => clientOrderId('zzzzzz', asStrategyId(36 ** 5 - 1), day, 'exit', i + 1, leg)),
      ];
      expect(new Set(ids).size).toBe(1 + MAX_EXIT_ATTEMPTS);
      for (const id of ids) expect(id).toMatch(leg === 0 ? /^tc[0-9a-zA-Z]{13,18}$/ : /^tr[0-9a-zA-Z]{16}$/);
    }
    fc.assert(
      fc.property(parts, (p) => {
        expect(idOf(p)).toMatch(/^[0-9a-zA-Z]{15,20}$/);
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads a made id with one character changed, cut or added only as the id of the parts it reads', () => {
    const edit = fc.oneof(
      fc.record({ at: fc.nat(), put: fc.constantFrom(...BASE36, 'E', 'X', 'c', 'r', '-') }).map(({ at, put }) => (id: string) => id.slice(0, at % id.length) + put + id.slice((at % id.length) + 1)),
      fc.nat().map((at) => (id: string) => id.slice(0, at % id.length) + id.slice((at % id.length) + 1)),
      fc.constantFrom(...BASE36).map((c) => (id: string) => id + c),
    );
    fc.assert(
      fc.property(fc.oneof(parts, positionParts), edit, (p, change) => {
        const s = change(idOf(p));
        let read: ClientOrderIdParts;
        try {
          read = parseClientOrderId(s);
        } catch (e) {
          expect((e as Error).message).toMatch(new RegExp(`^"${s}" is not a Tradeclock client order id: .+`));
          return;
        }
        expect(idOf(read)).toBe(s);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('positionClientOrderId', () => {
  it('writes a position of a multi-position strategy as tp + install + day + strategy + position + leg + slot, 19 characters', () => {
    expect(positionClientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 1, 'entry')).toBe('tpk3x9a17do0001610E');
    expect(positionClientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 'exit', 2, 3)).toBe('tpk3x9a17do0001603' + '2');
    expect(parseClientOrderId('tpk3x9a17do0001610E')).toEqual({ installId: 'k3x9a1', strategyId: 42, tradingDate: '2026-03-09', positionNo: 1, legNo: 0, slot: 'entry', attempt: 1 });
    // The widest inputs still fit Kite's 20-character tag.
    expect(positionClientOrderId('zzzzzz', asStrategyId(36 ** 5 - 1), '2127-09-27', 9, 'exit', 9, 9)).toMatch(/^tp[0-9a-z]{16}9$/);
  });

  it('refuses a position outside 0–9, and what clientOrderId refuses, naming it', () => {
    expect(() => positionClientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 10, 'entry')).toThrow('position must be 0..9, got 10');
    expect(() => positionClientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', -1, 'entry')).toThrow('position must be 0..9, got -1');
    expect(() => positionClientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 'entry', 2)).toThrow('attempt of an entry order must be 1..1, got 2');
    expect(() => positionClientOrderId('k3x9a1', asStrategyId(42), '2127-09-28', 0, 'entry')).toThrow('past 2127-09-27');
    expect(() => parseClientOrderId('tpk3x9a17do0001610')).toThrow(/a position id is tp \+ install/);
  });

  it('reads back as its parts, fits 19 characters, and gives every (position, leg, slot, attempt) of a strategy\'s day its own id, never a tc or tr one', () => {
    fc.assert(
      fc.property(positionParts, (p) => {
        const id = idOf(p);
        expect(id).toMatch(/^tp[0-9a-z]{16}[EX2-9]$/);
        expect(parseClientOrderId(id)).toEqual(p);
      }),
      { numRuns: 3_000 },
    );
    fc.assert(
      fc.property(installId, strategyId, isoDay('2000-01-01', '2099-12-31'), (install, sid, day) => {
        const ids = Array.from({ length: MAX_POSITION_NO + 1 }, (_, position) =>
          Array.from({ length: MAX_LEG_NO + 1 }, (_, leg) => [
            positionClientOrderId(install, sid, day, position, 'entry', 1, leg),
            ...Array.from({ length: MAX_EXIT_ATTEMPTS }, (_, i) => positionClientOrderId(install, sid, day, position, 'exit', i + 1, leg)),
          ]).flat(),
        ).flat();
        const single = Array.from({ length: MAX_LEG_NO + 1 }, (_, leg) => [clientOrderId(install, sid, day, 'entry', 1, leg), clientOrderId(install, sid, day, 'exit', 1, leg)]).flat();
        expect(new Set([...ids, ...single]).size).toBe(ids.length + single.length);
      }),
      { numRuns: 100 },
    );
  });
});

describe('backstopId', () => {
  it('is the same for the same leg and version, and differs in each input', () => {
    const id = backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 1);
    expect(id).toBe('tbk3x9a17do000160001');
    expect(backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 1)).toBe(id);
    expect(backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 2)).toBe('tbk3x9a17do000160002');
    expect(backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 1, 1)).toBe('tbk3x9a17do000161001');
    expect(backstopId('k3x9a1', asStrategyId(43), '2026-03-09', 0, 1)).not.toBe(id);
    expect(backstopId('k3x9a1', asStrategyId(42), '2026-03-10', 0, 1)).not.toBe(id);
  });

  it('names the position of a multi-position strategy: one id per position, never the one-position id', () => {
    const ids = Array.from({ length: MAX_POSITION_NO + 1 }, (_, p) => backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 1, p));
    expect(ids.slice(0, 2)).toEqual(['tbk3x9a17do0001600001', 'tbk3x9a17do0001610001']);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain(backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 1));
    // Position 1's first leg-0 stop and position 0's leg-1 stop: the digits never slide into each other.
    expect(backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 1, 1)).not.toBe(backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 1, 1, 0));
    expect(() => backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 1, 10)).toThrow(/position must be 0\.\.9, got 10/);
    expect(() => backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 1, -1)).toThrow(/position must be 0\.\.9/);
  });

  it("fits Kite's 20-character alphanumeric tag at its largest for one position, Alpaca's and paper's 48 with the position", () => {
    const id = backstopId('zzzzzz', asStrategyId(36 ** 5 - 1), '2127-09-27', MAX_LEG_NO, MAX_BACKSTOP_VERSION);
    expect(id).toHaveLength(20);
    expect(id).toMatch(/^[0-9a-zA-Z]+$/);
    const positioned = backstopId('zzzzzz', asStrategyId(36 ** 5 - 1), '2127-09-27', MAX_LEG_NO, MAX_BACKSTOP_VERSION, MAX_POSITION_NO);
    expect(positioned).toHaveLength(21);
    expect(positioned).toMatch(/^tb[0-9a-z]+$/);
  });

  it('refuses inputs it has no id for, naming them', () => {
    expect(() => backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 0)).toThrow(/backstop version must be 1\.\.46655, got 0/);
    expect(() => backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 0, MAX_BACKSTOP_VERSION + 1)).toThrow(/backstop version/);
    expect(() => backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 10, 1)).toThrow(/leg must be 0\.\.9/);
    expect(() => backstopId('K3X9A1', asStrategyId(42), '2026-03-09', 0, 1)).toThrow(/install id/);
    expect(() => backstopId('k3x9a1', asStrategyId(36 ** 5), '2026-03-09', 0, 1)).toThrow(/too large/);
    expect(() => backstopId('k3x9a1', asStrategyId(42), '2026-02-30', 0, 1)).toThrow(/not a calendar date/);
    expect(() => backstopId('k3x9a1', asStrategyId(42), '2127-09-28', 0, 1)).toThrow(/past 2127-09-27/);
  });

  it('reads back to its parts, and is never an order id, nor an order id a backstop id (1 000 random inputs)', () => {
    fc.assert(
      fc.property(installId, strategyId, isoDay('2000-01-01', '2127-09-27'), legNo, fc.integer({ min: 1, max: MAX_BACKSTOP_VERSION }), (inst, sid, day, leg, version) => {
        const id = backstopId(inst, sid, day, leg, version);
        expect(id).toHaveLength(20);
        expect(parseBackstopId(id)).toEqual({ installId: inst, strategyId: sid, tradingDate: day, legNo: leg, version });
        expect(() => parseClientOrderId(id)).toThrow(/not a Tradeclock client order id/);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(installId, strategyId, isoDay('2000-01-01', '2127-09-27'), legNo, fc.integer({ min: 1, max: MAX_BACKSTOP_VERSION }), fc.integer({ min: 0, max: MAX_POSITION_NO }), (inst, sid, day, leg, version, position) => {
        const id = backstopId(inst, sid, day, leg, version, position);
        expect(id).toHaveLength(21);
        expect(parseBackstopId(id)).toEqual({ installId: inst, strategyId: sid, tradingDate: day, legNo: leg, version, positionNo: position });
        expect(id).not.toBe(backstopId(inst, sid, day, leg, version));
        expect(() => parseClientOrderId(id)).toThrow(/not a Tradeclock client order id/);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(parts, (p) => {
        expect(() => parseBackstopId(idOf(p))).toThrow(/not a Tradeclock backstop id/);
      }),
      { numRuns: 1000 },
    );
  });

  it('one spelling per backstop: leading zeros are part of the fixed width, a non-calendar day is refused', () => {
    expect(() => parseBackstopId('tbk3x9a17do000160000')).toThrow(/version must be 1/);
    expect(() => parseBackstopId('tbk3x9a17do00016001')).toThrow(/20 characters/);
    expect(() => parseBackstopId('tbk3x9a17do000160001X')).toThrow(/or with the position \(0-9\) before the leg, 21/);
    expect(() => parseBackstopId('tbk3x9a17do00016100001')).toThrow(/not a Tradeclock backstop id/);
    // A row journaled before positions had backstops reads as it did: no position.
    expect(parseBackstopId('tbk3x9a17do000160001')).toEqual({ installId: 'k3x9a1', strategyId: 42, tradingDate: '2026-03-09', legNo: 0, version: 1 });
    expect(parseBackstopId('tbk3x9a17do0001610001')).toEqual({ installId: 'k3x9a1', strategyId: 42, tradingDate: '2026-03-09', legNo: 0, version: 1, positionNo: 1 });
    expect(() => parseBackstopId('tck3x9a116260309E')).toThrow(/not a Tradeclock backstop id/);
  });
});
