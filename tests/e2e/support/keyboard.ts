/**
 * Moving through the UI by keyboard alone, checking on every stop that the trader can see where
 * the focus is: a focused element must draw an outline (style not none, width above 0) or a box
 * shadow, so an `outline: none` without a replacement fails the step that lands on it.
 */
import { expect, type Locator, type Page } from '@playwright/test';

/** What the check reads of the focused element (tests compile without the DOM lib). */
interface FocusedGlobals {
  readonly document: { readonly activeElement: unknown; readonly body: unknown };
  getComputedStyle(el: unknown): { outlineStyle: string; outlineWidth: string; boxShadow: string };
}

export interface FocusReport {
  /** The element, short: tag, name or text. */
  readonly what: string;
  readonly visible: boolean;
  readonly style: string;
}

/** The focused element and whether it shows a focus indicator; null when nothing is focused. */
export function focusReport(page: Page): Promise<FocusReport | null> {
  return page.evaluate(() => {
    const w = globalThis as unknown as FocusedGlobals;
    const el = w.document.activeElement as { tagName: string; getAttribute(n: string): string | null; textContent: string | null } | null;
    if (!el || el === w.document.body) return null;
    const s = w.getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow !== 'none' && s.boxShadow !== '';
    const name = el.getAttribute('aria-label') ?? el.getAttribute('name') ?? (el.textContent ?? '').trim().slice(0, 40);
    return { what: `${el.tagName.toLowerCase()} "${name}"`, visible: outline || shadow, style: `outline ${s.outlineStyle} ${s.outlineWidth}; box-shadow ${s.boxShadow}` };
  });
}

/** Fails unless the focused element shows where the focus is. */
export async function expectFocusVisible(page: Page): Promise<void> {
  const focus = await focusReport(page);
  expect(focus, 'something has focus').not.toBeNull();
  expect(focus!.visible, `no visible focus on ${focus!.what} (${focus!.style})`).toBe(true);
}

const isFocused = (target: Locator) => target.evaluate((el) => el === (globalThis as unknown as FocusedGlobals).document.activeElement);

/**
 * Presses Tab (or Shift+Tab) until `target` has focus, checking the focus is visible on every
 * element passed on the way.
 */
export async function tabTo(page: Page, target: Locator, { backwards = false, max = 60 } = {}): Promise<void> {
  await expect(target).toBeVisible();
  for (let i = 0; i <= max; i++) {
    if (await isFocused(target)) {
      await expectFocusVisible(page);
      return;
    }
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    if ((await focusReport(page)) !== null) await expectFocusVisible(page);
  }
  throw new Error(`${target} not reached after ${max} presses of ${backwards ? 'Shift+Tab' : 'Tab'}`);
}

/** Tabs to `target` and presses Enter on it. */
export async function activate(page: Page, target: Locator, options?: { backwards?: boolean }): Promise<void> {
  await tabTo(page, target, options);
  await page.keyboard.press('Enter');
}

/** Tabs to a text field and types into it (replacing what it held). */
export async function typeInto(page: Page, field: Locator, text: string, options?: { backwards?: boolean }): Promise<void> {
  await tabTo(page, field, options);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}
