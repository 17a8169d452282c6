/**
 * Ctrl-C with something open: the daemon first says what nothing will watch while it is down
 * (watch-list.ts), and on a terminal asks before stopping. "y" or a second Ctrl-C stops; any
 * other answer keeps it running. SIGTERM (a service manager, `docker stop`) never asks, nor does a
 * daemon whose stdin is not a terminal or that was told not to (`--no-confirm-stop`); with nothing
 * open it stops at once, as before.
 */

export interface StopConfirmDeps {
  /** The lines of what goes unwatched; empty when nothing is open. */
  watching(): readonly string[];
  /** Whether to ask: stdin is a terminal and the trader did not turn the question off. */
  readonly ask: boolean;
  /** Where the answer is read (process.stdin), taken only when asking: a pipe's stream is left alone. */
  input(): NodeJS.ReadableStream;
  /** Writes text to the terminal (stderr) as it is; never throws. */
  say(text: string): void;
  /** Starts the stop (createShutdown's handler: a second call forces it). */
  stop(signal: string): void;
}

const YES = /^\s*y(es)?\s*$/i;

/**
 * Wraps the shutdown's signal handler.
 * @example process.on('SIGINT', () => onSignal('SIGINT')) where onSignal = confirmStop({ ..., stop: createShutdown(...) })
 */
export function confirmStop(deps: StopConfirmDeps): (signal: string) => void {
  let stopping = false;
  let asking = false;
  let inputEnded = false;
  const stop = (signal: string) => {
    stopping = true;
    deps.stop(signal);
  };
  return (signal) => {
    if (stopping) return stop(signal);
    if (asking) {
      deps.say('\n'); // the question's line ends here, before the shutdown's lines
      return stop(signal);
    }
    let lines: readonly string[];
    try {
      lines = deps.watching();
    } catch {
      lines = []; // what is open cannot be read: stop as before rather than ask about nothing
    }
    if (lines.length === 0) return stop(signal);
    if (signal !== 'SIGINT' || !deps.ask || inputEnded) {
      deps.say(`tradeclock: stopping (${signal}); until the next start nothing watches:\n${lines.join('\n')}\n`);
      return stop(signal);
    }
    asking = true;
    deps.say(`\ntradeclock: while it is stopped, nothing watches:\n${lines.join('\n')}\nStop anyway? [y/N] `);
    void readLine(deps.input()).then((answer) => {
      asking = false;
      if (stopping) return;
      if (answer === null) inputEnded = true;
      if (answer !== null && YES.test(answer)) return stop(signal);
      deps.say(`tradeclock: still running.${inputEnded ? ' (No answer can be read any more: the next Ctrl-C stops at once.)' : ''}\n`);
    });
  };
}

/** The next line typed, without its newline; null when the input ends first. */
function readLine(input: NodeJS.ReadableStream): Promise<string | null> {
  return new Promise((resolve) => {
    let typed = '';
    const finish = (answer: string | null) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause(); // a paused stdin does not hold the process open
      resolve(answer);
    };
    const onData = (chunk: Buffer | string) => {
      typed += chunk.toString();
      const end = typed.indexOf('\n');
      if (end >= 0) finish(typed.slice(0, end).replace(/\r$/, ''));
    };
    const onEnd = () => finish(null);
    input.on('data', onData);
    input.once('end', onEnd);
    input.resume();
  });
}
