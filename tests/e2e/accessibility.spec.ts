/**
 * Every screen and state a trader sees, checked with axe-core's WCAG 2.1 A/AA rules in the dark
 * and the light theme: no serious or critical violation anywhere (issue 17), and every input and
 * bordered button outlined at 3:1 (WCAG 1.4.11, which axe leaves out). Each failure names the
 * screen, the theme, the rule, the element and what is wrong.
 *
 * SCREENS is the list to extend: a name and how to reach it from any other screen. The world it
 * is reached in is made once, through the API: a trader with a paper account (strategies armed,
 * in position, finished), a logged-in Kite account (LIVE, against the Kite fake on loopback) with a
 * strategy never started, a second Kite account that needs its daily login, and a second trader
 * with nothing yet.
 */
import type { Page } from '@playwright/test';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { contrastProblems, seriousViolations, THEMES, useSystemTheme, weakControlBoundaries } from './support/axe';
import { awayFromMidnight, expect, test, utcTime, VIEWPORTS } from './support/fixtures';
import type { PageGlobals } from './support/page-globals';
import { apiCall, fieldError, openSignedIn, stateOf, strategyInputs, strategyRow } from './support/trader-ui';

interface World {
  /** The trader with accounts and strategies. */
  readonly token: string;
  /** A second trader with no broker and no strategy. */
  readonly emptyToken: string;
  /** Strategy ids by what they show. */
  readonly armed: number;
  readonly inPosition: number;
  readonly finished: number;
}

interface Screen {
  readonly name: string;
  /** Reaches the screen (from wherever the previous one left the page) and waits until it shows. */
  readonly reach: (page: Page, world: World) => Promise<void>;
  /** Save screenshots of it in both themes at desktop and phone widths (slow: a few screens only). */
  readonly snap?: true;
}

/** Opens a route as `token`'s trader, reloading only when the session changes. */
async function open(page: Page, token: string, hash: string): Promise<void> {
  const current = await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('tradeclock.token'));
  await page.goto(`/${hash}`);
  if (current !== token) {
    await page.evaluate((t) => (globalThis as unknown as PageGlobals).sessionStorage.setItem('tradeclock.token', t), token);
    await page.reload();
  }
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

/** Signed out; `hasAccount` picks which form shows first (sign-in, else register). */
async function signedOut(page: Page, hasAccount: boolean): Promise<void> {
  await page.evaluate((seen) => {
    const w = globalThis as unknown as PageGlobals & { sessionStorage: { removeItem(k: string): void }; localStorage: { removeItem(k: string): void } };
    w.sessionStorage.removeItem('tradeclock.token');
    if (seen) w.localStorage.setItem('tradeclock.has-account', '1');
    else w.localStorage.removeItem('tradeclock.has-account');
  }, hasAccount);
  await page.goto('/');
  await page.reload();
}

const strategies = (page: Page, w: World) => open(page, w.token, '#/strategies');
const detail = (page: Page, id: number) => page.getByRole('main').getByRole('heading', { level: 1, name: new RegExp(`#${id}`) });

async function openDialog(page: Page, button: RegExp | string, dialog: RegExp | string): Promise<void> {
  await page.getByRole('button', { name: button }).first().click();
  await expect(page.getByRole('dialog', { name: dialog })).toBeVisible();
}

const SCREENS: readonly Screen[] = [
  {
    name: 'sign-in',
    snap: true,
    reach: async (page) => {
      await signedOut(page, true);
      await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    },
  },
  {
    name: 'register-with-errors',
    reach: async (page) => {
      await signedOut(page, false);
      await page.getByLabel('Email').fill('new.trader@example.com');
      await page.getByLabel('Password', { exact: true }).fill('short');
      await page.getByLabel('Confirm password').fill('shorter');
      await page.getByRole('button', { name: 'Create account' }).click();
      await expect(fieldError(page, 'password')).toBeVisible();
    },
  },
  {
    name: 'pair-phone-with-errors',
    reach: async (page) => {
      await signedOut(page, true);
      await page.getByRole('button', { name: 'Pair it with a code from the desktop' }).click();
      const form = page.getByRole('form', { name: 'Pair this device' });
      await form.getByLabel('Pairing code').fill('WRONG-CODE');
      await form.getByRole('button', { name: 'Pair this device' }).click();
      await expect(fieldError(form, 'name')).toBeVisible();
    },
  },
  { name: 'strategies-empty', reach: (page, w) => open(page, w.emptyToken, '#/strategies') },
  { name: 'brokers-empty', reach: (page, w) => open(page, w.emptyToken, '#/brokers') },
  {
    name: 'strategies-paper-and-live',
    snap: true,
    reach: async (page, w) => {
      await strategies(page, w);
      await expect(stateOf(strategyRow(page, 'ETH'))).toHaveText('In position');
      await expect(strategyRow(page, 'INFY').locator('.money--live')).toBeVisible();
    },
  },
  {
    name: 'new-strategy-with-errors',
    reach: async (page, w) => {
      await strategies(page, w);
      await page.getByRole('button', { name: 'New strategy' }).click();
      await strategyInputs(page).submit.click();
      await expect(fieldError(strategyInputs(page).form, 'symbol')).toBeVisible();
    },
  },
  {
    name: 'new-strategy-exit-editors',
    reach: async (page, w) => {
      await strategies(page, w);
      const f = strategyInputs(page);
      // The screen before left its form open with its errors: a new one, empty.
      await f.form.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'New strategy' }).click();
      await f.stopLoss.fill('2');
      await f.stopLossUnit.selectOption('percent');
      await f.target.fill('5');
      await f.targetUnit.selectOption('points');
      await f.trail.fill('150');
      await f.trailUnit.selectOption('percent');
      await f.moveToCost.fill('1');
      await f.submit.click();
      await expect(fieldError(f.form, 'trail')).toBeVisible();
    },
  },
  {
    name: 'new-strategy-reentry-and-days',
    reach: async (page, w) => {
      await strategies(page, w);
      const f = strategyInputs(page);
      await f.form.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'New strategy' }).click();
      await f.form.locator('details[data-group="reentry"] summary').click();
      await f.form.getByLabel('Re-entries', { exact: true }).fill('2');
      await f.form.locator('details[data-group="days"] summary').click();
      await f.form.getByLabel('Repeat', { exact: true }).selectOption('daily');
      await f.form.getByRole('group', { name: 'Weekdays' }).getByRole('checkbox', { name: 'Mon', exact: true }).check();
      await f.submit.click();
      await expect(fieldError(f.form, 'reentry_cutoff')).toBeVisible();
    },
  },
  {
    name: 'edit-strategy',
    reach: async (page, w) => {
      await strategies(page, w);
      await page.getByRole('button', { name: /^Edit SOL/ }).click();
      await expect(strategyInputs(page).form).toHaveAccessibleName(/^Edit SOL/);
    },
  },
  { name: 'detail-armed', reach: async (page, w) => open(page, w.token, `#/strategies/${w.armed}`).then(() => expect(stateOf(page.getByRole('main'))).toHaveText('Armed')) },
  {
    name: 'detail-in-position',
    snap: true,
    reach: async (page, w) => {
      await open(page, w.token, `#/strategies/${w.inPosition}`);
      await expect(page.getByTestId('position')).not.toHaveText('flat');
    },
  },
  { name: 'detail-finished', reach: async (page, w) => open(page, w.token, `#/strategies/${w.finished}`).then(() => expect(stateOf(page.getByRole('main'))).toHaveText('Sold')) },
  {
    name: 'stop-dialog',
    reach: async (page, w) => {
      await open(page, w.token, `#/strategies/${w.inPosition}`);
      await expect(detail(page, w.inPosition)).toBeVisible();
      await openDialog(page, /^Stop ETH/, /^Stop ETH/);
    },
  },
  {
    name: 'kill-switch-dialog',
    snap: true,
    reach: async (page, w) => {
      await strategies(page, w);
      await openDialog(page, 'Stop all', 'Stop everything?');
    },
  },
  {
    name: 'delete-dialog',
    reach: async (page, w) => {
      await strategies(page, w);
      await openDialog(page, /^Delete SOL/, /^Delete SOL/);
    },
  },
  {
    name: 'start-live-dialog',
    reach: async (page, w) => {
      await strategies(page, w);
      await openDialog(page, /^Start INFY/, /with real money/);
    },
  },
  {
    name: 'history',
    reach: async (page, w) => {
      await open(page, w.token, '#/history');
      await expect(page.getByRole('table', { name: 'Runs' })).toContainText('SOL');
    },
  },
  {
    name: 'brokers-with-kite-daily-login',
    snap: true,
    reach: async (page, w) => {
      await open(page, w.token, '#/brokers');
      await expect(page.getByRole('listitem', { name: 'Zerodha (kite)' }).getByTestId('broker-login-state')).toHaveText('Login needed');
      await expect(page.getByRole('form', { name: 'Connect a broker' })).toBeVisible();
    },
  },
  {
    name: 'connect-kite-form',
    reach: async (page, w) => {
      await open(page, w.token, '#/brokers');
      await page.getByRole('form', { name: 'Connect a broker' }).getByLabel('Broker', { exact: true }).selectOption('kite');
      await expect(page.getByLabel('API key', { exact: true })).toBeVisible();
    },
  },
  {
    name: 'settings-with-password-errors',
    reach: async (page, w) => {
      await open(page, w.token, '#/settings');
      const form = page.getByRole('form', { name: 'Change password' });
      await form.getByLabel('Current password').fill('not my password');
      await form.getByLabel('New password', { exact: true }).fill('short');
      await form.getByRole('button', { name: 'Change password' }).click();
      await expect(form.locator('[data-field-error="new_password"]')).toBeVisible();
      await expect(page.getByRole('list', { name: 'Signed-in sessions' }).getByRole('listitem').first()).toBeVisible();
    },
  },
  {
    name: 'settings-pairing-code',
    reach: async (page, w) => {
      await open(page, w.token, '#/settings');
      const panel = page.getByRole('region', { name: 'Pair a phone' });
      await panel.getByRole('button', { name: 'Show pairing code' }).click();
      await expect(panel.getByLabel('One-time code')).toBeVisible();
    },
  },
  {
    name: 'settings-notify-deliveries-and-edit-with-errors',
    reach: async (page, w) => {
      await open(page, w.token, '#/settings');
      const channel = page.getByRole('list', { name: 'Notification channels' }).getByRole('listitem', { name: 'Ops hook' });
      await channel.getByText('Deliveries', { exact: true }).click();
      // The test, and the world's fills (retrying or failed: nobody listens).
      await expect(channel.getByRole('list', { name: 'Deliveries to Ops hook' })).toContainText('Test: Test from Tradeclock');
      await channel.getByRole('button', { name: 'Edit Ops hook' }).click();
      const edit = channel.getByRole('form', { name: 'Edit Ops hook' });
      await edit.getByLabel('Name').fill('');
      await edit.getByRole('button', { name: 'Save' }).click();
      await expect(fieldError(edit, 'label')).toBeVisible();
    },
  },
  {
    name: 'remove-broker-dialog',
    reach: async (page, w) => {
      await open(page, w.token, '#/brokers');
      await openDialog(page, 'Remove Zerodha', /^Remove Zerodha/);
    },
  },
];

let kite: KiteFake;
test.beforeEach(async () => {
  kite = await startKiteFake();
});
test.afterEach(async () => {
  await kite.close();
});

/** The world the screens are reached in, made through the API (what the UI does is not the point here). */
async function makeWorld(page: Page): Promise<World> {
  await awayFromMidnight(page, 10 * 60_000);
  const empty = await openSignedIn(page);
  const { token } = await openSignedIn(page);
  const paper = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', {
    broker: 'paper',
    label: 'Paper desk',
    options: { tickIntervalMs: 250, startPrices: { 'CRYPTO:BTC': 100, 'CRYPTO:ETH': 2000, 'CRYPTO:SOL': 150 } },
  });
  const { access_token: _loginNeeded, ...keyAndSecret } = kite.credentials();
  await apiCall(page, token, 'POST', '/broker/connect', { broker: 'kite', label: 'Zerodha', credentials: keyAndSecret, options: kite.options() });
  const zerodhaLive = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', { broker: 'kite', label: 'Zerodha live', credentials: kite.credentials(), options: kite.options() });

  const create = async (account: number, symbol: string, exchange: string, buy: string, sell: string, stopLoss: number, timezone = 'UTC') =>
    (await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', { broker_account_id: account, symbol, exchange, qty: 1, buy_time: buy, sell_time: sell, stop_loss: stopLoss, timezone })).id;
  const armed = await create(paper.id, 'BTC', 'CRYPTO', utcTime(5 * 60_000), utcTime(9 * 60_000), 50);
  const inPosition = await create(paper.id, 'ETH', 'CRYPTO', utcTime(8_000), utcTime(9 * 60_000), 100);
  const finished = await create(paper.id, 'SOL', 'CRYPTO', utcTime(8_000), utcTime(12_000), 10);
  await create(zerodhaLive.id, 'INFY', 'NSE', '09:20:00', '15:10:00', 90, 'Asia/Kolkata');
  for (const id of [armed, inPosition, finished]) await apiCall(page, token, 'POST', '/strategy/start', { strategy_id: id });

  // A webhook nobody listens on (the discard port): its test fails at once, so its delivery log has a failed row with its error.
  const hook = await apiCall<{ id: number }>(page, token, 'POST', '/notify/channels', { kind: 'webhook', label: 'Ops hook', config: {}, secret: { url: 'http://127.0.0.1:9/hook', signing_secret: 'a11y-signing-secret-0123' } });
  await apiCall(page, token, 'POST', `/notify/channels/${hook.id}/test`, {});

  const stateOfRun = async (id: number) => (await apiCall<{ runtime: { state: string } | null }>(page, token, 'GET', `/strategy/${id}`)).runtime?.state;
  await expect.poll(() => stateOfRun(inPosition), { timeout: 20_000 }).toBe('IN_POSITION');
  await expect.poll(() => stateOfRun(finished), { timeout: 20_000 }).toBe('SOLD');
  return { token, emptyToken: empty.token, armed, inPosition, finished };
}

test('no serious or critical WCAG 2.1 A/AA violation, nor a faint control outline, on any screen in either theme', async ({ page, screens }) => {
  test.setTimeout(600_000);
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  const world = await makeWorld(page);
  const found: string[] = [];
  for (const screen of SCREENS) {
    await test.step(screen.name, async () => {
      await screen.reach(page, world);
      for (const theme of THEMES) {
        await useSystemTheme(page, theme);
        for (const line of await seriousViolations(page)) found.push(`${screen.name} [${theme}] ${line}`);
        for (const line of await weakControlBoundaries(page)) found.push(`${screen.name} [${theme}] non-text-contrast ${line}`);
        if (screen.snap) await screens.snap(`a11y-${screen.name}-${theme}`);
      }
      for (const line of await reflowProblems(page)) found.push(`${screen.name} reflow ${line}`);
      await useSystemTheme(page, 'dark');
      // A dialog left open would cover the next screen.
      if (await page.getByRole('dialog').isVisible()) await page.keyboard.press('Escape');
    });
  }
  expect(found.length, `${found.length} serious or critical violation(s):\n${found.join('\n')}`).toBe(0);
});

/**
 * WCAG 2.1 reflow (1.4.10): at 320 CSS px wide the page does not scroll sideways. Names the
 * elements that reach past the right edge (the outermost few), then restores the desktop width.
 */
interface ReflowElement {
  getBoundingClientRect(): { readonly right: number };
  readonly parentElement: ReflowElement | null;
  readonly tagName: string;
  readonly classList: Iterable<string>;
}
interface ReflowPage {
  requestAnimationFrame(callback: () => void): number;
  readonly document: { readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number }; querySelectorAll(selector: string): Iterable<ReflowElement> };
}

async function reflowProblems(page: Page): Promise<string[]> {
  await page.setViewportSize({ width: 320, height: 720 });
  const found = await page.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        const w = globalThis as unknown as ReflowPage;
        w.requestAnimationFrame(() =>
          w.requestAnimationFrame(() => {
            const doc = w.document.documentElement;
            if (doc.scrollWidth <= doc.clientWidth) return resolve([]);
            const past = [...w.document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 0.5);
            const outermost = past.filter((el) => el.parentElement === null || !past.includes(el.parentElement));
            resolve([`the page is ${doc.scrollWidth - doc.clientWidth}px wider than the screen: ${outermost.slice(0, 3).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`).join(', ')}`]);
          }),
        );
      }),
  );
  await page.setViewportSize(VIEWPORTS.desktop);
  return found;
}

/** The surfaces a pill or badge can sit on, and the tones they come in (renderer/src/styles/tokens.css, controls.css). */
const SURFACES = ['--bg', '--surface', '--surface-2', '--surface-3'];
const TONES = ['pill', 'pill pill--info', 'pill pill--warn', 'pill pill--busy', 'pill pill--ok', 'pill pill--bad', 'pill pill--neutral', 'badge badge--done', 'badge badge--neutral'];

test('every tone of pill and badge reads at 4.5:1 on every surface, in either theme', async ({ page }) => {
  // The screens above show only the pairs their data happens to make (no neutral pill over
  // --surface-3, say); this lays every pair out, on top of the page, with the app's own styles.
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const swatches = SURFACES.map(
    (surface) => `<div style="background: var(${surface}); padding: 4px">${TONES.map((tone) => `<span class="${tone}">${tone.split(' ').at(-1)} on ${surface}</span>`).join(' ')}</div>`,
  ).join('');
  await page.evaluate((html) => {
    const body = (globalThis as unknown as { document: { body: { insertAdjacentHTML(where: string, html: string): void } } }).document.body;
    body.insertAdjacentHTML('beforeend', `<div id="tone-swatches" style="position: fixed; inset: 0 auto auto 0; z-index: 1000">${html}</div>`);
  }, swatches);
  const found: string[] = [];
  for (const theme of THEMES) {
    await useSystemTheme(page, theme);
    for (const line of await contrastProblems(page, '#tone-swatches')) found.push(`[${theme}] ${line}`);
  }
  expect(found, found.join('\n')).toEqual([]);
});
