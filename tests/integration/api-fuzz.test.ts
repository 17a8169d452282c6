/**
 * Thousands of malformed bodies at every POST and PATCH route: random JSON values, valid bodies
 * with fields swapped for junk, wrong types, huge strings, deep nesting, forbidden keys, and text
 * that is not JSON at all. The server must never answer 5xx, never crash, and always use the one
 * error shape. Seeded (FUZZ_SEED overrides) so a failure reproduces.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strategyShape } from '../../engine/core/strategy-spec';
import { PAPER_OPTIONS, PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';

const SEED = Number(process.env.FUZZ_SEED ?? 20260309);
const CASES = 3_000;
/**
 * A hang is caught per case: a request not answered within this fails at once, naming the case.
 * The test's own limit then only has to fit the work, which varies with the machine's load: about
 * 25 s quiet, 55–62 s on one core shared with three busy processes (a 60 s limit failed runs that
 * hung nowhere), 233 s with both cores busy besides.
 */
const CASE_BOUND_MS = 10_000;
const RUN_LIMIT_MS = 600_000;

let h: ApiHarness;
let token: string;
let sacrificial: string;
let account: number;
let strategy: number;
beforeAll(async () => {
  h = await startApiHarness();
  ({ token } = await h.register('fuzzer@example.com'));
  // Logout and password change revoke tokens: they get users of their own.
  ({ token: sacrificial } = await h.register());
  account = await h.connectPaper(token);
  strategy = (await h.createStrategy(token, account)).body.id;
});
afterAll(async () => h?.close());

const FIELDS = [
  'email', 'password', 'current_password', 'new_password', 'broker', 'label', 'credentials', 'options', ...Object.keys(strategyShape), 'strategy_id',
  'close_position', 'seed', 'tickIntervalMs', 'scripts', '__proto__', 'constructor', 'prototype', 'toString', '', ' ', 'ünï', '0',
];
const STRINGS = [
  '', ' ', 'AAPL', 'NYSE', 'paper', '09:05', 'sell', 'percent', 'mon', 'either', '9:5', '24:00:00', '23:59:59.999', 'America/New_York', 'Etc/GMT+14', '../../etc/passwd',
  'daily', 'once', 'NaN', 'Infinity', '-0', '1e309', 'null', 'true', '{}', '[]', '__proto__', '\u0000', '\ud800', '💥', 'a@b.c',
  "'; DROP TABLE users; --", '<script>alert(1)</script>', '%00', '\r\nX-Injected: 1',
];
const NUMBERS = [0, -0, 1, -1, 1.5, 0.1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324, 1_000_001, 3600, 3601, 99_999_999_999];
const BROKEN_JSON = ['{', '}', '{"a":}', "{'a':1}", 'nul', 'tru', '[1,2', '{"email": "x"', '"unterminated', '\u0000', '{"a":1}{"b":2}', '01', '.5', '{"a":1,}', '\ufeff{}', '{"__proto__": {"polluted": 1}}', '{"constructor": {"prototype": {"polluted": 1}}}'];

function bodies(): Record<string, () => Record<string, unknown>> {
  let n = 0;
  return {
    'POST /auth/register': () => ({ email: `fuzz-${++n}@example.com`, password: PASSWORD }),
    'POST /auth/login': () => ({ email: 'fuzzer@example.com', password: PASSWORD }),
    'POST /auth/logout': () => ({}),
    'POST /auth/password': () => ({ current_password: PASSWORD, new_password: 'another good password' }),
    'POST /broker/connect': () => ({ broker: 'paper', label: 'Fuzz', options: { ...PAPER_OPTIONS } }),
    'POST /strategy/create': () => ({ broker_account_id: account, symbol: 'AAPL', exchange: 'NYSE', qty: 1, buy_time: '09:05', sell_time: '09:10', stop_loss: 95 }),
    'POST /strategy/start': () => ({ strategy_id: strategy }),
    'POST /strategy/stop': () => ({ strategy_id: strategy, close_position: true }),
    'PATCH /strategy/:id': () => ({ qty: 2 }),
    'POST /strategy/:id/readiness': () => ({}),
    'PATCH /install-settings': () => ({ stale_price_seconds: 30 }),
  };
}

class Gen {
  constructor(private readonly rng: RandomGenerator) {}
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  chance(percent: number): boolean {
    return this.int(1, 100) <= percent;
  }
  string(): string {
    switch (this.int(0, 3)) {
      case 0:
        return this.pick(STRINGS);
      case 1:
        return String.fromCodePoint(...Array.from({ length: this.int(0, 40) }, () => this.int(0, 0x10ffff)).filter((c) => c < 0xd800 || c > 0xdfff));
      case 2:
        return this.pick(STRINGS).repeat(this.int(1, 2000));
      default:
        return 'x'.repeat(this.int(0, 60_000));
    }
  }
  value(depth = 0): unknown {
    switch (this.int(0, depth > 3 ? 4 : 6)) {
      case 0:
        return null;
      case 1:
        return this.chance(50);
      case 2:
        return this.chance(70) ? this.pick(NUMBERS) : (this.int(-1e6, 1e6) / 7);
      case 3:
      case 4:
        return this.string();
      case 5:
        return Array.from({ length: this.int(0, 5) }, () => this.value(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: this.int(0, 6) }, () => [this.pick(FIELDS), this.value(depth + 1)]));
    }
  }
  /** A valid body with some fields replaced by junk, removed, or joined by unknown ones. */
  mutate(body: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...body };
    for (let i = this.int(1, 3); i > 0; i--) {
      const keys = Object.keys(out);
      const roll = this.int(0, 2);
      if (roll === 0 && keys.length > 0) out[this.pick(keys)] = this.value(1);
      else if (roll === 1 && keys.length > 0) delete out[this.pick(keys)];
      else out[this.pick(FIELDS)] = this.value(1);
    }
    return out;
  }
  deep(): string {
    const n = this.int(100, 20_000);
    return this.chance(50) ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  }
  /** The raw text of one request body. */
  body(valid: Record<string, unknown>): string {
    const roll = this.int(1, 100);
    if (roll <= 25) return JSON.stringify(this.value());
    if (roll <= 70) return JSON.stringify(this.mutate(valid));
    if (roll <= 85) {
      const text = this.chance(50) ? this.pick(BROKEN_JSON) : JSON.stringify(valid);
      return this.chance(50) ? text : text.slice(0, this.int(0, text.length));
    }
    if (roll <= 95) return this.deep();
    return JSON.stringify({ ...valid, [this.pick(FIELDS)]: 'y'.repeat(this.int(60_000, 70_000)) });
  }
}

describe(`fuzzing every POST and PATCH route (seed ${SEED})`, () => {
  it(`${CASES} malformed bodies: never a 5xx, always the error shape`, { timeout: RUN_LIMIT_MS }, async () => {
    const gen = new Gen(xoroshiro128plus(SEED));
    const routes = bodies();
    const names = Object.keys(routes);
    const statuses = new Map<number, number>();
    for (let i = 0; i < CASES; i++) {
      const route = gen.pick(names);
      const [method, template] = route.split(' ') as [string, string];
      const path = template.replace(':id', gen.chance(90) ? String(strategy) : gen.pick(['0', '-1', 'abc', '1e3', '99999999999999999999', '%00']));
      const text = gen.body(routes[route]!());
      const revokes = route === 'POST /auth/logout' || route === 'POST /auth/password';
      const where = `case ${i} (seed ${SEED}): ${method} ${path} ${text.slice(0, 200)}`;
      const res = await h
        .call(method, path, { token: revokes ? sacrificial : token, rawBody: text, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(CASE_BOUND_MS) })
        .catch((err: unknown) => {
          throw new Error(`${where}: no answer (${String(err)})`);
        });
      // A logout, a password change or a lockout ends that user's usefulness: take a fresh one.
      if (revokes && [200, 204, 429].includes(res.status)) ({ token: sacrificial } = await h.register());
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, where).toBeLessThan(500);
      if (res.status >= 400) {
        expect(res.body, where).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
        expect(Object.keys(res.body.error).every((k) => ['code', 'message', 'fields'].includes(k)), where).toBe(true);
      } else if (res.status !== 204) {
        expect(typeof res.body, where).toBe('object');
      }
    }
    // The run reached past validation too, not only the parser.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 201, 400, 413]));
    expect((await h.call('GET', '/health')).status).toBe(200);
    expect((await h.call('GET', '/auth/validate', { token })).status).toBe(200);
    const errors = h.logLines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
  });
});
