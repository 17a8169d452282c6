/**
 * Test-control routes under /__fake/ (not part of Alpaca's protocol), so a test in another
 * process — the crash-recovery soak — can steer the fake and count what it received:
 *
 *   GET  /__fake/received                      every POST /v2/orders, with its outcome
 *   GET  /__fake/orders                        orders as Alpaca would list them, per key id
 *   GET  /__fake/requests                      every REST request answered (method, path, status)
 *   GET  /__fake/streams                       authenticated data sessions and trade listeners
 *   POST /__fake/faults      {route?, fault, times?, exitsOnly?}  see fake-faults.ts, fault-plan.ts
 *   POST /__fake/trades      {trades:[{symbol, price, size?}], batch?}
 *   POST /__fake/behavior    {behavior, once?}           see fake-config.ts OrderBehavior
 *   POST /__fake/fill        {client_order_id}           fills a held order (or its replacement)
 *   POST /__fake/replace     {client_order_id, silence?, qty?}  Alpaca replaces it → {id, client_order_id};
 *                            silence "all" | "replacement" withholds trade_updates (fake-desk.ts)
 *   POST /__fake/restate     {client_order_id, status}   e.g. status "calculated"; sends that event
 *   POST /__fake/numbers     {numbers}                   decimals as JSON numbers (true) or strings
 *   POST /__fake/cancels     {hold?, confirm?}           hold: DELETE leaves orders pending_cancel; confirm: they turn canceled
 *   POST /__fake/sell-by-hand {symbol, qty, key_id?}    the trader sells in Alpaca's app → {id, client_order_id}
 *   POST /__fake/data/{drop|stall|resume}, /__fake/data/error {code}, /__fake/data/raw {text}
 *   POST /__fake/trade-stream/{drop|block|unblock|garbage}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeAlpaca } from './fake-alpaca';
import type { FaultRule } from './fake-faults';
import type { FakeTrade } from './fake-data-stream';
import type { OrderBehavior } from './fake-config';

export async function handleAdmin(fake: FakeAlpaca, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const body = req.method === 'POST' ? await readJson(req) : {};
  const ok = (value: unknown = { ok: true }): void => {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
  };
  const route = `${req.method} ${path.slice('/__fake'.length)}`;
  try {
    switch (route) {
      case 'GET /received':
        return ok(fake.received());
      case 'GET /orders':
        return ok(Object.fromEntries(fake.accounts.map((a) => [a.keyId, fake.orders(a.keyId)])));
      case 'GET /requests':
        return ok(fake.requests());
      case 'GET /streams':
        return ok({ data: fake.dataSessions(), trade: fake.tradeListeners() });
      case 'POST /faults':
        fake.injectFault(body as unknown as FaultRule);
        return ok();
      case 'POST /trades':
        fake.pushTrades(body.trades as FakeTrade[], body.batch !== false);
        return ok();
      case 'POST /behavior':
        fake.setBehavior(body.behavior as OrderBehavior, body.once === true);
        return ok();
      case 'POST /fill':
        fake.fillOrder(String(body.client_order_id));
        return ok();
      case 'POST /replace': {
        const silence = body.silence === 'all' || body.silence === 'replacement' ? body.silence : undefined;
        const next = fake.replaceOrder(String(body.client_order_id), { ...(silence ? { silence } : {}), ...(typeof body.qty === 'number' ? { qty: body.qty } : {}) });
        return ok({ id: next.id, client_order_id: next.clientOrderId });
      }
      case 'POST /restate':
        fake.restateOrder(String(body.client_order_id), String(body.status));
        return ok();
      case 'POST /cancels':
        if (typeof body.hold === 'boolean') fake.holdCancels(body.hold);
        if (body.confirm === true) fake.confirmCancels();
        return ok();
      case 'POST /numbers':
        fake.setNumbers(body.numbers === true);
        return ok();
      case 'POST /sell-by-hand': {
        const sold = fake.sellByHand(String(body.symbol), Number(body.qty), typeof body.key_id === 'string' ? body.key_id : undefined);
        return ok({ id: sold.id, client_order_id: sold.clientOrderId });
      }
      case 'POST /data/drop':
        fake.dropDataStreams();
        return ok();
      case 'POST /data/stall':
        fake.stallDataStreams();
        return ok();
      case 'POST /data/resume':
        fake.resumeDataStreams();
        return ok();
      case 'POST /data/error':
        fake.sendDataError(Number(body.code));
        return ok();
      case 'POST /data/raw':
        fake.sendDataFrame(String(body.text));
        return ok();
      case 'POST /trade-stream/drop':
        fake.dropTradeStreams();
        return ok();
      case 'POST /trade-stream/block':
        fake.blockTradeStreams(true);
        return ok();
      case 'POST /trade-stream/unblock':
        fake.blockTradeStreams(false);
        return ok();
      case 'POST /trade-stream/garbage':
        fake.sendTradeGarbage();
        return ok();
      default:
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `no admin route ${route}` }));
    }
  } catch (err) {
    res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('body must be a JSON object');
  return value as Record<string, unknown>;
}
