/**
 * A JSON request from a chosen local source address: Linux answers on all of 127.0.0.0/8, so a
 * local process can send each request from a different loopback address. For tests of limits
 * that count per client.
 */
import { request } from 'node:http';

export function postFrom(port: number, localAddress: string, path: string, body: unknown): Promise<{ status: number; body: any; retryAfter: number | null }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path, localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const retry = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, body: raw ? (JSON.parse(raw) as unknown) : undefined, retryAfter: retry === undefined ? null : Number(retry) });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}
