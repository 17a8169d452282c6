/**
 * A hash router: `#/strategies`, `#/strategies/3`, `#/brokers`, `#/settings`. Hash routes work the same when
 * the daemon serves the page and when a shell loads it, with no server-side fallback needed.
 */
import { useSyncExternalStore } from 'react';

export type Route =
  | { readonly name: 'strategies' }
  | { readonly name: 'strategy'; readonly id: number }
  | { readonly name: 'brokers' }
  | { readonly name: 'history' }
  | { readonly name: 'settings' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const detail = /^\/strategies\/(\d{1,15})$/.exec(path);
  if (detail) return { name: 'strategy', id: Number(detail[1]) };
  if (path === '/brokers') return { name: 'brokers' };
  if (path === '/history') return { name: 'history' };
  if (path === '/settings') return { name: 'settings' };
  return { name: 'strategies' };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'strategies':
      return '#/strategies';
    case 'strategy':
      return `#/strategies/${route.id}`;
    case 'brokers':
      return '#/brokers';
    case 'history':
      return '#/history';
    case 'settings':
      return '#/settings';
  }
}

export function navigate(route: Route): void {
  window.location.hash = hrefOf(route);
}

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
