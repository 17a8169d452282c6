/**
 * startDaemon: the composition root. Data directory (locked to this process), SQLite with its
 * migrations, the runtime store, the vault, the engine, recovery, then the local API. The
 * headless CLI and the Electron shell both start Tradeclock through here.
 */
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { DATABASE_FILE } from '../db/backups';
import { createRepos } from '../db/repos';
import { systemClock, type Clock } from './core/clock';
import { DomainError } from './core/errors';
import { newInstallId } from './core/random-ids';
import { createEngine, type Engine } from './engine';
import { createRuntimeStore } from './runtime/create-runtime-store';
import { alwaysOpenCalendar, createTradingCalendar } from './scheduler/trading-calendar';
import { loadHolidayData } from './scheduler/holiday-data';
import { watchClockJumps } from './scheduler/clock-jump-watch';
import { defaultBrokerKinds, type BrokerKinds } from './brokers/broker-kinds';
import { BrokerAccountService } from './brokers/broker-account-service';
import { createVaultOpener } from './secrets/vault-opener';
import type { OpenKeychainEntry } from './secrets/keychain-key-provider';
import { listSealedCredentials } from '../db/repos/sealed-credentials';
import { openInstallDatabase } from './open-install-database';
import { startBackupSchedule } from './backup-schedule';
import { TokenService } from './auth/tokens';
import { LoginLimiter } from './auth/login-limiter';
import { registrationSettings } from './auth/registration';
import { allowPublicHosts } from './api/hardening';
import { interfaceAddresses, isLoopback, listenUrls } from './api/allowed-hosts';
import { ownCertificate, providedCertificate, type ServedCertificate } from './tls-certificate';
import { createLogger } from './logger';
import { NotifyService } from './notify/notify-service';
import { defaultChannelKinds } from './notify/channel-kinds';
import { VapidKeys, vapidSubjectFrom } from './notify/vapid-keys';
import { engineCommands } from './notify/trader-commands';
import { lockDataDir, logLockEvents } from './data-dir-lock';
import { logPrivacyReport, makeDataDirPrivate, ownerOnlyUmask } from './data-dir-modes';
import { armedCrashPoints, CRASH_POINTS, GROUP_CRASH_POINTS, noCrashPoints, parseCrashPoint, type CrashPoints } from './execution/crash-points';

export const DEFAULT_PORT = 7420;
/** How long the API waits at most, at start, for the answers to recovery's orders. */
const EXITS_FIRST_MAX_WAIT_MS = 2_000;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface DaemonConfig {
  readonly dataDir: string;
  /** Default 127.0.0.1. Anything but loopback needs `allowRemote`. */
  readonly host?: string;
  /** Default 7420; 0 picks a free port. */
  readonly port?: number;
  readonly allowRemote?: boolean;
  /** Host names beyond the bound addresses that the API answers to (`--public-host`). */
  readonly publicHosts?: readonly string[];
  /**
   * Serve HTTPS too (one port; plain HTTP stays for loopback only). Default: on when the host is
   * not loopback. The certificate is `tlsCertFile`/`tlsKeyFile` when given, else one the daemon
   * makes in the data directory's tls/ (tls-certificate.ts).
   */
  readonly https?: boolean;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** Real Redis for the runtime store; in-process when unset. */
  readonly redisUrl?: string;
  /** Derives the vault key where no OS keychain is available. */
  readonly passphrase?: string;
  readonly logLevel?: string;
  /** What the console shows of each log line (createLogger's consoleLines); ignored with `logger`. */
  readonly consoleLines?: (line: string) => string | null;
  /**
   * Called once the engine exists, before recovery: a subscriber to `engine.bus` here sees
   * recovery's events too (the headless terminal's lines, cli.ts).
   */
  readonly onEngine?: (engine: Engine, kinds: BrokerKinds) => void;
  /** The built renderer; default renderer/dist beside the sources when it exists. */
  readonly staticDir?: string | null;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly brokerKinds?: BrokerKinds;
  /** For tests: the keychain that holds the vault key. Default the OS keychain. */
  readonly keychain?: OpenKeychainEntry;
  /** Crash soak only: kill this process at a named point (see execution/crash-points.ts). */
  readonly crashPoint?: string;
  /** Crash soak only: every day is a trading day, so the soak runs on weekends and holidays. */
  readonly alwaysOpen?: boolean;
  /**
   * true: anyone who can reach the API may create an account. Default: a single-user install,
   * registration closed once the first account exists; TRADECLOCK_OPEN_REGISTRATION=1 re-opens it.
   */
  readonly openRegistration?: boolean;
}

export interface DaemonHandle {
  readonly url: string;
  /** Every URL it can be reached at, `url` first (one per interface address when bound to 0.0.0.0). */
  readonly urls: readonly string[];
  /** The certificate served over HTTPS (never its key); null when the daemon serves plain HTTP only. */
  readonly certificate: Omit<ServedCertificate, 'key'> | null;
  readonly host: string;
  readonly port: number;
  readonly engine: Engine;
  readonly logger: Logger;
  /** Graceful: stops taking requests, cancels jobs, lets in-flight orders settle, closes the DB. */
  stop(): Promise<void>;
}

/**
 * A promise rejected with no handler (a library's: CCXT leaves some, issue 22's plan) would end the
 * process, and with it the exits of open positions (invariant 10): it is logged instead, and the
 * daemon keeps running. Returns the function that takes the guard away (at shutdown).
 */
export function keepRunningOnUnhandledRejections(logger: Pick<Logger, 'error'>): () => void {
  const onUnhandled = (reason: unknown) => logger.error({ err: reason }, 'a promise was rejected with no handler; the daemon keeps running');
  process.on('unhandledRejection', onUnhandled);
  return () => void process.off('unhandledRejection', onUnhandled);
}

export async function startDaemon(config: DaemonConfig): Promise<DaemonHandle> {
  // Owner-only for what is born while setting up (SQLite's database, -wal and -shm take no mode
  // from us), then the caller's umask again: the desktop app's browser and helpers must not run
  // under 077. The headless CLI keeps 077 for its whole life (cli.ts; data-dir-modes.ts).
  const restoreUmask = ownerOnlyUmask();
  try {
    return await setUp(config);
  } finally {
    restoreUmask();
  }
}

async function setUp(config: DaemonConfig): Promise<DaemonHandle> {
  const clock = config.clock ?? systemClock;
  const host = config.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !config.allowRemote) {
    throw new DomainError('validation_failed', `refusing to listen on ${host}: only loopback is allowed without --allow-remote`, [{ field: 'host', message: 'not a loopback address' }]);
  }
  const privacy = makeDataDirPrivate(config.dataDir); // what exists made owner-only
  let log: Logger | null = null; // set inside the guarded section: createLogger throws on a bad level
  const lock = lockDataDir(config.dataDir, new Date(clock.now()).toISOString(), { clock, ...logLockEvents(() => log) });

  const cleanups: Array<() => Promise<void> | void> = [() => lock.release()];
  // Every step runs even when one before it throws (a broker that fails to stop must not leave the
  // database open and the lock held), the lock last; the first error is rethrown.
  const cleanup = async () => {
    const errors: unknown[] = [];
    for (const c of [...cleanups].reverse()) {
      try {
        await c();
      } catch (err) {
        errors.push(err);
        log?.error({ err }, 'a shutdown step failed; the steps after it still ran');
      }
    }
    if (errors.length > 0) throw errors[0];
  };
  try {
    const logger = config.logger ?? createLogger({ level: config.logLevel, dataDir: config.dataDir, ...(config.consoleLines ? { consoleLines: config.consoleLines } : {}) });
    log = logger;
    cleanups.push(keepRunningOnUnhandledRejections(logger));
    logPrivacyReport(privacy, logger);
    if (config.alwaysOpen) logger.warn('TEST HOOK ARMED: every day is a trading day');
    if (!LOOPBACK.has(host)) logger.warn({ host }, 'listening beyond loopback: anyone who can reach this address can try to log in');
    const dbPath = join(config.dataDir, DATABASE_FILE);
    const db = await openInstallDatabase({ dataDir: config.dataDir, clock, logger }); // refuses a lost or damaged database (issue 16)
    chmodSync(dbPath, 0o600);
    cleanups.push(() => db.close());
    const repos = createRepos(db, { warn: (obj, msg) => logger.warn(obj, msg) });
    const installId = repos.settings.getOrCreate('install_id', newInstallId);
    const tokenKey = Buffer.from(repos.settings.getOrCreate('token_signing_key', () => randomBytes(32).toString('base64')), 'base64');

    const vaults = createVaultOpener({
      keychainAccount: `data-key-${installId}`,
      passphrase: config.passphrase,
      settings: repos.settings,
      sealedCredentials: () => listSealedCredentials(db.orm),
      logger,
      clock,
      openKeychainEntry: config.keychain,
    });
    // Stored credentials the key cannot unseal: refuse, naming the key source. The OS keychain gets
    // a minute to answer (a prompt nobody answers), then the start is refused the same way.
    // Begun first: the key is read from the keychain, or derived from the passphrase (scrypt, on
    // libuv's pool), while the rest is set up and recovery reads SQLite. Recovery acts (jobs,
    // exits, subscriptions) only once it has passed, and the API is built only after that.
    const keyChecked = vaults.checkAtStart();
    keyChecked.catch(() => undefined); // awaited by recovery, which rethrows its refusal
    const openVault = () => vaults.open();

    const runtime = await createRuntimeStore(config.redisUrl ? { redisUrl: config.redisUrl } : {});
    cleanups.push(() => runtime.close());

    const brokerAccounts: BrokerAccountService = new BrokerAccountService({
      repos,
      clock,
      kinds: config.brokerKinds ?? defaultBrokerKinds({ logger }),
      vault: openVault,
      sessions: () => engine.brokers,
      instruments: () => engine.ctx.instruments,
    });
    const engine = createEngine({
      repos,
      runtime,
      clock,
      logger,
      calendar: config.alwaysOpen ? alwaysOpenCalendar() : createTradingCalendar(loadHolidayData(join(config.dataDir, 'holidays'))),
      brokerFactory: brokerAccounts.factory(),
      installId,
      crashPoints: crashPointsFrom(config.crashPoint, logger),
      checkpoint: () => db.checkpoint(),
    });
    cleanups.push(() => engine.stop());
    config.onEngine?.(engine, brokerAccounts.kinds());
    // Before recovery, so its notifications are queued too; every send runs apart from trading.
    const vapid = new VapidKeys({ repos, vault: openVault });
    const vapidSubject = vapidSubjectFrom(process.env, (message) => logger.warn(message));
    const notify = new NotifyService({
      repos,
      clock,
      logger,
      vault: openVault,
      kinds: defaultChannelKinds({ webPush: { vapid: () => vapid.pair(), ...(vapidSubject ? { subject: vapidSubject } : {}) } }),
      vapid,
      notifications: engine.notifications,
      commands: engineCommands(repos, engine.manager),
    });
    notify.start();
    cleanups.push(() => notify.stop());
    const report = await engine.recover({ actAfter: keyChecked });
    const jumps = watchClockJumps(clock, (gapMs) => {
      logger.warn({ gapMs }, 'wall clock jumped (sleep or clock change): re-checking every trigger');
      engine.onClockJump();
    });
    cleanups.push(() => jumps.cancel());
    const backups = startBackupSchedule({ db, dataDir: config.dataDir, clock, logger });
    cleanups.push(() => backups.stop());

    // Built once recovery has acted and the orders it made due have their brokers' answers:
    // loading its modules holds the main thread for a while, and neither the key's arrival nor the
    // first exits wait behind it. They load only now, not before the process can do anything.
    // Both waits are on real time, whatever the engine's clock: a job already due fires on the
    // next turn of the timers (before the first wait ends), and a broker slow to answer holds the
    // API back at most EXITS_FIRST_MAX_WAIT_MS.
    await new Promise<void>((resolve) => systemClock.setTimer(0, resolve));
    await new Promise<void>((resolve) => {
      const cap = systemClock.setTimer(EXITS_FIRST_MAX_WAIT_MS, resolve);
      void engine.execution.whenAnswered().then(() => {
        cap.cancel();
        resolve();
      });
    });
    const certificate = await servedCertificate(config, host, clock);
    if (certificate) logger.info({ sha256: certificate.sha256, selfSigned: certificate.selfSigned }, 'serving HTTPS beyond loopback');
    const lanScheme = certificate ? 'https' : 'http';
    let port = config.port ?? DEFAULT_PORT;
    const { buildApiServer } = await import('./api/server');
    const app = await buildApiServer({
      engine,
      repos,
      clock,
      logger,
      tokens: new TokenService({ key: tokenKey, now: () => clock.now() }),
      loginLimiter: new LoginLimiter({ now: () => clock.now() }),
      brokerAccounts,
      notify,
      version: packageVersion(),
      staticDir: config.staticDir === undefined ? defaultStaticDir() : config.staticDir,
      lan: {
        // Read when a pairing code is asked for: the machine's addresses may have changed.
        urls: () => listenUrls(host, port, config.publicHosts ?? [], undefined, lanScheme).filter((u) => !isLoopback(new URL(u).hostname.replace(/^\[|\]$/g, ''))),
        certificate: certificate && { sha256: certificate.sha256, selfSigned: certificate.selfSigned, authority: certificate.caCert },
      },
    }, { ...registrationSettings(config.openRegistration, process.env), ...(certificate ? { tls: certificate } : {}) });
    cleanups.push(() => app.close());
    allowPublicHosts(app, config.publicHosts ?? []);
    await app.listen({ host, port });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : port;
    const urls = listenUrls(host, port, config.publicHosts ?? [], undefined, lanScheme);
    const url = urls[0]!;
    logger.info({ url, urls, dataDir: config.dataDir, installId, recovery: report }, 'tradeclock daemon ready');

    let stopping: Promise<void> | null = null;
    return {
      url,
      urls,
      certificate: certificate && { cert: certificate.cert, sha256: certificate.sha256, selfSigned: certificate.selfSigned, caCert: certificate.caCert },
      host,
      port,
      engine,
      logger,
      stop: () => (stopping ??= cleanup().then(() => logger.info('tradeclock daemon stopped'))),
    };
  } catch (err) {
    await cleanup().catch(() => {}); // each failed step is logged; the error that stopped the start is the one to tell
    throw err;
  }
}

/**
 * The certificate to serve, or null for plain HTTP only: the trader's files when given (they turn
 * HTTPS on), else the daemon's own when HTTPS is on (by default beyond loopback).
 */
async function servedCertificate(config: DaemonConfig, host: string, clock: Clock): Promise<ServedCertificate | null> {
  const { tlsCertFile, tlsKeyFile } = config;
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    throw new DomainError('validation_failed', 'give both --tls-cert and --tls-key, or neither', [{ field: tlsCertFile === undefined ? 'tls_cert' : 'tls_key', message: 'is missing' }]);
  }
  if (tlsCertFile !== undefined && tlsKeyFile !== undefined) {
    if (config.https === false) throw new DomainError('validation_failed', '--tls-cert and --tls-key need HTTPS on', [{ field: 'https', message: 'is off' }]);
    try {
      return providedCertificate(tlsCertFile, tlsKeyFile);
    } catch (err) {
      throw new DomainError('validation_failed', (err as Error).message, [{ field: 'tls_cert', message: (err as Error).message }]);
    }
  }
  if (!(config.https ?? !isLoopback(host))) return null;
  const names = isLoopback(host) ? [] : host === '0.0.0.0' || host === '::' ? interfaceAddresses(host) : [host];
  return ownCertificate(join(config.dataDir, 'tls'), [...names, ...(config.publicHosts ?? [])], clock.now());
}

/** The version in package.json (`tradeclock --version`, GET /health). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function defaultStaticDir(): string | null {
  // fileURLToPath, not URL.pathname: that keeps %20 for a space and a leading / before C: on Windows.
  const dir = fileURLToPath(new URL('../renderer/dist', import.meta.url));
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

function crashPointsFrom(spec: string | undefined, logger: Logger): CrashPoints {
  if (!spec) return noCrashPoints;
  const parsed = parseCrashPoint(spec);
  if (!parsed) throw new DomainError('validation_failed', `unknown crash point "${spec}": one of ${[...CRASH_POINTS, ...GROUP_CRASH_POINTS].join(', ')}[:n]`);
  logger.warn({ crashPoint: spec }, 'TEST HOOK ARMED: this process will SIGKILL itself at a crash point');
  return armedCrashPoints(parsed, () => process.kill(process.pid, 'SIGKILL'));
}
