/**
 * Runs the Kite fake as its own process (the crash-soak starts fakes this way) and prints its
 * URLs and credentials as one JSON line. Stops on SIGINT/SIGTERM.
 *
 *   npx tsx tests/fakes/kite/run.ts [--price INFY=100 ...] [--heartbeat-ms 1000]
 *     [--equity SYMBOL ...] [--clock-offset-ms N]
 *
 * `--equity` adds an NSE equity to the default instruments (the soak trades one symbol per
 * strategy); `--clock-offset-ms` moves the fake's clock (its IST timestamps and login time) as the
 * daemon's TRADECLOCK_TEST_CLOCK_OFFSET_MS moves the daemon's.
 */
import { DateTime } from 'luxon';
import { DEFAULT_INSTRUMENTS, type FakeInstrument } from './fake-instruments';
import { fakeOptionChain } from './fake-option-chain';
import { startKiteFake } from './kite-fake';

const args = process.argv.slice(2);
const prices: Record<string, number> = {};
const equities: string[] = [];
let heartbeatMs = 1000;
let offsetMs = 0;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--price') {
    const [sym, p] = (args[++i] ?? '').split('=');
    if (!sym || !(Number(p) > 0)) throw new Error(`--price wants SYMBOL=PRICE, got "${args[i]}"`);
    prices[sym] = Number(p);
  } else if (args[i] === '--heartbeat-ms') heartbeatMs = Number(args[++i]);
  else if (args[i] === '--equity') {
    const sym = args[++i] ?? '';
    if (!/^[A-Z][A-Z0-9]{0,19}$/.test(sym)) throw new Error(`--equity wants an NSE trading symbol (capitals and digits), got "${sym}"`);
    equities.push(sym);
  } else if (args[i] === '--clock-offset-ms') {
    offsetMs = Number(args[++i]);
    if (!Number.isSafeInteger(offsetMs)) throw new Error(`--clock-offset-ms wants whole milliseconds, got "${args[i]}"`);
  } else throw new Error(`unknown argument ${args[i]}`);
}

const now = () => Date.now() + offsetMs;
// Tokens whose low byte is 1 (NSE), above the defaults'.
const extra: FakeInstrument[] = equities.map((tradingsymbol, i) => ({ token: ((9_000 + i) << 8) | 1, tradingsymbol, name: tradingsymbol, exchange: 'NSE', segment: 'NSE', instrumentType: 'EQ', tickSize: 0.05, lotSize: 1 }));
const instruments = [...DEFAULT_INSTRUMENTS, ...extra, ...fakeOptionChain({ today: DateTime.fromMillis(now(), { zone: 'Asia/Kolkata' }).toISODate()! })];
const fake = await startKiteFake({ prices: Object.keys(prices).length > 0 ? prices : { INFY: 100 }, heartbeatMs, now, instruments });
process.stdout.write(
  JSON.stringify({ restUrl: fake.restUrl, tickerUrl: fake.tickerUrl, loginUrl: fake.loginUrl, credentials: fake.credentials(), admin: { orders: `${fake.restUrl}/__fake/orders`, record: `${fake.restUrl}/__fake/record`, price: `${fake.restUrl}/__fake/price?symbol=&price=`, fault: `${fake.restUrl}/__fake/fault?route=&times=`, orderFaults: `${fake.restUrl}/__fake/order-faults`, dropTicker: `${fake.restUrl}/__fake/ticker/drop` } }) + '\n',
);
const stop = () => void fake.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
