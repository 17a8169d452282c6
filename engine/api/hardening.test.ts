import type { NetworkInterfaceInfo } from 'node:os';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { handleError } from './errors';
import { allowPublicHosts, boundPort, installHardening } from './hardening';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A server bound to 0.0.0.0 on a machine whose one LAN address is 10.9.8.7; counts the reads of its interfaces. */
async function wildcardServer() {
  const reads = { count: 0 };
  const interfaces = () => {
    reads.count += 1;
    return { eth0: [{ address: '10.9.8.7', family: 'IPv4', internal: false } as NetworkInterfaceInfo] };
  };
  const app = Fastify({ logger: false });
  apps.push(app);
  installHardening(app);
  app.setErrorHandler((err, request, reply) => handleError(err, request, reply));
  app.get('/ping', async () => ({ ok: true }));
  allowPublicHosts(app, [], interfaces);
  await app.listen({ host: '0.0.0.0', port: 0 });
  const port = boundPort(app) ?? 0;
  const get = (headers: Record<string, string>) => app.inject({ method: 'GET', url: '/ping', headers });
  return { reads, port, get };
}

describe('the Host check on a wildcard bind', () => {
  it("reads the machine's interfaces once per request, for the Host, the Origin and the CSP together", async () => {
    const s = await wildcardServer();
    const lan = `10.9.8.7:${s.port}`;
    const res = await s.get({ host: lan, origin: `http://${lan}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain(`ws://${lan}`);
    expect(s.reads.count).toBe(1);

    const foreignOrigin = await s.get({ host: lan, origin: `http://10.9.8.8:${s.port}` });
    expect(foreignOrigin.statusCode).toBe(403);
    // The refusal still carries the CSP of the Host it came in on, checked once.
    expect(foreignOrigin.headers['content-security-policy']).toContain(`ws://${lan}`);
    expect(s.reads.count).toBe(2);
  });

  it('reads none for a loopback Host and Origin, and refuses a Host that is not ours with a CSP naming none', async () => {
    const s = await wildcardServer();
    const loopback = `127.0.0.1:${s.port}`;
    expect((await s.get({ host: loopback, origin: `http://${loopback}` })).statusCode).toBe(200);
    expect(s.reads.count).toBe(0);

    const forged = await s.get({ host: `evil.example:${s.port}` });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['content-security-policy']).not.toContain('evil.example');
    expect(s.reads.count).toBe(1);
  });
});
