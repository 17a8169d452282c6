/** Display form of a credential: enough to recognise which key is saved, too little to use it. */

/** Below this length, even four characters are too large a share of the secret to show. */
const MIN_CHARS_TO_HINT = 12;

/**
 * The first two and last two characters of a secret, or '••••' when it is short.
 *
 * @example maskSecret('PKA1B2C3D4E5F6G7H87Q') === 'PK…7Q'
 * @example maskSecret('hunter2') === '••••'
 */
export function maskSecret(s: string): string {
  const chars = Array.from(s);
  if (chars.length < MIN_CHARS_TO_HINT) return '••••';
  return `${chars.slice(0, 2).join('')}…${chars.slice(-2).join('')}`;
}
