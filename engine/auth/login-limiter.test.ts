import { describe, expect, it } from 'vitest';
import { FailureLimiter, LoginLimiter } from './login-limiter';

const MIN = 60_000;

function fakeNow(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('FailureLimiter', () => {
  it('allows up to maxFailures, then refuses until the oldest failure leaves the window', () => {
    const clock = fakeNow();
    const limiter = new FailureLimiter({ maxFailures: 3, windowMs: 15 * MIN }, clock.now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.check('k').allowed).toBe(true);
      limiter.recordFailure('k');
      clock.advance(MIN);
    }
    // Failures at 0, 1 and 2 min; now is 3 min: the first leaves the window at 15 min.
    expect(limiter.check('k')).toEqual({ allowed: false, retryAfterMs: 12 * MIN });
    clock.advance(12 * MIN - 1);
    expect(limiter.check('k').allowed).toBe(false);
    clock.advance(1);
    expect(limiter.check('k')).toEqual({ allowed: true, retryAfterMs: 0 });
    // Only one slot came free: the window slides, it does not reset.
    limiter.recordFailure('k');
    expect(limiter.check('k')).toEqual({ allowed: false, retryAfterMs: MIN });
  });

  it('keeps keys independent and forgets a key on success', () => {
    const clock = fakeNow();
    const limiter = new FailureLimiter({ maxFailures: 2, windowMs: MIN }, clock.now);
    limiter.recordFailure('a');
    limiter.recordFailure('a');
    expect(limiter.check('a').allowed).toBe(false);
    expect(limiter.check('b').allowed).toBe(true);
    limiter.recordSuccess('a');
    expect(limiter.check('a').allowed).toBe(true);
  });

  it('stays bounded under 100k distinct keys, forgetting the least recently failed', () => {
    const clock = fakeNow();
    const limiter = new FailureLimiter({ maxFailures: 1, windowMs: 15 * MIN, maxKeys: 1_000 }, clock.now);
    const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    let largest = 0;
    for (let i = 0; i < 100_000; i++) {
      limiter.recordFailure(ip(i));
      largest = Math.max(largest, limiter.size);
    }
    expect(largest).toBe(1_000);
    expect(limiter.size).toBeGreaterThanOrEqual(900);
    // The newest 900 are always kept; older ones may have been forgotten.
    expect(limiter.check(ip(99_999)).allowed).toBe(false);
    expect(limiter.check(ip(99_100)).allowed).toBe(false);
    expect(limiter.check(ip(98_999)).allowed).toBe(true);
  });

  it('bounds the default LoginLimiter too', () => {
    const clock = fakeNow();
    const limiter = new LoginLimiter({ now: clock.now });
    let largest = 0;
    for (let i = 0; i < 100_000; i++) {
      // A /64 each: addresses within one /64 are one client.
      limiter.recordFailure({ email: `u${i}@example.com`, address: `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1` });
      largest = Math.max(largest, limiter.size.accounts, limiter.size.accountClients, limiter.size.addresses);
    }
    expect(largest).toBe(10_000);
    expect(limiter.size.addresses).toBeGreaterThanOrEqual(9_000);
  });

  it('over the cap, forgets keys whose failures left the window before any live one', () => {
    const clock = fakeNow();
    const limiter = new FailureLimiter({ maxFailures: 1, windowMs: MIN, maxKeys: 100 }, clock.now);
    for (let i = 0; i < 50; i++) limiter.recordFailure(`old-${i}`);
    clock.advance(MIN);
    for (let i = 0; i < 51; i++) limiter.recordFailure(`new-${i}`);
    expect(limiter.size).toBe(51);
    expect(limiter.check('new-0').allowed).toBe(false);
  });

  it('keeps at most maxFailures timestamps per key', () => {
    const clock = fakeNow();
    const limiter = new FailureLimiter({ maxFailures: 3, windowMs: 15 * MIN }, clock.now);
    for (let i = 0; i < 1_000; i++) {
      limiter.recordFailure('k');
      clock.advance(1);
    }
    // The newest three failures count: the next slot frees when the 998th leaves the window.
    expect(limiter.check('k').retryAfterMs).toBe(15 * MIN - 3);
  });
});

describe('FailureLimiter with backoff', () => {
  it('slows down past the free failures, doubling the wait up to its ceiling, and never locks', () => {
    const clock = fakeNow();
    const limiter = new FailureLimiter({ maxFailures: 2, windowMs: 15 * MIN, backoff: { firstDelayMs: 1_000, maxDelayMs: 4_000 } }, clock.now);
    limiter.recordFailure('k');
    limiter.recordFailure('k');
    expect(limiter.check('k')).toEqual({ allowed: false, retryAfterMs: 1_000 });
    clock.advance(1_000);
    expect(limiter.check('k').allowed).toBe(true);
    limiter.recordFailure('k');
    expect(limiter.check('k').retryAfterMs).toBe(2_000);
    clock.advance(2_000);
    limiter.recordFailure('k');
    expect(limiter.check('k').retryAfterMs).toBe(4_000);
    for (let i = 0; i < 50; i++) {
      clock.advance(4_000);
      expect(limiter.check('k').allowed).toBe(true);
      limiter.recordFailure('k');
    }
    expect(limiter.check('k').retryAfterMs).toBe(4_000);
    // Once every failure has left the window, the free failures are back.
    clock.advance(15 * MIN);
    limiter.recordFailure('k');
    expect(limiter.check('k').allowed).toBe(true);
  });

  it('takes back the newest failure', () => {
    const clock = fakeNow();
    const limiter = new FailureLimiter({ maxFailures: 1, windowMs: MIN }, clock.now);
    limiter.recordFailure('k');
    limiter.undoFailure('k');
    expect(limiter.check('k').allowed).toBe(true);
    expect(limiter.size).toBe(0);
    limiter.undoFailure('unknown');
  });
});

describe('LoginLimiter', () => {
  it('slows one client at an account after 5 failures in 15 minutes, and never locks it', () => {
    const clock = fakeNow();
    const limiter = new LoginLimiter({ now: clock.now });
    const stranger = { email: 'alice@example.com', address: '198.51.100.9' };
    for (let i = 0; i < 5; i++) limiter.recordFailure(stranger);
    expect(limiter.check({ email: ' Alice@Example.COM', address: '198.51.100.9' })).toEqual({ allowed: false, retryAfterMs: 5_000 });
    expect(limiter.check({ email: 'bob@example.com', address: '198.51.100.9' }).allowed).toBe(true);
    // The owner, elsewhere, is not slowed by the stranger's guesses.
    expect(limiter.check({ email: 'alice@example.com', address: '10.0.0.99' }).allowed).toBe(true);
    // A stranger who keeps guessing waits at most a minute between guesses.
    for (let i = 0; i < 100; i++) {
      clock.advance(limiter.check(stranger).retryAfterMs);
      expect(limiter.begin(stranger).allowed).toBe(true);
    }
    expect(limiter.check(stranger).retryAfterMs).toBe(60_000);
  });

  it('an attacker hammering the owner\'s account from one client costs the owner on another client nothing', () => {
    const clock = fakeNow();
    const limiter = new LoginLimiter({ now: clock.now });
    const attacker = { email: 'owner@example.com', address: '198.51.100.66' };
    const owner = { email: 'owner@example.com', address: '192.0.2.10' };
    let ownerTries = 0;
    let ownerIn = 0;
    let guesses = 0;
    // 30 minutes of a guess every 5 ms (the attacker tries again the moment a slot opens); the
    // owner signs in with the right password once a minute.
    for (let t = 0; t < 30 * MIN; t += 5) {
      if (limiter.begin(attacker).allowed) guesses++;
      if (t % MIN === 0) {
        ownerTries++;
        if (limiter.begin(owner).allowed) {
          ownerIn++;
          limiter.succeeded(owner);
        }
      }
      clock.advance(5);
    }
    expect(ownerIn).toBe(ownerTries);
    expect(ownerTries).toBe(30);
    // The attacker was slowed all along: 5 free, then 5 s, 10 s, … one a minute.
    expect(guesses).toBeLessThan(45);
  });

  it('past the looser cap at one account (100 failures an hour, all clients), every client waits its own minute, and the owner\'s first try is never delayed', () => {
    const clock = fakeNow();
    const limiter = new LoginLimiter({ now: clock.now });
    const owner = { email: 'owner@example.com', address: '192.0.2.10' };
    // Twenty-five attackers on separate IPv4 addresses, 4 guesses each (under their own free 5): 100 failures.
    const attackers = Array.from({ length: 25 }, (_, i) => ({ email: 'owner@example.com', address: `203.0.113.${i + 1}` }));
    for (const a of attackers) for (let i = 0; i < 4; i++) expect(limiter.begin(a).allowed).toBe(true);
    // Over the cap: a client that failed there waits a minute after its own failure…
    const first = attackers[0]!;
    expect(limiter.check(first)).toEqual({ allowed: false, retryAfterMs: 60_000 });
    clock.advance(30_000);
    expect(limiter.check(first).retryAfterMs).toBe(30_000);
    // …and a fresh attacker gets one try, then the same minute.
    const fresh = { email: 'owner@example.com', address: '203.0.113.200' };
    expect(limiter.begin(fresh).allowed).toBe(true);
    expect(limiter.check(fresh)).toEqual({ allowed: false, retryAfterMs: 60_000 });
    // The owner: the first try goes through at once; after a typo, the right password a minute later.
    expect(limiter.begin(owner).allowed).toBe(true); // a typo
    expect(limiter.check(owner)).toEqual({ allowed: false, retryAfterMs: 60_000 });
    clock.advance(60_000);
    expect(limiter.begin(owner).allowed).toBe(true);
    limiter.succeeded(owner);
    expect(limiter.check(owner).allowed).toBe(true);
    // The owner's sign-in does not reset the account's total for the strangers.
    expect(limiter.begin(fresh).allowed).toBe(true);
    expect(limiter.check(fresh).allowed).toBe(false);
    // Other accounts are untouched; and once the hour has passed, the cap is gone.
    expect(limiter.check({ email: 'other@example.com', address: '203.0.113.200' }).allowed).toBe(true);
    clock.advance(60 * MIN);
    expect(limiter.check(first).allowed).toBe(true);
    for (let i = 0; i < 4; i++) limiter.recordFailure(first);
    expect(limiter.check(first).allowed).toBe(true);
  });

  it('counts an IPv6 /64 as one client: rotating addresses within it buys no guesses', () => {
    const clock = fakeNow();
    const limiter = new LoginLimiter({ now: clock.now });
    for (let i = 0; i < 5; i++) expect(limiter.begin({ email: 'owner@example.com', address: `2001:db8:aa:bb::${(i + 1).toString(16)}` }).allowed).toBe(true);
    expect(limiter.check({ email: 'owner@example.com', address: '2001:db8:aa:bb:dead:beef:0:1' })).toEqual({ allowed: false, retryAfterMs: 5_000 });
    expect(limiter.check({ email: 'owner@example.com', address: '2001:db8:aa:bc::1' }).allowed).toBe(true);
    for (let i = 0; i < 20; i++) limiter.recordFailure({ email: `x${i}@example.com`, address: `2001:db8:aa:bb:${i.toString(16)}::7` });
    expect(limiter.check({ email: 'new@example.com', address: '2001:db8:aa:bb::99' }).allowed).toBe(false);
  });

  it('slows a client down after 20 failures in 15 minutes, whatever the account', () => {
    const clock = fakeNow();
    const limiter = new LoginLimiter({ now: clock.now });
    for (let i = 0; i < 20; i++) {
      limiter.recordFailure({ email: `user${i}@example.com`, address: '::ffff:192.0.2.7' });
      clock.advance(1_000);
    }
    expect(limiter.check({ email: 'new@example.com', address: '192.0.2.7' })).toEqual({ allowed: false, retryAfterMs: 4_000 });
    expect(limiter.check({ email: 'new@example.com', address: '192.0.2.8' }).allowed).toBe(true);
  });

  it('counts every loopback address as one client', () => {
    const clock = fakeNow();
    const limiter = new LoginLimiter({ now: clock.now });
    for (let i = 0; i < 20; i++) limiter.recordFailure({ email: `user${i}@example.com`, address: `127.0.${i}.${i + 1}` });
    for (const address of ['127.0.0.1', '127.200.0.9', '::1', '::ffff:127.0.0.1']) {
      expect(limiter.check({ email: 'new@example.com', address }).allowed, address).toBe(false);
    }
  });

  it('begin counts an attempt before its outcome, so guesses sent together share the limit; succeeded takes it back', () => {
    const clock = fakeNow();
    const limiter = new LoginLimiter({ now: clock.now });
    const guess = { email: 'alice@example.com', address: '192.0.2.1' };
    const allowed = Array.from({ length: 10 }, () => limiter.begin(guess).allowed);
    expect(allowed).toEqual([true, true, true, true, true, false, false, false, false, false]);
    clock.advance(5_000);
    const owner = { email: 'alice@example.com', address: '192.0.2.50' };
    expect(limiter.begin(owner).allowed).toBe(true);
    limiter.succeeded(owner);
    expect(limiter.check(guess).allowed).toBe(true);
    // The owner's right password left nothing counted against the owner's client.
    for (let i = 0; i < 19; i++) limiter.recordFailure({ email: `x${i}@example.com`, address: '192.0.2.50' });
    expect(limiter.check({ email: 'y@example.com', address: '192.0.2.50' }).allowed).toBe(true);
  });

  it('clears the account on success but not the address', () => {
    const clock = fakeNow();
    const limiter = new LoginLimiter({
      now: clock.now,
      perAccountClient: { maxFailures: 2, windowMs: MIN },
      perAddress: { maxFailures: 3, windowMs: MIN },
    });
    const attempt = { email: 'alice@example.com', address: '192.0.2.1' };
    limiter.recordFailure(attempt);
    limiter.recordFailure(attempt);
    expect(limiter.check(attempt).allowed).toBe(false);
    limiter.recordSuccess(attempt);
    expect(limiter.check(attempt).allowed).toBe(true);
    limiter.recordFailure({ email: 'bob@example.com', address: '192.0.2.1' });
    expect(limiter.check({ email: 'carol@example.com', address: '192.0.2.1' }).allowed).toBe(false);
  });

  it('reports the longer wait when both limits are hit', () => {
    const clock = fakeNow();
    const limiter = new LoginLimiter({
      now: clock.now,
      perAccountClient: { maxFailures: 1, windowMs: MIN },
      perAddress: { maxFailures: 1, windowMs: 10 * MIN },
    });
    limiter.recordFailure({ email: 'a@example.com', address: '192.0.2.1' });
    expect(limiter.check({ email: 'a@example.com', address: '192.0.2.1' }).retryAfterMs).toBe(10 * MIN);
  });
});
