/**
 * The floors' HTTP client: node:http with a keep-alive agent, the leanest way a bare Node program
 * sends a request (cheaper per request than fetch), so the floor is what the machine allows.
 */
import http from 'node:http';

export interface Poster {
  post(path: string, body: unknown): Promise<number>;
  get(path: string): Promise<number>;
}

export function poster(baseUrl: string, credentials: { key_id: string; secret_key: string }, maxSockets: number): Poster {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const base = { 'APCA-API-KEY-ID': credentials.key_id, 'APCA-API-SECRET-KEY': credentials.secret_key, Accept: 'application/json' };
  const send = (method: string, path: string, body?: string) =>
    new Promise<number>((resolve, reject) => {
      const headers: Record<string, string | number> = { ...base };
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      const req = http.request(`${baseUrl}${path}`, { method, agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  return { post: (path, body) => send('POST', path, JSON.stringify(body)), get: (path) => send('GET', path) };
}
