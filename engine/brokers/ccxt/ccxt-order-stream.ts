/**
 * The account's order updates from the venue's user data stream through CCXT: Binance spot's
 * WebSocket API subscription (`userDataStream.subscribe.signature`, plan §2 fact 5), signed by
 * CCXT's `authenticate`, then every `executionReport` through `watchOrders`. Kept going by a
 * WatchLoop; each time the subscription is confirmed the execution says it is listening
 * (`onListening`), so the engine looks up at once what it waits on: an update sent while no one
 * listened is not sent again.
 */
import type { Exchange as CcxtExchange } from 'ccxt';
import type { CcxtExecution } from './ccxt-execution';
import type { CcxtStreamDeps } from './ccxt-sockets';
import { scrub } from './ccxt-scrub';
import { WatchLoop } from './ccxt-watch-loop';

export interface CcxtOrderStreamDeps extends CcxtStreamDeps {
  readonly execution: CcxtExecution;
}

export class CcxtOrderStream {
  private readonly loop: WatchLoop;
  private listening = false;

  constructor(private readonly deps: CcxtOrderStreamDeps) {
    const { clock, timing, uniform, logger, sockets, secrets, execution } = deps;
    this.loop = new WatchLoop({
      name: 'orders',
      clock,
      timing,
      uniform,
      logger,
      run: async (ready, live) => {
        const ex = await deps.exchange();
        const url = await deps.streamUrl();
        // Signs and sends the subscription, and resolves on the venue's confirmation.
        const subscribed = (ex as unknown as { authenticate(params?: object): Promise<void> }).authenticate({ type: 'spot' });
        handleEveryFuture(ex, url);
        await subscribed;
        if (!live()) return;
        ready();
        this.listening = true;
        execution.streamListening();
        for (;;) {
          const orders = await ex.watchOrders();
          if (!live()) return;
          for (const order of orders) execution.streamUpdate(order);
        }
      },
      onDown: (detail) => {
        this.listening = false;
        logger.warn({ detail: scrub(detail, secrets) }, 'ccxt order update stream down; orders are looked up when it is back');
      },
      onHandshakeTimeout: () => void deps.streamUrl().then((url) => sockets.fail(url, `the order update stream was not confirmed within ${Math.round(timing.handshakeTimeoutMs / 1000)} s`)),
    });
  }

  async start(): Promise<void> {
    // CCXT's handler of this event (`pro/binance.js` handleEventStreamTerminated) drops the
    // subscription but leaves `watchOrders` waiting for ever on a live connection: dial again instead.
    this.deps.sockets.failOn(await this.deps.streamUrl(), '"eventStreamTerminated"', 'the venue ended the user data stream');
    this.loop.start();
  }

  stop(): void {
    this.listening = false;
    this.loop.stop();
  }

  /** True while updates flow. */
  isListening(): boolean {
    return this.listening;
  }
}

/**
 * CCXT's `ensureUserDataStreamWsSubscribeSignature` (`pro/binance.js:2787`) creates a future for
 * concurrent callers ahead of its request and rejects it when the venue refuses the subscription
 * or the connection drops; with no concurrent caller no one handles it, and an unhandled rejection
 * ends a Node process. Every future pending on the connection gets a handler that does nothing:
 * those awaited by a caller still reach it, the orphan no longer takes the daemon down.
 */
function handleEveryFuture(ex: CcxtExchange, url: string): void {
  const client = (ex as unknown as { clients?: Record<string, { futures?: Record<string, Promise<unknown>> }> }).clients?.[url];
  for (const future of Object.values(client?.futures ?? {})) future.catch(() => {});
}
