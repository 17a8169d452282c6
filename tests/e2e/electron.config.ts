/**
 * Playwright config of the Electron shell test only (run it through scripts/test-electron.mjs,
 * which first checks that the Electron binary exists). The browser E2E suite has its own config.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: 'electron.spec.ts',
  timeout: 90_000,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  outputDir: '../../test-results/electron',
});
