/**
 * HTTPS on the LAN: a daemon with HTTPS on serves TLS and plain HTTP on one port, with the
 * certificate it made in its data directory (the private keys owner-only) or one the trader gave.
 * A client that trusts the daemon's authority gets through; the fingerprint the pairing panel shows
 * is the served certificate's; plain HTTP stays for loopback only (a LAN page load is sent to
 * https://, an API call refused), and an Origin must carry the scheme it came in on.
 *
 * Traffic stays on this machine: requests go to 127.0.0.1; LAN names appear only as Host headers.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import pino from 'pino';
import { generate } from 'selfsigned';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type DaemonHandle } from '../../engine/daemon';

const dirs: string[] = [];
const handles: DaemonHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tradeclock-https-'));
  dirs.push(d);
  return d;
};
const quiet = pino({ level: 'silent' });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** SHA-256 of the certificate the server presented (https only). */
  fingerprint?: string;
}

function call(scheme: 'http' | 'https', port: number, path: string, o: { method?: string; headers?: Record<string, string>; body?: string; ca?: string; servername?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: o.headers ?? {}, ...(o.ca ? { ca: o.ca } : {}), ...(o.servername ? { servername: o.servername } : {}) };
    const req = (scheme === 'https' ? httpsRequest : httpRequest)(options, (res) => {
      const chunks: Buffer[] = [];
      const fingerprint = scheme === 'https' ? (res.socket as TLSSocket).getPeerCertificate().fingerprint256 : undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ...(fingerprint ? { fingerprint } : {}) }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const json = { 'content-type': 'application/json' };

describe('the daemon with HTTPS on', () => {
  it('serves TLS with its own certificate, trusted through its authority, and plain HTTP on loopback on the same port', async () => {
    const dataDir = tempDir();
    const daemon = await startDaemon({ dataDir, host: '127.0.0.1', port: 0, https: true, logger: quiet, staticDir: null, openRegistration: true });
    handles.push(daemon);
    const { port } = daemon;
    const tls = join(dataDir, 'tls');
    for (const key of ['key.pem', 'ca-key.pem']) expect((statSync(join(tls, key)).mode & 0o777).toString(8)).toBe('600');
    const caCert = readFileSync(join(tls, 'ca-cert.pem'), 'utf8');
    expect(daemon.certificate?.caCert).toBe(caCert);
    expect(daemon.certificate?.selfSigned).toBe(true);

    // A client that trusts the authority gets through; one that trusts nothing is refused.
    const secure = await call('https', port, '/health', { ca: caCert, servername: 'localhost' });
    expect(secure.status).toBe(200);
    expect(secure.fingerprint).toBe(new X509Certificate(readFileSync(join(tls, 'cert.pem'))).fingerprint256);
    await expect(call('https', port, '/health')).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/) });
    // By IP too: the certificate names the loopback address.
    expect((await call('https', port, '/health', { ca: caCert })).status).toBe(200);
    // The desktop's plain HTTP on loopback is unchanged.
    expect((await call('http', port, '/health')).status).toBe(200);

    // The fingerprint the pairing panel shows is the served certificate's.
    const registered = await call('https', port, '/auth/register', { method: 'POST', ca: caCert, headers: json, body: JSON.stringify({ email: 'ana@example.com', password: 'correct horse battery' }) });
    const { token } = JSON.parse(registered.body) as { token: string };
    const codeAnswer = await call('https', port, '/devices/pairing-code', { method: 'POST', ca: caCert, headers: { ...json, authorization: `Bearer ${token}` } });
    const shown = JSON.parse(codeAnswer.body) as { certificate: { sha256: string; self_signed: boolean }; pair_url: string; code: string };
    expect(shown.certificate).toEqual({ sha256: secure.fingerprint, self_signed: true, authority_url: `https://127.0.0.1:${port}/devices/authority.crt` });
    expect(shown.pair_url).toBe(`https://127.0.0.1:${port}/#pair=${shown.code.replace('-', '')}`);
    // The authority a phone installs, for anyone to download (it is a public certificate); never a key.
    const authority = await call('https', port, '/devices/authority.crt', { ca: caCert });
    expect(authority.status).toBe(200);
    expect(authority.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(authority.body).toBe(caCert);
    expect(authority.body).not.toContain('PRIVATE KEY');

    // A phone pairs and opens the event socket over TLS.
    const paired = await call('https', port, '/devices/pair', { method: 'POST', ca: caCert, headers: json, body: JSON.stringify({ code: shown.code, name: 'Pixel 8' }) });
    expect(paired.status).toBe(201);
    const phone = (JSON.parse(paired.body) as { token: string }).token;
    const ws = new WebSocket(`wss://127.0.0.1:${port}/events`, { ca: caCert, origin: `https://127.0.0.1:${port}` });
    const hello = await new Promise<{ type: string }>((resolve, reject) => {
      ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token: phone })));
      ws.once('message', (data) => resolve(JSON.parse(String(data)) as { type: string }));
      ws.once('error', reject);
    });
    expect(hello.type).toBe('hello');
    ws.close();

    // The same certificate at the next start; the authority too.
    const fingerprint = secure.fingerprint;
    await daemon.stop();
    handles.splice(0);
    const again = await startDaemon({ dataDir, host: '127.0.0.1', port: 0, https: true, logger: quiet, staticDir: null });
    handles.push(again);
    expect(again.certificate?.sha256).toBe(fingerprint);
  });

  it('keeps plain HTTP for loopback only: a LAN page load goes to https://, a LAN API call is refused, an Origin keeps its scheme', async () => {
    const daemon = await startDaemon({ dataDir: tempDir(), host: '0.0.0.0', port: 0, allowRemote: true, publicHosts: ['tradeclock.test'], logger: quiet, staticDir: null });
    handles.push(daemon);
    const { port } = daemon;
    expect(daemon.certificate).not.toBeNull();
    expect(daemon.url).toBe(`http://127.0.0.1:${port}`);
    expect(daemon.urls).toContain(`https://tradeclock.test:${port}`);
    const lan = `tradeclock.test:${port}`;
    const page = await call('http', port, '/strategies?x=1', { headers: { host: lan } });
    expect(page.status).toBe(308);
    expect(page.headers.location).toBe(`https://${lan}/strategies?x=1`);
    const api = await call('http', port, '/auth/login', { method: 'POST', headers: { host: lan, ...json }, body: '{}' });
    expect(api.status).toBe(403);
    expect(api.body).toContain(`https://${lan}`);
    const ca = daemon.certificate!.caCert!;
    // The QR code names one LAN URL; the panel lists the others (here at least the --public-host name).
    const registered = await call('http', port, '/auth/register', { method: 'POST', headers: json, body: JSON.stringify({ email: 'ana@example.com', password: 'correct horse battery' }) });
    const token = (JSON.parse(registered.body) as { token: string }).token;
    const shown = JSON.parse((await call('http', port, '/devices/pairing-code', { method: 'POST', headers: { ...json, authorization: `Bearer ${token}` } })).body) as { pair_url: string; other_urls: string[]; reachable_from_lan: boolean };
    expect(shown.reachable_from_lan).toBe(true);
    const lanUrls = daemon.urls.filter((u) => !u.startsWith('http://127.'));
    expect([shown.pair_url.replace(/#pair=.*$/, ''), ...shown.other_urls]).toEqual(lanUrls.map((u) => `${u}/`));
    expect(shown.other_urls).toContain(`https://tradeclock.test:${port}/`);
    expect((await call('https', port, '/health', { ca, servername: 'tradeclock.test', headers: { host: lan, origin: `https://${lan}` } })).status).toBe(200);
    // An http:// Origin on a TLS request is another site.
    expect((await call('https', port, '/health', { ca, servername: 'tradeclock.test', headers: { host: lan, origin: `http://${lan}` } })).status).toBe(403);
    expect((await call('http', port, '/health', { headers: { origin: `http://127.0.0.1:${port}` } })).status).toBe(200);
    expect((await call('http', port, '/health', { headers: { origin: `https://127.0.0.1:${port}` } })).status).toBe(403);
  });

  it('serves the certificate the trader gives, and refuses a key that is not its own, naming the file', async () => {
    const dir = tempDir();
    const made = await generate([{ name: 'commonName', value: 'box.test' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256', extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }] });
    const other = await generate([{ name: 'commonName', value: 'other' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
    writeFileSync(join(dir, 'cert.pem'), made.cert);
    writeFileSync(join(dir, 'key.pem'), made.private, { mode: 0o600 });
    writeFileSync(join(dir, 'other-key.pem'), other.private, { mode: 0o600 });

    const daemon = await startDaemon({ dataDir: tempDir(), host: '127.0.0.1', port: 0, tlsCertFile: join(dir, 'cert.pem'), tlsKeyFile: join(dir, 'key.pem'), logger: quiet, staticDir: null });
    handles.push(daemon);
    const served = await call('https', daemon.port, '/health', { ca: made.cert });
    expect(served.status).toBe(200);
    expect(served.fingerprint).toBe(new X509Certificate(made.cert).fingerprint256);
    expect(daemon.certificate).toMatchObject({ sha256: served.fingerprint, selfSigned: false, caCert: null });
    expect((await call('https', daemon.port, '/devices/authority.crt', { ca: made.cert })).status).toBe(404);

    await expect(startDaemon({ dataDir: tempDir(), host: '127.0.0.1', port: 0, tlsCertFile: join(dir, 'cert.pem'), tlsKeyFile: join(dir, 'other-key.pem'), logger: quiet, staticDir: null })).rejects.toThrow(/other-key\.pem is not the private key of --tls-cert/);
    await expect(startDaemon({ dataDir: tempDir(), host: '127.0.0.1', port: 0, tlsCertFile: join(dir, 'cert.pem'), logger: quiet, staticDir: null })).rejects.toThrow(/both --tls-cert and --tls-key/);
    await expect(startDaemon({ dataDir: tempDir(), host: '127.0.0.1', port: 0, tlsCertFile: join(dir, 'missing.pem'), tlsKeyFile: join(dir, 'key.pem'), logger: quiet, staticDir: null })).rejects.toThrow(/missing\.pem: cannot read it \(ENOENT\)/);
  });
});
