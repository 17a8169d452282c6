import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenErrorLine, tryListen } from './port-check';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port }, () => {
      servers.push(s);
      resolve(s);
    });
  });
}

describe('tryListen', () => {
  it('finds a busy port, and says the one line for it (as startDaemon’s own listen error does)', async () => {
    const port = ((await listen(0)).address() as { port: number }).port;
    const err = await tryListen('127.0.0.1', port);
    expect(err?.code).toBe('EADDRINUSE');
    expect(listenErrorLine(err, '127.0.0.1', port)).toBe(`tradeclock: port ${port} is in use on 127.0.0.1: another Tradeclock, or another program; choose another port with --port`);
    const fromListen = await listen(port).then(
      () => null,
      (e: unknown) => e,
    );
    expect(listenErrorLine(fromListen, '127.0.0.1', port)).toBe(listenErrorLine(err, '127.0.0.1', port));
  });

  it('a free port is free again right after (the daemon listens on it next); port 0 is not tried', async () => {
    const port = ((await listen(0)).address() as { port: number }).port;
    servers.splice(0).forEach((s) => s.close());
    await new Promise((r) => setImmediate(r));
    expect(await tryListen('127.0.0.1', port)).toBeNull();
    await listen(port);
    expect(await tryListen('127.0.0.1', 0)).toBeNull();
  });

  it('an address not on this machine, and any other error, by name', async () => {
    const err = await tryListen('192.0.2.1', 7420);
    expect(listenErrorLine(err, '192.0.2.1', 7420)).toBe('tradeclock: 192.0.2.1 is not an address of this machine; choose another with --host');
    expect(listenErrorLine(new Error('boom'), '127.0.0.1', 1)).toBeNull();
  });
});
