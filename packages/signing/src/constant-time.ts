/**
 * Equality of two digests in time independent of where they differ (`crypto.timingSafeEqual`),
 * so comparing a received signature with the expected one leaks nothing about the expected one.
 * Lengths are public (every digest of a scheme has the same length), so unequal lengths return
 * `false` at once.
 *
 * ```ts
 * constantTimeEqual(Buffer.from('ab'), Buffer.from('ab')) // true
 * constantTimeEqual(Buffer.from('ab'), Buffer.from('a'))  // false, no throw
 * ```
 */
import { nodeCrypto } from './node-crypto.js';

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && nodeCrypto().timingSafeEqual(a, b);
}
