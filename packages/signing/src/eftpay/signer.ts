/**
 * eftPay (依付得 VMP) signing: `sign = lowercase hex SHA-256(secretCode + eftpaySigningString(fields))`,
 * UTF-8, over every field but `sign`. The same scheme signs requests, responses and notifications.
 *
 * ```ts
 * const eftpay = createEftpaySigner({ secretCode: new Secret(process.env.EFTPAY_SECRET!) });
 * eftpay.signRequest({ service: 'service.alipay.qrcode.Refund', transaction_amount: '0.01', … })
 * // → { service: …, transaction_amount: '0.01', …, sign: '5c0b…' (64 hex) }
 * eftpay.verify(JSON.parse(responseText)) // { valid: true } | { valid: false, reason, detail }
 * ```
 *
 * Signing refuses empty values ({@link EftpayPayloadError}); `undefined` fields are left out of
 * both the signature and the returned payload. Verification accepts a signature made either way
 * the public clients handle empty values (skipped, or kept as `k=`).
 */
import { nodeCrypto } from '../node-crypto.js';
import { constantTimeEqual } from '../constant-time.js';
import { EftpayPayloadError } from '../errors.js';
import { decodeHexStrict } from '../encoding.js';
import { revealSecret, type MaybeSecret } from '../secret.js';
import { VERIFIED, verificationFailure, type VerificationResult } from '../verification-result.js';
import { EFTPAY_SIGNATURE_FIELD, eftpayHasEmptyValues, eftpaySigningString } from './signing-string.js';

export interface EftpaySignerOptions {
  /** The merchant's secret code from eftPay: it signs requests and verifies answers. */
  readonly secretCode: MaybeSecret<string>;
  /**
   * Secret codes of a key roll that are being retired: `verify` accepts a signature under
   * `secretCode` or any of these; requests are signed with `secretCode` only. eftPay signs its
   * answers with the same secret it checks requests with, so switch `secretCode` to the new one
   * only once eftPay accepts it, and keep the old one here until eftPay no longer signs with it.
   */
  readonly previousSecretCodes?: readonly MaybeSecret<string>[] | undefined;
}

/** A field value refundkit may send: strings as they are, numbers via `String()`, `undefined` = absent. */
export type EftpayFieldValue = string | number | undefined;

export interface EftpaySigner {
  /**
   * Returns the fields without `undefined` members, plus `sign`. Throws {@link EftpayPayloadError}
   * for an empty or unstringifiable value.
   */
  signRequest<Fields extends { readonly [K in keyof Fields]: EftpayFieldValue }>(
    fields: Fields,
  ): Omit<Fields, typeof EFTPAY_SIGNATURE_FIELD> & { sign: string };
  /** The 64-character lowercase hex signature of `fields` (empty values refused). */
  signature(fields: object): string;
  /** Verifies `fields.sign` (either empty-value form); never throws on bad input. */
  verify(fields: object): VerificationResult;
}

const DIGEST_BYTES = 32;

export function createEftpaySigner(options: EftpaySignerOptions): EftpaySigner {
  const secretCode = options.secretCode;
  if (typeof revealSecret(secretCode) !== 'string') {
    throw new TypeError('eftpay: secretCode must be a string or a Secret<string>');
  }
  const previous = options.previousSecretCodes ?? [];
  if (previous.some((code) => typeof revealSecret(code) !== 'string')) {
    throw new TypeError('eftpay: previousSecretCodes must be strings or Secret<string>s');
  }
  // The current code first: it is the one a signature is expected under.
  const verificationCodes = [secretCode, ...previous];
  // hex output: crypto.hash's 'buffer' output is markedly slower on Node 20.
  const digestHexWith = (code: MaybeSecret<string>, signingString: string): string => nodeCrypto().hash('sha256', revealSecret(code) + signingString, 'hex');
  const digestHex = (signingString: string): string => digestHexWith(secretCode, signingString);
  const digestWith = (code: MaybeSecret<string>, signingString: string): Buffer => Buffer.from(digestHexWith(code, signingString), 'hex');

  function signature(fields: object): string {
    return digestHex(eftpaySigningString(fields, 'reject'));
  }

  return {
    signRequest<Fields extends { readonly [K in keyof Fields]: EftpayFieldValue }>(
      fields: Fields,
    ): Omit<Fields, typeof EFTPAY_SIGNATURE_FIELD> & { sign: string } {
      const sign = signature(fields);
      const record = fields as Readonly<Record<string, unknown>>;
      const sent: Record<string, unknown> = {};
      for (const key of Object.keys(record)) {
        const value = record[key];
        if (value !== undefined && key !== EFTPAY_SIGNATURE_FIELD) sent[key] = value;
      }
      sent[EFTPAY_SIGNATURE_FIELD] = sign;
      return sent as Omit<Fields, typeof EFTPAY_SIGNATURE_FIELD> & { sign: string };
    },
    signature,
    verify(payload) {
      if (typeof payload !== 'object' || payload === null) {
        return verificationFailure('malformed-payload', 'payload is not an object');
      }
      const fields = payload as Readonly<Record<string, unknown>>;
      const received = fields[EFTPAY_SIGNATURE_FIELD];
      if (received === undefined || received === null || received === '') {
        return verificationFailure('missing-signature', 'sign is missing');
      }
      const expected = typeof received === 'string' ? decodeHexStrict(received, DIGEST_BYTES) : undefined;
      if (expected === undefined) {
        return verificationFailure('malformed-signature', 'sign is not 64 hex characters');
      }
      let skipped: string;
      let kept: string | undefined;
      try {
        skipped = eftpaySigningString(fields, 'skip');
        kept = eftpayHasEmptyValues(fields) ? eftpaySigningString(fields, 'keep') : undefined;
      } catch (error) {
        if (error instanceof EftpayPayloadError) {
          return verificationFailure('malformed-payload', error.message);
        }
        throw error;
      }
      // Every code and, when the forms differ, both forms are computed and compared (no early
      // exit), so timing does not reveal which one matched.
      let matches = false;
      for (const code of verificationCodes) {
        const skippedMatches = constantTimeEqual(digestWith(code, skipped), expected);
        const keptMatches = kept !== undefined && constantTimeEqual(digestWith(code, kept), expected);
        matches = skippedMatches || keptMatches || matches;
      }
      const under = verificationCodes.length === 1 ? 'this secret code' : `this secret code or its ${verificationCodes.length - 1} previous one(s)`;
      return matches ? VERIFIED : verificationFailure('mismatch', `sign does not match the fields under ${under} (either empty-value form)`);
    },
  };
}
