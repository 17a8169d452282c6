/**
 * The crash soak's broker: the fake it trades on (its own process), how the daemon connects to it,
 * and the fake's record in the judge's broker-neutral shape (soak-judge.ts BrokerOrder, Received).
 *
 * - alpaca: the Alpaca fake (tests/fakes/alpaca/run.ts); backstops are stop orders under `tb…`
 *   client order ids. Its admin API also holds an order open (the edit-after-STOP case) and
 *   injects faults on POST /v2/orders (the 429 storm and the refused exit): `alpacaAdmin`.
 * - kite: the Kite fake (tests/fakes/kite/run.ts); backstops are single-leg GTTs, read back through
 *   kite-record.ts. Kite's session hours are met by moving the daemon's clock and the fake's to
 *   10:00 IST of today's date (TRADECLOCK_TEST_CLOCK_OFFSET_MS), whatever the hour here; the judge
 *   reads the fake's real ms, so downtimes and fills stay on one clock. Each cycle also trades a
 *   group of NIFTY options on the fake's NFO master (`group`, group-kinds.ts), and the SELL meets
 *   Kite's faults on order placements (`faults`, kite-faults.ts: a 429 storm and refused exits).
 * - binance: the Binance fake (tests/fakes/binance/run.ts) through the CCXT adapter; spot, so the
 *   mix is longs only (LONGS_ONLY: no sell-first), each position with its backstop, a STOP_LOSS
 *   sell under a `tb…` id (read back by binance-record.ts; the strategies ask for it with
 *   `backstop: true`, whatever the account's default), on
 *   USDT pairs at 60 000 with BTCUSDT's figures (step 0.00001, least value 5 USDT), one pair per
 *   strategy index, in fractional quantities (0.0015, 0.002, 0.0025 …). Days are 24/7 in UTC: no
 *   clock offset (the soak keeps a cycle off the daemon's UTC midnight, so its trading date, the
 *   client order id's, does not turn within it). Binance takes a buy's fee out of the coin bought,
 *   so the judge weighs each pair's fills with the fees (FeeInKind), read from binance-record.ts.
 *   Its faults (a 429 storm, a refused exit) are binance-faults.ts; its account's free balance lags
 *   a cancel by 2 s (BINANCE_STALE_BALANCE_MS, SoakOptions.staleBalanceAfterCancelMs), as Binance's may.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { firstLine, TSX } from '../support/daemon-process';
import { DEFAULT_ASSETS } from '../fakes/alpaca/fake-config';
import { KITE_GTT_MODIFIES_PER_MINUTE } from '../../engine/brokers/kite/kite-resting-stops';
import { KITE_CAPABILITIES } from '../../engine/brokers/kite/kite-broker';
import { ALPACA_CAPABILITIES } from '../../engine/brokers/alpaca/alpaca-broker';
import { BINANCE } from '../../engine/brokers/ccxt/ccxt-venues';
import { CCXT_STOP_MODIFIES_PER_MINUTE } from '../../engine/brokers/ccxt/ccxt-resting-stops';
import { DEFAULT_ALPACA_TIMING } from '../../engine/brokers/alpaca/alpaca-config';
import { gttModifies, kiteOrders, kiteReceived, type KiteRecord } from './kite-record';
import { binanceBackstopMoves, binanceOrders, binanceReceived, unifiedSymbol, type BinanceRecord } from './binance-record';
import { binanceFaults } from './binance-faults';
import { KINDS, LONGS_ONLY, SCRIPT_START_PRICE, type SoakKind } from './soak-mix';
import type { BrokerOrder, FeeInKind, Received } from './soak-judge';
import { groupContractsAt, HEDGED_SHORT_STRADDLE, type GroupContracts, type GroupKind } from './group-kinds';
import { kiteFaults } from './kite-faults';

const root = join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export type SoakBrokerName = 'alpaca' | 'kite' | 'binance';

export interface SoakBroker {
  readonly name: SoakBrokerName;
  /** The strategies' exchange. */
  readonly exchange: string;
  /** The time-exit kinds' symbols (the edit-after-STOP and PATCH cases move between them). */
  readonly symbols: readonly string[];
  /** One per strategy index, for the kinds whose prices the soak moves. */
  readonly scriptedSymbols: readonly string[];
  /** The kinds it trades (soak-mix.ts): every kind, or the longs only at a spot account. */
  readonly mix: readonly SoakKind[];
  /** Where the scripted symbols' prices start each cycle. */
  readonly startPrice: number;
  /** The j-th strategy's quantity, and the one the PATCH racing START sets. */
  qtyOf(j: number): number;
  readonly patchQty: number;
  /** Whether every position has a backstop at the broker (the judge's backstop checks, the kills at backstop crash points). */
  readonly backstops: boolean;
  /** Set where a buy's fee comes out of the coin bought (the judge weighs each pair's fills with it). */
  readonly feeInKind: FeeInKind | null;
  /**
   * How long after a placement request leaves the broker lists the order, where it takes a reused
   * id (BrokerCapabilities.placedOrderListedWithinMs: Kite with the soak's default options); null
   * where it refuses one (Alpaca). The judge allows an exit that long after a daemon died before it.
   */
  readonly placedOrderListedWithinMs: number | null;
  /**
   * How long a restarted daemon, once ready, takes to open its broker session before it trades and
   * protects its positions again (the soak's SELL leaves room for it after a kill at the BUY); 0
   * where it is quick (Alpaca's and Kite's REST and sockets): at Binance CCXT's import,
   * `loadMarkets` and the trade stream's first frames.
   */
  readonly sessionOpensMs: number;
  /** How far the daemon's clock runs ahead of this process's (TRADECLOCK_TEST_CLOCK_OFFSET_MS). */
  readonly clockOffsetMs: number;
  /**
   * How far below a long-backstop's entry fill the soak trades to fire its backstop (its stop 2
   * points below): a stop order fills at any price past it, a GTT's LIMIT only down to its limit.
   */
  readonly fireBelowFill: number;
  /** POST /broker/connect's body. */
  connectBody(): Record<string, unknown>;
  /** Every order the broker holds, backstops included, as the judge reads them. */
  orders(): Promise<BrokerOrder[]>;
  /** Every placement the broker received, as the judge counts them. */
  received(): Promise<Received[]>;
  /** Open positions as "SYMBOL qty" (a short negative). */
  positions(): Promise<string[]>;
  /** Trades at these prices: every subscriber's stream sees them, and resting stops they reach fire. */
  trade(trades: ReadonlyArray<{ readonly symbol: string; readonly price: number }>): Promise<void>;
  /**
   * Backstop modifications the broker accepted in place (a Kite GTT's PUT) or, at Binance, the
   * versions after a leg's first (a move is a cancel and the next STOP_LOSS), and the most one
   * backstop took within a minute, with the budget the engine keeps; null at Alpaca (its replace
   * is a new order version, counted among the backstop orders).
   */
  modifies(): Promise<{ readonly total: number; readonly maxPerMinute: number; readonly budgetPerMinute: number } | null>;
  /** The whole record, written to soak-broker.json when the data dir is kept. */
  record(): Promise<unknown>;
  /** The multi-position strategy a cycle trades beside the mix (group-kinds.ts), on its contracts at the fake; null where none. */
  readonly group: { readonly kind: GroupKind; readonly contracts: GroupContracts } | null;
  /** The Alpaca fake's admin API (holds, fills); null at a broker whose fake has none of those. */
  readonly alpacaAdmin: ((method: string, path: string, body?: unknown) => Promise<any>) | null;
  /** The faults the soak puts in on placements for a cycle's exits; null where it puts in none. */
  readonly faults: SoakFaults | null;
  close(): void;
}

/** A fault the soak put in on the fake's placements: its kind, how many placements it meets, and what it is (for the log). */
export interface ArmedFault {
  readonly kind: 'storm' | 'refusal';
  readonly times: number;
  readonly what: string;
}

/**
 * Faults on the broker fake's placement route, none of them processed (nothing is placed), put in
 * where each broker's fake can aim them at exits (`at`):
 * - 'before-sell' (Alpaca, Binance): the fake faults the next exits' placements (the fault table's
 *   `exitsOnly`: a client order id in an exit slot), so the soak injects one kind a cycle just
 *   before the SELL, once the scripted runs are over (crash-soak.ts injectBeforeSell); storms and
 *   refusals take turns.
 * - 'cycle-start' (Kite): the fake faults only placements that would reduce a position by its own
 *   book (closing only), so the soak arms both kinds before the cycle's BUY, storm first, and they
 *   meet the exits (a stop's, a target's, a group's exit-all, the SELL's) whenever the kills let
 *   them go, never an entry.
 */
export interface SoakFaults {
  readonly at: 'before-sell' | 'cycle-start';
  /**
   * How many rate-limit answers one placement waits out in the adapter before it hands the order
   * back to the engine as "not placed yet" (Alpaca's rateLimitRetries; 0 where the adapter hands
   * back each one): an exit answered more often than this was placed again by the engine.
   */
  readonly rateLimitRetries: number;
  /**
   * Puts in a fault on the next placements: a 429 storm (`storm`; before the SELL enough that at
   * least one of `sellers` exits is handed back), or a refusal that may pass (`refusal`), so the
   * exit it meets is sold by its next attempt under its own client order id.
   */
  inject(kind: ArmedFault['kind'], sellers: number): Promise<ArmedFault>;
}

async function adminCall(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`fake ${method} ${path} → ${res.status} ${text}`);
  return json;
}

async function spawnFake(script: string, args: readonly string[], what: string): Promise<{ proc: ChildProcess; ready: any }> {
  const proc = spawn(process.execPath, [...TSX, join(root, script), ...args], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const json = await firstLine(proc, (l) => (l.startsWith('{') ? l : null), what);
  return { proc, ready: JSON.parse(json) };
}

/** The whole mix in whole shares (1, 2, 3; the PATCH sets 7), each with its backstop: Alpaca's and Kite's. */
const SHARES = { mix: KINDS, startPrice: SCRIPT_START_PRICE, qtyOf: (j: number) => 1 + (j % 3), patchQty: 7, backstops: true, feeInKind: null } as const;

/** A refusal that may pass (placement-refusal.ts: not lasting), answered without processing. */
const ALPACA_REFUSAL = { kind: 'status', status: 422, body: { code: 42210000, message: 'order could not be placed: the price is outside the allowed band, try again' } };

/** The Alpaca fake's faults on POST /v2/orders, exits' only: 429s the adapter waits out rateLimitRetries of, and a 422 that may pass. */
function alpacaFaults(admin: (method: string, path: string, body?: unknown) => Promise<unknown>): SoakFaults {
  const rateLimitRetries = DEFAULT_ALPACA_TIMING.rateLimitRetries;
  return {
    at: 'before-sell',
    rateLimitRetries,
    async inject(kind, sellers) {
      if (kind === 'refusal') {
        await admin('POST', '/faults', { route: 'POST /v2/orders', exitsOnly: true, fault: ALPACA_REFUSAL, times: 1 });
        return { kind, times: 1, what: 'a 422 that may pass' };
      }
      // Each exit's placement waits out rateLimitRetries 429s and gives up on the next: with one
      // more than sellers × retries, at least one exit comes back "not placed yet", whatever the interleaving.
      const times = sellers * rateLimitRetries + 1;
      await admin('POST', '/faults', { route: 'POST /v2/orders', exitsOnly: true, fault: { kind: 'rate-limit', resetInMs: 300 }, times });
      return { kind, times, what: `429 × ${times}` };
    },
  };
}

/** Symbols of the Alpaca time-exit kinds (the fake's defaults). */
const ALPACA_SYMBOLS = ['AAPL', 'MSFT', 'IBM', 'SPY'] as const;
/** The Alpaca scripted kinds' symbols; the fake lists them as shortable and easy to borrow. */
const ALPACA_SCRIPTED = ['KO', 'PEP', 'XOM', 'CVX', 'JNJ', 'PFE', 'WMT', 'TGT', 'NKE', 'DIS'] as const;

export async function startAlpacaSoakBroker(): Promise<SoakBroker> {
  const config = { assets: [...DEFAULT_ASSETS, ...ALPACA_SCRIPTED.map((symbol) => ({ symbol, exchange: 'NYSE' }))] };
  const { proc, ready } = await spawnFake('tests/fakes/alpaca/run.ts', ['--config', JSON.stringify(config)], 'alpaca fake');
  const fake = ready as { restUrl: string; tradeStreamUrl: string; dataStreamUrl: string; adminUrl: string; credentials: { key_id: string; secret_key: string } };
  const admin = (method: string, path: string, body?: unknown) => adminCall(fake.adminUrl, method, path, body);
  const orders = async (): Promise<BrokerOrder[]> => Object.values((await admin('GET', '/orders')) as Record<string, BrokerOrder[]>).flat();
  return {
    name: 'alpaca',
    exchange: 'NYSE',
    symbols: ALPACA_SYMBOLS,
    scriptedSymbols: ALPACA_SCRIPTED,
    ...SHARES,
    placedOrderListedWithinMs: ALPACA_CAPABILITIES.placedOrderListedWithinMs,
    sessionOpensMs: 0,
    clockOffsetMs: 0,
    fireBelowFill: 3,
    connectBody: () => ({
      broker: 'alpaca',
      label: 'Alpaca (fake)',
      credentials: fake.credentials,
      options: { paper: true, rest_url: fake.restUrl, data_url: fake.restUrl, trade_stream_url: fake.tradeStreamUrl, data_stream_url: fake.dataStreamUrl },
    }),
    orders,
    received: () => admin('GET', '/received'),
    /**
     * GET /v2/positions as the fake lists them, through the daemon's own key, so a 429 from the
     * fake's per-key limit is waited out.
     */
    async positions() {
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${fake.restUrl}/v2/positions`, { headers: { 'APCA-API-KEY-ID': fake.credentials.key_id, 'APCA-API-SECRET-KEY': fake.credentials.secret_key } });
        if (res.status === 429 && attempt < 5) {
          await sleep(1_000);
          continue;
        }
        if (!res.ok) throw new Error(`fake GET /v2/positions → ${res.status} ${await res.text()}`);
        return ((await res.json()) as Array<{ symbol: string; qty: string }>).map((p) => `${p.symbol} ${p.qty}`);
      }
    },
    trade: async (trades) => void (await admin('POST', '/trades', { trades })),
    modifies: async () => null,
    record: async () => ({ received: await admin('GET', '/received'), orders: await admin('GET', '/orders'), requests: await admin('GET', '/requests') }),
    group: null,
    alpacaAdmin: admin,
    faults: alpacaFaults(admin),
    close: () => void proc.kill('SIGTERM'),
  };
}

/** NSE equities of the Kite time-exit kinds (INFY, TATAMOTORS and SBIN are the fake's own). */
const KITE_SYMBOLS = ['INFY', 'TATAMOTORS', 'SBIN', 'HDFCBANK'] as const;
const KITE_SCRIPTED = ['TCS', 'WIPRO', 'ITC', 'LT', 'ONGC', 'NTPC', 'TITAN', 'HCLTECH', 'AXISBANK', 'BPCL'] as const;
/** The Kite soak's day starts at 10:00 IST (04:30 UTC) of today's UTC date: inside NSE's session, the MIS square-off (15:15 IST) over five hours off. */
const KITE_DAY_STARTS_UTC_MS = (4 * 60 + 30) * 60_000;

export async function startKiteSoakBroker(): Promise<SoakBroker> {
  const now = new Date();
  // Whole seconds, so a time of day the soak writes for the daemon falls on the second it means.
  const clockOffsetMs = Math.round((Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + KITE_DAY_STARTS_UTC_MS - now.getTime()) / 1000) * 1000;
  const added = ['HDFCBANK', ...KITE_SCRIPTED];
  const args = [...added.flatMap((s) => ['--equity', s]), ...[...KITE_SYMBOLS, ...KITE_SCRIPTED].flatMap((s) => ['--price', `${s}=100`]), '--heartbeat-ms', '1000', '--clock-offset-ms', String(clockOffsetMs)];
  const { proc, ready } = await spawnFake('tests/fakes/kite/run.ts', args, 'kite fake');
  const fake = ready as { restUrl: string; tickerUrl: string; loginUrl: string; credentials: { api_key: string; api_secret: string; access_token: string } };
  const admin = (method: string, path: string, body?: unknown) => adminCall(fake.restUrl, method, path, body).then((r) => r?.data);
  const record = (): Promise<KiteRecord> => admin('GET', '/__fake/record');
  // The fake runs from here: a master without the group's contracts must not leave it running.
  const contracts = await groupContractsAt(fake.restUrl, HEDGED_SHORT_STRADDLE).catch((err: unknown) => {
    proc.kill('SIGTERM');
    throw err;
  });
  const group = { kind: HEDGED_SHORT_STRADDLE, contracts };
  return {
    name: 'kite',
    exchange: 'NSE',
    symbols: KITE_SYMBOLS,
    scriptedSymbols: KITE_SCRIPTED,
    ...SHARES,
    placedOrderListedWithinMs: KITE_CAPABILITIES.placedOrderListedWithinMs,
    sessionOpensMs: 0,
    clockOffsetMs,
    // The GTT's LIMIT is 1% past its trigger (GTT_LIMIT_SLACK_PERCENT): at ~100, a trade 2.5 below the fill is past the trigger (2 below) and inside the limit.
    fireBelowFill: 2.5,
    connectBody: () => ({ broker: 'kite', label: 'Kite (fake)', credentials: fake.credentials, options: { rest_url: fake.restUrl, ticker_url: fake.tickerUrl, login_url: fake.loginUrl } }),
    orders: async () => kiteOrders(await record()),
    received: async () => kiteReceived(await record()),
    async positions() {
      const { net } = (await admin('GET', '/__fake/positions')) as { net: Array<{ tradingsymbol: string; quantity: number }> };
      return net.filter((p) => p.quantity !== 0).map((p) => `${p.tradingsymbol} ${p.quantity}`);
    },
    async trade(trades) {
      for (const t of trades) await admin('POST', `/__fake/price?symbol=${encodeURIComponent(t.symbol)}&price=${t.price}`);
    },
    modifies: async () => ({ ...gttModifies(await record()), budgetPerMinute: KITE_GTT_MODIFIES_PER_MINUTE }),
    record: async () => ({ ...(await record()), requests: await admin('GET', '/__fake/requests') }),
    group,
    alpacaAdmin: null,
    faults: kiteFaults(admin),
    close: () => void proc.kill('SIGTERM'),
  };
}

/** Binance pairs of the time-exit kinds (BTCUSDT the fake's own) and one per scripted strategy index. */
const BINANCE_SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'BNB/USDT', 'XRP/USDT'] as const;
const BINANCE_SCRIPTED = ['ADA/USDT', 'DOGE/USDT', 'LTC/USDT', 'DOT/USDT', 'LINK/USDT', 'AVAX/USDT', 'TRX/USDT', 'ATOM/USDT', 'UNI/USDT', 'XLM/USDT'] as const;
const BINANCE_PRICE = 60_000;
/**
 * The longs at Binance. The long-time kind's stop is a price far below (1, a v1 body's), which
 * Binance refuses as its backstop (-1013 NOTIONAL: 0.00149 × 1 is under the least value of 5
 * USDT), leaving the position without one: here it is 1 000 below the pair's price, as far from
 * any trade of the soak (no script moves the time-exit kinds' pairs) and a stop Binance takes.
 */
const BINANCE_MIX: readonly SoakKind[] = LONGS_ONLY.map((k) => (k.name === 'long-time' ? { ...k, exits: { stop_loss: BINANCE_PRICE - 1_000 } } : k));
const fakeSymbol = (symbol: string) => symbol.replace('/', '');
/**
 * How long the fake's account endpoint still counts a cancelled order's quantity as locked by
 * default (fake-binance.ts staleBalanceAfterCancelMs): after a backstop's cancel for an exit the
 * free balance reads short for 2 s, so the exit must sell what the cancel unlocked (held-qty.ts),
 * and a kill at after-backstop-cancel leaves the next daemon nothing in memory of it.
 */
export const BINANCE_STALE_BALANCE_MS = 2_000;

export async function startBinanceSoakBroker(staleBalanceAfterCancelMs = BINANCE_STALE_BALANCE_MS): Promise<SoakBroker> {
  const pairs = [...BINANCE_SYMBOLS, ...BINANCE_SCRIPTED].map(fakeSymbol);
  // Every pair with BTCUSDT's figures (the fake's own ETHUSDT steps 0.0001): one step, 0.00001, for the judge's dust.
  const args = [...pairs.flatMap((p) => ['--pair', p]), ...pairs.flatMap((p) => ['--price', `${p}=${BINANCE_PRICE}`]), '--balance', 'USDT=10000000', '--stale-balance-after-cancel-ms', String(staleBalanceAfterCancelMs)];
  const { proc, ready } = await spawnFake('tests/fakes/binance/run.ts', args, 'binance fake');
  const fake = ready as { url: string; credentials: { api_key: string; secret: string } };
  const admin = (method: string, path: string, body?: unknown) => adminCall(fake.url, method, path, body);
  const record = (): Promise<BinanceRecord> => admin('GET', '/__fake/record');
  return {
    name: 'binance',
    exchange: 'CRYPTO',
    symbols: BINANCE_SYMBOLS,
    scriptedSymbols: BINANCE_SCRIPTED,
    mix: BINANCE_MIX,
    startPrice: BINANCE_PRICE,
    // 0.0015, 0.002, 0.0025 BTC: 90 to 150 USDT at 60 000, over the least value of 5.
    qtyOf: (j) => [0.0015, 0.002, 0.0025][j % 3]!,
    patchQty: 0.003,
    backstops: true,
    feeInKind: { stepOf: () => 0.00001 },
    placedOrderListedWithinMs: BINANCE.placedOrderListedWithinMs,
    // A restart under a load average of 9 on 2 cores: ready after ~7 s, its session ~3 s later (2026-12-07).
    sessionOpensMs: 10_000,
    clockOffsetMs: 0,
    fireBelowFill: 3,
    connectBody: () => ({ broker: 'binance', label: 'Binance (fake)', credentials: fake.credentials, options: { rest_url: fake.url } }),
    orders: async () => binanceOrders(await record()),
    received: async () => binanceReceived(await record()),
    /** Each soak pair whose coin the account holds at least one step of (the account started with none): a position, not dust. */
    async positions() {
      const balances = (await admin('GET', '/__fake/balances')) as Record<string, { free: string; locked: string }>;
      return pairs.flatMap((p) => {
        const b = balances[p.slice(0, -4)];
        const held = b ? Number(b.free) + Number(b.locked) : 0;
        return held >= 0.00001 ? [`${unifiedSymbol(p)} ${held}`] : [];
      });
    },
    async trade(trades) {
      for (const t of trades) await admin('POST', '/__fake/price', { symbol: fakeSymbol(t.symbol), price: String(t.price) });
    },
    modifies: async () => ({ ...binanceBackstopMoves(await record()), budgetPerMinute: CCXT_STOP_MODIFIES_PER_MINUTE }),
    record: async () => ({ ...(await record()), balances: await admin('GET', '/__fake/balances') }),
    group: null,
    alpacaAdmin: null,
    faults: binanceFaults(admin),
    close: () => void proc.kill('SIGTERM'),
  };
}

/** `staleBalanceAfterCancelMs`: Binance only (BINANCE_STALE_BALANCE_MS by default). */
export function startSoakBroker(name: SoakBrokerName, staleBalanceAfterCancelMs?: number): Promise<SoakBroker> {
  return name === 'kite' ? startKiteSoakBroker() : name === 'binance' ? startBinanceSoakBroker(staleBalanceAfterCancelMs) : startAlpacaSoakBroker();
}
