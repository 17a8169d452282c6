/**
 * The preload: runs sandboxed, before the page, in an isolated world. It exposes the typed bridge
 * of bridge-api.ts and nothing else: no ipcRenderer, no callbacks that would hand the page an
 * IPC event (security checklist item 20). Bundled to dist-electron/preload.cjs (sandboxed preloads
 * cannot be ES modules and may only require 'electron').
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC, type AppInfo, type TokenSaveResult, type TradeclockBridge } from './bridge-api';
import { apiBaseFromArgv } from './preload-args';

const apiBase = apiBaseFromArgv(process.argv);

if (apiBase !== null) {
  const bridge: TradeclockBridge = {
    isDesktop: true,
    apiBase,
    token: {
      get: () => ipcRenderer.invoke(IPC.tokenGet) as Promise<string | null>,
      set: (token: string) => ipcRenderer.invoke(IPC.tokenSet, String(token)) as Promise<TokenSaveResult>,
      clear: () => ipcRenderer.invoke(IPC.tokenClear) as Promise<void>,
    },
    appInfo: () => ipcRenderer.invoke(IPC.appInfo) as Promise<AppInfo>,
  };
  contextBridge.exposeInMainWorld('tradeclock', bridge);
}
