/**
 * A loopback webhook receiver that checks Tradeclock's signature the way a trader's server would:
 * HMAC-SHA256 with the shared secret over `<X-Tradeclock-Timestamp>.<raw body>`, compared in
 * constant time with `X-Tradeclock-Signature: sha256=<hex>`. Answers with the statuses a test
 * queues (200 once the queue is empty), or holds the request open (`'hang'`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  /** The request's path and query (a Slack-like URL carries its token there). */
  readonly path: string;
  readonly body: string;
  readonly json: Record<string, unknown>;
  readonly timestamp: string | undefined;
  readonly delivery: string | undefined;
  /** The signature matched the secret over this timestamp and body. */
  readonly signed: boolean;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedHook[];
  /** The next answers, in order: a status, or 'hang' to never answer. */
  answer(...next: Array<number | 'hang'>): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const answers: Array<number | 'hang'> = [];
  const hung = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const timestamp = req.headers['x-tradeclock-timestamp'] as string | undefined;
    const given = Buffer.from(String(req.headers['x-tradeclock-signature'] ?? ''));
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
    const signed = given.length === expected.length && timingSafeEqual(given, expected);
    received.push({ path: req.url ?? '', body, json: JSON.parse(body) as Record<string, unknown>, timestamp, delivery: req.headers['x-tradeclock-delivery'] as string | undefined, signed });
    const next = answers.shift() ?? 200;
    if (next === 'hang') return void hung.add(res);
    res.writeHead(signed ? next : 401).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/tradeclock`,
    received,
    answer: (...next) => void answers.push(...next),
    async close() {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
