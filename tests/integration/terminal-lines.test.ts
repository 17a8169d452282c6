/**
 * The headless daemon's terminal through a whole trading day: the real engine on the paper broker
 * and a fake clock, its events printed by the same parts cli.ts wires (tradingFacts, printEvents),
 * and the list Ctrl-C shows of what goes unwatched, read from the real database at each stage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defaultBrokerKinds } from '../../engine/brokers/broker-kinds';
import type { LineSink } from '../../engine/log-sinks';
import { printEvents } from '../../engine/terminal/event-printer';
import { tradingFacts } from '../../engine/terminal/trading-facts';
import { watchingLines, watchList, watchListLines } from '../../engine/terminal/watch-list';
import { startTestEngine, type TestEngine } from '../support/engine-harness';

let t: TestEngine | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

function captured(): LineSink & { lines: string[] } {
  const lines: string[] = [];
  return { lines, dropped: 0, write: (l) => void lines.push(l.replace(/\n$/, '')), flush: async () => {} };
}

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('the terminal through a trading day', () => {
  it('prints armed, BUY sent and filled with lateness, SELL filled, completed; and lists what goes unwatched', async () => {
    // Mon 7 Dec 2026, 09:00 New York.
    t = await startTestEngine({ at: '2026-12-07T14:00:00.000Z' });
    const facts = tradingFacts(t.repos, defaultBrokerKinds());
    const out = captured();
    printEvents({ bus: t.engine.bus, lookup: facts, out, localZone: 'UTC' });
    const unwatched = () => watchListLines(watchList(t!.repos, facts.mode));

    expect(unwatched()).toEqual([]);
    const s = await t.create({ repeat: 'once' });
    await t.start(s.id);
    await turn();
    expect(out.lines).toEqual([
      // The account's event, in the machine's zone (UTC here), under the account's label.
      'Mon 7 Dec 14:00:00.000 UTC  PAPER paper  price feed up',
      'Mon 7 Dec 09:00:00.000 New York  PAPER AAPL  armed for 2026-12-07: BUY 10 at 09:30:00 New York, SELL at 15:55:00 New York, stop-loss 95',
    ]);
    expect(watchingLines(watchList(t.repos, facts.mode))).toEqual(['  PAPER AAPL  ARMED: BUY 10 at Mon 7 Dec 09:30:00 New York, stop-loss 95']);
    expect(unwatched()).toEqual(['  PAPER AAPL  ARMED: the BUY of 10 at Mon 7 Dec 09:30:00 New York is missed if the daemon is still down then']);

    await t.clock.advanceTo(Date.parse('2026-12-07T14:30:00.000Z'));
    await t.engine.idle();
    await turn();
    const buy = out.lines.slice(2);
    expect(buy[0]).toMatch(/^Mon 7 Dec 09:30:00\.\d{3} New York {2}PAPER AAPL {2}BUY 10 sent, \+\d+ ms after the BUY time$/);
    expect(buy.at(-1)).toMatch(/^Mon 7 Dec 09:30:00\.\d{3} New York {2}PAPER AAPL {2}BUY filled: 10 @ [\d.]+, \+\d+ ms after the BUY time$/);
    expect(watchingLines(watchList(t.repos, facts.mode))).toEqual(['  PAPER AAPL  IN_POSITION: holding 10, stop-loss 95, SELL at Mon 7 Dec 15:55:00 New York']);
    expect(unwatched()).toEqual(['  PAPER AAPL  IN_POSITION: holding 10, the stop-loss 95 is not watched; if the daemon is still down at Mon 7 Dec 15:55:00 New York, it sells at the next start']);

    await t.clock.advanceTo(Date.parse('2026-12-07T20:55:00.000Z'));
    await t.engine.idle();
    await turn();
    const sell = out.lines.slice(2 + buy.length);
    expect(sell).toContainEqual(expect.stringMatching(/^Mon 7 Dec 15:55:00\.\d{3} New York {2}PAPER AAPL {2}SELL 10 sent, \+\d+ ms after the SELL time$/));
    expect(sell).toContainEqual(expect.stringMatching(/^Mon 7 Dec 15:55:00\.\d{3} New York {2}PAPER AAPL {2}SELL filled: 10 @ [\d.]+, \+\d+ ms after the SELL time$/));
    expect(sell.at(-1)).toMatch(/PAPER AAPL {2}completed: nothing more to trade$/);
    // Nothing open: Ctrl-C stops at once.
    expect(unwatched()).toEqual([]);
  });

  it('a strategy whose stored spec cannot be read is named by its identity and its run plan, with "damaged" where its BUY would be placed (a held position keeps the stop of its run)', async () => {
    t = await startTestEngine({ at: '2026-12-07T14:00:00.000Z' });
    const facts = tradingFacts(t.repos, defaultBrokerKinds());
    const holding = await t.create({ repeat: 'once' });
    const armed = await t.create({ repeat: 'once', symbol: 'MSFT', buy_time: '10:00' });
    await t.start(holding.id);
    await t.clock.advanceTo(Date.parse('2026-12-07T14:30:00.000Z'));
    await t.engine.idle();
    await t.start(armed.id);
    const damage = t.db.sqlite.prepare(`UPDATE strategies SET spec = '{"qty":' WHERE id = ?`);
    damage.run(holding.id);
    damage.run(armed.id);

    const items = watchList(t.repos, facts.mode);
    expect(watchingLines(items)).toEqual([
      // The held position's stop is its run's (runs.levels), which the damaged spec does not touch.
      '  PAPER AAPL  IN_POSITION: holding 10, stop-loss 95, SELL at Mon 7 Dec 15:55:00 New York',
      '  PAPER MSFT  ARMED: its BUY at Mon 7 Dec 10:00:00 New York is not placed: strategy damaged, restore a backup',
    ]);
    expect(watchListLines(items)[0]).toBe(
      '  PAPER AAPL  IN_POSITION: holding 10, the stop-loss 95 is not watched; if the daemon is still down at Mon 7 Dec 15:55:00 New York, it sells at the next start',
    );
    expect(facts.strategy(holding.id)).toEqual({ symbol: 'AAPL', timezone: 'America/New_York', qty: null, stopLoss: null, mode: 'paper' });

    // Running with no run left: listed from its identity all the same.
    t.db.sqlite.prepare(`UPDATE runs SET state = 'SOLD', position_qty = 0 WHERE strategy_id = ?`).run(holding.id);
    expect(watchingLines(watchList(t.repos, facts.mode))).toContain('  PAPER AAPL  RUNNING: waiting for its next trading day');
  });
});
