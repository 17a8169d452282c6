/**
 * The execution queue: a binary heap served by leg priority (STOPLOSS, then MANUAL_EXIT, SELL,
 * BUY), first-come first-served within a priority. A stop-loss never waits behind BUYs.
 */
import { LEG_PRIORITY, type Leg } from '../core/types';

interface Entry<T> {
  readonly item: T;
  readonly priority: number;
  readonly seq: number;
}

export class OrderQueue<T extends { readonly leg: Leg }> {
  private heap: Entry<T>[] = [];
  private seq = 0;

  push(item: T): void {
    this.heap.push({ item, priority: LEG_PRIORITY[item.leg], seq: this.seq++ });
    this.up(this.heap.length - 1);
  }

  pop(): T | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top && last && this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top?.item;
  }

  get size(): number {
    return this.heap.length;
  }

  private before(a: Entry<T>, b: Entry<T>): boolean {
    return a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(this.heap[i]!, this.heap[parent]!)) return;
      [this.heap[i], this.heap[parent]] = [this.heap[parent]!, this.heap[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.heap.length && this.before(this.heap[l]!, this.heap[m]!)) m = l;
      if (r < this.heap.length && this.before(this.heap[r]!, this.heap[m]!)) m = r;
      if (m === i) return;
      [this.heap[i], this.heap[m]] = [this.heap[m]!, this.heap[i]!];
      i = m;
    }
  }
}
