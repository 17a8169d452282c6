/**
 * The window's guard rails, installed once: navigation and new windows (for every webContents
 * ever created), permissions and the CSP (on the session). Each decision is a plain function in
 * ../navigation-guard.ts and ../csp.ts.
 */
import { app, shell, type Session } from 'electron';
import type { Logger } from 'pino';
import { buildCsp, withCsp } from '../csp';
import { decideWindowOpen, isPermissionGranted, mayNavigate } from '../navigation-guard';

/** Call before any window exists. `appOrigin` is null until the engine listens: then nothing may load. */
export function installNavigationGuards(appOrigin: () => string | null, log: () => Logger | null): void {
  const allowed = (url: string) => {
    const origin = appOrigin();
    return origin !== null && mayNavigate(url, origin);
  };
  const refuse = (what: string, url: string) => log()?.warn({ url }, `blocked ${what}`);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => {
      if (!allowed(event.url)) {
        event.preventDefault();
        refuse('navigation', event.url);
      }
    });
    contents.on('will-frame-navigate', (event) => {
      if (!allowed(event.url)) {
        event.preventDefault();
        refuse('frame navigation', event.url);
      }
    });
    contents.on('will-redirect', (event) => {
      if (!allowed(event.url)) {
        event.preventDefault();
        refuse('redirect', event.url);
      }
    });
    contents.on('will-attach-webview', (event) => {
      event.preventDefault();
      refuse('webview', '');
    });
    contents.setWindowOpenHandler(({ url }) => {
      const decision = decideWindowOpen(url);
      if (decision.external !== null) void shell.openExternal(decision.external);
      else refuse('window.open', url);
      return { action: decision.action };
    });
  });
}

/** Deny-by-default permissions, and the shell's CSP on every response from the app's origin. */
export function hardenSession(ses: Session, appOrigin: string): void {
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => {
    callback(isPermissionGranted(permission, details.requestingUrl, appOrigin));
  });
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
    isPermissionGranted(permission, details.requestingUrl ?? requestingOrigin, appOrigin),
  );
  ses.setDevicePermissionHandler(() => false);
  const policy = buildCsp(appOrigin);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.url, details.responseHeaders, appOrigin, policy) });
  });
}
