import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors';
import { scrubbedMessage, unavailableKeyProvider } from './key-provider';

describe('scrubbedMessage', () => {
  it('keeps the real keyring and D-Bus messages readable', () => {
    for (const message of [
      'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
      'Platform failure: DBus error: Failed to connect to socket /run/user/1000/bus: No such file or directory',
      "Couldn't access platform storage: Secret Service: no result found",
      "Couldn't access platform storage: AccessDenied",
    ]) {
      expect(scrubbedMessage(new Error(message))).toBe(message);
    }
  });

  it('removes given secrets, and anything shaped like key material', () => {
    const key = randomBytes(32);
    expect(scrubbedMessage(new Error('bad item hunter2-password'), ['hunter2-password'])).toBe('bad item [redacted]');
    expect(scrubbedMessage(new Error(`item ${key.toString('base64')} is locked`))).toBe('item [redacted] is locked');
    expect(scrubbedMessage(new Error(`item ${key.toString('base64url')}`))).toBe('item [redacted]');
    expect(scrubbedMessage(new Error(`item ${key.toString('hex')}`))).toBe('item [redacted]');
    expect(scrubbedMessage(new Error(`BadEncoding([${[...key].join(', ')}])`))).toBe('BadEncoding([redacted])');
  });

  it('turns anything thrown into one bounded line', () => {
    expect(scrubbedMessage('plain string')).toBe('plain string');
    expect(scrubbedMessage({ not: 'an error' })).toBe('unknown error');
    expect(scrubbedMessage(new Error('two\n  lines'))).toBe('two lines');
    expect(scrubbedMessage(new Error('x '.repeat(400))).length).toBeLessThanOrEqual(301);
  });
});

describe('unavailableKeyProvider', () => {
  it('rejects every getKey with an actionable DomainError', async () => {
    const provider = unavailableKeyProvider('no D-Bus session');
    expect(provider.kind).toBe('unavailable');
    const err: unknown = await provider.getKey().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('unavailable');
    expect((err as DomainError).message).toMatch(/^No key to protect broker credentials: no D-Bus session\. Either run Tradeclock inside a desktop session with an unlocked keyring .* or set TRADECLOCK_PASSPHRASE/);
  });
});
