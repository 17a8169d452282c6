/**
 * The crash soak's faults at Kite (issue 20): what the soak arms on the Kite fake's order
 * placements for a cycle's exits (tests/fakes/kite/fake-order-faults.ts), the counterpart of the
 * Alpaca fake's /faults. Armed before the cycle's BUY, `closing_only`: the fake turns them on the
 * placements whose tag is an exit's client order id, so they meet the exits (a stop's, a target's,
 * a group's "exit all", the SELL's) whenever the kills let them go, and never an entry.
 *
 * - a storm: HTTP 429 `NetworkException` "Too many requests" on STORM_429S closing placements in a
 *   row. Kite's adapter waits out none itself (a 429 is "not placed yet", sent again under the same
 *   tag after Kite's one-second window), so each exit that meets one is placed again under its id.
 *   A few, not one per position: the exits no fault meets keep the judge's timing of a backstop's
 *   deletion to its exit (soak-judge.ts judgeCancelToExit leaves a faulted leg out).
 * - refusals, one of each of Kite's two ways once the 429s are spent: an `OrderException` answer
 *   (nothing booked), then an order booked and REJECTED by the RMS; either way the exit goes again
 *   as attempt 2 under its own id.
 */
import type { OrderFaultKind } from '../fakes/kite/fake-order-faults';
import type { SoakFaults } from './soak-broker';

/** The 429s of a cycle's storm. */
export const STORM_429S = 3;

/** Kite's faults through the fake's admin route (`admin`: a call to the fake's REST base), armed at the cycle's start. */
export function kiteFaults(admin: (method: string, path: string, body: unknown) => Promise<unknown>): SoakFaults {
  const arm = (kind: OrderFaultKind, times: number) => admin('POST', '/__fake/order-faults', { kind, times, closing_only: true });
  return {
    at: 'cycle-start',
    rateLimitRetries: 0,
    // The storm's size is Kite's own (a few, not one per exit: see above), whatever the sellers.
    async inject(kind) {
      if (kind === 'storm') {
        await arm('rate-limit', STORM_429S);
        return { kind, times: STORM_429S, what: `rate-limit × ${STORM_429S}` };
      }
      await arm('order-exception', 1);
      await arm('rms-reject', 1);
      return { kind, times: 2, what: 'order-exception, rms-reject' };
    },
  };
}
