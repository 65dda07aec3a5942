/**
 * `@refundkit/signing`: the signing and verification schemes of refundkit's five refund
 * providers, on `node:crypto` only.
 *
 * | provider | scheme | entry point |
 * |---|---|---|
 * | easypay | SHA256withRSA over canonical JSON header + MD5 of body, base64 | {@link createEasypaySigner} |
 * | eftpay | SHA-256 hex of secret + sorted `k=v&…` | {@link createEftpaySigner} |
 * | tipay | SHA-256 hex of body + timestamp + AppKey, in `ti-*` headers | {@link createTipaySigner} |
 * | lianke | none documented: pluggable headers | {@link RequestAuthHook}, {@link noAuth} |
 * | yima | none documented: pluggable MAC | {@link BodyMacHook}, {@link noMac} |
 */
export { canonicalJson, CANONICAL_JSON_MAX_DEPTH } from './canonical-json.js';
export { sortByCodeUnit } from './code-unit-order.js';
export { constantTimeEqual } from './constant-time.js';
export { decodeBase64Strict, decodeHexStrict } from './encoding.js';
export {
  SigningError,
  CanonicalJsonError,
  KeyFormatError,
  MissingKeyError,
  EftpayPayloadError,
  TipayRequestError,
  type SigningErrorCode,
  type CanonicalJsonRejection,
  type KeyFormatProblem,
} from './errors.js';
export { Secret, revealSecret, type MaybeSecret } from './secret.js';
export {
  loadPrivateKey,
  loadPublicKey,
  rsaSignatureLength,
  type PrivateKeyInput,
  type PublicKeyInput,
  type LoadPrivateKeyOptions,
} from './keys.js';
export {
  VERIFIED,
  verificationFailure,
  type VerificationResult,
  type VerificationSuccess,
  type VerificationFailure,
  type VerificationFailureReason,
} from './verification-result.js';

export { easypaySigningString, easypayBodyDigest } from './easypay/signing-string.js';
export {
  createEasypaySigner,
  type EasypaySigner,
  type EasypaySignerOptions,
  type EasypayUnsignedRequest,
  type EasypaySignedRequest,
  type EasypayResponseParts,
  type EasypayNotificationParts,
  type EasypayVerificationKey,
} from './easypay/signer.js';

export {
  eftpaySigningString,
  eftpayHasEmptyValues,
  EFTPAY_SIGNATURE_FIELD,
  type EftpayEmptyValues,
} from './eftpay/signing-string.js';
export {
  createEftpaySigner,
  type EftpaySigner,
  type EftpaySignerOptions,
  type EftpayFieldValue,
} from './eftpay/signer.js';

export {
  tipaySignature,
  tipayParamsJson,
  tipayQueryJson,
  TIPAY_APP_ID_HEADER,
  TIPAY_TIMESTAMP_HEADER,
  TIPAY_SIGNATURE_HEADER,
} from './tipay/signature.js';
export {
  createTipaySigner,
  readHeader,
  type TipaySigner,
  type TipaySignerOptions,
  type TipayHeaders,
  type TipayVerifyInput,
  type HeaderSource,
} from './tipay/signer.js';

export { noAuth, noMac, type RequestAuthHook, type BodyMacHook } from './auth-hooks.js';
