/**
 * What this broker knows of each order, so the update stream, the REST poll and lookups can
 * all report the same order without ever sending the engine a step backwards or the same step
 * twice: a report is passed on only when it moves the order forward.
 */
import type { Logger } from 'pino';
import type { OrderReport } from '../broker';
import { isFinal, movesForward } from './alpaca-order-report';
import { Listeners } from './listeners';

interface Known {
  brokerOrderId: string;
  report: OrderReport | null;
  /** Placed or looked up by Tradeclock: worth polling while the stream is down. */
  ours: boolean;
}

export class OrderTracker {
  private readonly orders = new Map<string, Known>();
  private readonly listeners: Listeners<[OrderReport]>;

  constructor(logger: Logger) {
    this.listeners = new Listeners(logger, 'alpaca order update');
  }

  onUpdate(listener: (report: OrderReport) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Alpaca's order id for a client order id we have seen: the newest replacement's, if replaced. */
  brokerOrderId(clientOrderId: string): string | undefined {
    return this.orders.get(clientOrderId)?.brokerOrderId;
  }

  /**
   * Folds a report in. When it moves the order forward it is kept and, if `emit`, passed to the
   * listeners; a lookup's answer is not emitted, since the caller hands it to the engine itself.
   * `ours` marks orders Tradeclock placed or asked about (the stream also reports the trader's
   * own orders placed elsewhere; those are passed on but never polled).
   */
  observe(report: OrderReport, opts: { readonly emit: boolean; readonly ours: boolean }): boolean {
    const known = this.orders.get(report.clientOrderId);
    if (!known) {
      this.orders.set(report.clientOrderId, { brokerOrderId: report.brokerOrderId, report, ours: opts.ours });
    } else {
      known.ours ||= opts.ours;
      // Taken even from a report that tells nothing new: after a replacement the order lives on
      // under the replacement's id, and a cancel must go there (reports come from order-chains.ts,
      // whose newest leg never goes back to an older one).
      known.brokerOrderId = report.brokerOrderId;
      if (!movesForward(known.report, report)) return false;
      known.report = report;
    }
    if (opts.emit) this.listeners.emit(report);
    return true;
  }

  /** Placed or looked up by Tradeclock (not an order the trader placed elsewhere). */
  isOurs(clientOrderId: string): boolean {
    return this.orders.get(clientOrderId)?.ours ?? false;
  }

  /** Client order ids of our orders not known to be finished: what the fallback poll asks about. */
  openOrders(): string[] {
    return [...this.orders.entries()].filter(([, k]) => k.ours && !(k.report && isFinal(k.report))).map(([id]) => id);
  }

  clear(): void {
    this.listeners.clear();
  }
}
