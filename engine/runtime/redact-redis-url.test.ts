import { describe, expect, it } from 'vitest';
import { redactPasswordsIn, redactRedisUrl } from './redact-redis-url';

describe('redactRedisUrl', () => {
  it('masks the password and keeps what helps find the server', () => {
    expect(redactRedisUrl('redis://app:s3cret@db.lan:6379/2')).toBe('redis://app:***@db.lan:6379/2');
    expect(redactRedisUrl('rediss://:s3cret@db.lan:6380')).toBe('rediss://:***@db.lan:6380');
    expect(redactRedisUrl('redis://db.lan:6379?password=s3cret&db=1')).toBe('redis://db.lan:6379?password=***&db=1');
    expect(redactRedisUrl('/run/redis.sock?password=s3cret')).toBe('/run/redis.sock?password=***');
  });

  it('masks passwords with reserved characters and in URLs without a scheme', () => {
    expect(redactRedisUrl('redis://u:p%40ss%2Fw@h:1')).toBe('redis://u:***@h:1');
    expect(redactRedisUrl('u:s3cret@h:6379')).not.toContain('s3cret');
  });

  it('leaves a URL without a password as it was', () => {
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactRedisUrl('/run/redis.sock')).toBe('/run/redis.sock');
  });

  it('shows nothing of an unparseable URL that could hold a secret', () => {
    expect(redactRedisUrl('redis://u:s3cret@[bad')).toBe('(unparseable Redis URL)');
  });
});

describe('redactPasswordsIn', () => {
  it('masks the password wherever a message repeats it, raw or decoded', () => {
    const url = 'redis://u:p%40ss@h:1?password=qs-secret';
    expect(redactPasswordsIn('auth p@ss p%40ss qs-secret failed', url)).toBe('auth *** *** *** failed');
    expect(redactPasswordsIn('connect ECONNREFUSED', 'redis://h:1')).toBe('connect ECONNREFUSED');
  });
});
