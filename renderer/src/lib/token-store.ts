/**
 * Where the session token lives between page loads: in the desktop app the shell keeps it
 * (encrypted with the OS keychain); in a browser it is session storage, so it goes with the tab
 * and is never written to disk by us.
 */
import { bridge } from './bridge';

const KEY = 'tradeclock.token';

export const tokenStore = {
  async get(): Promise<string | null> {
    const shell = bridge();
    if (shell) return shell.token.get();
    return sessionStorage.getItem(KEY);
  },
  async set(token: string): Promise<void> {
    const shell = bridge();
    if (shell) await shell.token.set(token);
    else sessionStorage.setItem(KEY, token);
  },
  async clear(): Promise<void> {
    const shell = bridge();
    if (shell) await shell.token.clear();
    else sessionStorage.removeItem(KEY);
  },
};
