/**
 * Runs the Kite fake as its own process (the crash-soak starts fakes this way) and prints its
 * URLs and credentials as one JSON line. Stops on SIGINT/SIGTERM.
 *
 *   npx tsx tests/fakes/kite/run.ts [--price INFY=100 ...] [--heartbeat-ms 1000]
 */
import { startKiteFake } from './kite-fake';

const args = process.argv.slice(2);
const prices: Record<string, number> = {};
let heartbeatMs = 1000;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--price') {
    const [sym, p] = (args[++i] ?? '').split('=');
    if (!sym || !(Number(p) > 0)) throw new Error(`--price wants SYMBOL=PRICE, got "${args[i]}"`);
    prices[sym] = Number(p);
  } else if (args[i] === '--heartbeat-ms') heartbeatMs = Number(args[++i]);
  else throw new Error(`unknown argument ${args[i]}`);
}

const fake = await startKiteFake({ prices: Object.keys(prices).length > 0 ? prices : { INFY: 100 }, heartbeatMs });
process.stdout.write(
  JSON.stringify({ restUrl: fake.restUrl, tickerUrl: fake.tickerUrl, loginUrl: fake.loginUrl, credentials: fake.credentials(), admin: { orders: `${fake.restUrl}/__fake/orders`, price: `${fake.restUrl}/__fake/price?symbol=&price=`, fault: `${fake.restUrl}/__fake/fault?route=&times=`, dropTicker: `${fake.restUrl}/__fake/ticker/drop` } }) + '\n',
);
const stop = () => void fake.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
