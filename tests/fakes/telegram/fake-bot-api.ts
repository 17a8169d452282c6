/**
 * A loopback Telegram Bot API: `POST /bot<token>/<method>` with a JSON (or form) body, answered in
 * the Bot API's envelope, `{ok: true, result}` or `{ok: false, error_code, description}` (see
 * SOURCES.md). It knows getMe, sendMessage and getUpdates (long polling with `offset` and
 * `timeout`); a token it was not given, or one revoked, gets 401 "Unauthorized" on every method.
 * Tests push what a user types with `say` and read what the bot sent from `sent`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  readonly token: string;
  readonly chatId: number;
  readonly text: string;
}

interface FakeUpdate {
  readonly update_id: number;
  readonly message: { message_id: number; date: number; chat: { id: number; type: 'private' }; from: { id: number; is_bot: false; first_name: string }; text: string };
}

interface Poll {
  readonly token: string;
  readonly offset: number;
  readonly res: ServerResponse;
  readonly timer: NodeJS.Timeout;
}

export interface FakeBotApi {
  /** `http://127.0.0.1:<port>`: grammY's `apiRoot`. */
  readonly apiRoot: string;
  readonly sent: SentMessage[];
  /** Every method called, in order, with its token. */
  readonly calls: Array<{ readonly token: string; readonly method: string }>;
  /** A user in `chatId` types `text` to the bot of `token`. */
  say(token: string, chatId: number, text: string): void;
  /** The token stops working (revoked in @BotFather): 401 from now on. */
  revoke(token: string): void;
  /** The bot cannot write to this chat (never started, or blocked it): sendMessage gets 403. */
  block(chatId: number): void;
  close(): Promise<void>;
}

export async function startFakeBotApi(tokens: readonly string[]): Promise<FakeBotApi> {
  const valid = new Set(tokens);
  const blocked = new Set<number>();
  const updates = new Map<string, FakeUpdate[]>();
  const polls = new Set<Poll>();
  const sent: SentMessage[] = [];
  const calls: FakeBotApi['calls'] = [];
  let nextUpdate = 1;
  let nextMessage = 1;

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, code: number, description: string) => reply(res, code, { ok: false, error_code: code, description });
  // Updates below the offset are confirmed: Telegram forgets them.
  const pending = (token: string, offset: number) => {
    const queue = (updates.get(token) ?? []).filter((u) => u.update_id >= offset);
    updates.set(token, queue);
    return queue;
  };
  const answerPolls = (token: string) => {
    for (const p of [...polls]) {
      if (p.token !== token) continue;
      const ready = pending(token, p.offset);
      if (ready.length === 0) continue;
      polls.delete(p);
      clearTimeout(p.timer);
      reply(p.res, 200, { ok: true, result: ready });
    }
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    if (!m) return fail(res, 404, 'Not Found');
    const [, token, method] = m as unknown as [string, string, string];
    calls.push({ token, method });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const params: Record<string, unknown> = text === '' ? {} : (req.headers['content-type'] ?? '').includes('json') ? (JSON.parse(text) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(text));
    if (!valid.has(token)) return fail(res, 401, 'Unauthorized');
    switch (method) {
      case 'getMe':
        return reply(res, 200, { ok: true, result: { id: Number(token.split(':')[0]), is_bot: true, first_name: 'Tradeclock test bot', username: 'tradeclock_test_bot' } });
      case 'sendMessage': {
        const chatId = Number(params.chat_id);
        if (typeof params.text !== 'string' || params.text === '') return fail(res, 400, 'Bad Request: message text is empty');
        if (!Number.isSafeInteger(chatId)) return fail(res, 400, 'Bad Request: chat not found');
        if (blocked.has(chatId)) return fail(res, 403, 'Forbidden: bot was blocked by the user');
        sent.push({ token, chatId, text: params.text });
        return reply(res, 200, { ok: true, result: { message_id: nextMessage++, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, text: params.text } });
      }
      case 'getUpdates': {
        const offset = Number(params.offset ?? 0);
        const timeoutS = Number(params.timeout ?? 0);
        const ready = pending(token, offset);
        if (ready.length > 0 || timeoutS <= 0) return reply(res, 200, { ok: true, result: ready });
        const poll: Poll = { token, offset, res, timer: setTimeout(() => (polls.delete(poll), reply(res, 200, { ok: true, result: [] })), timeoutS * 1000) };
        polls.add(poll);
        res.on('close', () => {
          clearTimeout(poll.timer);
          polls.delete(poll);
        });
        return;
      }
      default:
        return fail(res, 404, 'Not Found: method not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    sent,
    calls,
    say(token, chatId, text) {
      const queue = updates.get(token) ?? [];
      queue.push({ update_id: nextUpdate++, message: { message_id: nextMessage++, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'Trader' }, text } });
      updates.set(token, queue);
      answerPolls(token);
    },
    revoke(token) {
      valid.delete(token);
      for (const p of [...polls]) {
        if (p.token !== token) continue;
        polls.delete(p);
        clearTimeout(p.timer);
        fail(p.res, 401, 'Unauthorized');
      }
    },
    block: (chatId) => void blocked.add(chatId),
    async close() {
      for (const p of polls) {
        clearTimeout(p.timer);
        p.res.destroy();
      }
      polls.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
