/**
 * End-to-end tests in a real browser: Debian's Chromium (never a downloaded one) against a
 * daemon on a free port serving the built renderer. `npx playwright test`.
 *
 * - globalSetup builds the renderer once (vite build → renderer/dist).
 * - Each worker starts its own daemon with a throwaway data dir (tests/e2e/support/fixtures.ts).
 * - Screenshots of every screen at desktop and phone widths go to test-results/screens/.
 * - The Electron shell's spec has its own config (tests/e2e/electron.config.ts, run by
 *   scripts/test-electron.mjs) and is left out here.
 */
import { defineConfig, devices } from '@playwright/test';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/e2e',
  testIgnore: /electron\.spec\.ts$/,
  globalSetup: './tests/e2e/support/global-setup.ts',
  outputDir: 'test-results/artifacts',
  timeout: 120_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  workers: 1,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 10_000,
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1280, height: 800 },
        deviceScaleFactor: 1,
        launchOptions: {
          executablePath: chromium,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--disable-quic',
            '--no-first-run',
          ],
        },
      },
    },
  ],
});
