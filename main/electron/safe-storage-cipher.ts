/** safeStorage (async API: the sync one is deprecated) as the token store's SecretCipher. */
import { safeStorage } from 'electron';
import { isOsBackedEncryption, type SecretCipher } from '../token-store';

export function safeStorageCipher(): SecretCipher {
  return {
    async osBacked() {
      const available = await safeStorage.isAsyncEncryptionAvailable();
      const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null;
      return isOsBackedEncryption(process.platform, available, backend);
    },
    encrypt: (plain) => safeStorage.encryptStringAsync(plain),
    async decrypt(data) {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(data);
      return { value: result, reEncrypt: shouldReEncrypt };
    },
  };
}
