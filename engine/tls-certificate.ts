/**
 * The certificate the daemon serves over HTTPS on the LAN (issue 21): one the trader provides
 * (`--tls-cert` and `--tls-key`), or one it makes itself in the data directory's `tls/`:
 *
 * - a local certificate authority (`ca-cert.pem`, `ca-key.pem`), made once, valid 10 years: what a
 *   trader installs on the phone to trust the daemon for good;
 * - the served certificate (`cert.pem`, `key.pem`), signed by that authority for `localhost`, the
 *   loopback addresses and the machine's LAN addresses, remade at start whenever an address it
 *   must name is missing (a laptop on another network), so the authority the phone trusts stays
 *   the same.
 *
 * Private keys are written 0600 (owner only), like the database. Keys are ECDSA P-256: quick to
 * make, and every current phone browser takes them. `selfsigned` (and the X.509 library under it)
 * loads only when a certificate is to be made: a start that has one loads none of it.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface ServedCertificate {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 of the served certificate, "AB:CD:…", as browsers show it. */
  readonly sha256: string;
  /** true when the daemon made it (the phone warns about it until the authority is trusted). */
  readonly selfSigned: boolean;
  /** The authority that signed it, PEM; null for a certificate the trader provided. */
  readonly caCert: string | null;
}

const CA_YEARS = 10;
/** Browsers refuse server certificates valid for longer than 398 days (Apple since 2020). */
const SERVED_DAYS = 397;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The certificate and key the trader gave; throws an Error naming the file that is wrong. */
export function providedCertificate(certFile: string, keyFile: string): ServedCertificate {
  const cert = readPem(certFile, '--tls-cert', 'CERTIFICATE');
  const key = readPem(keyFile, '--tls-key', 'PRIVATE KEY');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`--tls-cert ${certFile}: not a PEM certificate (${(err as Error).message})`);
  }
  if (!x509.checkPrivateKey(createKey(key, keyFile))) throw new Error(`--tls-key ${keyFile} is not the private key of --tls-cert ${certFile}`);
  return { cert, key, sha256: x509.fingerprint256, selfSigned: false, caCert: null };
}

/**
 * The daemon's own certificate for `hosts` (IP addresses and names), made or remade as needed.
 *
 * @example await ownCertificate('/data/tls', ['127.0.0.1', '192.168.1.20', 'localhost'], Date.now())
 */
export async function ownCertificate(dir: string, hosts: readonly string[], now: number): Promise<ServedCertificate> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = await authority(dir, now);
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const wanted = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts])];
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    if (covers(new X509Certificate(cert), wanted, now, ca.cert)) return served(cert, readFileSync(keyFile, 'utf8'), ca.cert);
  }
  const { generate } = await import('selfsigned');
  const made = await generate([{ name: 'commonName', value: 'Tradeclock' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY_MS),
    notAfterDate: new Date(now + SERVED_DAYS * DAY_MS),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: wanted.map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })) },
    ],
  });
  writeFileSync(keyFile, made.private, { mode: 0o600 });
  writeFileSync(certFile, made.cert, { mode: 0o644 });
  return served(made.cert, made.private, ca.cert);
}

async function authority(dir: string, now: number): Promise<{ cert: string; key: string }> {
  const certFile = join(dir, 'ca-cert.pem');
  const keyFile = join(dir, 'ca-key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    if (Date.parse(new X509Certificate(cert).validTo) > now + SERVED_DAYS * DAY_MS) return { cert, key: readFileSync(keyFile, 'utf8') };
  }
  const { generate } = await import('selfsigned');
  const made = await generate([{ name: 'commonName', value: 'Tradeclock local authority' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY_MS),
    notAfterDate: new Date(now + CA_YEARS * 365 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  writeFileSync(keyFile, made.private, { mode: 0o600 });
  writeFileSync(certFile, made.cert, { mode: 0o644 });
  return { cert: made.cert, key: made.private };
}

/** Signed by the authority, valid for a while yet, and naming every wanted host. */
function covers(cert: X509Certificate, hosts: readonly string[], now: number, caCert: string): boolean {
  if (!cert.verify(new X509Certificate(caCert).publicKey)) return false;
  if (Date.parse(cert.validTo) < now + 30 * DAY_MS) return false;
  return hosts.every((h) => (isIP(h) ? cert.checkIP(h) : cert.checkHost(h)) !== undefined);
}

function served(cert: string, key: string, caCert: string): ServedCertificate {
  return { cert, key, sha256: new X509Certificate(cert).fingerprint256, selfSigned: true, caCert };
}

function readPem(file: string, flag: string, kind: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${flag} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!text.includes(`-----BEGIN `) || !text.includes(kind)) throw new Error(`${flag} ${file}: not a PEM ${kind.toLowerCase()}`);
  return text;
}

function createKey(pem: string, file: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new Error(`--tls-key ${file}: not a PEM private key (${(err as Error).message})`);
  }
}
