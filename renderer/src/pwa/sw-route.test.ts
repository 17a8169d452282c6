import { describe, expect, it } from 'vitest';
import { API_ROOTS, swRoute, type SwRequest } from './sw-route';

const SCOPE = 'http://192.168.1.20:7420/';
const SHELL = ['', 'index.html', 'assets/index-Bx1.js', 'assets/index-C9.css', 'icons/icon-192.png', 'manifest.webmanifest'];
const get = (path: string, over: Partial<SwRequest> = {}): SwRequest => ({ method: 'GET', url: new URL(path, SCOPE).href, mode: 'cors', hasAuthorization: false, ...over });
const route = (r: SwRequest) => swRoute(r, SCOPE, SHELL);

describe('swRoute', () => {
  it('answers the built shell files from the cache', () => {
    for (const path of ['/', '/index.html', '/assets/index-Bx1.js', '/assets/index-C9.css', '/icons/icon-192.png', '/manifest.webmanifest']) {
      expect({ path, route: route(get(path)) }).toEqual({ path, route: 'shell' });
    }
  });

  it('leaves every API path to the network, a page load of one included', () => {
    for (const root of API_ROOTS) {
      for (const path of [`/${root}`, `/${root}/1/x`, `/${root}?q=1`]) {
        expect({ path, route: route(get(path)) }).toEqual({ path, route: 'network' });
        expect({ path, route: route(get(path, { mode: 'navigate' })) }).toEqual({ path, route: 'network' });
      }
    }
    // The event WebSocket's handshake never reaches a worker, and its URL is an API root anyway.
    expect(route(get('/events', { mode: 'websocket' }))).toBe('network');
  });

  it('leaves anything with an Authorization header, a query string, or another method to the network', () => {
    expect(route(get('/assets/index-Bx1.js', { hasAuthorization: true }))).toBe('network');
    expect(route(get('/', { mode: 'navigate', hasAuthorization: true }))).toBe('network');
    expect(route(get('/index.html?request_token=abc'))).toBe('network');
    for (const method of ['POST', 'PATCH', 'DELETE', 'HEAD']) expect(route(get('/index.html', { method }))).toBe('network');
  });

  it('leaves other origins, paths outside the scope and files the build did not list to the network', () => {
    expect(route(get('https://cdn.example/assets/index-Bx1.js'))).toBe('network');
    expect(route(get('http://192.168.1.20:7421/index.html'))).toBe('network');
    expect(swRoute(get('/index.html'), 'http://192.168.1.20:7420/app/', ['index.html'])).toBe('network');
    expect(route(get('/assets/index-OLD.js'))).toBe('network');
    expect(route(get('/assets/index-Bx1.js.map'))).toBe('network');
  });

  it('takes every page load from the network first, the cached shell only as a fallback', () => {
    expect(route(get('/', { mode: 'navigate' }))).toBe('page');
    expect(route(get('/index.html?from=home', { mode: 'navigate' }))).toBe('page');
    expect(route(get('/strategies/3', { mode: 'navigate' }))).toBe('page');
    expect(route(get('/strategies/3'))).toBe('network');
  });
});
