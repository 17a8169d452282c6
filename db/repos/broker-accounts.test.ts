import { beforeEach, describe, expect, it } from 'vitest';
import { asBrokerAccountId } from '../../engine/core/ids';
import { openTestDb, seedStrategy, type TestDb } from '../test-support';
import { ForeignKeyViolation } from './errors';
import type { User } from './users';

let t: TestDb;
let alice: User;
let bob: User;

beforeEach(() => {
  t?.close();
  t = openTestDb();
  alice = t.repos.users.create({ email: 'alice@example.com', passwordHash: 'h', createdAt: 1 });
  bob = t.repos.users.create({ email: 'bob@example.com', passwordHash: 'h', createdAt: 1 });
});

const newAccount = (userId: User['id']) =>
  t.repos.brokerAccounts.create({
    userId,
    broker: 'alpaca',
    label: 'Alpaca paper',
    status: 'connected',
    credentialsCiphertext: Buffer.from([1, 2, 3]),
    credentialsMasked: { apiKey: 'PK…7Q' },
    options: { baseUrl: 'https://paper-api.alpaca.markets' },
    createdAt: 5,
  });

describe('broker accounts repo', () => {
  it('creates and reads back an account without its ciphertext', () => {
    const a = newAccount(alice.id);
    expect(a).toEqual({
      id: a.id,
      userId: alice.id,
      broker: 'alpaca',
      label: 'Alpaca paper',
      status: 'connected',
      credentialsMasked: { apiKey: 'PK…7Q' },
      options: { baseUrl: 'https://paper-api.alpaca.markets' },
      createdAt: 5,
    });
    expect(t.repos.brokerAccounts.get(alice.id, a.id)).toEqual(a);
    expect(t.repos.brokerAccounts.getInternal(a.id)).toEqual(a);
    expect(t.repos.brokerAccounts.list(alice.id)).toEqual([a]);
  });

  it('hands the ciphertext out only through getCiphertextInternal', () => {
    const a = newAccount(alice.id);
    expect(t.repos.brokerAccounts.getCiphertextInternal(a.id)).toEqual(Buffer.from([1, 2, 3]));
    const paper = t.repos.brokerAccounts.create({ userId: alice.id, broker: 'paper', label: 'P', status: 'connected', credentialsCiphertext: null, createdAt: 1 });
    expect(paper.credentialsMasked).toEqual({});
    expect(paper.options).toEqual({});
    expect(t.repos.brokerAccounts.getCiphertextInternal(paper.id)).toBeNull();
    expect(t.repos.brokerAccounts.getCiphertextInternal(asBrokerAccountId(999))).toBeNull();
  });

  it('sets status and credentials for the owner only', () => {
    const a = newAccount(alice.id);
    expect(t.repos.brokerAccounts.setStatus(bob.id, a.id, 'revoked')).toBe(false);
    expect(t.repos.brokerAccounts.setStatus(alice.id, a.id, 'expired')).toBe(true);
    expect(t.repos.brokerAccounts.get(alice.id, a.id)?.status).toBe('expired');
    expect(t.repos.brokerAccounts.setStatusInternal(a.id, 'connected')).toBe(true);
    expect(t.repos.brokerAccounts.getInternal(a.id)?.status).toBe('connected');

    const creds = { ciphertext: Buffer.from([9]), masked: { apiKey: 'PK…ZZ' } };
    expect(t.repos.brokerAccounts.setCredentials(bob.id, a.id, creds)).toBe(false);
    expect(t.repos.brokerAccounts.setCredentials(alice.id, a.id, creds)).toBe(true);
    expect(t.repos.brokerAccounts.getCiphertextInternal(a.id)).toEqual(Buffer.from([9]));
    expect(t.repos.brokerAccounts.get(alice.id, a.id)?.credentialsMasked).toEqual({ apiKey: 'PK…ZZ' });
  });

  it("user B cannot read, list or delete user A's account", () => {
    const a = newAccount(alice.id);
    expect(t.repos.brokerAccounts.get(bob.id, a.id)).toBeUndefined();
    expect(t.repos.brokerAccounts.list(bob.id)).toEqual([]);
    expect(t.repos.brokerAccounts.delete(bob.id, a.id)).toBe(false);
    expect(t.repos.brokerAccounts.get(alice.id, a.id)).toBeDefined();
  });

  it('deletes an unused account; refuses one that strategies use', () => {
    const a = newAccount(alice.id);
    expect(t.repos.brokerAccounts.delete(alice.id, a.id)).toBe(true);
    expect(t.repos.brokerAccounts.get(alice.id, a.id)).toBeUndefined();
    expect(t.repos.brokerAccounts.delete(alice.id, a.id)).toBe(false);

    const { account } = seedStrategy(t.repos, { userId: alice.id });
    expect(() => t.repos.brokerAccounts.delete(alice.id, account.id)).toThrow(ForeignKeyViolation);
    expect(t.repos.brokerAccounts.get(alice.id, account.id)).toBeDefined();
  });
});
