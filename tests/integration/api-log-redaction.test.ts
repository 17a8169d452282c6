/**
 * The API's request log never holds a secret from a query string, however the client encoded the
 * parameter's name or value: the server decodes `%72equest_token` to request_token before a
 * route reads it, so the log's redaction compares decoded names too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('request log URLs', () => {
  it('redacts secret query parameters whose names or values are percent-encoded', async () => {
    h = await startApiHarness({ logLevel: 'info' });
    const cases: Array<[query: string, secret: string]> = [
      ['%72equest_token=Sekret0001&status=success', 'Sekret0001'],
      ['request%5Ftoken=Sekret0002', 'Sekret0002'],
      ['%52%45%51%55%45%53%54_TOKEN=Sekret0003', 'Sekret0003'],
      ['status=ok&tc%5Fnonce=Sekret0004', 'Sekret0004'],
      ['%2572equest_token=Sekret0005', 'Sekret0005'],
      ['access_token=%53ekret0006', 'Sekret0006'],
      ['token=Sekret%300007', 'Sekret0007'],
      ['pass%77ord=Sekret0008', 'Sekret0008'],
    ];
    for (const [query] of cases) await h.call('GET', `/broker/login/callback?${query}`);
    await h.call('GET', '/health?limit=5');

    const log = h.logLines.join('\n');
    const urls = h.logLines.map((l) => (JSON.parse(l) as { req?: { url?: string } }).req?.url).filter((u): u is string => u !== undefined);
    expect(urls).toContain('/broker/login/callback?%72equest_token=[redacted]&status=success');
    expect(urls).toContain('/health?limit=5');
    for (const [query, secret] of cases) {
      expect(log, query).not.toContain(secret);
      // Nor any encoded spelling of it that a reader could decode.
      expect(log.includes(encodeURIComponent(secret)) || log.includes('%53ekret') || log.includes('Sekret%30'), query).toBe(false);
    }
  });
});
