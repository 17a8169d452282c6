/**
 * Order updates from Alpaca's `trade_updates` stream (PROTOCOLS.md §1.11): authenticate, listen,
 * and hand every event's order on. Frames are single objects, not arrays, and the paper host
 * sends them as binary frames (§6.1); the socket decodes both.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock';
import type { AlpacaCredentials, AlpacaTiming } from './alpaca-config';
import type { UniformSource } from './backoff';
import { parseJson, tradeStreamMessageSchema, type AlpacaOrder } from './alpaca-wire';
import { ReconnectingSocket } from './reconnecting-socket';

export interface TradeUpdatesDeps {
  readonly url: string;
  readonly credentials: AlpacaCredentials;
  readonly clock: Clock;
  readonly timing: AlpacaTiming;
  readonly uniform: UniformSource;
  readonly logger: Logger;
  /** One event: its name (`fill`, `new`, …), the order as it is now, and the event's timestamp. */
  readonly onUpdate: (event: string, order: AlpacaOrder, timestamp: string | undefined) => void;
  /** The stream is listening: updates flow from now on (those during the gap are not replayed). */
  readonly onUp: () => void;
  /** The stream is gone or silent: updates may be missed until onUp. */
  readonly onDown: (detail: string) => void;
}

export class TradeUpdatesStream {
  private readonly socket: ReconnectingSocket;
  private listening = false;
  /** This connection completed authenticate + listen. */
  private ready = false;

  constructor(private readonly deps: TradeUpdatesDeps) {
    this.socket = new ReconnectingSocket({ name: 'trade_updates', url: deps.url, clock: deps.clock, timing: deps.timing, uniform: deps.uniform, logger: deps.logger });
  }

  start(): void {
    const { credentials } = this.deps;
    this.socket.start({
      // §1.11: {"action":"authenticate","data":{"key_id":…,"secret_key":…}}.
      onOpen: () => this.socket.send({ action: 'authenticate', data: { key_id: credentials.key_id, secret_key: credentials.secret_key } }),
      onMessage: (text) => this.onFrame(text),
      onClose: (detail) => {
        this.ready = false;
        this.down(detail);
      },
      onStale: (ms) => this.down(`no message from the trade_updates stream for ${Math.round(ms / 1000)} s`),
      onFresh: () => this.up(),
    });
  }

  stop(): void {
    this.listening = false;
    this.ready = false;
    this.socket.stop();
  }

  /** True while updates flow. */
  isListening(): boolean {
    return this.listening;
  }

  private onFrame(text: string): void {
    const { logger } = this.deps;
    const parsed = tradeStreamMessageSchema.safeParse(parseJson(text));
    if (!parsed.success) {
      logger.warn({ frame: text.slice(0, 200) }, 'alpaca trade_updates frame dropped: not a documented message');
      return;
    }
    const m = parsed.data;
    switch (m.stream) {
      case 'authorization':
        if (m.data.status === 'authorized') {
          this.socket.send({ action: 'listen', data: { streams: ['trade_updates'] } });
        } else {
          const detail = `the trade_updates stream refused the API key (${m.data.action ?? 'authenticate'}: ${m.data.status})`;
          logger.error(detail);
          this.socket.reconnect(detail);
        }
        return;
      case 'listening':
        // §1.11: a stream the server cannot give is left out of the ack.
        if (!m.data.streams.includes('trade_updates')) {
          this.socket.reconnect('the server did not confirm listening to trade_updates');
          return;
        }
        this.socket.handshakeSucceeded();
        this.ready = true;
        this.up();
        return;
      case 'trade_updates':
        this.deps.onUpdate(m.data.event, m.data.order, m.data.timestamp);
    }
  }

  private up(): void {
    if (this.listening || !this.ready) return;
    this.listening = true;
    this.deps.onUp();
  }

  private down(detail: string): void {
    this.listening = false;
    this.deps.onDown(detail);
  }
}
