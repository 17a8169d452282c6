/**
 * Runs the Binance fake as its own process (the crash soak starts fakes this way) and prints its
 * URLs and credentials as one JSON line. Stops on SIGINT/SIGTERM. Its clock is this process's.
 *
 *   npx tsx tests/fakes/binance/run.ts [--pair SOLUSDT ...] [--price BTCUSDT=60000 ...]
 *     [--balance USDT=1000000 ...] [--stale-balance-after-cancel-ms 2000]
 *
 * `--pair` lists a `<BASE>USDT` pair with BTCUSDT's figures (tick 0.01, step 0.00001, least
 * value 5 USDT), in place of the fake's own of that name (ETHUSDT's step is 0.0001): the soak
 * trades one pair per strategy. `--balance` replaces the account's
 * balances (default 10 000 USDT and 1 BTC). `--stale-balance-after-cancel-ms` keeps a cancelled
 * order's locked quantity out of GET /api/v3/account's free balance that long after the cancel
 * (fake-binance.ts staleBalanceAfterCancelMs; default 0, never stale).
 */
import { DEFAULT_SYMBOLS, type FakeSymbol } from './fake-symbols';
import { startFakeBinance } from './fake-binance';

const args = process.argv.slice(2);
const prices: Record<string, string> = {};
const balances: Record<string, string> = {};
const pairs: string[] = [];
let staleBalanceAfterCancelMs = 0;
const decimal = /^\d+(\.\d+)?$/;
for (let i = 0; i < args.length; i++) {
  const [key, value] = (args[i + 1] ?? '').split('=');
  if (args[i] === '--price' || args[i] === '--balance') {
    if (!key || !value || !decimal.test(value)) throw new Error(`${args[i]} wants NAME=DECIMAL, got "${args[i + 1]}"`);
    (args[i] === '--price' ? prices : balances)[key] = value;
    i++;
  } else if (args[i] === '--pair') {
    const symbol = args[++i] ?? '';
    if (!/^[A-Z0-9]{2,10}USDT$/.test(symbol)) throw new Error(`--pair wants <BASE>USDT in capitals, got "${symbol}"`);
    pairs.push(symbol);
  } else if (args[i] === '--stale-balance-after-cancel-ms') {
    const ms = args[++i] ?? '';
    if (!/^\d+$/.test(ms)) throw new Error(`--stale-balance-after-cancel-ms wants whole milliseconds, got "${ms}"`);
    staleBalanceAfterCancelMs = Number(ms);
  } else throw new Error(`unknown argument ${args[i]}`);
}

const btc = DEFAULT_SYMBOLS.find((s) => s.symbol === 'BTCUSDT')!;
const listed: FakeSymbol[] = pairs.map((symbol) => ({ ...btc, symbol, baseAsset: symbol.slice(0, -4) }));
const fake = await startFakeBinance({ symbols: [...DEFAULT_SYMBOLS.filter((s) => !pairs.includes(s.symbol)), ...listed], prices, staleBalanceAfterCancelMs, ...(Object.keys(balances).length > 0 ? { balances } : {}) });
const { apiKey, secret } = fake.credentials();
process.stdout.write(`${JSON.stringify({ url: fake.url, streamUrl: fake.streamUrl, wsApiUrl: fake.wsApiUrl, credentials: { api_key: apiKey, secret } })}\n`);
const stop = () => void fake.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
