/**
 * `npm run demo`: a real-time paper strategy that buys 5 s after start and sells 5 s later, with
 * every engine event printed as it happens and how exact each trigger was.
 * `npm run demo:stoploss`: the same strategy, but the simulated price falls through the stop-loss
 * 3 s after the BUY, and the stop-loss exit replaces the SELL.
 * Runs on the real clock with a throwaway in-memory database; nothing is installed or kept.
 */
import pino from 'pino';
import { DateTime } from 'luxon';
import { systemClock } from '../engine/core/clock';
import type { EngineEvent } from '../engine/core/events';
import { createEngine } from '../engine/engine';
import { createPaperBroker } from '../engine/brokers/paper/paper-broker';
import { createRuntimeStore } from '../engine/runtime/create-runtime-store';
import { createTradingCalendar } from '../engine/scheduler/trading-calendar';
import { isDayOver } from '../engine/core/run-state';
import { openDatabase } from '../db/client';
import { createRepos } from '../db/repos';
import { runPnl, runSoldQty } from '../engine/execution/realized-pnl';
import { runFills } from '../engine/api/dto';

const stopLossDemo = process.argv.includes('--stop-loss');
const clock = systemClock;
const db = openDatabase(':memory:');
const repos = createRepos(db);
const runtime = await createRuntimeStore({});
const user = repos.users.create({ email: 'demo@example.com', passwordHash: 'demo', createdAt: clock.now() });
const account = repos.brokerAccounts.create({ userId: user.id, broker: 'paper', label: 'Paper', status: 'connected', credentialsCiphertext: null, createdAt: clock.now() });

// CRYPTO trades every day in UTC, so the demo runs on a weekend too.
const buyAt = Math.ceil(clock.now() / 1000) * 1000 + 5_000;
const sellAt = buyAt + 5_000;
const hhmmss = (ms: number) => DateTime.fromMillis(ms, { zone: 'UTC' }).toFormat('HH:mm:ss');
if (hhmmss(sellAt) < hhmmss(buyAt)) {
  process.stderr.write('The demo would cross midnight UTC; run it again in a few seconds.\n');
  process.exit(1);
}
const paper = createPaperBroker({
  clock,
  seed: 42,
  tickIntervalMs: 500,
  volatilityBps: 5,
  startPrices: { 'CRYPTO:BTCUSD': 100 },
  ...(stopLossDemo ? { scripts: { 'CRYPTO:BTCUSD': [{ afterMs: buyAt - clock.now() + 3_000, price: 93.5 }] } } : {}),
});
const engine = createEngine({
  repos,
  runtime,
  clock,
  logger: pino({ level: 'warn' }),
  calendar: createTradingCalendar(),
  brokerFactory: async (id) => ({ broker: paper, account: { id, userId: user.id } }),
  installId: 'demo01',
});

const t0 = clock.now();
const stamp = (ms: number) => `${DateTime.fromMillis(ms, { zone: 'UTC' }).toFormat('HH:mm:ss.SSS')} (+${((ms - t0) / 1000).toFixed(3)} s)`;
engine.bus.onAny((e) => process.stdout.write(`${stamp(e.at)}  ${describe(e)}\n`));

function describe(e: EngineEvent): string {
  switch (e.type) {
    case 'strategy_armed':
      return `ARMED for ${e.tradingDate}: BUY at ${hhmmss(e.buyAt)} UTC, SELL at ${hhmmss(e.sellAt)} UTC`;
    case 'order_submitted':
      return `${e.leg} sent to the broker, ${e.dispatchedAt - e.scheduledAt} ms after its trigger (client order id ${e.clientOrderId})`;
    case 'order_filled':
      return `${e.leg} filled: ${e.filledQty} @ ${e.fillPrice}`;
    case 'stop_loss_triggered':
      return `${e.trailing ? 'TRAILING STOP' : 'STOP-LOSS'}: price ${e.price} reached the stop ${e.stopLoss}`;
    case 'target_hit':
      return `TARGET: price ${e.price} reached the target ${e.target}`;
    case 'stop_moved':
      return `stop moved ${e.from} -> ${e.to} (${e.why === 'trail' ? `trailing the best price ${e.best}` : 'to cost'})`;
    case 'run_state_changed':
      return `run ${e.from} -> ${e.to}${e.reason ? ` (${e.reason})` : ''}`;
    case 'exit_suppressed':
      return `${e.leg} suppressed: ${e.reason}`;
    default:
      return e.type;
  }
}

const strategy = await engine.strategies.create(user.id, {
  broker_account_id: account.id,
  symbol: 'BTCUSD',
  exchange: 'CRYPTO',
  qty: 1,
  buy_time: hhmmss(buyAt),
  sell_time: hhmmss(sellAt),
  stop_loss: 95,
  timezone: 'UTC',
});
process.stdout.write(`${stamp(clock.now())}  strategy: BUY 1 BTCUSD at ${hhmmss(buyAt)}, SELL at ${hhmmss(sellAt)}, stop-loss 95${stopLossDemo ? ' (the price will fall to 93.5 three seconds after the BUY)' : ''}\n`);
await engine.manager.start(user.id, strategy.id);

await new Promise<void>((resolve) => {
  engine.bus.on('run_state_changed', (e) => {
    const run = repos.runs.getInternal(e.runId);
    if (run && isDayOver(run)) resolve();
  });
});
await engine.idle();
process.stdout.write('\nOrder journal (how exact each trigger was):\n');
for (const o of repos.orders.list(user.id, strategy.id)) {
  process.stdout.write(
    `  ${o.leg.padEnd(9)} scheduled ${stamp(o.scheduledAt)}  sent +${(o.dispatchedAt ?? 0) - o.scheduledAt} ms  acked +${(o.ackedAt ?? 0) - o.scheduledAt} ms  filled +${(o.filledAt ?? 0) - o.scheduledAt} ms @ ${o.fillPrice}\n`,
  );
}
for (const row of repos.runs.history(user.id, { strategyId: strategy.id })) {
  const { run } = row;
  const fills = runFills(run, row.boughtQty, row.fills);
  const pnl = runPnl(fills);
  process.stdout.write(
    `\nRealized P&L of ${run.tradingDate}: ${pnl === null ? 'nothing sold' : `${pnl.toFixed(2)} (${runSoldQty(fills)} sold: ${run.entryPrice} in, ${run.exitPrice} out)`}\n`,
  );
}
await engine.stop();
await runtime.close();
db.close();
