/**
 * The session token of the desktop UI, kept across restarts only when the OS can protect it.
 * Electron's safeStorage encrypts with a key held by the OS keychain (macOS Keychain, Windows
 * DPAPI, Linux Secret Service/KWallet); on Linux without one it would fall back to a hard-coded
 * key ("basic_text"), which is obfuscation, not protection: then the token lives in memory only
 * and the trader logs in again after a restart.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MAX_TOKEN_LENGTH, type TokenPersistence } from './bridge-api';

/** Encryption by the OS (an adapter over safeStorage in the shell; a fake in tests). */
export interface SecretCipher {
  /** True when encryption is backed by an OS keychain (not a hard-coded fallback key). */
  osBacked(): Promise<boolean>;
  encrypt(plain: string): Promise<Buffer>;
  /** `reEncrypt`: the key was rotated; store a fresh ciphertext. */
  decrypt(data: Buffer): Promise<{ readonly value: string; readonly reEncrypt: boolean }>;
}

/** One small file's bytes. */
export interface BlobFile {
  read(): Buffer | null;
  write(data: Buffer): void;
  remove(): void;
}

/**
 * Whether safeStorage's encryption protects anything on this platform: it must be available and,
 * on Linux, not the "basic_text" backend (a hard-coded password).
 */
export function isOsBackedEncryption(platform: string, available: boolean, linuxBackend: string | null): boolean {
  if (!available) return false;
  return platform !== 'linux' || (linuxBackend !== null && linuxBackend !== 'basic_text' && linuxBackend !== 'unknown');
}

/** Throws unless `token` is a plausible bearer token (the IPC argument comes from the page). */
export function assertToken(token: unknown): asserts token is string {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
    throw new TypeError('token must be 1 to 4096 printable ASCII characters');
  }
}

export class TokenStore {
  private memory: string | null = null;
  private loaded = false;

  constructor(
    private readonly cipher: SecretCipher,
    private readonly file: BlobFile,
    private readonly onError: (err: unknown, what: string) => void = () => {},
  ) {}

  async get(): Promise<string | null> {
    if (this.loaded) return this.memory;
    this.loaded = true;
    const data = this.file.read();
    if (data === null) return this.memory;
    try {
      if (!(await this.cipher.osBacked())) return this.memory;
      const { value, reEncrypt } = await this.cipher.decrypt(data);
      assertToken(value);
      this.memory = value;
      if (reEncrypt) this.file.write(await this.cipher.encrypt(value));
    } catch (err) {
      // Unreadable (keychain reset, another OS user, corrupt file): forget it; the trader logs in again.
      this.onError(err, 'saved session token could not be decrypted; it was discarded');
      this.file.remove();
    }
    return this.memory;
  }

  async set(token: unknown): Promise<TokenPersistence> {
    assertToken(token);
    this.memory = token;
    this.loaded = true;
    if (await this.cipher.osBacked()) {
      this.file.write(await this.cipher.encrypt(token));
      return 'os-keychain';
    }
    this.file.remove(); // never leave an older token behind that this one replaced
    return 'memory';
  }

  async clear(): Promise<void> {
    this.memory = null;
    this.loaded = true;
    this.file.remove();
  }
}

/** A file only this OS user can read, replaced atomically (a crash never leaves half a token). */
export function privateFile(path: string): BlobFile {
  return {
    read() {
      try {
        return readFileSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    write(data) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, data, { mode: 0o600 });
      renameSync(tmp, path);
    },
    remove() {
      rmSync(path, { force: true });
    },
  };
}
