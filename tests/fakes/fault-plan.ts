/**
 * The fakes' fault table (Alpaca's REST, Binance's): rules matched by "METHOD /path" prefix (and,
 * with `exitsOnly`, by the placement's client order id), each hitting its next `times` requests,
 * first added first. The fault kinds are each fake's own.
 *
 * @example
 *   const plan = new FaultPlan<RestFault>();
 *   plan.add({ route: 'POST /v2/orders', fault: { kind: 'http', status: 500 }, times: 2 });
 *   plan.take('POST', '/v2/orders'); // the 500, once of twice
 */
import { parseClientOrderId } from '../../engine/core/ids';

export interface FaultRule<F> {
  /** "METHOD /path" or a prefix of it; default: every request the fake routes through its plan. */
  readonly route?: string;
  readonly fault: F;
  /** How many requests it hits; default 1. */
  readonly times?: number;
  /**
   * Only placements of an exit: a client order id in an exit slot (core/ids.ts: `X` or 2-9 last),
   * so an entry, a re-entry and a backstop (`tb…`) on the same route go through. Default: any request.
   */
  readonly exitsOnly?: boolean;
}

/** Whether `clientOrderId` is an exit's (attempt 1 or later) by Tradeclock's id format; another app's id is not. */
function isExitId(clientOrderId: string | null | undefined): boolean {
  if (!clientOrderId) return false;
  try {
    return parseClientOrderId(clientOrderId).slot === 'exit';
  } catch {
    return false;
  }
}

export class FaultPlan<F> {
  private readonly rules: { route: string; fault: F; left: number; exitsOnly: boolean }[] = [];

  add(rule: FaultRule<F>): void {
    this.rules.push({ route: rule.route ?? '', fault: rule.fault, left: rule.times ?? 1, exitsOnly: rule.exitsOnly === true });
  }

  /** The fault for this request (a placement: its client order id), if a rule matches; spends one use of it. */
  take(method: string, path: string, clientOrderId?: string | null): F | undefined {
    const key = `${method} ${path}`;
    const i = this.rules.findIndex((r) => r.left > 0 && key.startsWith(r.route) && (!r.exitsOnly || isExitId(clientOrderId)));
    if (i < 0) return undefined;
    const rule = this.rules[i]!;
    if (--rule.left === 0) this.rules.splice(i, 1);
    return rule.fault;
  }

  /** How many rules have uses left. */
  pending(): number {
    return this.rules.length;
  }

  clear(): void {
    this.rules.length = 0;
  }
}
