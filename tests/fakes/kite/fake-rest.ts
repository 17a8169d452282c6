/**
 * The fake's REST side: Kite's routes on loopback with form-encoded bodies, `{status, data}`
 * envelopes and `{status: 'error', error_type, message, data: null}` errors, plus queued faults.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/** What the next matching request meets instead of (or on top of) normal handling. */
export type RestFault =
  /** A plain error status; with `errorType` a Kite envelope, without it an HTML page (a proxy). */
  | { readonly kind: 'status'; readonly status: number; readonly errorType?: string; readonly message?: string }
  /** Kite's 429; `retryAfter` adds a Retry-After header (Kite documents none; a proxy may send one). */
  | { readonly kind: 'rate_limit'; readonly retryAfter?: string }
  /** Handled normally, after `ms` real milliseconds. */
  | { readonly kind: 'slow'; readonly ms: number }
  /** Never answered (the socket stays open until the client gives up). */
  | { readonly kind: 'stall' }
  /** Handled normally (an order IS placed), but the reply is never sent: the client times out. */
  | { readonly kind: 'accept_then_stall' }
  /** Handled normally (an order IS placed, and streamed), the reply sent `ms` real milliseconds later (a slow way back). */
  | { readonly kind: 'accept_then_slow'; readonly ms: number }
  /** Handled normally, then the connection is cut before the reply. */
  | { readonly kind: 'accept_then_drop' }
  /** 200 with a body that is not JSON. */
  | { readonly kind: 'garbage' }
  /** 200, the success envelope around this `data` instead of the route's (a reply in a shape Kite does not send). */
  | { readonly kind: 'data'; readonly data: unknown };

export interface RestRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly contentType: string;
  readonly form: URLSearchParams;
  readonly rawBody: string;
}

export type RestReply =
  | { readonly kind: 'data'; readonly data: unknown; readonly status?: number }
  | { readonly kind: 'error'; readonly status: number; readonly errorType: string; readonly message: string }
  | { readonly kind: 'csv'; readonly text: string }
  | { readonly kind: 'redirect'; readonly location: string };

export type RestHandler = (req: RestRequest) => RestReply;

/**
 * Kite's 429 as its users see it: pykiteconnect raises the body's error_type, and the reported
 * error is `NetworkException: Too many requests` (SOURCES.md).
 */
export const RATE_LIMITED: RestReply = { kind: 'error', status: 429, errorType: 'NetworkException', message: 'Too many requests' };

interface QueuedFault {
  readonly route: string;
  readonly fault: RestFault;
  remaining: number;
}

export class FakeRest {
  private readonly server: Server;
  private readonly faults: QueuedFault[] = [];
  /** Every request, in arrival order. */
  readonly log: RestRequest[] = [];

  constructor(
    private readonly handler: RestHandler,
    private readonly encodeJson: (value: unknown) => string,
    /** The fake's clock for the `Date` header of every JSON reply (RFC 9110 §6.6.1), epoch ms. */
    private readonly dateNow: () => number = () => Date.now(),
  ) {
    this.server = createServer((req, res) => void this.serve(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues `fault` for the next `times` requests whose "METHOD /path" starts with `route`. */
  failNext(route: string, fault: RestFault, times = 1): void {
    this.faults.push({ route, fault, remaining: times });
  }

  private takeFault(key: string): RestFault | null {
    const f = this.faults.find((q) => key.startsWith(q.route) && q.remaining > 0);
    if (!f) return null;
    f.remaining--;
    if (f.remaining === 0) this.faults.splice(this.faults.indexOf(f), 1);
    return f.fault;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const request: RestRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      contentType,
      form: contentType === 'application/x-www-form-urlencoded' ? new URLSearchParams(rawBody) : new URLSearchParams(),
      rawBody,
    };
    if (!url.pathname.startsWith('/__fake/')) this.log.push(request);
    const fault = this.takeFault(`${request.method} ${request.path}`);
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.kind === 'stall') return; // the socket stays open; close() cuts it
    if (fault?.kind === 'rate_limit') return this.write(res, req, RATE_LIMITED, fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter });
    if (fault?.kind === 'garbage') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('<html>not json');
    if (fault?.kind === 'data') return this.write(res, req, { kind: 'data', data: fault.data });
    if (fault?.kind === 'status') {
      if (fault.errorType) return this.write(res, req, { kind: 'error', status: fault.status, errorType: fault.errorType, message: fault.message ?? `${fault.errorType} injected by the fake` });
      return void res.writeHead(fault.status, { 'Content-Type': 'text/html' }).end(`<html><body>${fault.status} from a proxy</body></html>`);
    }
    let reply: RestReply;
    try {
      reply = this.handler(request);
    } catch (err) {
      reply = { kind: 'error', status: 500, errorType: 'GeneralException', message: `fake crashed: ${String(err)}` };
    }
    if (fault?.kind === 'accept_then_stall') return;
    if (fault?.kind === 'accept_then_slow') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.kind === 'accept_then_drop') return void req.socket.destroy();
    this.write(res, req, reply);
  }

  private write(res: ServerResponse, req: IncomingMessage, reply: RestReply, headers: Record<string, string> = {}): void {
    if (reply.kind === 'redirect') return void res.writeHead(302, { Location: reply.location }).end();
    if (reply.kind === 'csv') {
      const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      const body = gzip ? gzipSync(reply.text) : Buffer.from(reply.text);
      return void res.writeHead(200, { 'Content-Type': 'text/csv', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) }).end(body);
    }
    const [status, body] =
      reply.kind === 'data' ? [reply.status ?? 200, { status: 'success', data: reply.data }] : [reply.status, { status: 'error', message: reply.message, error_type: reply.errorType, data: null }];
    res.writeHead(status, { 'Content-Type': 'application/json', Date: new Date(this.dateNow()).toUTCString(), ...headers }).end(this.encodeJson(body));
  }
}
