/**
 * The kill switch under a register/login flood (issue 16, item 6), against a real daemon in its
 * own process with the real password hash (scrypt, 64 MiB), from a client in this process over
 * loopback. Prints one JSON document:
 *
 * - `idle`: POST /strategy/stop-all with a valid token, no flood (the strategy is running for the
 *   first call only; the rest stop nothing, but take the same path: token check, every strategy
 *   of the user, the answer).
 * - `under_flood`: the same while `--registrations` registrations and `--logins` logins (unknown
 *   emails) arrive at once, one call every 100 ms until every flood request has its answer (a
 *   call that gets no answer in `--give-up-ms` counts as Infinity). Nothing else authenticated is
 *   sent meanwhile, so no other request absorbs a wait the kill switch would have had.
 *
 *   npx tsx bench/auth-flood.ts                     this work tree
 *   npx tsx bench/auth-flood.ts --root /tmp/old     another checkout (e.g. `git archive` of an
 *                                                   older commit, node_modules linked in)
 *
 * Registration is opened (TRADECLOCK_OPEN_REGISTRATION=1). Each flood request comes from its own
 * loopback address (127.0.x.y), as a local attacker rotating addresses would send them; the
 * daemon counts them all as one client.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemonProcess, TSX } from '../tests/support/daemon-process';
import { round, summarize } from './lib/stats';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback);
const root = arg('--root', join(import.meta.dirname, '..'));
const registrations = Number(arg('--registrations', '60'));
const logins = Number(arg('--logins', '60'));
const giveUpMs = Number(arg('--give-up-ms', '60000'));

interface Answer {
  readonly status: number;
  readonly body: any;
}

function request(base: string, method: string, path: string, opts: { token?: string; body?: unknown; agent?: http.Agent; localAddress?: string } = {}): Promise<Answer> {
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string | number> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers, ...(opts.agent ? { agent: opts.agent } : { agent: false }), ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeclock-auth-flood-'));
  const daemon = await startDaemonProcess(dataDir, { TRADECLOCK_OPEN_REGISTRATION: '1', TRADECLOCK_PASSPHRASE: 'bench passphrase, not a secret' }, 'warn', {
    argv: [...TSX, join(root, 'engine/cli.ts')],
    cwd: root,
  });
  const base = daemon.url;
  // The trader's UI keeps its connection open; so does this client.
  const ui = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const owner = await request(base, 'POST', '/auth/register', { body: { email: 'owner@example.com', password: 'the owner password' }, agent: ui });
    if (owner.status !== 201) throw new Error(`register: ${owner.status} ${JSON.stringify(owner.body)}`);
    const token = owner.body.token as string;
    const account = await request(base, 'POST', '/broker/connect', { token, agent: ui, body: { broker: 'paper', label: 'Paper', options: { seed: 1, volatilityBps: 0, tickIntervalMs: 60_000 } } });
    const strategy = await request(base, 'POST', '/strategy/create', {
      token,
      agent: ui,
      body: { broker_account_id: account.body.id, symbol: 'BTC', exchange: 'CRYPTO', qty: 1, buy_time: '23:00', sell_time: '23:30', stop_loss: 95 },
    });
    if (strategy.status !== 201) throw new Error(`create: ${strategy.status} ${JSON.stringify(strategy.body)}`);

    const started = await request(base, 'POST', '/strategy/start', { token, agent: ui, body: { strategy_id: strategy.body.id } });
    if (started.status !== 200) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);

    /** One kill switch: the ms of POST /strategy/stop-all. */
    const killSwitch = async (): Promise<number> => {
      const t0 = performance.now();
      const res = await Promise.race([request(base, 'POST', '/strategy/stop-all', { token, agent: ui, body: { close_positions: true } }), sleep(giveUpMs).then(() => null)]);
      if (res === null) return Number.POSITIVE_INFINITY;
      if (res.status !== 200) throw new Error(`stop-all: ${res.status} ${JSON.stringify(res.body)}`);
      return performance.now() - t0;
    };

    const idle: number[] = [];
    for (let i = 0; i < 30; i++) {
      idle.push(await killSwitch());
      await sleep(50);
    }

    const floodStart = performance.now();
    let pending = registrations + logins;
    const statuses: Record<number, number> = {};
    const answered = (a: Answer) => {
      statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      pending--;
    };
    // Each from its own loopback address: the hash gate, not the per-client limits, is measured.
    const from = (i: number) => `127.0.${(i >> 8) & 255}.${(i & 255) + 1}`;
    for (let i = 0; i < registrations; i++) void request(base, 'POST', '/auth/register', { body: { email: `flood-${i}@example.com`, password: 'a flood of passwords' }, localAddress: from(i) }).then(answered, () => answered({ status: 0, body: null }));
    for (let i = 0; i < logins; i++) void request(base, 'POST', '/auth/login', { body: { email: `nobody-${i}@example.com`, password: 'a wrong password' }, localAddress: from(registrations + i) }).then(answered, () => answered({ status: 0, body: null }));
    const flood: number[] = [];
    while (pending > 0 && performance.now() - floodStart < giveUpMs) {
      await sleep(100);
      flood.push(await killSwitch());
    }
    const floodMs = performance.now() - floodStart;

    const fig = (samples: number[]) => {
      const s = summarize(samples);
      return { n: s.n, p50_ms: round(s.p50, 1), p99_ms: round(s.p99, 1), max_ms: round(s.max, 1) };
    };
    process.stdout.write(
      `${JSON.stringify(
        {
          root,
          at: new Date().toISOString(),
          machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
          flood: { registrations, logins, answered_in_ms: round(floodMs, 0), unanswered: pending, statuses },
          kill_switch: { idle: fig(idle), under_flood: fig(flood) },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    ui.destroy();
    daemon.proc.kill('SIGTERM');
    await daemon.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
