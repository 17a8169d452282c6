/**
 * The main window's webPreferences, in one place so a test pins every security-relevant flag.
 * Electron's defaults are already safe; they are spelt out so a later edit that flips one is a
 * visible, tested change (security checklist items 2–4, 6, 8–10).
 */
import type { WebPreferences } from 'electron';
import { API_BASE_ARG } from './bridge-api';

export function secureWebPreferences(preloadPath: string, apiBase: string, devTools: boolean): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools,
    additionalArguments: [`${API_BASE_ARG}${apiBase}`],
  };
}
