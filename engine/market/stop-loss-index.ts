/**
 * Armed stop-losses per feed, kept sorted by stop price, highest first, so a tick finds every
 * crossed stop by walking from the top and stopping at the first one below the price: the cost of
 * a tick is the number of stops it triggers, not the number armed.
 */

export interface ArmedStop {
  readonly strategyId: number;
  readonly stopLoss: number;
}

export class StopLossIndex {
  /** feed key → stops sorted by stopLoss descending. */
  private readonly byFeed = new Map<string, ArmedStop[]>();
  /** strategyId → feed key, to disarm without a scan of every feed. */
  private readonly feedOf = new Map<number, string>();

  /** Arms (or re-arms with a new price) the stop of a strategy on a feed. */
  arm(feed: string, strategyId: number, stopLoss: number): void {
    this.disarm(strategyId);
    let list = this.byFeed.get(feed);
    if (!list) this.byFeed.set(feed, (list = []));
    list.splice(insertionPoint(list, stopLoss), 0, { strategyId, stopLoss });
    this.feedOf.set(strategyId, feed);
  }

  disarm(strategyId: number): boolean {
    const feed = this.feedOf.get(strategyId);
    if (feed === undefined) return false;
    this.feedOf.delete(strategyId);
    const list = this.byFeed.get(feed);
    if (!list) return false;
    const i = list.findIndex((s) => s.strategyId === strategyId);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byFeed.delete(feed);
    return i >= 0;
  }

  /**
   * Removes and returns every stop on `feed` with stopLoss >= price: each fires once. The caller
   * re-arms a stop if its exit does not go out.
   */
  takeTriggered(feed: string, price: number): ArmedStop[] {
    const list = this.byFeed.get(feed);
    if (!list || list.length === 0 || list[0]!.stopLoss < price) return [];
    let n = 0;
    while (n < list.length && list[n]!.stopLoss >= price) n++;
    const hit = list.splice(0, n);
    for (const s of hit) this.feedOf.delete(s.strategyId);
    if (list.length === 0) this.byFeed.delete(feed);
    return hit;
  }

  isArmed(strategyId: number): boolean {
    return this.feedOf.has(strategyId);
  }

  size(): number {
    return this.feedOf.size;
  }
}

/** First index whose stop is lower than `stopLoss` (ties keep arming order). */
function insertionPoint(list: readonly ArmedStop[], stopLoss: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.stopLoss >= stopLoss) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
