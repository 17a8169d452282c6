/**
 * A broker's clock, read from the HTTP `Date` header of its REST answers (RFC 9110 §6.6.1: whole
 * seconds, GMT), for the readiness check's clock comparison. Shared by every REST broker.
 */
import type { BrokerAccountSnapshot } from './broker';

/** When a reply was served: its `Date` header, and when the request went out and came back on our clock. */
export interface ServedAt {
  readonly date: string | null;
  readonly sentAt: number;
  readonly receivedAt: number;
}

/**
 * An HTTP date ("Mon, 07 Dec 2026 14:25:00 GMT") as epoch ms; null when absent or unreadable.
 * @example parseHttpDate('Mon, 07 Dec 2026 14:25:00 GMT') === Date.parse('2026-12-07T14:25:00Z')
 */
export function parseHttpDate(value: string | null): number | null {
  if (!value || !/ GMT$/.test(value.trim())) return null;
  const at = Date.parse(value);
  return Number.isFinite(at) ? at : null;
}

/** The broker's clock as a snapshot carries it; null without a readable Date header. */
export function brokerTimeOf(served: ServedAt | undefined): BrokerAccountSnapshot['brokerTime'] {
  const date = parseHttpDate(served?.date ?? null);
  return served && date !== null ? { date, sentAt: served.sentAt, receivedAt: served.receivedAt, resolutionMs: 1_000 } : null;
}
