/**
 * Starting the engine for the desktop app: on the port used last time when it is free (a stable
 * UI origin), else on any free loopback port; and what to tell the trader when it cannot start.
 */
import { DomainError } from '../engine/core/errors';

/** Ports to try, in order. 0 asks the OS for any free one. */
export function portCandidates(lastPort: number | null): readonly number[] {
  return lastPort !== null && Number.isInteger(lastPort) && lastPort >= 1024 && lastPort <= 65_535 ? [lastPort, 0] : [0];
}

export function isAddressInUse(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EADDRINUSE';
}

/**
 * Calls `start(port)` for each candidate until one listens. Only "address in use" moves on to the
 * next port; any other failure (database, data-dir lock) is final.
 */
export async function startOnPreferredPort<H>(start: (port: number) => Promise<H>, lastPort: number | null): Promise<H> {
  const ports = portCandidates(lastPort);
  let lastError: unknown = null;
  for (const port of ports) {
    try {
      return await start(port);
    } catch (err) {
      if (!isAddressInUse(err)) throw err;
      lastError = err;
    }
  }
  throw lastError;
}

/** The error box shown when the engine cannot start. */
export function startupErrorText(err: unknown, dataDir: string): { readonly title: string; readonly body: string } {
  if (err instanceof DomainError && err.code === 'conflict' && /in use by process/.test(err.message)) {
    return {
      title: 'Tradeclock is already running',
      body:
        `${err.message}\n\nThe desktop app and a headless \`tradeclock daemon\` cannot use the same data directory at once. ` +
        'Stop the other one, then start Tradeclock again.',
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { title: 'Tradeclock could not start', body: `${message}\n\nData directory: ${dataDir}` };
}
