/**
 * The backstop on screen (issue 20), from a real paper trade on a real daemon: a strategy that
 * turns it on (paper's default is off) shows, once the BUY fills, the stop resting at the broker
 * with its broker id in the row and on the detail page, beside the plan's words; a STOP cancels it
 * before the exit, and one SELL goes out.
 */
import { awayFromMidnight, expect, test, utcTime } from './support/fixtures';
import { apiCall, openSignedIn, stateOf, strategyRow } from './support/trader-ui';

interface Strategy {
  readonly id: number;
  readonly backstop: boolean | null;
  readonly backstop_on: boolean;
  readonly runtime: { readonly backstop: { readonly state: string; readonly broker_ref: string | null; readonly trigger_price: number } | null } | null;
}

test('in position, the backstop rests at the broker and the row and the detail page show it with its broker id', async ({ page, screens }) => {
  await awayFromMidnight(page, 3 * 60_000);
  const { token } = await openSignedIn(page);
  const account = await apiCall<{ id: number; backstop_by_default: boolean }>(page, token, 'POST', '/broker/connect', {
    broker: 'paper',
    label: 'Paper',
    options: { tickIntervalMs: 250, scripts: { 'CRYPTO:BTC': [{ afterMs: 0, price: 100 }] } },
  });
  expect(account.backstop_by_default).toBe(false);
  const spec = { broker_account_id: account.id, symbol: 'BTC', exchange: 'CRYPTO', qty: 1, buy_time: utcTime(5_000), sell_time: utcTime(150_000), stop_loss: 95, timezone: 'UTC' };
  // Left to the broker: off on paper, and said to be the broker's default.
  const byDefault = await apiCall<Strategy>(page, token, 'POST', '/strategy/create', { ...spec, symbol: 'ETH' });
  expect(byDefault).toMatchObject({ backstop: null, backstop_on: false });
  const strategy = await apiCall<Strategy>(page, token, 'POST', '/strategy/create', { ...spec, backstop: true, backstop_margin: 0.5 });
  expect(strategy).toMatchObject({ backstop: true, backstop_on: true });

  await apiCall(page, token, 'POST', '/strategy/start', { strategy_id: strategy.id });
  await page.goto(`/#/strategies/${strategy.id}`);
  await expect(page.getByTestId('backstop-plan')).toHaveText('On, 0.5 points beyond the stop-loss');
  await expect(stateOf(page.getByRole('main'))).toHaveText('In position', { timeout: 30_000 });
  let resting: Strategy | undefined;
  await expect
    .poll(async () => (resting = await apiCall<Strategy>(page, token, 'GET', `/strategy/${strategy.id}`)).runtime?.backstop?.state, { timeout: 10_000 })
    .toBe('resting');
  const brokerRef = resting!.runtime!.backstop!.broker_ref!;
  expect(brokerRef).toMatch(/^paper-stop-\d+$/);
  expect(resting!.runtime!.backstop!.trigger_price).toBe(94.5);
  await expect(page.getByTestId('backstop')).toHaveText(`Backstop 94.50 resting at the broker (${brokerRef})`);
  await screens.snap('detail-backstop');

  await page.getByRole('link', { name: '← Strategies' }).click();
  await expect(strategyRow(page, 'BTC').getByTestId('backstop')).toHaveText(`Backstop 94.50 resting at the broker (${brokerRef})`);
  await expect(strategyRow(page, 'ETH').getByTestId('backstop')).toHaveCount(0);

  // STOP: the backstop is cancelled first, then the one SELL; nothing rests any more.
  await apiCall(page, token, 'POST', '/strategy/stop', { strategy_id: strategy.id, close_position: true });
  await expect(strategyRow(page, 'BTC').getByTestId('backstop')).toHaveCount(0, { timeout: 10_000 });
  const { orders } = await apiCall<{ orders: { leg: string; side: string }[] }>(page, token, 'GET', `/strategy/${strategy.id}/orders`);
  expect(orders.filter((o) => o.side === 'sell').map((o) => o.leg)).toEqual(['MANUAL_EXIT']);
});
