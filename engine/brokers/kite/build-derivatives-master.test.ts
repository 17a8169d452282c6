/**
 * The NFO/BFO master built from dump text: the fake's chain read back whole and indexed by
 * underlying → expiry → strike → CE/PE (and over random chains, fast-check); Kite's documented
 * layout with a BOM, CRLF and a comma-and-space header; index and equity rows ignored; each bad
 * row skipped, counted and named by line and column; ambiguous rows dropped in pairs; and the
 * whole dump refused when it cannot be trusted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fakeOptionChain, FAKE_UNDERLYINGS, type FakeUnderlyingSpec } from '../../../tests/fakes/kite/fake-option-chain';
import { instrumentsCsv } from '../../../tests/fakes/kite/fake-instruments';
import { buildDerivativesMaster, DumpRefusedError } from './build-derivatives-master';
import { CsvReadError, csvRows } from '../../csv/csv-rows';
import type { KiteDerivativeExchange } from './derivatives-rows';

const FETCHED = Date.parse('2026-12-07T03:00:00Z');
const build = (text: string, exchange: KiteDerivativeExchange = 'NFO') => buildDerivativesMaster(csvRows([text]), exchange, FETCHED);
const HEADER = 'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange';

describe('the fake chain, read back', () => {
  const rows = fakeOptionChain({ today: '2026-12-07', holidays: ['2027-01-26'] });

  it('indexes NIFTY, BANKNIFTY and FINNIFTY from the NFO dump with their listed expiries, strikes, lots and futures', async () => {
    const master = await build(instrumentsCsv(rows, 'NFO'));
    expect(master.underlyings()).toEqual(['BANKNIFTY', 'FINNIFTY', 'NIFTY']);
    expect(master.calendar('NIFTY')).toEqual({ underlying: 'NIFTY', optionExpiries: ['2026-12-08', '2026-12-15', '2026-12-22', '2026-12-29', '2027-01-25', '2027-02-23'], futureExpiries: ['2026-12-29', '2027-01-25', '2027-02-23'] });
    expect(master.calendar('BANKNIFTY')?.optionExpiries).toEqual(['2026-12-29', '2027-01-25', '2027-02-23']);
    const ladder = master.ladder('NIFTY', '2026-12-08')!;
    expect(Array.from(ladder.strikes)).toEqual(Array.from({ length: 21 }, (_, i) => 25500 + 50 * i));
    expect(ladder.contract(10, 'PE')).toEqual({ tradingsymbol: 'NIFTY26D0826000PE', exchange: 'NFO', token: rows.find((r) => r.tradingsymbol === 'NIFTY26D0826000PE')!.token, underlying: 'NIFTY', expiry: '2026-12-08', kind: 'PE', strike: 26000, lotSize: 65, tickSize: 0.05 });
    expect(master.ladder('BANKNIFTY', '2026-12-29')!.contract(0, 'CE')).toMatchObject({ tradingsymbol: 'BANKNIFTY26DEC58000CE', strike: 58000, lotSize: 30 });
    expect(master.future('FINNIFTY', '2027-01-25')).toMatchObject({ tradingsymbol: 'FINNIFTY27JANFUT', kind: 'FUT', strike: 0, lotSize: 60 });
    expect(master.future('NIFTY', '2026-12-08')).toBeNull();
    expect(master.ladder('NIFTY', '2026-12-09')).toBeNull();
    expect(master.calendar('SENSEX')).toBeNull();
    expect(master.report).toEqual({ exchange: 'NFO', fetchedAt: FETCHED, rows: rows.filter((r) => r.exchange === 'NFO').length, contracts: rows.filter((r) => r.exchange === 'NFO').length, ignored: 0, bad: 0, badSamples: [] });
  });

  it('indexes SENSEX from the BFO dump, and finds any contract by tradingsymbol', async () => {
    const master = await build(instrumentsCsv(rows, 'BFO'), 'BFO');
    expect(master.underlyings()).toEqual(['SENSEX']);
    expect(master.calendar('SENSEX')?.optionExpiries).toEqual(['2026-12-10', '2026-12-17', '2026-12-24', '2026-12-31', '2027-01-28', '2027-02-25']);
    for (const r of rows.filter((x) => x.exchange === 'BFO')) expect(master.bySymbol(r.tradingsymbol)).toMatchObject({ token: r.token, exchange: 'BFO', lotSize: 20 });
    expect(master.bySymbol('SENSEX26D1099999CE')).toBeNull();
    expect(master.bySymbol('')).toBeNull();
  });
});

describe("Kite's documented layout", () => {
  it('reads a BOM, CRLF, a comma-and-space header, quoted names and decimal strikes; index and equity rows are ignored, not bad', async () => {
    const text = [
      '\uFEFFinstrument_token, exchange_token, tradingsymbol, name, last_price, expiry, strike, tick_size, lot_size, instrument_type, segment, exchange',
      '256265,1001,NIFTY 50,"NIFTY 50",0,,0,0,0,EQ,INDICES,NFO',
      '12345602,48225,NIFTY26D2226000CE,"NIFTY",0.0,2026-12-22,26000.0,0.05,65,CE,NFO-OPT,NFO',
      '12345858,48226,NIFTY26D2226000PE,NIFTY,12.5,2026-12-22,26000.0,0.05,65,PE,NFO-OPT,NFO',
      '12346114,48227,NIFTY26DECFUT,"NIFTY",0,2026-12-29,,0.1,65,FUT,NFO-FUT,NFO',
      '',
    ].join('\r\n');
    const master = await build(text);
    expect(master.report).toMatchObject({ rows: 4, contracts: 3, ignored: 1, bad: 0 });
    expect(master.ladder('NIFTY', '2026-12-22')!.contract(0, 'PE')).toMatchObject({ token: 12345858, strike: 26000 });
    expect(master.future('NIFTY', '2026-12-29')).toMatchObject({ token: 12346114, strike: 0, tickSize: 0.1 });
  });
});

describe('bad rows', () => {
  const good = (i: number, over: Partial<Record<'strike' | 'expiry' | 'name' | 'token' | 'lot' | 'tick' | 'type' | 'exchange' | 'symbol', string>> = {}) =>
    [over.token ?? String(1000 * 256 + 2 + i * 256), 1000 + i, over.symbol ?? `NIFTY26D22${26000 + 50 * i}CE`, over.name ?? '"NIFTY"', 0, over.expiry ?? '2026-12-22', over.strike ?? String(26000 + 50 * i), over.tick ?? '0.05', over.lot ?? '65', over.type ?? 'CE', 'NFO-OPT', over.exchange ?? 'NFO'].join(',');

  it('skips and counts each, naming its line, tradingsymbol and column; every good row still loads', async () => {
    const lines = [HEADER, ...Array.from({ length: 1000 }, (_, i) => good(i))];
    lines[11] = good(10, { strike: 'abc' });
    lines[21] = good(20, { name: '' });
    lines[31] = good(30, { expiry: '2026-02-30' });
    lines[41] = good(40, { token: '0' });
    lines[51] = good(50, { lot: '6.5' });
    lines[61] = good(60, { exchange: 'BFO' });
    lines[71] = good(70, { type: 'XX' });
    lines[81] = good(80).split(',').slice(0, 11).join(',');
    lines[91] = good(90, { expiry: '' });
    lines[101] = good(100, { tick: '-1' });
    const master = await build(lines.join('\n') + '\n');
    expect(master.report.bad).toBe(10);
    expect(master.report.contracts).toBe(990);
    expect(master.report.badSamples).toEqual([
      'line 12 (NIFTY26D2226500CE): column strike: "abc" is not a positive strike',
      'line 22 (NIFTY26D2227000CE): column name: empty: the underlying is not named',
      'line 32 (NIFTY26D2227500CE): column expiry: "2026-02-30" is not a date YYYY-MM-DD',
      'line 42 (NIFTY26D2228000CE): column instrument_token: "0" is not a token (a whole number from 1 to 2^32 − 1)',
      'line 52 (NIFTY26D2228500CE): column lot_size: "6.5" is not a whole number of units above 0',
      'line 62 (NIFTY26D2229000CE): column exchange: "BFO" in the NFO dump',
      'line 72 (NIFTY26D2229500CE): column instrument_type: "XX" is not FUT, CE or PE',
      'line 82 (NIFTY26D2230000CE): 11 fields where the header has 12',
      'line 92 (NIFTY26D2230500CE): column expiry: empty on a derivative',
      'line 102 (NIFTY26D2231000CE): column tick_size: "-1" is not a positive tick size',
    ]);
    const ladder = master.ladder('NIFTY', '2026-12-22')!;
    expect(ladder.strikes).toHaveLength(990);
    expect(Array.from(ladder.strikes)).not.toContain(26500);
    expect(master.bySymbol('NIFTY26D2226550CE')).toMatchObject({ strike: 26550 });
  });

  it('drops both rows that claim one contract or one tradingsymbol: neither token can be trusted', async () => {
    const lines = [HEADER, good(0), good(1), good(2), good(1, { token: '999999' }), good(3, { symbol: 'NIFTY26D2226000CE' })];
    const master = await build(lines.join('\n'));
    expect(master.report).toMatchObject({ contracts: 1, bad: 4 });
    expect([...master.report.badSamples].sort()).toEqual([
      'line 2 (NIFTY26D2226000CE): the same tradingsymbol as line 6; both are skipped',
      'line 3 (NIFTY26D2226050CE): the same contract as line 5 (underlying, expiry, strike and type); both are skipped',
      'line 5 (NIFTY26D2226050CE): the same contract as line 3 (underlying, expiry, strike and type); both are skipped',
      'line 6 (NIFTY26D2226000CE): the same tradingsymbol as line 2; both are skipped',
    ]);
    expect(Array.from(master.ladder('NIFTY', '2026-12-22')!.strikes)).toEqual([26100]);
    expect(master.bySymbol('NIFTY26D2226000CE')).toBeNull();
  });

  it('refuses the whole dump past 1% bad rows (and 10), a missing column, no derivatives, an unreadable line, too many rows', async () => {
    const lines = [HEADER, ...Array.from({ length: 1000 }, (_, i) => (i % 90 === 0 ? good(i, { strike: '-' }) : good(i)))];
    await expect(build(lines.join('\n'))).rejects.toThrow(DumpRefusedError);
    await expect(build(lines.join('\n'))).rejects.toThrow(/^the NFO instruments dump has 12 bad rows of 1000 \(more than 1%\), so none of it is used; first: line 2 \(NIFTY26D2226000CE\): column strike/);
    await expect(build([HEADER.replace(',strike', ''), good(0)].join('\n'))).rejects.toThrow("the instruments dump's header lacks column(s) strike");
    await expect(build(`${HEADER}\n256265,1001,NIFTY 50,"NIFTY 50",0,,0,0,0,EQ,INDICES,NFO\n`)).rejects.toThrow('the NFO instruments dump lists no derivative (1 rows, 1 not derivatives, 0 bad)');
    await expect(build('')).rejects.toThrow('the NFO instruments dump is empty');
    await expect(build([HEADER, good(0), '1,2,"NIFTY,', good(1)].join('\n'))).rejects.toThrow(CsvReadError);
    const long = [HEADER, good(0), good(1), good(2), good(3)].join('\n');
    await expect(buildDerivativesMaster(csvRows([long]), 'NFO', FETCHED, 3)).rejects.toThrow('the NFO instruments dump has more than 3 rows; it is not read further');
    expect((await buildDerivativesMaster(csvRows([long]), 'NFO', FETCHED, 4)).report.contracts).toBe(4);
  });
});

describe('over random chains', () => {
  const spec = fc.record({
    step: fc.constantFrom(5, 50, 100),
    lotSize: fc.integer({ min: 1, max: 2000 }),
    spot: fc.integer({ min: 200, max: 90000 }),
    weekly: fc.boolean(),
    weekday: fc.integer({ min: 1, max: 5 }),
  });

  it('finds every listed contract by underlying, expiry, strike and right, and by tradingsymbol, with its token, lot and tick', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(spec, { minLength: 1, maxLength: 4, selector: (s) => s.spot }), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 12 }), async (specs, day, each) => {
        const today = new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
        const underlyings: FakeUnderlyingSpec[] = specs.map((s, i) => ({ ...s, spot: Math.max(s.spot, s.step * (each + 1)), name: `${FAKE_UNDERLYINGS[i % 4]!.name}X${i}`, exchange: 'NFO' }));
        const rows = fakeOptionChain({ today, underlyings, strikesEachSide: each, weeklies: 2, monthlies: 2 });
        const master = await build(instrumentsCsv(rows, 'NFO'));
        expect(master.report).toMatchObject({ contracts: rows.length, bad: 0 });
        for (const r of rows) {
          const found = r.instrumentType === 'FUT' ? master.future(r.name, r.expiry!) : (() => {
            const ladder = master.ladder(r.name, r.expiry!)!;
            return ladder.contract(Array.from(ladder.strikes).indexOf(r.strike!), r.instrumentType as 'CE' | 'PE');
          })();
          const want = { tradingsymbol: r.tradingsymbol, token: r.token, lotSize: r.lotSize, tickSize: r.tickSize, expiry: r.expiry, underlying: r.name };
          expect(found).toMatchObject(want);
          expect(master.bySymbol(r.tradingsymbol)).toMatchObject(want);
        }
      }),
      { numRuns: 30 },
    );
  });
});
