/**
 * Listener fan-out for the Alpaca streams.
 */
import type { Logger } from 'pino';

/**
 * A set of listeners that are all called even if one throws. The calls come from socket
 * callbacks, where a throw would escape as an uncaught exception and take the daemon down,
 * so a failing listener is logged instead of rethrown.
 */
export class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  add(listener: (...args: A) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(...args: A): void {
    for (const listener of [...this.set]) {
      try {
        listener(...args);
      } catch (err) {
        this.logger.error({ err }, `${this.what} listener failed`);
      }
    }
  }

  clear(): void {
    this.set.clear();
  }
}
