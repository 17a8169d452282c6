/**
 * axe-core's WCAG 2.1 A/AA rules on the page as it stands, in dark or light theme. The theme is
 * the system's (prefers-color-scheme, emulated) as long as the trader has not picked one, which is
 * how renderer/src/app/theme.ts chooses it; reduced motion keeps colour transitions from being
 * measured half-way.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export type Theme = 'dark' | 'light';
export const THEMES: readonly Theme[] = ['dark', 'light'];

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['serious', 'critical']);

/** Switches the page to `theme` the way the system would, and waits until it is applied. */
export async function useSystemTheme(page: Page, theme: Theme): Promise<void> {
  await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

/**
 * The serious and critical violations, one line per node: "rule (impact) target: summary".
 * An empty list is a pass.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  return results.violations
    .filter((v) => BLOCKING.has(v.impact ?? ''))
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}) ${n.target.join(' ')}: ${(n.failureSummary ?? v.help).replace(/\s+/g, ' ')}`));
}

/**
 * axe's text contrast rule (WCAG 1.4.3) on the elements under `selector` only: one line per node
 * that fails, and per node axe could not judge (a judgement left open is no pass).
 */
export async function contrastProblems(page: Page, selector: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).include(selector).withRules(['color-contrast']).analyze();
  return [...results.violations.map((v) => ({ v, what: 'fails' })), ...results.incomplete.map((v) => ({ v, what: 'cannot be judged' }))].flatMap(({ v, what }) =>
    v.nodes.map((n) => `${n.target.join(' ')} ${what}: ${(n.failureSummary ?? v.help).replace(/\s+/g, ' ')}`),
  );
}

/** The few DOM shapes the boundary check reads (tests compile without the DOM lib). */
interface StyledElement {
  readonly tagName: string;
  readonly className: string;
  readonly parentElement: StyledElement | null;
  readonly disabled?: boolean;
  getAttribute(name: string): string | null;
  getClientRects(): { readonly length: number };
}
interface BoundaryGlobals {
  readonly document: { readonly activeElement: unknown; querySelectorAll(selector: string): Iterable<StyledElement> };
  getComputedStyle(el: StyledElement): { borderTopColor: string; borderTopWidth: string; backgroundColor: string };
}

/**
 * WCAG 1.4.11, which axe does not check: an input, select or bordered button is outlined at 3:1
 * or more against what it sits on (its border, or for a filled button its fill). One line per
 * control that is not; disabled and borderless text-only controls are exempt, and so is the
 * focused one.
 */
export function weakControlBoundaries(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const w = globalThis as unknown as BoundaryGlobals;
    const rgba = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number) as [number, number, number, number?];
    const alpha = (c: string) => rgba(c)[3] ?? 1;
    const over = (fg: string, bg: number[]) => {
      const [r, g, b, a = 1] = rgba(fg);
      return [r, g, b].map((v, i) => v * a + bg[i]! * (1 - a));
    };
    const lum = (c: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(c[0]!) + 0.7152 * f(c[1]!) + 0.0722 * f(c[2]!);
    };
    const ratio = (a: number[], b: number[]) => {
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    const backdrop = (el: StyledElement): number[] => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const bg = w.getComputedStyle(p).backgroundColor;
        const [r, g, b] = rgba(bg);
        if (alpha(bg) === 1) return [r, g, b];
      }
      return [255, 255, 255];
    };
    const weak: string[] = [];
    const controls = w.document.querySelectorAll('input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea, .btn');
    for (const el of controls) {
      // The focused control trades its border for the focus outline (keyboard.spec.ts checks that).
      if (el.disabled || el.getClientRects().length === 0 || el === w.document.activeElement) continue;
      const s = w.getComputedStyle(el);
      const edge = parseFloat(s.borderTopWidth) > 0 && alpha(s.borderTopColor) > 0 ? s.borderTopColor : alpha(s.backgroundColor) > 0 ? s.backgroundColor : null;
      if (!edge) continue;
      const under = backdrop(el);
      const r = ratio(over(edge, under), under);
      if (r < 3) weak.push(`${el.tagName.toLowerCase()}.${el.className.split(' ').join('.')} "${el.getAttribute('aria-label') ?? el.getAttribute('name') ?? ''}": ${r.toFixed(2)}:1`);
    }
    return weak;
  });
}
