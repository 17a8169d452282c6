/**
 * The NFO and BFO masters loaded from the Kite fake over loopback HTTP (gzip, streamed): legs
 * resolved against them for NIFTY, BANKNIFTY, FINNIFTY and SENSEX; one download per exchange per
 * day, after Kite's 08:30 IST regeneration; a failed or refused download keeping the held master
 * and waiting before the next try; a stalled download timed out on the injected clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { KiteHttp, type FetchLike } from '../../engine/brokers/kite/kite-http';
import { KiteDerivatives, lastDumpReady } from '../../engine/brokers/kite/kite-derivatives';
import { resolveLegContract, type LegInstrumentSpec } from '../../engine/options/resolve-leg-contract';
import { DEFAULT_INSTRUMENTS } from '../fakes/kite/fake-instruments';
import { fakeOptionChain } from '../fakes/kite/fake-option-chain';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';

let fake: KiteFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const MONDAY_0900_IST = Date.parse('2026-12-07T03:30:00Z');
const chain = fakeOptionChain({ today: '2026-12-07', holidays: ['2027-01-26'] });

async function setup(start = MONDAY_0900_IST, fetch?: FetchLike) {
  fake = await startKiteFake({ instruments: [...DEFAULT_INSTRUMENTS, ...chain] });
  const clock = new FakeClock(start);
  const http = new KiteHttp({ restUrl: fake.restUrl, apiKey: fake.apiKey, accessToken: () => null, clock, timeoutMs: 7_000, ...(fetch ? { fetch } : {}) });
  const derivatives = new KiteDerivatives(http, clock);
  const dumps = (exchange: string) => fake!.requests().filter((r) => r.path === `/instruments/${exchange}`).length;
  return { clock, derivatives, dumps, fake };
}

const leg = (underlying: string, expiry: LegInstrumentSpec['expiry'], right: 'CE' | 'PE', strike: Extract<LegInstrumentSpec, { kind: 'option' }>['strike']): LegInstrumentSpec => ({ kind: 'option', underlying, expiry, right, strike });
const tokenOf = (symbol: string) => chain.find((r) => r.tradingsymbol === symbol)!.token;

describe('loading the derivatives masters from the Kite fake', () => {
  it('resolves NIFTY, SENSEX, BANKNIFTY and FINNIFTY legs to the listed contracts, with token, lot and tick', async () => {
    const { derivatives } = await setup();
    const nfo = await derivatives.master('NFO');
    const bfo = await derivatives.master('BFO');
    expect(nfo.underlyings()).toEqual(['BANKNIFTY', 'FINNIFTY', 'NIFTY']);
    expect(bfo.underlyings()).toEqual(['SENSEX']);
    const ctx = (spot: number) => ({ today: '2026-12-07', spot });
    expect(resolveLegContract(nfo, leg('NIFTY', { kind: 'current_week' }, 'CE', { kind: 'atm' }), ctx(26012))).toEqual({
      ok: true,
      value: { atm: 26000, premium: null, contract: { tradingsymbol: 'NIFTY26D0826000CE', exchange: 'NFO', token: tokenOf('NIFTY26D0826000CE'), underlying: 'NIFTY', expiry: '2026-12-08', kind: 'CE', strike: 26000, lotSize: 65, tickSize: 0.05 } },
    });
    expect(resolveLegContract(bfo, leg('SENSEX', { kind: 'next_week' }, 'PE', { kind: 'atm_offset', steps: 2 }), ctx(85040))).toMatchObject({ ok: true, value: { contract: { tradingsymbol: 'SENSEX26D1784800PE', exchange: 'BFO', lotSize: 20, token: tokenOf('SENSEX26D1784800PE') } } });
    expect(resolveLegContract(nfo, leg('BANKNIFTY', { kind: 'current_month' }, 'CE', { kind: 'atm_offset', steps: 1 }), ctx(58990))).toMatchObject({ ok: true, value: { contract: { tradingsymbol: 'BANKNIFTY26DEC59100CE', lotSize: 30 } } });
    expect(resolveLegContract(nfo, leg('FINNIFTY', { kind: 'date', date: '2027-01-25' }, 'PE', { kind: 'atm' }), ctx(27480))).toMatchObject({ ok: true, value: { contract: { tradingsymbol: 'FINNIFTY27JAN27500PE', lotSize: 60 } } });
    expect(resolveLegContract(nfo, leg('BANKNIFTY', { kind: 'current_week' }, 'CE', { kind: 'atm' }), ctx(58990))).toMatchObject({ ok: false, error: { code: 'no_weekly_series' } });
    expect(resolveLegContract(nfo, leg('SENSEX', { kind: 'current_week' }, 'CE', { kind: 'atm' }), ctx(85000))).toEqual({ ok: false, error: { code: 'unknown_underlying', message: 'the instrument list has no derivatives on SENSEX' } });
    expect(nfo.report).toMatchObject({ exchange: 'NFO', fetchedAt: MONDAY_0900_IST, bad: 0, contracts: chain.filter((r) => r.exchange === 'NFO').length });
  });

  it('downloads each exchange once a day, shared by concurrent callers, again only after the next 08:30 IST', async () => {
    const { derivatives, dumps, clock } = await setup();
    const [a, b] = await Promise.all([derivatives.master('NFO'), derivatives.master('NFO')]);
    expect(a).toBe(b);
    await derivatives.master('NFO');
    expect(dumps('NFO')).toBe(1);
    await clock.advanceTo(Date.parse('2026-12-08T02:59:00Z')); // Tuesday 08:29 IST: still Monday's dump
    expect(await derivatives.master('NFO')).toBe(a);
    expect(dumps('NFO')).toBe(1);
    await clock.advanceTo(Date.parse('2026-12-08T03:00:00Z')); // 08:30 IST
    const tuesday = await derivatives.master('NFO');
    expect(tuesday).not.toBe(a);
    expect(tuesday.fetchedAt).toBe(Date.parse('2026-12-08T03:00:00Z'));
    expect(derivatives.current('NFO')).toBe(tuesday);
    expect(dumps('NFO')).toBe(2);
    expect(dumps('BFO')).toBe(0);
  });

  it('fails clearly with nothing held, waits a minute before asking again, then loads', async () => {
    const { derivatives, dumps, clock, fake: kite } = await setup();
    kite.failNext('GET /instruments/NFO', { kind: 'status', status: 503 });
    await expect(derivatives.master('NFO')).rejects.toThrow(/^Kite's NFO instrument list could not be loaded: .*HTTP 503/);
    await expect(derivatives.master('NFO')).rejects.toThrow(/HTTP 503/);
    expect(dumps('NFO')).toBe(1);
    expect(derivatives.status('NFO')).toMatchObject({ report: null, failed: { at: MONDAY_0900_IST, message: expect.stringMatching(/HTTP 503/) } });
    await clock.advance(60_000);
    expect((await derivatives.master('NFO')).report.contracts).toBeGreaterThan(0);
    expect(derivatives.status('NFO').failed).toBeNull();
    expect(dumps('NFO')).toBe(2);
  });

  it("keeps yesterday's master when today's download fails, and says so", async () => {
    const { derivatives, clock, fake: kite } = await setup();
    const monday = await derivatives.master('NFO');
    await clock.advanceTo(Date.parse('2026-12-08T03:30:00Z'));
    kite.failNext('GET /instruments/NFO', { kind: 'status', status: 500, errorType: 'GeneralException', message: 'Something went wrong' });
    expect(await derivatives.master('NFO')).toBe(monday);
    expect(derivatives.status('NFO')).toMatchObject({ report: { fetchedAt: MONDAY_0900_IST }, failed: { message: expect.stringMatching(/NFO instrument list could not be loaded/) } });
  });

  it('times a stalled download out on the injected clock', async () => {
    const { derivatives, clock, fake: kite } = await setup();
    kite.failNext('GET /instruments/BFO', { kind: 'stall' });
    const loading = derivatives.master('BFO');
    const outcome = loading.then(() => 'loaded', (err: Error) => err.message);
    await clock.advance(60_000);
    expect(await outcome).toBe("Kite's BFO instrument list could not be loaded: Kite's /instruments/BFO did not arrive within 60000 ms");
  });

  it("refuses a dump that is mostly bad rows whole, keeping the held master", async () => {
    let corrupt = false;
    const { derivatives, clock } = await setup(MONDAY_0900_IST, async (url, init) => {
      const res = await fetch(url, init);
      if (!corrupt) return res;
      // Every tenth lot size garbled: a changed format, not a stray row.
      const text = (await res.text()).split('\n').map((line, i) => (i > 0 && i % 10 === 0 ? line.replace(/,(\d+),(CE|PE|FUT),/, ',x$1,$2,') : line)).join('\n');
      return new Response(text, { status: 200, headers: { 'content-type': 'text/csv' } });
    });
    const monday = await derivatives.master('NFO');
    corrupt = true;
    await clock.advanceTo(Date.parse('2026-12-08T03:30:00Z'));
    expect(await derivatives.master('NFO')).toBe(monday);
    expect(derivatives.status('NFO').failed?.message).toMatch(/^Kite's NFO instrument list could not be loaded: the NFO instruments dump has \d+ bad rows of \d+ \(more than 1%\), so none of it is used; first: line 11 \(\S+\): column lot_size/);
  });
});

describe('lastDumpReady', () => {
  it('is the latest 08:30 IST at or before the instant', () => {
    expect(lastDumpReady(Date.parse('2026-12-07T03:00:00Z'))).toBe(Date.parse('2026-12-07T03:00:00Z'));
    expect(lastDumpReady(Date.parse('2026-12-07T02:59:59Z'))).toBe(Date.parse('2026-12-06T03:00:00Z'));
    expect(lastDumpReady(Date.parse('2026-12-07T18:31:00Z'))).toBe(Date.parse('2026-12-07T03:00:00Z'));
  });
});
