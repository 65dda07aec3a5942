/**
 * Strict decoders for signatures received from a provider. A signature that is not exactly what
 * the scheme produces decodes to `undefined` (a mismatch for the caller), never to a
 * best-effort guess: `Buffer.from(text, 'base64')` would silently skip invalid characters.
 */

const LINE_BREAKS = /\r?\n/g;

/**
 * Standard base64 (RFC 4648 §4, `+/`, padded, unused trailing bits zero: the one canonical
 * encoding of the bytes). Line breaks are removed first (some Java encoders wrap at 76
 * characters); any other character outside the alphabet fails.
 *
 * ```ts
 * decodeBase64Strict('AQID') // <Buffer 01 02 03>
 * decodeBase64Strict('AQI*') // undefined
 * ```
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const compact = text.includes('\n') ? text.replace(LINE_BREAKS, '') : text;
  if (compact.length === 0 || compact.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(compact, 'base64');
  // Buffer.from skips characters outside the alphabet and accepts the URL-safe one; only text
  // that is exactly the canonical encoding of the bytes it yields is accepted.
  return bytes.toString('base64') === compact ? bytes : undefined;
}

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
  if (text.length !== byteLength * 2) return undefined;
  // Buffer.from stops at the first pair that is not hex, so a short result means a bad digit.
  const bytes = Buffer.from(text, 'hex');
  return bytes.length === byteLength ? bytes : undefined;
}
