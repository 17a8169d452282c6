/**
 * What the specs touch inside the page. Callbacks given to page.evaluate run in the browser, but
 * tests compile without the DOM lib (tests/tsconfig.json: Node types only), so each callback
 * casts globalThis to these shapes itself (as tests/e2e/electron.spec.ts does).
 */
export interface PageStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface PageGlobals {
  readonly sessionStorage: PageStorage;
  readonly localStorage: PageStorage;
  requestAnimationFrame(callback: () => void): number;
  readonly document: { getElementById(id: string): { readonly textContent: string | null } | null };
  /** Set by a spec; still there later only if the page never reloaded. */
  e2eNoReload?: boolean;
}

/** The element properties the label check reads. */
export interface PageElement {
  getAttribute(name: string): string | null;
  closest(selector: string): unknown;
  readonly textContent: string | null;
  readonly outerHTML: string;
  readonly offsetParent: unknown;
  readonly labels?: ArrayLike<{ readonly textContent: string | null }> | null;
}
