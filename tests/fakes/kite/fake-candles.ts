/**
 * The fake's historical candles: `GET /instruments/historical/{token}/{interval}?from=&to=`
 * (PROTOCOLS.md §2.11; kite.trade/docs/connect/v3/historical): `from` and `to` as IST wall-clock
 * "yyyy-mm-dd hh:mm:ss", both included; only the `minute` interval here, at most 60 days a
 * request (Kite's limit for minute candles; more is an InputException). The answer's `data` is
 * `{ candles: [[ts, open, high, low, close, volume], …] }`, `ts` as "2026-03-02T09:15:00+0530".
 */
import { DateTime } from 'luxon';
import type { RestReply } from './fake-rest';

export interface FakeCandle {
  /** The minute's start, epoch ms. */
  readonly minute: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

const MAX_MINUTE_DAYS = 60;
const wallClock = (text: string | null) => (text === null ? null : DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm:ss', { zone: 'Asia/Kolkata' }));

export class FakeCandles {
  private readonly byToken = new Map<number, FakeCandle[]>();

  set(token: number, bars: readonly FakeCandle[]): void {
    this.byToken.set(token, [...bars].sort((a, b) => a.minute - b.minute));
  }

  answer(token: number, interval: string, q: URLSearchParams): RestReply {
    const bad = (message: string): RestReply => ({ kind: 'error', status: 400, errorType: 'InputException', message });
    if (interval !== 'minute') return bad('invalid interval');
    const [from, to] = [wallClock(q.get('from')), wallClock(q.get('to'))];
    if (!from?.isValid || !to?.isValid) return bad('invalid from or to date');
    if (to.diff(from, 'days').days > MAX_MINUTE_DAYS) return bad(`interval exceeds max limit: ${MAX_MINUTE_DAYS} days`);
    const [start, end] = [from.toMillis(), to.toMillis()];
    const rows = (this.byToken.get(token) ?? []).filter((c) => c.minute >= start && c.minute <= end);
    return { kind: 'data', data: { candles: rows.map((c) => [DateTime.fromMillis(c.minute, { zone: 'Asia/Kolkata' }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZZ"), c.open, c.high, c.low, c.close, c.volume]) } };
  }
}
