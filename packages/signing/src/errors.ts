/**
 * The typed errors of `@refundkit/signing`.
 *
 * Every error is a {@link SigningError} with a stable `code`, so a caller can branch on
 * `error.code` (or `instanceof`) instead of parsing messages. Messages name *where* and *what kind*
 * of problem occurred (a JSON path, a field name, a PEM label), never a value: no key, secret,
 * or payload content ever appears in a message.
 *
 * A signature that merely does not match is not an error: verification functions return a
 * {@link VerificationResult}. The only thrower on a mismatch is the fetch middleware, which has
 * no other way to stop an unverified response (see {@link SignatureVerificationError}).
 */
import type { VerificationFailure } from './verification-result.js';

export type SigningErrorCode =
  | 'CANONICAL_JSON'
  | 'KEY_FORMAT'
  | 'MISSING_KEY'
  | 'EFTPAY_PAYLOAD'
  | 'TIPAY_REQUEST'
  | 'SIGNATURE_VERIFICATION';

/** Base class of every error this package throws. */
export abstract class SigningError extends Error {
  abstract readonly code: SigningErrorCode;
}

/** Why {@link canonicalJson} refused a value. */
export type CanonicalJsonRejection =
  | 'undefined'
  | 'function'
  | 'symbol'
  | 'bigint'
  | 'non-finite-number'
  | 'unsafe-integer'
  | 'cycle'
  | 'too-deep'
  | 'unsupported-object';

/**
 * A value JSON cannot carry exactly. `path` is a JSONPath-like location (`$`, `$.reqBody.items[2]`,
 * `$["key with spaces"]`), e.g. `canonicalJson({ a: [1, NaN] })` throws with
 * `path === '$.a[1]'` and `reason === 'non-finite-number'`.
 */
export class CanonicalJsonError extends SigningError {
  override readonly name = 'CanonicalJsonError';
  readonly code = 'CANONICAL_JSON' as const;
  constructor(
    readonly path: string,
    readonly reason: CanonicalJsonRejection,
    detail: string,
  ) {
    super(`canonicalJson: ${detail} at ${path}`);
  }
}

/** What was wrong with a key (never the key itself). */
export type KeyFormatProblem =
  | 'unsupported-input'
  | 'unexpected-pem-label'
  | 'unparseable'
  | 'wrong-key-kind'
  | 'unsupported-algorithm';

/**
 * A key that could not be used. The message names the role (`private`/`public`), the PEM label
 * when there is one, and the underlying OpenSSL error code; never any key material.
 */
export class KeyFormatError extends SigningError {
  override readonly name = 'KeyFormatError';
  readonly code = 'KEY_FORMAT' as const;
  constructor(
    readonly keyRole: 'private' | 'public',
    readonly problem: KeyFormatProblem,
    detail: string,
  ) {
    super(`${keyRole} key: ${detail}`);
  }
}

/** A signer was asked to sign (or verify) without having been given the key that needs. */
export class MissingKeyError extends SigningError {
  override readonly name = 'MissingKeyError';
  readonly code = 'MISSING_KEY' as const;
  constructor(
    readonly scheme: string,
    readonly option: string,
    operation: string,
  ) {
    super(`${scheme}: cannot ${operation} without the "${option}" option`);
  }
}

/**
 * An eftPay payload that must not be signed as it is: an empty value (`""` or `null`, which
 * eftPay's own clients sign in two incompatible ways, so refundkit never sends one) or a value
 * with no single string form (object, array, boolean, bigint, non-finite number).
 */
export class EftpayPayloadError extends SigningError {
  override readonly name = 'EftpayPayloadError';
  readonly code = 'EFTPAY_PAYLOAD' as const;
  constructor(
    readonly field: string,
    readonly reason: 'empty-value' | 'unsupported-value',
    detail: string,
  ) {
    super(`eftpay: field "${field}" ${detail}`);
  }
}

/** A Ti-Pay request that cannot be signed unambiguously (duplicate query key, bad clock value). */
export class TipayRequestError extends SigningError {
  override readonly name = 'TipayRequestError';
  readonly code = 'TIPAY_REQUEST' as const;
  constructor(
    readonly reason: 'duplicate-query-parameter' | 'invalid-timestamp',
    detail: string,
  ) {
    super(`tipay: ${detail}`);
  }
}

/**
 * Thrown by a fetch middleware's `onResponse` when a response carries a signature that does not
 * verify: the middleware has no result to return, and an unverified response must never reach
 * the status mapping as a success. `failure` is the {@link VerificationResult} that failed.
 */
export class SignatureVerificationError extends SigningError {
  override readonly name = 'SignatureVerificationError';
  readonly code = 'SIGNATURE_VERIFICATION' as const;
  constructor(
    readonly scheme: string,
    readonly failure: VerificationFailure,
    readonly status?: number,
  ) {
    super(
      `${scheme}: response signature did not verify (${failure.reason}: ${failure.detail})` +
        (status === undefined ? '' : `, HTTP status ${status}`),
    );
  }
}
