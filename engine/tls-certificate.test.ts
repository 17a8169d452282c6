import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownCertificate, providedCertificate } from './tls-certificate';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tradeclock-tls-'));
  dirs.push(d);
  return d;
};
const NOW = Date.parse('2026-12-07T12:00:00Z');
const DAY = 86_400_000;

describe('ownCertificate', () => {
  it('signs a certificate for loopback and the given hosts with its own authority, keys owner-only', async () => {
    const dir = join(tempDir(), 'tls');
    const made = await ownCertificate(dir, ['192.168.1.20', 'box.lan'], NOW);
    const cert = new X509Certificate(made.cert);
    const ca = new X509Certificate(made.caCert!);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    for (const ip of ['127.0.0.1', '::1', '192.168.1.20']) expect(cert.checkIP(ip)).toBe(ip);
    for (const name of ['localhost', 'box.lan']) expect(cert.checkHost(name)).toBe(name);
    expect(cert.checkIP('192.168.1.21')).toBeUndefined();
    expect(Date.parse(cert.validTo)).toBeLessThanOrEqual(NOW + 398 * DAY);
    expect(made.sha256).toBe(cert.fingerprint256);
    for (const key of ['key.pem', 'ca-key.pem']) expect(statSync(join(dir, key)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('keeps the certificate while it fits; remakes it, under the same authority, for a new address or near its end', async () => {
    const dir = tempDir();
    const first = await ownCertificate(dir, ['192.168.1.20'], NOW);
    expect((await ownCertificate(dir, ['192.168.1.20'], NOW + DAY)).sha256).toBe(first.sha256);
    const moved = await ownCertificate(dir, ['10.0.0.5'], NOW + DAY);
    expect(moved.sha256).not.toBe(first.sha256);
    expect(moved.caCert).toBe(first.caCert);
    expect(new X509Certificate(readFileSync(join(dir, 'cert.pem'))).checkIP('10.0.0.5')).toBe('10.0.0.5');
    const late = await ownCertificate(dir, ['10.0.0.5'], NOW + 380 * DAY);
    expect(late.sha256).not.toBe(moved.sha256);
    expect(late.caCert).toBe(first.caCert);
  });
});

describe('providedCertificate', () => {
  it('takes a matching pair, and names the file that is wrong', async () => {
    const dir = tempDir();
    const a = await ownCertificate(join(dir, 'a'), [], NOW);
    const b = await ownCertificate(join(dir, 'b'), [], NOW);
    const given = providedCertificate(join(dir, 'a', 'cert.pem'), join(dir, 'a', 'key.pem'));
    expect(given).toMatchObject({ sha256: a.sha256, selfSigned: false, caCert: null });
    expect(() => providedCertificate(join(dir, 'a', 'cert.pem'), join(dir, 'b', 'key.pem'))).toThrow(`--tls-key ${join(dir, 'b', 'key.pem')} is not the private key of --tls-cert`);
    writeFileSync(join(dir, 'junk.pem'), 'hello');
    expect(() => providedCertificate(join(dir, 'junk.pem'), join(dir, 'a', 'key.pem'))).toThrow(`--tls-cert ${join(dir, 'junk.pem')}: not a PEM certificate`);
    expect(() => providedCertificate(join(dir, 'a', 'cert.pem'), join(dir, 'a', 'cert.pem'))).toThrow(/--tls-key .*: not a PEM private key/);
    expect(b.sha256).not.toBe(a.sha256);
  });
});
