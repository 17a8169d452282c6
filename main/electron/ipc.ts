/** The bridge's IPC handlers (see ../bridge-api.ts). Each one checks the sender first. */
import { ipcMain } from 'electron';
import { IPC, type AppInfo, type TokenSaveResult } from '../bridge-api';
import { guarded } from '../ipc-guard';
import type { TokenStore } from '../token-store';

export function registerBridgeIpc(appOrigin: () => string | null, tokens: TokenStore, appInfo: () => AppInfo): void {
  ipcMain.handle(IPC.tokenGet, guarded(appOrigin, () => tokens.get()));
  ipcMain.handle(
    IPC.tokenSet,
    guarded(appOrigin, async (token: unknown): Promise<TokenSaveResult> => ({ persistence: await tokens.set(token) })),
  );
  ipcMain.handle(IPC.tokenClear, guarded(appOrigin, () => tokens.clear()));
  ipcMain.handle(IPC.appInfo, guarded(appOrigin, () => appInfo()));
}
