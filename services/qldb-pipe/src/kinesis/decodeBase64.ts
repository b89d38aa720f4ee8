const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict base64 decoding. `Buffer.from(s, 'base64')` silently skips characters it does not know,
 * which would turn a corrupted record into a different, plausible one; this refuses instead.
 *
 * @example
 * decodeBase64('aGk='); // <Buffer 68 69>
 * decodeBase64('a*Gk='); // undefined
 */
export function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
