/**
 * Runs the fake Alpaca as its own process, for tests that need it to outlive the daemon (the
 * crash-recovery soak). Prints one JSON line on stdout with its URLs and keys, then serves
 * until SIGTERM, SIGINT or stdin closing; the test steers it through the /__fake/ routes
 * (fake-admin.ts).
 *
 *   npx tsx tests/fakes/alpaca/run.ts [--port 0] [--config '<FakeAlpacaOptions as JSON>']
 *
 * stdout: {"restUrl":"http://127.0.0.1:PORT","tradeStreamUrl":"ws://…/stream",
 *          "dataStreamUrl":"ws://…/v2/iex","adminUrl":"http://…/__fake",
 *          "credentials":{"key_id":"…","secret_key":"…"},"pid":1234}
 */
import { startFakeAlpaca } from './fake-alpaca';
import type { FakeAlpacaOptions } from './fake-config';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const config = JSON.parse(arg('config') ?? process.env.FAKE_ALPACA_CONFIG ?? '{}') as Omit<FakeAlpacaOptions, 'now'>;
  const port = arg('port');
  const fake = await startFakeAlpaca({ ...config, ...(port === undefined ? {} : { port: Number(port) }) });
  process.stdout.write(
    `${JSON.stringify({ restUrl: fake.restUrl, tradeStreamUrl: fake.tradeStreamUrl, dataStreamUrl: fake.dataStreamUrl, adminUrl: fake.adminUrl, credentials: fake.credentials(), pid: process.pid })}\n`,
  );
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    void fake.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // A parent that dies without signalling closes our stdin: do not linger as an orphan.
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

main().catch((err: unknown) => {
  process.stderr.write(`fake alpaca failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
