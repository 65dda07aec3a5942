/**
 * Strict decoders for signatures received from a provider. A signature that is not exactly what
 * the scheme produces decodes to `undefined` (a mismatch for the caller), never to a
 * best-effort guess: `Buffer.from(text, 'base64')` would silently skip invalid characters.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const LINE_BREAKS = /\r?\n/g;

/**
 * Standard base64 (RFC 4648 §4, `+/`, padded). Line breaks are removed first (some Java
 * encoders wrap at 76 characters); any other character outside the alphabet fails.
 *
 * ```ts
 * decodeBase64Strict('AQID') // <Buffer 01 02 03>
 * decodeBase64Strict('AQI*') // undefined
 * ```
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const compact = text.includes('\n') ? text.replace(LINE_BREAKS, '') : text;
  if (compact.length === 0 || !BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

const HEX = /^[0-9a-fA-F]*$/;

/**
 * Hex of exactly `byteLength` bytes. Either case is accepted: `ABCD` and `abcd` are the same
 * bytes, so case carries no information an attacker could use.
 *
 * ```ts
 * decodeHexStrict('0aFF', 2) // <Buffer 0a ff>
 * decodeHexStrict('0aF', 2)  // undefined
 * ```
 */
export function decodeHexStrict(text: string, byteLength: number): Buffer | undefined {
  if (text.length !== byteLength * 2 || !HEX.test(text)) return undefined;
  return Buffer.from(text, 'hex');
}
