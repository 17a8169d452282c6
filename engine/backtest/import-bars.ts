/**
 * A CSV of 1-minute bars into the historical store: the whole file is read and judged first
 * (bar-csv.ts), then written in one transaction, so a bad line or a failed write leaves the store
 * as it was.
 */
import type { Repos } from '../../db/repos';
import type { Exchange } from '../core/types';
import { parseBarCsv } from './bar-csv';

export interface ImportResult {
  readonly bars: number;
  /** Epoch ms of the first and last minute imported; null when the file had no rows. */
  readonly first: number | null;
  readonly last: number | null;
  /** Bars of any instrument evicted to keep the store under its cap. */
  readonly evicted: number;
}

/**
 * @example await importBarsCsv(repos, { exchange: 'NSE', symbol: 'INFY' }, createReadStream('infy.csv'))
 */
export async function importBarsCsv(
  repos: Pick<Repos, 'historicalBars' | 'transaction'>,
  instrument: { readonly exchange: Exchange; readonly symbol: string },
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  cap?: number,
): Promise<ImportResult> {
  const bars = await parseBarCsv(chunks);
  const { evicted } = repos.transaction(() => repos.historicalBars.save(instrument.exchange, instrument.symbol, bars, cap));
  return { bars: bars.length, first: bars[0]?.minute ?? null, last: bars.at(-1)?.minute ?? null, evicted };
}
