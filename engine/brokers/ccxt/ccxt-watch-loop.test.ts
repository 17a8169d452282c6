/**
 * The watch loop on a fake clock: a failed run is tried again after the capped, jittered backoff
 * (and not before), a run that says ready resets it, one that never does is told to give up at
 * the handshake timeout, and a stopped loop runs nothing more.
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { FakeClock } from '../../core/fake-clock';
import { WatchLoop } from './ccxt-watch-loop';
import { DEFAULT_CCXT_STREAM_TIMING } from './ccxt-sockets';

const timing = { ...DEFAULT_CCXT_STREAM_TIMING, reconnectBaseMs: 1_000, reconnectMaxMs: 4_000, handshakeTimeoutMs: 5_000 };

function loop(behave: (n: number, ready: (served?: boolean) => void) => Promise<void>) {
  const clock = new FakeClock(0);
  const runs: number[] = [];
  const downs: string[] = [];
  let timeouts = 0;
  const l = new WatchLoop({
    name: 'test',
    clock,
    timing,
    // The jitter's top: each delay is its ceiling.
    uniform: () => 0.999_999,
    logger: pino({ level: 'silent' }),
    run: (ready) => (runs.push(clock.now()), behave(runs.length, ready)),
    onDown: (d) => downs.push(d),
    onHandshakeTimeout: () => timeouts++,
  });
  return { clock, l, runs, downs, timeouts: () => timeouts };
}

describe('WatchLoop', () => {
  it('backs off 1 s, 2 s, 4 s, 4 s on the clock after failures, and says why each run ended', async () => {
    const t = loop(async () => Promise.reject(new Error('connection lost')));
    t.l.start();
    await t.clock.advance(0);
    expect(t.runs).toEqual([0]);
    await t.clock.advance(999);
    expect(t.runs).toEqual([0]);
    await t.clock.advance(12_000);
    expect(t.runs).toEqual([0, 1_000, 3_000, 7_000, 11_000]);
    expect(t.downs.slice(0, 2)).toEqual(['connection lost', 'connection lost']);
    t.l.stop();
    await t.clock.advance(60_000);
    expect(t.runs).toHaveLength(5);
  });

  it('a run that was ready starts the backoff over; one never ready is told to give up at the handshake timeout', async () => {
    let fail: (() => void) | undefined;
    const t = loop((n, ready) => {
      if (n === 3) ready();
      return new Promise((_, reject) => (fail = () => reject(new Error(`run ${n} ended`))));
    });
    t.l.start();
    await t.clock.advance(5_000);
    expect(t.timeouts()).toBe(1);
    fail!();
    await t.clock.advance(1_000);
    expect(t.runs).toEqual([0, 6_000]);
    fail!();
    await t.clock.advance(2_000);
    expect(t.runs).toEqual([0, 6_000, 8_000]);
    // Run 3 said ready: no handshake timeout, and its failure backs off from the start again.
    await t.clock.advance(10_000);
    expect(t.timeouts()).toBe(1);
    fail!();
    await t.clock.advance(1_000);
    expect(t.runs).toEqual([0, 6_000, 8_000, 19_000]);
  });

  it('ready(false) (joined a live connection, nothing of its own yet) ends the handshake but keeps the backoff growing', async () => {
    const t = loop(async (_n, ready) => {
      ready(false);
      throw new Error('Invalid request: unknown variant or stream name');
    });
    t.l.start();
    await t.clock.advance(12_000);
    expect(t.runs).toEqual([0, 1_000, 3_000, 7_000, 11_000]);
    expect(t.timeouts()).toBe(0);
    t.l.stop();
  });

  it('connected() makes a loop waiting out its backoff try at once', async () => {
    const t = loop(async () => Promise.reject(new Error('gone')));
    t.l.start();
    await t.clock.advance(0);
    t.l.connected();
    await t.clock.advance(0);
    expect(t.runs).toEqual([0, 0]);
    t.l.stop();
  });
});
