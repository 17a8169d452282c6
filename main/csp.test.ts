import { describe, expect, it } from 'vitest';
import { buildCsp, withCsp } from './csp';

const origin = 'http://127.0.0.1:5123';

describe('buildCsp', () => {
  const policy = buildCsp(origin);
  const directives = new Map(policy.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)] as const));

  it('allows scripts from the app itself only: no inline, no eval, no remote', () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(policy).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  });

  it('lets the page reach its own API and WebSocket, nothing else', () => {
    expect(directives.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:5123']);
  });

  it('forbids frames, plugins, <base> and form posts', () => {
    for (const d of ['object-src', 'frame-src', 'frame-ancestors', 'base-uri', 'form-action']) expect(directives.get(d)).toEqual(["'none'"]);
  });
});

describe('withCsp', () => {
  const policy = buildCsp(origin);

  it('adds the shell policy beside the server one, so both are enforced', () => {
    const out = withCsp(`${origin}/`, { 'content-security-policy': ["default-src 'self'"], 'content-type': ['text/html'] }, origin, policy);
    expect(out['content-security-policy']).toEqual(["default-src 'self'", policy]);
    expect(out['content-type']).toEqual(['text/html']);
  });

  it('adds it when the server sent none, under any header case', () => {
    expect(withCsp(`${origin}/app.js`, {}, origin, policy)['Content-Security-Policy']).toEqual([policy]);
    expect(withCsp(`${origin}/`, { 'Content-Security-Policy': ['x'] }, origin, policy)).toEqual({ 'Content-Security-Policy': ['x', policy] });
  });

  it('does not add it twice (a response can pass the hook more than once)', () => {
    const once = withCsp(`${origin}/`, {}, origin, policy);
    expect(withCsp(`${origin}/`, once, origin, policy)['Content-Security-Policy']).toEqual([policy]);
  });

  it('leaves responses from other origins alone', () => {
    const headers = { 'x-a': ['1'] };
    expect(withCsp('http://127.0.0.1:9999/', headers, origin, policy)).toEqual(headers);
    expect(withCsp('not a url', undefined, origin, policy)).toEqual({});
  });
});
