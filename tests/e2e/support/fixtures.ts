/**
 * The test API for the browser e2e specs: `daemon` (one per worker, see daemon.ts), `api` (a
 * typed-enough HTTP helper against it for setup the test is not about), and `screens.snap()`,
 * which saves the page at desktop and phone widths under test-results/screens/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { startTestDaemon, type RunningDaemon } from './daemon';
import type { PageGlobals } from './page-globals';

export const SCREENS_DIR = join(import.meta.dirname, '..', '..', '..', 'test-results', 'screens');

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 375, height: 812 },
} as const;

export interface Screens {
  /** Saves `<name>-desktop.png` and `<name>-phone.png` (full page), then restores the desktop size. */
  snap(name: string): Promise<void>;
}

async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    // Let layout (and the chart's ResizeObserver) settle at the new width.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const w = globalThis as unknown as PageGlobals;
          w.requestAnimationFrame(() => w.requestAnimationFrame(resolve));
        }),
    );
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(SCREENS_DIR, `${name}-${label}.png`), fullPage: true, animations: 'disabled' });
  }
  await page.setViewportSize(VIEWPORTS.desktop);
}

export const test = base.extend<{ screens: Screens }, { daemon: RunningDaemon }>({
  daemon: [
    async ({}, use) => {
      const daemon = await startTestDaemon();
      try {
        await use(daemon);
      } finally {
        await daemon.stop();
      }
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  screens: async ({ page }, use) => {
    await use({ snap: (name) => snap(page, name) });
  },
  baseURL: async ({ daemon }, use) => {
    await use(daemon.url);
  },
});

export { expect };

/** Wall-clock "HH:MM:SS" in UTC, `offsetMs` from now. */
export function utcTime(offsetMs: number): string {
  return new Date(Date.now() + offsetMs).toISOString().slice(11, 19);
}

/** Milliseconds left in the UTC day. */
function untilUtcMidnight(): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime();
}

/**
 * BUY and SELL times for a strategy the test only arms (nothing of it trades while the test
 * runs): `buyInMs` and `sellInMs` from now, or, when the SELL would fall past UTC midnight, the
 * same pair from 01:00 UTC, which arms it for tomorrow. No test waits for midnight for these.
 */
export function armedTimes(buyInMs: number, sellInMs: number): { buy_time: string; sell_time: string } {
  if (sellInMs < untilUtcMidnight()) return { buy_time: utcTime(buyInMs), sell_time: utcTime(sellInMs) };
  const oneAm = Date.UTC(2000, 0, 1, 1);
  const at = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  return { buy_time: at(oneAm), sell_time: at(oneAm + sellInMs - buyInMs) };
}

/** "HH:MM:SS" in UTC `offsetMs` from now, but never later than `marginMs` before UTC midnight. */
export function utcTimeToday(offsetMs: number, marginMs: number): string {
  return utcTime(Math.min(offsetMs, untilUtcMidnight() - marginMs));
}

/**
 * Strategy times are wall-clock times of one day: a test that trades and would cross UTC
 * midnight waits until it has passed rather than fail for the calendar's reason. Keep `needMs`
 * to what the test trades in (minutes): a strategy only armed takes armedTimes instead.
 */
export async function awayFromMidnight(page: Page, needMs: number): Promise<void> {
  const untilMidnight = untilUtcMidnight();
  if (untilMidnight >= needMs) return;
  const info = test.info();
  info.setTimeout(info.timeout + untilMidnight + 5_000);
  await page.waitForTimeout(untilMidnight + 2_000);
}
