import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import { DEFAULT_INSTRUMENTS, instrumentsCsv } from '../../../tests/fakes/kite/fake-instruments';
import type { KiteCall, KiteHttp } from './kite-http';
import { KiteInstruments } from './kite-instruments';

/** Answers GET /instruments/{exchange} with the fake's dump in Kite's CSV layout, counting the calls. */
function dumpServer() {
  const calls: string[] = [];
  const http = {
    async call(req: KiteCall) {
      calls.push(req.path);
      return instrumentsCsv(DEFAULT_INSTRUMENTS, req.path.split('/')[2]);
    },
  } as unknown as KiteHttp;
  return { http, calls };
}

describe('Kite instrument search', () => {
  it("searches the day's dumps by symbol, then by name, saying which exchange lists each, with Kite's tick size", async () => {
    const { http, calls } = dumpServer();
    const instruments = new KiteInstruments(http, new FakeClock(Date.parse('2026-03-09T04:00:00Z')), ['NSE', 'BSE']);
    expect(await instruments.search('inf', { limit: 5 })).toEqual([{ symbol: 'INFY', exchange: 'NSE', name: 'INFOSYS', tickSize: 0.05 }]);
    expect(await instruments.search('reliance', { limit: 5 })).toEqual([{ symbol: 'RELIANCE', exchange: 'BSE', name: 'RELIANCE INDUSTRIES', tickSize: 0.05 }]);
    expect((await instruments.search('S', { exchange: 'NSE', limit: 5 })).map((m) => m.symbol)).toEqual(['SBIN', 'INFY', 'TATAMOTORS']);
    // Indices cannot be traded and are not offered.
    expect(await instruments.search('SENSEX', { limit: 5 })).toEqual([]);
    // One download per exchange for the day, however many searches.
    expect(calls.sort()).toEqual(['/instruments/BSE', '/instruments/NSE']);
  });
});
