import { describe, expect, it } from 'vitest';
import { DomainError } from '../engine/core/errors';
import { isAddressInUse, portCandidates, startOnPreferredPort, startupErrorText } from './startup';

const inUse = () => Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });

describe('startOnPreferredPort', () => {
  it('reuses the last port when it is free', async () => {
    const tried: number[] = [];
    expect(await startOnPreferredPort(async (p) => (tried.push(p), `on ${p}`), 53127)).toBe('on 53127');
    expect(tried).toEqual([53127]);
  });

  it('falls back to any free port when the last one is taken', async () => {
    const tried: number[] = [];
    const result = await startOnPreferredPort(async (p) => {
      tried.push(p);
      if (p !== 0) throw inUse();
      return 'on a free port';
    }, 53127);
    expect(result).toBe('on a free port');
    expect(tried).toEqual([53127, 0]);
  });

  it('does not retry other failures (data-dir lock, database)', async () => {
    const tried: number[] = [];
    const locked = new DomainError('conflict', 'data directory /d is in use by process 42 (started x)');
    await expect(startOnPreferredPort(async (p) => (tried.push(p), Promise.reject(locked)), 53127)).rejects.toBe(locked);
    expect(tried).toEqual([53127]);
  });

  it('asks for any free port the first time, and ignores nonsense', () => {
    expect(portCandidates(null)).toEqual([0]);
    expect(portCandidates(80)).toEqual([0]);
    expect(portCandidates(70_000)).toEqual([0]);
    expect(isAddressInUse(inUse())).toBe(true);
    expect(isAddressInUse(new Error('x'))).toBe(false);
  });
});

describe('startupErrorText', () => {
  it('explains a headless daemon holding the data directory', () => {
    const text = startupErrorText(new DomainError('conflict', 'data directory /d is in use by process 42 (started x); stop it first'), '/d');
    expect(text.title).toBe('Tradeclock is already running');
    expect(text.body).toContain('process 42');
    expect(text.body).toContain('tradeclock daemon');
  });

  it('shows any other failure with the data directory', () => {
    expect(startupErrorText(new Error('SQLITE_CORRUPT'), '/d')).toEqual({ title: 'Tradeclock could not start', body: 'SQLITE_CORRUPT\n\nData directory: /d' });
  });
});
