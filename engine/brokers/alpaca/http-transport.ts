/**
 * One HTTP exchange over node:http / node:https with a keep-alive agent, for the Trading API.
 *
 * Why not fetch: fetch (undici) takes the request through web streams and several turns of the
 * event loop before its first byte is written, about 0.4 ms on a daemon that is also reading
 * price ticks, and ~0.15 ms more CPU per request; an order is what the engine is waiting to send.
 * node:http writes the request within the call when a connection is free.
 *
 * Idle connections are dropped after IDLE_TIMEOUT_MS, or sooner when the server's Keep-Alive
 * header says so (Node's agent honours the hint): reusing a connection the server has just closed
 * would turn an order into an unknown outcome.
 */
import http from 'node:http';
import https from 'node:https';

/** As fetch's (undici's) default keep-alive timeout. */
export const IDLE_TIMEOUT_MS = 4_000;

export interface HttpReply {
  readonly status: number;
  readonly headers: { get(name: string): string | null; has(name: string): boolean };
  readonly text: string;
}

export class HttpTransport {
  private readonly agent: http.Agent;
  private readonly send: typeof http.request;

  constructor(baseUrl: string) {
    const secure = new URL(baseUrl).protocol === 'https:';
    this.agent = secure ? new https.Agent({ keepAlive: true, timeout: IDLE_TIMEOUT_MS }) : new http.Agent({ keepAlive: true, timeout: IDLE_TIMEOUT_MS });
    this.send = secure ? https.request : http.request;
  }

  /**
   * Resolves with the whole reply; rejects on a transport failure (refused, reset, aborted: the
   * error is `signal.reason` when the signal aborted).
   */
  request(method: string, url: URL, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<HttpReply> {
    return new Promise<HttpReply>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const all: Record<string, string | number> = { ...headers };
      if (body !== undefined) all['Content-Length'] = Buffer.byteLength(body);
      const req = this.send(url, { method, headers: all, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          signal.removeEventListener('abort', onAbort);
          const h = res.headers;
          const get = (name: string): string | null => {
            const v = h[name.toLowerCase()];
            return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
          };
          resolve({ status: res.statusCode ?? 0, headers: { get, has: (name) => get(name) !== null }, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      const onAbort = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? signal.reason : err);
      });
      req.end(body);
    });
  }

  /** Drops every connection. */
  close(): void {
    this.agent.destroy();
  }
}
