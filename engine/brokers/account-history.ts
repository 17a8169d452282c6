/**
 * The store of past bars filled from a broker account (BrokerKind.historicalBars) for a backtest:
 * only the trading days it lacks, written in one transaction, nothing on a refusal
 * (backtest/fill-bars.ts). One home for the rule, used by POST /backtest `fetch_missing` and by
 * `tradeclock backtest --from-broker`; the latter opens the vault as the daemon does
 * (`localAccountHistory`: the OS keychain, or TRADECLOCK_PASSPHRASE). The same for the tick store
 * (BrokerKind.historicalTrades, backtest/fill-ticks.ts): `fetch_ticks`, `--ticks`.
 */
import type { Db } from '../../db/client';
import type { Repos } from '../../db/repos';
import { listSealedCredentials } from '../../db/repos/sealed-credentials';
import { fillMissingBars, type FillResult } from '../backtest/fill-bars';
import { fillMissingTicks, type TickFillResult } from '../backtest/fill-ticks';
import { HistoricalFetchError } from '../backtest/historical-fetch-error';
import type { Clock } from '../core/clock';
import { DomainError, notFound, validationError } from '../core/errors';
import { asBrokerAccountId, asUserId, type UserId } from '../core/ids';
import type { Exchange } from '../core/types';
import type { TradingCalendar } from '../scheduler/trading-calendar';
import type { OpenKeychainEntry } from '../secrets/keychain-key-provider';
import { createVaultOpener } from '../secrets/vault-opener';
import { BrokerAccountService } from './broker-account-service';
import { defaultBrokerKinds, type BrokerKinds } from './broker-kinds';

export interface FillScope {
  readonly exchange: Exchange;
  readonly symbol: string;
  readonly from: string;
  readonly to: string;
}

type HistoryDeps = { readonly repos: Pick<Repos, 'historicalBars' | 'historicalTicks' | 'transaction'>; readonly calendar: TradingCalendar; readonly accounts: Pick<BrokerAccountService, 'historicalBars' | 'historicalTrades'> };

/**
 * @param field the request's name for "fetch from this account" (`fetch_missing`, `from_broker`), named in the 400 of an account with no history.
 * @throws DomainError: 404 an account not the user's; 400 one with no history (paper); 502 a broker's refusal, naming the account, never a key.
 * @example await fillFromAccount({ repos, calendar, accounts }, user.id, 3, { exchange: 'NYSE', symbol: 'AAPL', from: '2026-03-02', to: '2026-03-31' }, 'fetch_missing')
 */
export async function fillFromAccount(
  deps: HistoryDeps,
  userId: UserId,
  accountId: number,
  scope: FillScope,
  field: string,
): Promise<FillResult> {
  const { account, bars } = await deps.accounts.historicalBars(userId, asBrokerAccountId(accountId));
  if (!bars) throw validationError([{ field, message: `${account.label} (${account.broker}) has no price history to fetch: import the bars from a CSV (tradeclock backtest --csv), or name an Alpaca or Kite account` }]);
  try {
    return await fillMissingBars(deps.repos, deps.calendar, scope, scope.from, scope.to, (start, end) => bars(scope, start, end));
  } catch (err) {
    if (err instanceof HistoricalFetchError) throw new DomainError('broker_error', `could not fetch the missing bars from ${account.label}: ${err.message}`);
    throw err;
  }
}

/**
 * The tick store's days the range lacks, fetched from the account's trades, each day whole in its
 * own transaction (backtest/fill-ticks.ts): a refusal keeps the days already stored and writes
 * nothing of the day it stopped in.
 * @param field the request's name for it (`fetch_ticks`, `ticks`), named in the 400 of an account with no trades.
 * @throws DomainError: 404 an account not the user's; 400 one with no trades (Kite, paper); 502 a broker's refusal, naming the account, never a key.
 */
export async function fillTicksFromAccount(deps: HistoryDeps, userId: UserId, accountId: number, scope: FillScope, field: string, cap?: number): Promise<TickFillResult> {
  const { account, trades } = await deps.accounts.historicalTrades(userId, asBrokerAccountId(accountId));
  if (!trades) throw validationError([{ field, message: `${account.label} (${account.broker}) has no past trades to fetch (Kite's historical API has candles only): leave ${field} out, the bars are replayed, or name an Alpaca account` }]);
  try {
    return await fillMissingTicks(deps.repos, deps.calendar, scope, scope.from, scope.to, (start, end, max) => trades(scope, start, end, max), cap);
  } catch (err) {
    if (err instanceof HistoricalFetchError) throw new DomainError('broker_error', `could not fetch the trades from ${account.label}: ${err.message}`);
    throw err;
  }
}

/**
 * For a command run beside the daemon on its data directory: fills from the account with this id,
 * whoever's it is (the install's owner runs the command), its credentials unsealed with the
 * install's vault key.
 */
export function localAccountHistory(args: {
  readonly db: Db;
  readonly repos: Repos;
  readonly calendar: TradingCalendar;
  readonly clock: Clock;
  readonly passphrase?: string | undefined;
  readonly kinds?: BrokerKinds;
  /** For tests; default the OS keychain. */
  readonly keychain?: OpenKeychainEntry;
}) {
  const { db, repos, clock } = args;
  return async (accountId: number, scope: FillScope, ticks = false): Promise<{ readonly bars: FillResult; readonly ticks: TickFillResult | null }> => {
    const account = repos.brokerAccounts.getInternal(asBrokerAccountId(accountId));
    if (!account) throw notFound(`broker account #${accountId}`);
    const installId = repos.settings.get('install_id');
    const vaults = createVaultOpener({ keychainAccount: `data-key-${installId ?? ''}`, passphrase: args.passphrase, settings: repos.settings, sealedCredentials: () => listSealedCredentials(db.orm), clock, openKeychainEntry: args.keychain });
    const unavailable = () => {
      throw new DomainError('unavailable', 'a backtest opens no broker session');
    };
    const accounts = new BrokerAccountService({ repos, clock, kinds: args.kinds ?? defaultBrokerKinds(), vault: () => vaults.open(), sessions: unavailable, instruments: unavailable });
    const deps = { repos, calendar: args.calendar, accounts };
    const bars = await fillFromAccount(deps, asUserId(account.userId), accountId, scope, 'from_broker');
    return { bars, ticks: ticks ? await fillTicksFromAccount(deps, asUserId(account.userId), accountId, scope, 'ticks') : null };
  };
}
