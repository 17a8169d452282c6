/**
 * `tradeclock` as a trader runs it, a real process: --version, --help with every environment
 * variable engine/ reads, a busy port (one line, nothing created), the readable terminal lines and
 * the JSON log file, and Ctrl-C on a real pseudo-terminal (util-linux `script`) asking before it
 * leaves an armed strategy unwatched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { logFilePath } from '../../engine/logger';
import { ENVIRONMENT } from '../../engine/terminal/environment';
import { TSX } from '../support/daemon-process';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'engine/cli.ts');
const ENVIRONMENT_LIST = join(ROOT, 'engine/terminal/environment.ts');
const ENV = { ...process.env, TRADECLOCK_PASSPHRASE: 'cli test passphrase, not a secret' };

const dirs: string[] = [];
const procs: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const s of servers.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tradeclock-cli-'));
  dirs.push(d);
  return d;
};

const cli = (...args: string[]) => spawnSync(process.execPath, [...TSX, CLI, ...args], { cwd: ROOT, env: ENV, encoding: 'utf8', timeout: 60_000 });

function occupy(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    servers.push(s);
    s.once('error', reject);
    s.listen({ host, port: 0 }, () => resolve((s.address() as { port: number }).port));
  });
}

/** Every environment variable engine/ reads: `env.X`, `env['X']`, or a quoted 'TRADECLOCK_X' (a name passed along). */
function variablesReadInEngine(): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && path !== ENVIRONMENT_LIST) {
        const source = readFileSync(path, 'utf8');
        for (const m of source.matchAll(/\benv(?:\.|\[['"`])([A-Z][A-Z0-9_]+)|['"`](TRADECLOCK_[A-Z0-9_]+)['"`]/g)) names.add(m[1] ?? m[2]!);
      }
    }
  };
  walk(join(ROOT, 'engine'));
  return [...names].sort();
}

describe('tradeclock --version and --help', () => {
  it('--version prints the package version', () => {
    const r = cli('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  }, 120_000);

  it('--help and daemon --help list every environment variable engine/ reads, each with a meaning', () => {
    const read = variablesReadInEngine();
    expect(read).toEqual(expect.arrayContaining(['REDIS_URL', 'TRADECLOCK_PASSPHRASE', 'TRADECLOCK_PORT', 'TRADECLOCK_REGISTER_LIMIT']));
    for (const args of [['--help'], ['daemon', '--help']]) {
      const r = cli(...args);
      expect(r.status).toBe(0);
      const missing = read.filter((name) => !new RegExp(`^  ${name} +\\S`, 'm').test(r.stdout));
      expect(missing, `not in \`tradeclock ${args.join(' ')}\`: add them to engine/terminal/environment.ts`).toEqual([]);
    }
    expect(ENVIRONMENT.map((v) => v.name).sort()).toEqual(read);
  }, 120_000);
});

describe('a port that cannot be had', () => {
  it('busy: one line naming the port and --port, exit 1, and no data directory, database or log file', async () => {
    const port = await occupy('127.0.0.1');
    const dataDir = join(tempDir(), 'not-yet');
    const r = cli('daemon', '--port', String(port), '--data-dir', dataDir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`tradeclock: port ${port} is in use on 127.0.0.1: another Tradeclock, or another program; choose another port with --port\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(dataDir)).toBe(false);
  }, 120_000);

  it('a start that fails inside startDaemon: one line, no stack trace, exit code 1', () => {
    const dataDir = join(tempDir(), 'd');
    const r = spawnSync(process.execPath, [...TSX, CLI, 'daemon', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'], {
      cwd: ROOT,
      env: { ...ENV, TRADECLOCK_TEST_HOOKS: '1', TRADECLOCK_CRASH_POINT: 'nowhere' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tradeclock: unknown crash point "nowhere": one of .*\n$/);
  }, 120_000);

  it.each(['ten', '1.5', String(3 * 86_400_000)])('a test clock offset of %s: one line naming the variable and the value, exit 1, no data directory', (value) => {
    const dataDir = join(tempDir(), 'not-yet');
    const r = spawnSync(process.execPath, [...TSX, CLI, 'daemon', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'], {
      cwd: ROOT,
      env: { ...ENV, TRADECLOCK_TEST_HOOKS: '1', TRADECLOCK_TEST_CLOCK_OFFSET_MS: value },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`tradeclock: TRADECLOCK_TEST_CLOCK_OFFSET_MS must be whole milliseconds within two days either way, got "${value}"\n`);
    expect(existsSync(dataDir)).toBe(false);
  }, 120_000);
});

/** The API calls that arm one paper strategy, its BUY two to four hours away (CRYPTO trades every day). */
async function armStrategy(url: string): Promise<void> {
  const call = async (path: string, token: string | null, body: unknown): Promise<any> => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  const { token } = await call('/auth/register', null, { email: 'owner@example.com', password: 'a long password' });
  const account = await call('/broker/connect', token, { broker: 'paper', label: 'Paper', credentials: {}, options: { seed: 1, tickIntervalMs: 60_000 } });
  // Two hours away, SELL an hour later; a BUY in the day's last hour would put the SELL past
  // midnight (refused), so then 01:00 UTC, tomorrow's, three to four hours away.
  const buyAt = Date.now() + 2 * 3_600_000;
  const [buy, sell] = new Date(buyAt).getUTCHours() === 23 ? ['01:00:00', '02:00:00'] : [hhmmss(buyAt), hhmmss(buyAt + 3_600_000)];
  const s = await call('/strategy/create', token, { broker_account_id: account.id, symbol: 'BTCUSD', exchange: 'CRYPTO', qty: 2, buy_time: buy, sell_time: sell, stop_loss: 1, timezone: 'UTC' });
  await call('/strategy/start', token, { strategy_id: s.id });
}

/** Collects a stream's text; `until` resolves once it contains `what`. */
function collect(stream: NodeJS.ReadableStream) {
  let text = '';
  const waiters: Array<{ what: string | RegExp; resolve: (m: string) => void }> = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = typeof w.what === 'string' ? (text.includes(w.what) ? w.what : null) : (w.what.exec(text)?.[0] ?? null);
      if (m !== null) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  stream.on('data', (d: Buffer) => {
    text += d.toString();
    check();
  });
  return {
    text: () => text,
    until: (what: string | RegExp, ms = 45_000) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${String(what)} within ${ms} ms; so far:\n${text}`)), ms);
        waiters.push({ what, resolve: (m) => (clearTimeout(timer), resolve(m)) });
        check();
      }),
  };
}

const READY = /Tradeclock is running at (http:\/\/\S+)/;
const ARMED = /PAPER BTCUSD {2}armed for \d{4}-\d\d-\d\d: BUY 2 at \d\d:\d\d:\d\d UTC, SELL at \d\d:\d\d:\d\d UTC, stop-loss 1/;

describe('the terminal', () => {
  it('--log-format text through a pipe: readable lines, no JSON; the log file keeps the JSON; Ctrl-C without a terminal stops at once, saying what goes unwatched', async () => {
    const dataDir = tempDir();
    const proc = spawn(process.execPath, [...TSX, CLI, 'daemon', '--port', '0', '--data-dir', dataDir, '--log-format', 'text'], { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(proc);
    const out = collect(proc.stdout!);
    const err = collect(proc.stderr!);
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const url = READY.exec(await out.until(READY))![1]!;
    await armStrategy(url);
    await out.until(ARMED);
    expect(out.text()).not.toContain('"level":');
    const file = readFileSync(logFilePath(dataDir), 'utf8');
    expect(file).toContain('"msg":"incoming request"');

    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(err.text()).toMatch(/tradeclock: stopping \(SIGINT\); until the next start nothing watches:\n {2}PAPER BTCUSD {2}ARMED: the BUY of 2 at .* UTC is missed if the daemon is still down then\n/);

    // The next start resumes the run without an event: the terminal says what it watches.
    const again = spawn(process.execPath, [...TSX, CLI, 'daemon', '--port', '0', '--data-dir', dataDir, '--log-format', 'text'], { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(again);
    const out2 = collect(again.stdout!);
    await out2.until(/Watching:\n {2}PAPER BTCUSD {2}ARMED: BUY 2 at \w{3} \d+ \w{3} \d\d:\d\d:\d\d UTC, stop-loss 1\n/);
  }, 120_000);

  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasScript)('on a real terminal: Ctrl-C with an armed strategy asks; N keeps it running; a second Ctrl-C at the question stops it', async () => {
    const dataDir = tempDir();
    // `script` runs the command with `$SHELL -c`. A shell that stays in front (dash, /bin/sh when
    // SHELL is unset, as in CI) gets the terminal's SIGINT too, and once the daemon has exited 0 it
    // kills itself with that SIGINT: `script -e` then reports 130, the shell's death, not the
    // daemon's exit. `exec` leaves the daemon alone in the terminal's foreground group, as a trader's
    // interactive shell (job control) does; SHELL is pinned so every run uses the same shell.
    const command = `exec ${[process.execPath, ...TSX, relative(ROOT, CLI), 'daemon', '--port', '0', '--data-dir', dataDir].map((a) => `'${a}'`).join(' ')}`;
    const proc = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: { ...ENV, SHELL: '/bin/sh' }, stdio: ['pipe', 'pipe', 'pipe'] });
    procs.push(proc);
    const term = collect(proc.stdout!);
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const url = READY.exec(await term.until(READY))![1]!;
    expect(term.text()).toContain(`log file (JSON, everything): ${logFilePath(dataDir)}`);
    await armStrategy(url);
    await term.until(ARMED);

    proc.stdin!.write('\x03'); // Ctrl-C, typed
    await term.until('Stop anyway? [y/N]');
    expect(term.text()).toMatch(/nothing watches:\r?\n {2}PAPER BTCUSD {2}ARMED: the BUY of 2 at/);
    proc.stdin!.write('n\r');
    await term.until('still running');
    expect((await fetch(`${url}/health`)).status).toBe(200);

    proc.stdin!.write('\x03');
    await term.until(/Stop anyway\? \[y\/N\][\s\S]*Stop anyway\? \[y\/N\]/);
    proc.stdin!.write('\x03');
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    // JSON request logs went to the file only.
    expect(term.text()).not.toContain('"level":');
  }, 120_000);
});
