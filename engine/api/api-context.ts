/** What every route module is given by buildApiServer. */
import type { AuthService } from '../auth/auth-service';
import type { ApiDeps } from './api-deps';
import type { LiveSockets } from './live-sockets';
import type { PriceStream } from './price-stream';

export interface ApiContext {
  readonly deps: ApiDeps;
  readonly auth: AuthService;
  readonly sockets: LiveSockets;
  readonly prices: PriceStream;
  /** How long a browser's WebSocket may take to send its `auth` message. */
  readonly socketAuthTimeoutMs: number;
  /** Engine-clock monotonic ms when the server was built, for GET /health's uptime. */
  readonly startedAt: number;
}
