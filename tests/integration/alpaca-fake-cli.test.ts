/**
 * The fake Alpaca as a separate process (tests/fakes/alpaca/run.ts), as the crash-recovery soak
 * runs it: it prints its URLs as JSON, answers the documented API, takes orders, is steered and
 * counted through /__fake/, and exits cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

interface Started {
  restUrl: string;
  adminUrl: string;
  tradeStreamUrl: string;
  dataStreamUrl: string;
  credentials: { key_id: string; secret_key: string };
}

async function startCli(config: object): Promise<Started> {
  child = spawn(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'tests', 'fakes', 'alpaca', 'run.ts'), '--config', JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the fake printed nothing within 15 s')), 15_000)),
  ]);
  return JSON.parse(first) as Started;
}

describe('tests/fakes/alpaca/run.ts', () => {
  it('serves the fake from another process and is counted and steered over /__fake/', async () => {
    const fake = await startCli({ prices: { AAPL: 150 } });
    expect(fake).toMatchObject({ restUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), tradeStreamUrl: expect.stringMatching(/\/stream$/), dataStreamUrl: expect.stringMatching(/\/v2\/iex$/) });
    const headers = { 'APCA-API-KEY-ID': fake.credentials.key_id, 'APCA-API-SECRET-KEY': fake.credentials.secret_key, 'Content-Type': 'application/json' };

    const account = await fetch(`${fake.restUrl}/v2/account`, { headers });
    expect(account.status).toBe(200);
    expect(await account.json()).toMatchObject({ status: 'ACTIVE', cash: '100000' });

    await fetch(`${fake.adminUrl}/faults`, { method: 'POST', body: JSON.stringify({ route: 'POST /v2/orders', fault: { kind: 'status', status: 503 } }) });
    const body = JSON.stringify({ symbol: 'AAPL', qty: '2', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'cli-1' });
    expect((await fetch(`${fake.restUrl}/v2/orders`, { method: 'POST', headers, body })).status).toBe(503);
    const placed = await fetch(`${fake.restUrl}/v2/orders`, { method: 'POST', headers, body });
    expect(placed.status).toBe(200);
    expect(await placed.json()).toMatchObject({ client_order_id: 'cli-1', status: 'accepted', qty: '2' });

    const received = (await (await fetch(`${fake.adminUrl}/received`)).json()) as { outcome: string }[];
    expect(received.map((r) => r.outcome)).toEqual(['not processed (status)', 'accepted']);

    child!.kill('SIGTERM');
    const [code] = (await once(child!, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
