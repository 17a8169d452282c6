/**
 * Which Alpaca orders replaced which. Alpaca replaces an order on a PATCH and also on its own, "due
 * to a market event such as corporate action" (alpaca-docs content/trading/orders.md): the old
 * order turns `replaced` with `replaced_by` naming the new one, and the new one carries `replaces`
 * (alpaca-py bd1fa9e, alpaca/trading/models.py `Order`). The new order has its own id and client
 * order id, yet it is still our order: the engine knows only our client order id, so every leg's
 * news is reported under the first leg's.
 *
 * Either side may be seen first (the stream does not promise an order between two orders' events,
 * and a lookup sees only one order), so a link is learnt from whichever field arrives.
 */
import { isReplaced, type OrderLeg } from './alpaca-order-report';

/** Replacements followed from one order: beyond this a chain is read as far as it goes and left open. */
export const MAX_REPLACEMENTS = 10;

export interface ChainView {
  /** From the first leg known (ours) to the newest leg that carries the order on. */
  readonly chain: readonly [OrderLeg, ...OrderLeg[]];
  /** The id of a replacement the newest leg names but that has not been read yet: fetch it. */
  readonly follow: string | null;
  /** This leg was not seen before. */
  readonly isNew: boolean;
}

export class OrderChains {
  private readonly legs = new Map<string, OrderLeg>();
  /** replacement id → the id it replaced, and back. */
  private readonly prev = new Map<string, string>();
  private readonly next = new Map<string, string>();

  /**
   * Folds one leg in and returns the chain it belongs to. A leg's state only moves forward: an
   * older snapshot (a slow lookup after a stream event) does not undo what is known.
   */
  add(leg: OrderLeg): ChainView {
    const known = this.legs.get(leg.id);
    if (!known || legMovesForward(known, leg)) this.legs.set(leg.id, leg);
    if (leg.replaces) this.link(leg.replaces, leg.id);
    if (leg.replacedBy) this.link(leg.id, leg.replacedBy);
    return { ...this.view(this.rootOf(leg.id)), isNew: !known };
  }

  /** The id of the order that replaced order `id`, as far as any leg told. */
  successor(id: string): string | undefined {
    return this.next.get(id) ?? this.legs.get(id)?.replacedBy ?? undefined;
  }

  /** The first known leg of the chain `id` is in. */
  private rootOf(id: string): OrderLeg {
    let cur = id;
    const seen = new Set([cur]);
    for (let p = this.prev.get(cur); p !== undefined && this.legs.has(p) && !seen.has(p); p = this.prev.get(cur)) {
      // Only a replaced leg hands the order on; a leg whose replace was refused is still the order.
      if (!isReplaced(this.legs.get(p)!)) break;
      seen.add(p);
      cur = p;
    }
    return this.legs.get(cur)!;
  }

  private view(root: OrderLeg): Omit<ChainView, 'isNew'> {
    const chain: [OrderLeg, ...OrderLeg[]] = [root];
    const seen = new Set([root.id]);
    let cur = root;
    while (isReplaced(cur)) {
      const id = this.next.get(cur.id) ?? cur.replacedBy;
      if (!id || seen.has(id) || chain.length > MAX_REPLACEMENTS) return { chain, follow: null };
      const leg = this.legs.get(id);
      if (!leg) return { chain, follow: id };
      chain.push(leg);
      seen.add(id);
      cur = leg;
    }
    return { chain, follow: null };
  }

  private link(from: string, to: string): void {
    if (from === to) return;
    this.next.set(from, to);
    this.prev.set(to, from);
  }
}

/** A leg's newer snapshot replaces the one kept unless the kept one is final or had more filled. */
function legMovesForward(prev: OrderLeg, next: OrderLeg): boolean {
  const prevFinal = isReplaced(prev) || prev.status === 'filled' || prev.status === 'rejected' || prev.status === 'cancelled';
  if (prevFinal) return false;
  return next.filledQty.gte(prev.filledQty);
}
