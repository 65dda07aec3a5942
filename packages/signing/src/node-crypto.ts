/**
 * `node:crypto`, loaded at first use. Loading it costs a fresh process about 5 ms, and most
 * processes that import `@refundkit/signing` (through a generated client) validate or build
 * messages long before they sign one, if they ever do (cold start, issue #7).
 * `process.getBuiltinModule` (Node ≥ 20.16) loads a built-in synchronously.
 */
import type * as NodeCrypto from 'node:crypto';

let loaded: typeof NodeCrypto | undefined;

export function nodeCrypto(): typeof NodeCrypto {
  loaded ??= process.getBuiltinModule('node:crypto');
  return loaded;
}
