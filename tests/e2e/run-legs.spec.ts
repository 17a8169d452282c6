/**
 * A run between legs and its legs as the trader reads them: the row and the detail say which
 * re-entry is next of how many (and the detail the strategy's re-entry plan), the order journal lists each leg ("First entry", "Re-entry 1")
 * with the exit that closed it and what it earned, and the audit log says when a re-entry is due
 * and why one was not sent. The strategy is real; the engine's answers about its run are the
 * API's own, with the run put between legs (the engine's re-entry lands in another slice), so
 * this checks the screens, not the engine.
 */
import type { Page, Route } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { apiCall, openSignedIn, stateOf, STILL_PAPER_OPTIONS, strategyRow } from './support/trader-ui';

const T0 = Date.UTC(2026, 11, 7, 14, 30);
const min = (n: number) => T0 + n * 60_000;

let ids = 0;
function order(strategyId: number, legNo: number, leg: string, side: 'buy' | 'sell', at: number, fill: number) {
  return {
    id: ++ids,
    run_id: 41,
    strategy_id: strategyId,
    broker_account_id: 1,
    leg,
    side,
    slot: leg === 'BUY' ? 'entry' : 'exit',
    leg_no: legNo,
    client_order_id: `tc-${ids}`,
    broker_order_id: `b-${ids}`,
    symbol: 'AAPL',
    exchange: 'NASDAQ',
    qty: 10,
    status: 'filled',
    scheduled_at: at,
    dispatched_at: at + 3,
    acked_at: at + 20,
    filled_at: at + 40,
    filled_qty: 10,
    fill_price: fill,
    reject_reason: null,
    created_at: at,
    updated_at: at + 40,
  };
}

/** The run of `id` as the engine answers between legs: leg 0 closed by its stop-loss, re-entry 1 of 2 next. */
const betweenLegs = (strategy: Record<string, unknown>) => ({
  ...strategy,
  status: 'running',
  runtime: {
    run_id: 41,
    trading_date: '2026-12-07',
    state: 'WAITING_REENTRY',
    position_qty: 0,
    entry_price: 187.5,
    exit_price: 185.5,
    exit_leg: 'STOPLOSS',
    sold_qty: 10,
    realized_pnl: -20,
    last_action: 'STOPLOSS_FILLED',
    last_action_at: min(5),
    reason: null,
    buy_at: min(0),
    sell_at: min(300),
    next_trigger: null,
    leg_no: 1,
    levels: null,
  },
});

/** Answers GET /strategy and /strategy/:id as the API does, with the strategy `id` between legs. */
async function putBetweenLegs(page: Page, id: number, orders: unknown[]) {
  const patch = async (route: Route) => {
    if (route.request().method() !== 'GET') return route.fallback();
    const res = await route.fetch();
    const body = (await res.json()) as { strategies?: Array<Record<string, unknown>> } & Record<string, unknown>;
    const json = body.strategies ? { ...body, strategies: body.strategies.map((s) => (s.id === id ? betweenLegs(s) : s)) } : betweenLegs(body);
    await route.fulfill({ response: res, json });
  };
  await page.route(/\/strategy$/, patch);
  await page.route(new RegExp(`/strategy/${id}$`), patch);
  await page.route(new RegExp(`/strategy/${id}/orders$`), (route) => route.fulfill({ json: { orders } }));
  await page.route(/\/events\/log\?/, (route) =>
    route.fulfill({
      json: {
        events: [
          { id: 2, type: 'reentry_scheduled', at: min(5), strategy_id: id, run_id: 41, leg_no: 1, of: 2, due_at: min(5), after: 'STOPLOSS' },
          { id: 1, type: 'reentry_skipped', at: min(4), strategy_id: id, run_id: 40, leg_no: 2, reason: 'the re-entry cut-off 11:30 has passed' },
        ],
        next_before_id: null,
      },
    }),
  );
}

async function reentryStrategy(page: Page, side: 'buy' | 'sell') {
  const { token } = await openSignedIn(page);
  const account = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', { broker: 'paper', label: 'Paper', options: STILL_PAPER_OPTIONS });
  const body = { broker_account_id: account.id, symbol: 'AAPL', exchange: 'NASDAQ', side, qty: 10, buy_time: '09:30', sell_time: '15:00', stop_loss: 2, stop_loss_mode: 'points', reentries: 2, reentry_cutoff: '11:30' };
  return (await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', body)).id;
}

test('between legs the row and the detail say which re-entry is next; the journal lists each leg with the exit that closed it', async ({ page, screens }) => {
  const id = await reentryStrategy(page, 'buy');
  await putBetweenLegs(page, id, [order(id, 0, 'BUY', 'buy', min(0), 187.5), order(id, 0, 'STOPLOSS', 'sell', min(5), 185.5)]);
  await page.reload();
  const row = strategyRow(page, 'AAPL');
  await expect(stateOf(row)).toHaveText('Waiting to re-enter (1 of 2)');
  await expect(row.getByTestId('last-action')).toContainText('Stop-loss filled');

  await row.getByRole('link', { name: /AAPL/ }).click();
  const main = page.getByRole('main');
  await expect(stateOf(main)).toHaveText('Waiting to re-enter (1 of 2)');
  await expect(main.getByTestId('reentry-plan')).toHaveText('Up to 2 after a stop-loss (or trailing stop) exit, none from 11:30:00');
  const journal = page.getByRole('table', { name: 'Order journal' });
  await expect(journal.getByRole('columnheader')).toHaveText(['Leg', 'Status', 'Qty', 'Scheduled', 'Sent', 'Acked', 'Filled', 'Fill price', 'Client order id']);
  const first = journal.getByRole('rowgroup', { name: 'First entry, exited by stop-loss' });
  await expect(first.getByTestId('leg-exit')).toHaveText('· Exited by stop-loss');
  await expect(first.getByTestId('leg-pnl')).toHaveText(/· [-−]20\.00$/);
  await expect(first.locator('tr[data-leg]')).toHaveCount(2);
  const audit = page.getByRole('list', { name: 'Audit log entries' });
  await expect(audit.getByRole('listitem').first()).toContainText('Re-entry 1 of 2 due Mon 7 Dec 09:35:00.000 New York, after the stop-loss exit');
  await expect(audit.getByRole('listitem').nth(1)).toContainText('Re-entry 2 not sent: the re-entry cut-off 11:30 has passed');
  await screens.snap('detail-between-legs');
});

test("a short's legs read right: each closed by buying back, earning as the price falls", async ({ page }) => {
  const id = await reentryStrategy(page, 'sell');
  const orders = [order(id, 0, 'BUY', 'sell', min(0), 187.5), order(id, 0, 'STOPLOSS', 'buy', min(5), 189.5), order(id, 1, 'BUY', 'sell', min(6), 189), order(id, 1, 'TARGET', 'buy', min(9), 186)];
  await putBetweenLegs(page, id, orders);
  await page.goto(`/#/strategies/${id}`);
  await page.reload();
  const journal = page.getByRole('table', { name: 'Order journal' });
  // Newest leg first.
  const legs = journal.locator('tbody.journal__leg');
  await expect(legs).toHaveCount(2);
  expect(await legs.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')))).toEqual(['Re-entry 1, exited at target', 'First entry, exited by stop-loss']);
  await expect(legs.nth(0).getByTestId('leg-pnl')).toHaveText('· +30.00');
  await expect(legs.nth(1).getByTestId('leg-pnl')).toHaveText(/· [-−]20\.00$/);
  await expect(page.getByRole('main').getByText('sell first (short)')).toBeVisible();
});
