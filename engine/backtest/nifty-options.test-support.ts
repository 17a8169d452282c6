/**
 * fixtures/nifty-options (see its README): the index's bars and a handful of NIFTY weekly and
 * monthly CE contracts' bars, imported through the CSV path, one file per instrument.
 */
import { createReadStream, readdirSync } from 'node:fs';
import type { Repos } from '../../db/repos';
import { importBarsCsv } from './import-bars';

export const NIFTY_OPTIONS_DIR = new URL('./fixtures/nifty-options/', import.meta.url);

/** The fixture's files and the instrument each holds: nifty-50.csv is NSE "NIFTY 50", the rest NFO contracts named as the file. */
export function niftyOptionFiles(): { file: string; exchange: 'NSE' | 'NFO'; symbol: string }[] {
  return readdirSync(NIFTY_OPTIONS_DIR)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((file) => (file === 'nifty-50.csv' ? { file, exchange: 'NSE', symbol: 'NIFTY 50' } : { file, exchange: 'NFO', symbol: file.slice(0, -'.csv'.length) }));
}

export async function importNiftyOptions(repos: Pick<Repos, 'historicalBars' | 'transaction'>): Promise<void> {
  for (const { file, exchange, symbol } of niftyOptionFiles()) await importBarsCsv(repos, { exchange, symbol }, createReadStream(new URL(file, NIFTY_OPTIONS_DIR)));
}
