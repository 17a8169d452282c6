import { describe, expect, it } from 'vitest';
import { decideWindowOpen, isAppUrl, isPermissionGranted, isTrustedSender, mayNavigate, originOf } from './navigation-guard';

const app = 'http://127.0.0.1:5123';

describe('navigation', () => {
  it('stays on the app origin, any path', () => {
    expect(mayNavigate(`${app}/`, app)).toBe(true);
    expect(mayNavigate(`${app}/strategies/3?tab=orders#x`, app)).toBe(true);
  });

  it.each([
    ['a prefix look-alike', 'http://127.0.0.1:5123.evil.example/'],
    ['credentials in the URL', 'http://127.0.0.1:5123@evil.example/'],
    ['another port', 'http://127.0.0.1:5124/'],
    ['localhost (a different origin)', 'http://localhost:5123/'],
    ['https', 'https://127.0.0.1:5123/'],
    ['a remote site', 'https://example.com/'],
    ['file:', 'file:///etc/passwd'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['javascript:', 'javascript:alert(1)'],
    ['about:blank', 'about:blank'],
    ['garbage', 'not a url'],
  ])('refuses %s', (_what, url) => {
    expect(mayNavigate(url, app)).toBe(false);
  });

  it('gives opaque URLs no origin', () => {
    expect(originOf('data:text/plain,x')).toBeNull();
    expect(originOf('http://127.0.0.1:5123/x')).toBe(app);
  });
});

describe('new windows', () => {
  it('never opens an Electron window; https links go to the system browser', () => {
    expect(decideWindowOpen('https://docs.alpaca.markets/')).toEqual({ action: 'deny', external: 'https://docs.alpaca.markets/' });
  });

  it.each(['http://example.com/', 'file:///C:/Windows/System32/calc.exe', 'smb://host/share', 'ms-msdt:/id', 'javascript:alert(1)', 'https://user:pw@example.com/', `${app}/popup`, ''])(
    'opens nothing for %s',
    (url) => {
      expect(decideWindowOpen(url)).toEqual({ action: 'deny', external: null });
    },
  );
});

describe('IPC senders', () => {
  it('trusts only a frame showing the app', () => {
    expect(isTrustedSender(`${app}/settings`, app)).toBe(true);
    expect(isTrustedSender('https://evil.example/', app)).toBe(false);
    expect(isTrustedSender(null, app)).toBe(false);
    expect(isTrustedSender(undefined, app)).toBe(false);
    expect(isAppUrl('about:blank', app)).toBe(false);
  });
});

describe('permissions', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'midiSysex', 'hid', 'unknown'])('denies %s', (permission) => {
    expect(isPermissionGranted(permission, `${app}/`, app)).toBe(false);
  });

  it('grants clipboard writes to the app page only', () => {
    expect(isPermissionGranted('clipboard-sanitized-write', `${app}/`, app)).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', 'https://evil.example/', app)).toBe(false);
    expect(isPermissionGranted('clipboard-sanitized-write', undefined, app)).toBe(false);
  });
});
