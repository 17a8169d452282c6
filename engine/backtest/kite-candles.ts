/**
 * Kite's historical minute candles of one instrument: `GET {root}/instruments/historical/{token}/
 * minute?from=&to=` (PROTOCOLS.md §2.11; kite.trade/docs/connect/v3/historical), `from`/`to` as
 * IST wall-clock "yyyy-mm-dd hh:mm:ss", both included; headers `X-Kite-Version: 3` and
 * `Authorization: token api_key:access_token`. The reply is `{ status: "success", data: { candles:
 * [[ts, o, h, l, c, v], …] } }`, ts "2026-03-02T09:15:00+0530"; a refusal `{ status: "error",
 * message, error_type }`. Kite serves at most 60 days of minute candles a request and 3 historical
 * requests a second, so a longer range goes as 60-day windows, at least 334 ms apart. Each candle
 * is held to the CSV import's rules (bar-csv.ts `barRow`).
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { HistoricalBar } from '../../db/repos/historical-bars';
import { barRow } from './bar-csv';
import { HistoricalFetchError } from './historical-fetch-error';

/** Kite's limit for minute candles in one request. */
export const KITE_MINUTE_WINDOW_DAYS = 60;
/** 3 historical requests a second. */
export const KITE_HISTORICAL_GAP_MS = 334;

const reply = z.object({ status: z.literal('success'), data: z.object({ candles: z.array(z.tuple([z.string(), z.number(), z.number(), z.number(), z.number(), z.number()]).rest(z.number())) }) });

export interface KiteCandlesDeps {
  /** https://api.kite.trade, or a loopback fake's. */
  readonly root: string;
  readonly apiKey: string;
  readonly accessToken: string;
  readonly fetch?: typeof fetch;
  /** Waits `ms` on the injected clock (the pace between requests). */
  readonly wait: (ms: number) => Promise<void>;
  readonly signal?: AbortSignal;
}

const ist = (ms: number) => DateTime.fromMillis(ms, { zone: 'Asia/Kolkata' }).toFormat('yyyy-MM-dd HH:mm:ss');

/**
 * The instrument's minute bars with start ≤ minute < end (epoch ms), oldest first.
 *
 * @example await fetchKiteCandles({ root: 'https://api.kite.trade', apiKey, accessToken, wait }, 408065, 'INFY', Date.parse('2026-01-01T03:45:00Z'), Date.parse('2026-06-30T10:00:00Z'))
 */
export async function fetchKiteCandles(deps: KiteCandlesDeps, token: number, name: string, start: number, end: number): Promise<HistoricalBar[]> {
  const get = deps.fetch ?? fetch;
  const bars: HistoricalBar[] = [];
  const window = KITE_MINUTE_WINDOW_DAYS * 86_400_000;
  for (let from = start, first = true; from < end; from += window, first = false) {
    if (!first) await deps.wait(KITE_HISTORICAL_GAP_MS);
    const to = Math.min(end, from + window) - 1000;
    const url = new URL(`/instruments/historical/${token}/minute`, deps.root);
    url.search = new URLSearchParams({ from: ist(from), to: ist(to) }).toString();
    const res = await get(url, { headers: { 'X-Kite-Version': '3', Authorization: `token ${deps.apiKey}:${deps.accessToken}` }, signal: deps.signal });
    const text = await res.text();
    const what = `Kite candles of ${name}, ${ist(from)} to ${ist(to)}`;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HistoricalFetchError(`${what}: HTTP ${res.status}, the reply is not JSON`);
    }
    const parsed = reply.safeParse(body);
    if (!res.ok || !parsed.success) {
      const m = (body as { message?: unknown } | null)?.message;
      throw new HistoricalFetchError(`${what}: HTTP ${res.status}: ${typeof m === 'string' ? m : (parsed.error?.issues[0]?.message ?? 'no message')}`);
    }
    for (const [i, [t, o, h, l, c, v]] of parsed.data.data.candles.entries()) {
      const bar = barRow.safeParse({ timestamp: t, open: String(o), high: String(h), low: String(l), close: String(c), volume: String(v) });
      if (!bar.success) throw new HistoricalFetchError(`${what}, candle ${i} (${t}): ${String(bar.error.issues[0]!.path[0] ?? '')} ${bar.error.issues[0]!.message}`);
      if (bar.data.minute >= start && bar.data.minute < end) bars.push(bar.data);
    }
  }
  return bars.sort((a, b) => a.minute - b.minute);
}
