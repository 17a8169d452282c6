/**
 * The desktop shell's preload bridge (main/bridge-api.ts), present only inside Electron. In a
 * browser `window.tradeclock` is undefined and the renderer falls back to web APIs.
 */
import type { TradeclockBridge } from '../../../main/bridge-api';

declare global {
  interface Window {
    readonly tradeclock?: TradeclockBridge;
  }
}

export const bridge = (): TradeclockBridge | undefined => (typeof window === 'undefined' ? undefined : window.tradeclock);
