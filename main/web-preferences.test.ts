import { describe, expect, it } from 'vitest';
import { secureWebPreferences } from './web-preferences';

describe('secureWebPreferences', () => {
  const prefs = secureWebPreferences('/app/dist-electron/preload.cjs', 'http://127.0.0.1:5123', false);

  it('isolates and sandboxes the page, with no Node in it', () => {
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });

  it('hands the preload its script and the API origin, and devTools only when asked', () => {
    expect(prefs.preload).toBe('/app/dist-electron/preload.cjs');
    expect(prefs.additionalArguments).toEqual(['--tradeclock-api-base=http://127.0.0.1:5123']);
    expect(prefs.devTools).toBe(false);
    expect(secureWebPreferences('p', 'http://127.0.0.1:1', true).devTools).toBe(true);
  });
});
