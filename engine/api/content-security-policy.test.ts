import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from './content-security-policy';

/**
 * A source expression as CSP level 3 defines it (w3.org/TR/CSP3 §2.3.1): keyword, scheme,
 * nonce/hash, or host-source, whose host-part is `*`, or labels of ALPHA / DIGIT / "-" (no brackets,
 * so no IPv6 literal). Chromium drops anything else with a console error.
 */
const KEYWORD = /^'(self|unsafe-inline|unsafe-eval|strict-dynamic|unsafe-hashes|report-sample|unsafe-allow-redirects|wasm-unsafe-eval|none)'$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:$/i;
const HOST_SOURCE = /^([a-z][a-z0-9+.-]*:\/\/)?(\*|(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.?)(:(\d+|\*))?(\/[^\s;,]*)?$/i;
const isValidSource = (s: string) => KEYWORD.test(s) || SCHEME.test(s) || HOST_SOURCE.test(s);

const directives = (policy: string) => new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
const LOOPBACK = ['127.0.0.1:8787', 'localhost:8787', '[::1]:8787'];

describe('contentSecurityPolicy', () => {
  it('has only sources the CSP grammar accepts, for every host the page can be served at', () => {
    for (const host of [null, '127.0.0.1:8787', 'localhost:8787', '[::1]:8787', '192.168.1.20:8787', '[2001:db8::20]:8787', 'tradeclock.lan:8787']) {
      for (const [name, sources] of directives(contentSecurityPolicy(LOOPBACK, host))) {
        const bad = name === 'connect-src' || name === 'default-src' ? sources.filter((s) => !isValidSource(s)) : [];
        expect({ host, name, bad }).toEqual({ host, name, bad: [] });
      }
    }
  });

  it("lets the UI's socket connect on its own host: 'self' everywhere, plus every v4 or named host as ws://", () => {
    const connect = directives(contentSecurityPolicy(LOOPBACK, 'tradeclock.lan:8787')).get('connect-src');
    expect(connect).toEqual(["'self'", 'ws://127.0.0.1:8787', 'ws://localhost:8787', 'ws://tradeclock.lan:8787']);
    // Served at [::1] (or a v6 LAN address) the socket is same-origin: 'self' covers it.
    expect(directives(contentSecurityPolicy(LOOPBACK, '[::1]:8787')).get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:8787', 'ws://localhost:8787']);
  });

  it("lets the installable app load its manifest and service worker from its own origin only", () => {
    const d = directives(contentSecurityPolicy(LOOPBACK, '192.168.1.20:8787'));
    expect(d.get('manifest-src')).toEqual(["'self'"]);
    expect(d.get('worker-src')).toEqual(["'self'"]);
  });

  it('keeps framing, base, forms and plugins shut', () => {
    const d = directives(contentSecurityPolicy(LOOPBACK, null));
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
  });
});
