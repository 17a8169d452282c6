import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { confirmStop, type StopConfirmDeps } from './stop-confirm';

const OPEN = ['  PAPER AAPL  ARMED: the BUY of 10 at Mon 7 Dec 09:30:00 New York is missed if the daemon is still down then'];

function gate(over: Partial<StopConfirmDeps> = {}) {
  const input = new PassThrough();
  const said: string[] = [];
  const stops: string[] = [];
  const onSignal = confirmStop({ watching: () => OPEN, ask: true, input: () => input, say: (t) => void said.push(t), stop: (s) => void stops.push(s), ...over });
  return { input, said, stops, onSignal };
}

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('confirmStop', () => {
  it('Ctrl-C with something open says what goes unwatched and asks; N keeps it running', async () => {
    const g = gate();
    g.onSignal('SIGINT');
    expect(g.stops).toEqual([]);
    expect(g.said.join('')).toContain(`nothing watches:\n${OPEN[0]}\nStop anyway? [y/N] `);
    g.input.write('n\n');
    await turn();
    expect(g.stops).toEqual([]);
    expect(g.said.at(-1)).toBe('tradeclock: still running.\n');
    // Asked again at the next Ctrl-C; an empty answer (Enter) is N too.
    g.onSignal('SIGINT');
    g.input.write('\n');
    await turn();
    expect(g.stops).toEqual([]);
  });

  it('"y" stops', async () => {
    const g = gate();
    g.onSignal('SIGINT');
    g.input.write('Y\r\n');
    await turn();
    expect(g.stops).toEqual(['SIGINT']);
  });

  it('a second Ctrl-C while it asks stops, and a third reaches the shutdown (which forces it)', () => {
    const g = gate();
    g.onSignal('SIGINT');
    g.onSignal('SIGINT');
    expect(g.stops).toEqual(['SIGINT']);
    expect(g.said.at(-1)).toBe('\n');
    g.onSignal('SIGINT');
    expect(g.stops).toEqual(['SIGINT', 'SIGINT']);
  });

  it('an answer typed after the stop began does nothing more', async () => {
    const g = gate();
    g.onSignal('SIGINT');
    g.onSignal('SIGTERM');
    g.input.write('y\n');
    await turn();
    expect(g.stops).toEqual(['SIGTERM']);
  });

  it('SIGTERM never asks: it says what goes unwatched and stops', () => {
    const g = gate();
    g.onSignal('SIGTERM');
    expect(g.stops).toEqual(['SIGTERM']);
    expect(g.said.join('')).toBe(`tradeclock: stopping (SIGTERM); until the next start nothing watches:\n${OPEN[0]}\n`);
  });

  it('without a terminal on stdin, or told not to ask, Ctrl-C stops at once (saying what goes unwatched)', () => {
    const g = gate({ ask: false });
    g.onSignal('SIGINT');
    expect(g.stops).toEqual(['SIGINT']);
    expect(g.said.join('')).toContain('nothing watches');
    expect(g.said.join('')).not.toContain('Stop anyway');
  });

  it('nothing open: stops at once, saying nothing', () => {
    const g = gate({ watching: () => [] });
    g.onSignal('SIGINT');
    expect(g.stops).toEqual(['SIGINT']);
    expect(g.said).toEqual([]);
  });

  it('what is open cannot be read: stops at once, as before', () => {
    const g = gate({
      watching: () => {
        throw new Error('database closed');
      },
    });
    g.onSignal('SIGINT');
    expect(g.stops).toEqual(['SIGINT']);
  });

  it('stdin ends instead of an answer (Ctrl-D): keeps running, and the next Ctrl-C stops without asking', async () => {
    const g = gate();
    g.onSignal('SIGINT');
    g.input.end();
    await turn();
    expect(g.stops).toEqual([]);
    expect(g.said.at(-1)).toContain('the next Ctrl-C stops at once');
    g.onSignal('SIGINT');
    expect(g.stops).toEqual(['SIGINT']);
  });
});
