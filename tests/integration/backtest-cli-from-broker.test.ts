/**
 * `tradeclock backtest --from-broker <account>` on a data directory holding an Alpaca account
 * whose keys are sealed with the install's vault key (here in an in-memory keychain, as the OS
 * one would hold it): the missing trading days are fetched from the Alpaca fake's historical
 * bars (pages of 100, every next_page_token followed), stored, and replayed; a second run asks
 * for nothing; a paper account is refused naming --from-broker's field, exit 2. With `--ticks`
 * the days' trades too (GET /v2/stocks/trades), and a day with trades replayed on them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../db/backups';
import { openDatabase, type Db } from '../../db/client';
import { createRepos, type Repos } from '../../db/repos';
import { listSealedCredentials } from '../../db/repos/sealed-credentials';
import { backtestCommand } from '../../engine/backtest/backtest-cli';
import { localAccountHistory } from '../../engine/brokers/account-history';
import { systemClock } from '../../engine/core/clock';
import { asUserId } from '../../engine/core/ids';
import { createVaultOpener } from '../../engine/secrets/vault-opener';
import { startFakeAlpaca, type FakeAlpaca } from '../fakes/alpaca/fake-alpaca';
import type { FakeBar } from '../fakes/alpaca/fake-bars';
import { memoryKeychain, type MemoryKeychain } from '../support/memory-keychain';

const DAYS = ['2026-03-02', '2026-03-03'];
const day = (d: string): FakeBar[] => Array.from({ length: 390 }, (_, i) => ({ minute: Date.parse(`${d}T14:30:00Z`) + i * 60_000, open: 100 + i / 100, high: 100 + i / 100, low: 100 + i / 100, close: 100 + i / 100, volume: 10 }));

let dir: string;
let db: Db;
let repos: Repos;
let fake: FakeAlpaca;
let keychain: MemoryKeychain;
let alpaca = 0;
let paper = 0;
let out: string[];
let err: string[];
let exits: number[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tradeclock-from-broker-'));
  [out, err, exits] = [[], [], []];
  fake = await startFakeAlpaca({ barsPageMax: 100 });
  fake.setBars('AAPL', DAYS.flatMap(day));
  keychain = memoryKeychain();
  // The install as the daemon leaves it: its id, a user, an Alpaca account sealed with the vault key, a paper one.
  db = openDatabase(join(dir, DATABASE_FILE));
  repos = createRepos(db);
  repos.settings.getOrCreate('install_id', () => 'test-install');
  const user = repos.users.create({ email: 'owner@example.com', passwordHash: 'x', createdAt: 0 });
  const vault = await createVaultOpener({ keychainAccount: 'data-key-test-install', settings: repos.settings, sealedCredentials: () => listSealedCredentials(db.orm), clock: systemClock, openKeychainEntry: keychain.open }).open();
  const account = repos.brokerAccounts.create({ userId: asUserId(user.id), broker: 'alpaca', label: 'Alpaca paper', status: 'connected', credentialsCiphertext: null, options: fake.connectOptions(), createdAt: 0 });
  repos.brokerAccounts.setCredentials(asUserId(user.id), account.id, { ciphertext: vault.encrypt(JSON.stringify(fake.credentials()), String(account.id)), masked: {} });
  alpaca = account.id;
  paper = repos.brokerAccounts.create({ userId: asUserId(user.id), broker: 'paper', label: 'Paper', status: 'connected', credentialsCiphertext: null, createdAt: 0 }).id;
  db.close();
});
afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<void> {
  await backtestCommand({ out: (t) => out.push(t), err: (t) => err.push(t), exit: (c) => exits.push(c) }, dir, (ctx) => localAccountHistory({ ...ctx, clock: systemClock, keychain: keychain.open }))
    .exitOverride()
    .parseAsync(args, { from: 'user' });
}

const AAPL = ['--symbol', 'AAPL', '--exchange', 'NYSE', '--from', '2026-03-02', '--to', '2026-03-03', '--buy-time', '09:35', '--sell-time', '09:40', '--qty', '10', '--stop-loss', '95', '--fees', 'none'];
const barRequests = () => fake.requests().filter((r) => r.path === '/v2/stocks/AAPL/bars');

describe('tradeclock backtest --from-broker', () => {
  it('fetches the missing days from the Alpaca account, stores them, replays them; the next run asks nothing', async () => {
    await cli(...AAPL, '--from-broker', String(alpaca));
    expect(exits).toEqual([]);
    expect(JSON.parse(out.join('')).report).toMatchObject({ trades: 2, wins: 2, net: 1 });
    expect(err).toEqual([`tradeclock backtest: 780 bars of 2 missing trading day(s) fetched from broker account #${alpaca}\n`]);
    expect(barRequests()).toHaveLength(8);
    out = [];
    await cli(...AAPL, '--from-broker', String(alpaca));
    expect(JSON.parse(out.join('')).report.trades).toBe(2);
    expect(barRequests()).toHaveLength(8);
  });

  it('--ticks: the trades of the days the tick store lacks too; Monday replayed on them; --ticks alone is refused, exit 2', async () => {
    // Monday's trades: 100.00 before the 09:35 BUY, 100.40 before the 09:40 SELL: +4.00 (its bars: +0.50).
    fake.setTrades('AAPL', [
      { at: Date.parse('2026-03-02T14:34:00Z'), price: 100 },
      { at: Date.parse('2026-03-02T14:39:00Z'), price: 100.4 },
    ]);
    await cli(...AAPL, '--ticks');
    expect(err.join('')).toBe('tradeclock backtest: ticks: --ticks fetches trades from a broker account: give --from-broker <account id> too\n');
    expect(exits).toEqual([2]);
    [err, exits] = [[], []];
    await cli(...AAPL, '--from-broker', String(alpaca), '--ticks');
    expect(exits).toEqual([]);
    const answer = JSON.parse(out.join(''));
    expect(answer.tickDays).toEqual(['2026-03-02']);
    expect(answer.trades.map((t: { net: number }) => t.net)).toEqual([4, 0.5]);
    expect(err[1]).toBe(`tradeclock backtest: 2 trades of 1 of 2 missing trading day(s) fetched from broker account #${alpaca}\n`);
  });

  it('a paper account has no history: said naming from_broker, exit 2; an id that is no number is refused by the flag', async () => {
    await cli(...AAPL, '--from-broker', String(paper));
    expect(err.join('')).toMatch(/^tradeclock backtest: from_broker: Paper \(paper\) has no price history to fetch/);
    expect(exits).toEqual([2]);
    await expect(cli(...AAPL, '--from-broker', 'alpaca')).rejects.toThrow(/must be a broker account id/);
    expect(barRequests()).toHaveLength(0);
  });
});
