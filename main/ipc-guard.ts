/**
 * Every IPC handler of the bridge answers only the app's own page (security checklist item 17).
 * A call from any other frame (an injected iframe, a page navigated to despite the guards) is
 * refused before the handler runs.
 */
import { isTrustedSender } from './navigation-guard';

/** The part of Electron's IpcMainInvokeEvent that is checked. */
export interface InvokeEventLike {
  readonly senderFrame: { readonly url: string } | null;
}

export class UntrustedSenderError extends Error {
  constructor(url: string | null) {
    super(`IPC refused: sender ${url ?? '(no frame)'} is not the Tradeclock UI`);
    this.name = 'UntrustedSenderError';
  }
}

/**
 * Wraps `handler` for ipcMain.handle: checks the sender, drops the event (the handler never sees
 * it, so nothing can leak `sender`), passes the arguments on.
 *
 * @example
 * ipcMain.handle(IPC.tokenGet, guarded(() => appOrigin, () => tokens.get()));
 */
export function guarded<A extends unknown[], R>(appOrigin: () => string | null, handler: (...args: A) => R): (event: InvokeEventLike, ...args: A) => R {
  return (event, ...args) => {
    const origin = appOrigin();
    const url = event.senderFrame?.url ?? null;
    if (origin === null || !isTrustedSender(url, origin)) throw new UntrustedSenderError(url);
    return handler(...args);
  };
}
