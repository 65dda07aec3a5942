/**
 * The outcome of checking a signature. Verification never throws on a mismatch or on malformed
 * input (bad base64, wrong length, non-hex, a payload that cannot be canonicalised): it returns
 * `{ valid: false, reason, detail }`. It throws only for misuse, such as a signer created
 * without the key the check needs ({@link MissingKeyError}).
 *
 * ```ts
 * const result = signer.verifyResponse(response);
 * if (!result.valid) console.warn(result.reason, result.detail); // e.g. 'mismatch'
 * ```
 */
export type VerificationResult = VerificationSuccess | VerificationFailure;

export interface VerificationSuccess {
  readonly valid: true;
}

export interface VerificationFailure {
  readonly valid: false;
  readonly reason: VerificationFailureReason;
  /** Human-readable; names fields and headers, never values or keys. */
  readonly detail: string;
}

/**
 * - `missing-signature`: no signature field/header at all.
 * - `malformed-signature`: not valid base64/hex, or the wrong length for the scheme.
 * - `malformed-payload`: the signed parts are missing or cannot be put in canonical form.
 * - `stale-timestamp`: outside the allowed clock window (only when one was asked for).
 * - `mismatch`: well-formed, but not the signature of this payload under this key.
 */
export type VerificationFailureReason =
  | 'missing-signature'
  | 'malformed-signature'
  | 'malformed-payload'
  | 'stale-timestamp'
  | 'mismatch';

export const VERIFIED: VerificationSuccess = Object.freeze({ valid: true });

export function verificationFailure(
  reason: VerificationFailureReason,
  detail: string,
): VerificationFailure {
  return Object.freeze({ valid: false, reason, detail });
}
