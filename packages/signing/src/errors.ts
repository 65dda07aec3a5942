/**
 * The typed errors of `@refundkit/signing`: one branch of refundkit's error family.
 *
 * Every error is a {@link SigningError}, itself a `RefundkitError` (`@refundkit/runtime`), with a
 * stable snake_case `code` like every refundkit error, so a caller tells "refundkit refused" from a
 * bug with one `instanceof RefundkitError` and branches on `error.code` instead of parsing
 * messages. Messages name *where* and *what kind* of problem occurred (a JSON path, a field name,
 * a PEM label), never a value: no key, secret, or payload content ever appears in a message.
 *
 * A signature that merely does not match is not an error: verification functions return a
 * {@link VerificationResult}; the generated clients turn a failed one into a `SignatureError`.
 *
 * Codes before 0.1.0's single error family were upper case: CANONICAL_JSON, KEY_FORMAT,
 * MISSING_KEY, EFTPAY_PAYLOAD, TIPAY_REQUEST (now the same words in lower case), and
 * SIGNATURE_VERIFICATION, thrown only by the removed fetch middleware.
 */
import { RefundkitError } from '@refundkit/runtime';

export type SigningErrorCode = 'canonical_json' | 'key_format' | 'missing_key' | 'eftpay_payload' | 'tipay_request';

/** Base class of every error this package throws: a `RefundkitError` whose code is a {@link SigningErrorCode}. */
export abstract class SigningError extends RefundkitError {
  declare readonly code: SigningErrorCode;

  constructor(code: SigningErrorCode, message: string) {
    super(code, message);
  }
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
  constructor(
    readonly path: string,
    readonly reason: CanonicalJsonRejection,
    detail: string,
  ) {
    super('canonical_json', `canonicalJson: ${detail} at ${path}`);
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
  constructor(
    readonly keyRole: 'private' | 'public',
    readonly problem: KeyFormatProblem,
    detail: string,
  ) {
    super('key_format', `${keyRole} key: ${detail}`);
  }
}

/** A signer was asked to sign (or verify) without having been given the key that needs. */
export class MissingKeyError extends SigningError {
  override readonly name = 'MissingKeyError';
  constructor(
    readonly scheme: string,
    readonly option: string,
    operation: string,
  ) {
    super('missing_key', `${scheme}: cannot ${operation} without the "${option}" option`);
  }
}

/**
 * An eftPay payload that must not be signed as it is: an empty value (`""` or `null`, which
 * eftPay's own clients sign in two incompatible ways, so refundkit never sends one) or a value
 * with no single string form (object, array, boolean, bigint, non-finite number).
 */
export class EftpayPayloadError extends SigningError {
  override readonly name = 'EftpayPayloadError';
  constructor(
    readonly field: string,
    readonly reason: 'empty-value' | 'unsupported-value',
    detail: string,
  ) {
    super('eftpay_payload', `eftpay: field "${field}" ${detail}`);
  }
}

/** A Ti-Pay request that cannot be signed unambiguously (duplicate query key, bad clock value). */
export class TipayRequestError extends SigningError {
  override readonly name = 'TipayRequestError';
  constructor(
    readonly reason: 'duplicate-query-parameter' | 'invalid-timestamp',
    detail: string,
  ) {
    super('tipay_request', `tipay: ${detail}`);
  }
}

