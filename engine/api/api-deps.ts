/** Everything the HTTP/WebSocket API is given by the composition root (engine/daemon.ts). */
import type { Logger } from 'pino';
import type { Repos } from '../../db/repos';
import type { Clock } from '../core/clock';
import type { Engine } from '../engine';
import type { TokenService } from '../auth/tokens';
import type { LoginLimiter } from '../auth/login-limiter';
import type { BrokerAccountService } from '../brokers/broker-account-service';
import type { NotifyService } from '../notify/notify-service';

export interface ApiDeps {
  readonly engine: Engine;
  readonly repos: Repos;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly tokens: TokenService;
  readonly loginLimiter: LoginLimiter;
  readonly brokerAccounts: BrokerAccountService;
  /** Notification channels and their delivery queue (issue 21). */
  readonly notify: NotifyService;
  /** package.json version, for GET /health. */
  readonly version: string;
  /** The built renderer served at /; null when it has not been built. */
  readonly staticDir: string | null;
  /** How a phone reaches the daemon, for the pairing QR; absent: loopback only, plain HTTP. */
  readonly lan?: LanAccess;
}

/** Where the daemon can be reached from the LAN, and with which certificate. */
export interface LanAccess {
  /** The daemon's non-loopback URLs now (a laptop changes networks); empty when loopback only. */
  readonly urls: () => readonly string[];
  /** The certificate served over HTTPS; null when the daemon serves plain HTTP only. */
  readonly certificate: {
    readonly sha256: string;
    readonly selfSigned: boolean;
    /** The authority that signed it (PEM), for a phone to install; null for the trader's own certificate. */
    readonly authority: string | null;
  } | null;
}
