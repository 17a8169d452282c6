import { describe, expect, it } from 'vitest';
import { asUserId } from '../../engine/core/ids';
import { openTestDb } from '../test-support';
import { UniqueViolation } from './errors';

const { repos } = openTestDb();

describe('users repo', () => {
  it('creates a user without exposing the hash', () => {
    const u = repos.users.create({ email: 'Ann@Example.com ', passwordHash: 'h1', createdAt: 10 });
    expect(u).toEqual({ id: u.id, email: 'ann@example.com', createdAt: 10 });
    expect(repos.users.getById(u.id)).toEqual(u);
    expect(Object.keys(repos.users.getById(u.id)!)).not.toContain('passwordHash');
  });

  it('hands the hash out only for login, finding the email case-insensitively', () => {
    const u = repos.users.create({ email: 'bob@example.com', passwordHash: 'h2', createdAt: 10 });
    expect(repos.users.getCredentialsByEmail('BOB@example.com')).toEqual({ id: u.id, email: 'bob@example.com', passwordHash: 'h2' });
    expect(repos.users.getCredentialsByEmail('nobody@example.com')).toBeUndefined();
  });

  it('a duplicate email (any case) is a UniqueViolation on users.email', () => {
    repos.users.create({ email: 'cat@example.com', passwordHash: 'h', createdAt: 1 });
    let err: unknown;
    try {
      repos.users.create({ email: 'CAT@example.com', passwordHash: 'h', createdAt: 2 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UniqueViolation);
    expect(err).toMatchObject({ table: 'users', columns: ['email'] });
  });

  it('sets the password hash', () => {
    const u = repos.users.create({ email: 'dan@example.com', passwordHash: 'old', createdAt: 1 });
    expect(repos.users.setPasswordHash(u.id, 'new')).toBe(true);
    expect(repos.users.getCredentialsByEmail('dan@example.com')).toMatchObject({ passwordHash: 'new' });
  });

  it('answers undefined / false for an unknown id', () => {
    const ghost = asUserId(9999);
    expect(repos.users.getById(ghost)).toBeUndefined();
    expect(repos.users.setPasswordHash(ghost, 'x')).toBe(false);
  });
});
