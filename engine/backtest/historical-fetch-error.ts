/** A broker refused a historical download or answered what cannot be read; the message names the instrument and range, never a key or token. */
export class HistoricalFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoricalFetchError';
  }
}
