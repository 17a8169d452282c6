/**
 * A port that cannot be had, found before anything is created: a second `tradeclock daemon` on
 * the same port used to create its data directory, open the database and run recovery, then die
 * at the last step with a stack trace. Now it says so in one line and leaves nothing behind.
 */
import { createServer } from 'node:net';

/**
 * Listens on host:port for a moment; resolves with the error that prevented it, or null. Port 0
 * (any free port) always succeeds and is not tried.
 */
export function tryListen(host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/**
 * The one line for an error that means "cannot listen there"; null for any other error.
 * @example listenErrorLine(err, '127.0.0.1', 7420) // 'tradeclock: port 7420 is in use on 127.0.0.1: …'
 */
export function listenErrorLine(err: unknown, host: string, port: number): string | null {
  switch ((err as NodeJS.ErrnoException | null)?.code) {
    case 'EADDRINUSE':
      return `tradeclock: port ${port} is in use on ${host}: another Tradeclock, or another program; choose another port with --port`;
    case 'EACCES':
      return `tradeclock: port ${port} on ${host} needs privileges this user does not have; choose a port above 1023 with --port`;
    case 'EADDRNOTAVAIL':
      return `tradeclock: ${host} is not an address of this machine; choose another with --host`;
    default:
      return null;
  }
}
