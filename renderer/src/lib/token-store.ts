/**
 * Where the session token lives between page loads: in the desktop app the shell keeps it
 * (encrypted with the OS keychain); in a browser it is session storage, so it goes with the tab
 * and is never written to disk by us.
 *
 * A paired phone's device token (`tcd_…`) is the exception: it is kept in local storage, because
 * staying paired across closed tabs and restarts is the point of pairing. The trader revokes it
 * from the desktop's Settings; a revoked token is refused everywhere, and then forgotten here.
 */
import { bridge } from './bridge';

const KEY = 'tradeclock.token';
const DEVICE_KEY = 'tradeclock.device-token';

/** True for the token of a paired device (engine/auth/device-pairing.ts). */
export const isDeviceToken = (token: string | null): boolean => token?.startsWith('tcd_') ?? false;

export const tokenStore = {
  async get(): Promise<string | null> {
    const shell = bridge();
    if (shell) return shell.token.get();
    return sessionStorage.getItem(KEY) ?? localStorage.getItem(DEVICE_KEY);
  },
  async set(token: string): Promise<void> {
    const shell = bridge();
    if (shell) await shell.token.set(token);
    else if (isDeviceToken(token)) localStorage.setItem(DEVICE_KEY, token);
    else sessionStorage.setItem(KEY, token);
  },
  async clear(): Promise<void> {
    const shell = bridge();
    if (shell) await shell.token.clear();
    else {
      sessionStorage.removeItem(KEY);
      localStorage.removeItem(DEVICE_KEY);
    }
  },
};
