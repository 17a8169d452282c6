/**
 * The crash soak: the daemon as a child process, trading on an Alpaca account pointed at the
 * Alpaca fake in another process, killed with SIGKILL at random moments and at every named crash
 * point, restarted each time. The broker's own record is the judge: per strategy and day exactly
 * one BUY and at most one exit, no position left open past the SELL, every journal row resolved,
 * and PRAGMA integrity_check ok at the end.
 *
 * Used by tests/integration/crash-soak.test.ts (a short run in CI) and scripts/soak.ts (long runs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seededUniform } from '../../engine/brokers/paper/paper-random';
import { firstLine, startDaemonProcess, TSX, type Daemon } from '../support/daemon-process';
import { CRASH_POINTS } from '../../engine/execution/crash-points';

const root = join(import.meta.dirname, '..', '..');

export interface SoakOptions {
  readonly cycles: number;
  readonly strategiesPerCycle: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
}

export interface SoakReport {
  readonly cycles: number;
  readonly strategies: number;
  readonly kills: { readonly random: number; readonly crashPoints: Readonly<Record<string, number>> };
  readonly restarts: number;
  readonly ordersAtBroker: { readonly buys: number; readonly exits: number; readonly refusedResends: number };
  readonly duplicates: number;
  readonly lostExits: number;
  readonly missedBuys: number;
  readonly unresolvedOrders: number;
  readonly problems: readonly string[];
  readonly integrity: string;
  readonly seconds: number;
}

interface Fake {
  readonly proc: ChildProcess;
  readonly restUrl: string;
  readonly tradeStreamUrl: string;
  readonly dataStreamUrl: string;
  readonly adminUrl: string;
  readonly credentials: { key_id: string; secret_key: string };
}

interface BrokerOrder {
  readonly client_order_id: string;
  readonly side: 'buy' | 'sell';
  readonly status: string;
  readonly filled_qty: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function startFake(): Promise<Fake> {
  const proc = spawn(process.execPath, [...TSX, join(root, 'tests/fakes/alpaca/run.ts')], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const json = await firstLine(proc, (l) => (l.startsWith('{') ? l : null), 'alpaca fake');
  return { proc, ...(JSON.parse(json) as Omit<Fake, 'proc'>) };
}

function soakDaemon(dataDir: string, crashPoint: string | null): Promise<Daemon> {
  return startDaemonProcess(dataDir, {
    TRADECLOCK_PASSPHRASE: 'crash-soak passphrase, not a secret',
    TRADECLOCK_TEST_HOOKS: '1',
    TRADECLOCK_TEST_CALENDAR: 'always-open',
    TRADECLOCK_CRASH_POINT: crashPoint ?? '',
  });
}

async function call(daemon: Daemon, method: string, path: string, token: string | null, body?: unknown): Promise<any> {
  const res = await fetch(`${daemon.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return parsed;
}

async function admin(fake: Fake, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${fake.adminUrl}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  return res.json();
}

/** `tc` + install id (6) + strategy id (base 36) + yymmdd + E|X → strategy id and slot. */
function parseClientOrderId(id: string): { strategyId: number; slot: 'E' | 'X' } | null {
  const m = /^tc[0-9a-z]{6}([0-9a-z]+)\d{6}([EX])$/.exec(id);
  return m ? { strategyId: parseInt(m[1]!, 36), slot: m[2] as 'E' | 'X' } : null;
}

const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const DAY_OVER = new Set(['SOLD', 'EXITED_BY_SL', 'MISSED_BUY', 'SKIPPED', 'STOPPED']);

export async function runCrashSoak(opts: SoakOptions): Promise<SoakReport> {
  const log = opts.log ?? (() => {});
  const rand = seededUniform(opts.seed, 'crash-soak');
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeclock-soak-'));
  const fake = await startFake();
  let daemon = await soakDaemon(dataDir, null);
  let restarts = 0;
  const kills = { random: 0, crashPoints: Object.fromEntries(CRASH_POINTS.map((p) => [p, 0])) as Record<string, number> };
  const problems: string[] = [];
  const strategyIds: number[] = [];
  let missedBuys = 0;

  const restart = async (crashPoint: string | null) => {
    if (daemon.proc.exitCode === null && daemon.proc.signalCode === null) daemon.proc.kill('SIGKILL');
    await daemon.exited;
    daemon = await soakDaemon(dataDir, crashPoint);
    restarts++;
  };

  try {
    const email = `soak-${opts.seed}@example.com`;
    const { token } = await call(daemon, 'POST', '/auth/register', null, { email, password: 'crash soak password' });
    const account = await call(daemon, 'POST', '/broker/connect', token, {
      broker: 'alpaca',
      label: 'Alpaca (fake)',
      credentials: fake.credentials,
      options: { paper: true, rest_url: fake.restUrl, trade_stream_url: fake.tradeStreamUrl, data_stream_url: fake.dataStreamUrl },
    });
    const symbols = ['AAPL', 'MSFT', 'IBM', 'SPY'];

    for (let cycle = 0; cycle < opts.cycles; cycle++) {
      // The first cycles go through every named crash point; the rest kill at a random moment.
      const crashPoint = cycle < CRASH_POINTS.length ? `${CRASH_POINTS[cycle]}:${1 + Math.floor(rand() * opts.strategiesPerCycle)}` : null;
      if (crashPoint) await restart(crashPoint);
      while (new Date(Date.now() + 15_000).getUTCDate() !== new Date().getUTCDate()) await sleep(1_000); // no run across UTC midnight
      // A whole second, with time to create and start every strategy of the cycle before it (~20 ms each here).
      const buyAt = Math.ceil((Date.now() + opts.strategiesPerCycle * 40) / 1000) * 1000 + 4_000;
      const sellAt = buyAt + 3_000;
      const ids: number[] = [];
      for (let j = 0; j < opts.strategiesPerCycle; j++) {
        const s = await call(daemon, 'POST', '/strategy/create', token, {
          broker_account_id: account.id,
          symbol: symbols[j % symbols.length],
          exchange: 'NYSE',
          qty: 1 + (j % 3),
          buy_time: hhmmss(buyAt),
          sell_time: hhmmss(sellAt),
          stop_loss: 1,
          timezone: 'UTC',
        });
        ids.push(s.id);
      }
      for (const id of ids) await call(daemon, 'POST', '/strategy/start', token, { strategy_id: id });
      strategyIds.push(...ids);

      if (crashPoint) {
        // The daemon kills itself at the crash point (if the cycle reaches it); bring it back.
        await Promise.race([daemon.exited, sleep(sellAt - Date.now() + 2_000)]);
        if (daemon.proc.signalCode === 'SIGKILL') kills.crashPoints[crashPoint.split(':')[0]!]!++;
        await restart(null);
      } else {
        await sleep(Math.floor(rand() * (sellAt - Date.now() + 1_000)));
        kills.random++;
        await restart(null);
      }

      const deadline = sellAt + 60_000;
      for (;;) {
        const runs = await Promise.all(ids.map((id) => call(daemon, 'GET', `/strategy/${id}`, token)));
        if (runs.every((s) => s.runtime && (DAY_OVER.has(s.runtime.state) || (s.runtime.state === 'ERROR' && s.runtime.position_qty === 0)))) {
          missedBuys += runs.filter((s) => s.runtime.state === 'MISSED_BUY' || s.runtime.state === 'ERROR').length;
          break;
        }
        if (Date.now() > deadline) {
          problems.push(`cycle ${cycle}: runs not over a minute after the SELL: ${runs.map((s) => `${s.id}=${s.runtime?.state}`).join(', ')}`);
          break;
        }
        await sleep(250);
      }
      log(`cycle ${cycle + 1}/${opts.cycles}${crashPoint ? ` crash point ${crashPoint}` : ' random kill'} done`);
    }

    // The judge: the broker's own record.
    const received: Array<{ clientOrderId: string; side: string; outcome: string }> = await admin(fake, 'GET', '/received');
    const ordersByKey: Record<string, BrokerOrder[]> = await admin(fake, 'GET', '/orders');
    const brokerOrders = Object.values(ordersByKey).flat();
    const per = new Map<number, { buys: BrokerOrder[]; exits: BrokerOrder[] }>();
    for (const o of brokerOrders) {
      const parsed = parseClientOrderId(o.client_order_id);
      if (!parsed) continue;
      const entry = per.get(parsed.strategyId) ?? { buys: [], exits: [] };
      (parsed.slot === 'E' ? entry.buys : entry.exits).push(o);
      per.set(parsed.strategyId, entry);
    }
    let duplicates = 0;
    let lostExits = 0;
    let buys = 0;
    let exits = 0;
    for (const id of strategyIds) {
      const { buys: b, exits: x } = per.get(id) ?? { buys: [], exits: [] };
      buys += b.length;
      exits += x.length;
      if (b.length > 1 || x.length > 1) {
        duplicates += Math.max(0, b.length - 1) + Math.max(0, x.length - 1);
        problems.push(`strategy ${id}: ${b.length} BUYs and ${x.length} exits at the broker`);
      }
      const bought = b.reduce((n, o) => n + Number(o.filled_qty), 0);
      const sold = x.reduce((n, o) => n + Number(o.filled_qty), 0);
      if (bought !== sold) {
        lostExits++;
        problems.push(`strategy ${id}: bought ${bought}, sold ${sold} at the broker after its SELL time`);
      }
    }
    let unresolvedOrders = 0;
    for (const id of strategyIds) {
      const { orders } = await call(daemon, 'GET', `/strategy/${id}/orders`, token);
      for (const o of orders as Array<{ status: string; client_order_id: string }>) {
        if (!['filled', 'rejected', 'cancelled'].includes(o.status)) {
          unresolvedOrders++;
          problems.push(`strategy ${id}: journal row ${o.client_order_id} still ${o.status}`);
        }
      }
    }
    daemon.proc.kill('SIGTERM');
    await daemon.exited;
    const db = new Database(join(dataDir, 'tradeclock.sqlite'), { readonly: true });
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    db.close();
    return {
      cycles: opts.cycles,
      strategies: strategyIds.length,
      kills,
      restarts,
      ordersAtBroker: { buys, exits, refusedResends: received.filter((r) => r.outcome !== 'accepted').length },
      duplicates,
      lostExits,
      missedBuys,
      unresolvedOrders,
      problems,
      integrity,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    if (daemon.proc.exitCode === null && daemon.proc.signalCode === null) daemon.proc.kill('SIGKILL');
    fake.proc.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}
