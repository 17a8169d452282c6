import { afterAll, describe, expect, it } from 'vitest';
import { asUserId } from '../../engine/core/ids';
import { openDatabase } from '../client';
import { migrateTo, openTestDb } from '../test-support';
import { createRepos } from '.';

const { repos, close } = openTestDb();
afterAll(close);

const ana = repos.users.create({ email: 'ana@example.com', passwordHash: 'h', createdAt: 1 });
const bob = repos.users.create({ email: 'bob@example.com', passwordHash: 'h', createdAt: 2 });
const session = (id: string, userId = ana.id, createdAt = 100) =>
  repos.sessions.create({ id, userId, createdAt, expiresAt: createdAt + 1000, clientAddress: '127.0.0.1', userAgent: 'curl/8' });

describe('sessions repo', () => {
  it('finds a live session with its user, and nothing once it expired or ended', () => {
    const s = session('live-1');
    expect(s).toEqual({ id: 'live-1', userId: ana.id, createdAt: 100, lastUsedAt: 100, expiresAt: 1100, clientAddress: '127.0.0.1', userAgent: 'curl/8' });
    expect(repos.sessions.getLive('live-1', 500)).toEqual({ session: s, user: { id: ana.id, email: 'ana@example.com', createdAt: 1 } });
    expect(repos.sessions.getLive('live-1', 1100)).toBeUndefined();
    expect(repos.sessions.getLive('no-such', 500)).toBeUndefined();
    repos.sessions.touch('live-1', 700);
    expect(repos.sessions.getLive('live-1', 800)?.session.lastUsedAt).toBe(700);
    expect(repos.sessions.delete(bob.id, 'live-1')).toBe(false);
    expect(repos.sessions.delete(ana.id, 'live-1')).toBe(true);
    expect(repos.sessions.getLive('live-1', 800)).toBeUndefined();
  });

  it('lists and ends only the user’s own sessions', () => {
    session('a-1', ana.id, 10_000);
    session('a-2', ana.id, 10_001);
    session('a-3', ana.id, 10_002);
    session('b-1', bob.id, 10_000);
    expect(repos.sessions.listLive(ana.id, 10_500).map((s) => s.id)).toEqual(['a-1', 'a-2', 'a-3']);
    expect(repos.sessions.deleteOthers(ana.id, 'a-2')).toBe(2);
    expect(repos.sessions.listLive(ana.id, 10_500).map((s) => s.id)).toEqual(['a-2']);
    expect(repos.sessions.listLive(bob.id, 10_500).map((s) => s.id)).toEqual(['b-1']);
    expect(repos.sessions.listLive(asUserId(999), 10_500)).toEqual([]);
  });

  it('prunes expired sessions', () => {
    session('old', bob.id, 0);
    expect(repos.sessions.deleteExpired(1000)).toBeGreaterThanOrEqual(1);
    expect(repos.sessions.listLive(bob.id, 0).map((s) => s.id)).not.toContain('old');
  });
});

describe('migration 0004_sessions', () => {
  it('keeps every account, drops the token version, and starts with no sessions', () => {
    const db = openDatabase(':memory:', { migrate: false });
    migrateTo(db, 4);
    db.sqlite.prepare('INSERT INTO users (email, password_hash, token_version, created_at) VALUES (?, ?, ?, ?)').run('ana@example.com', 'scrypt$h', 7, 5);
    migrateTo(db, 5);
    const migrated = createRepos(db);
    expect(migrated.users.getCredentialsByEmail('ana@example.com')).toEqual({ id: 1, email: 'ana@example.com', passwordHash: 'scrypt$h' });
    expect(db.sqlite.prepare("SELECT name FROM pragma_table_info('users')").all()).not.toContainEqual({ name: 'token_version' });
    expect(migrated.sessions.listLive(asUserId(1), 0)).toEqual([]);
    db.close();
  });
});
