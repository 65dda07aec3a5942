/**
 * EasyPay (易生支付, 易企通 2.0) request signing and response/notification verification:
 * SHA256withRSA (RSASSA-PKCS1-v1_5 with SHA-256) over {@link easypaySigningString}, base64.
 *
 * The merchant signs requests with its RSA private key (`reqSign`); EasyPay signs responses
 * (`rspSign`) and notifications (`reqSign`) with its own key, verified with EasyPay's public key
 * or certificate. Keys are parsed once, when the signer is created.
 *
 * ```ts
 * const easypay = createEasypaySigner({
 *   privateKey: new Secret(merchantPem),   // PKCS#1/PKCS#8 PEM, base64 DER or KeyObject
 *   easypayPublicKey: easypayCertPem,       // SPKI/PKCS#1 PEM, X.509 certificate or KeyObject
 * });
 * const body = JSON.stringify(easypay.signRequest({ reqHeader, reqBody }));
 * //  → { reqHeader, reqBody, reqSign: 'DTfCZz6B…==' }
 * const check = easypay.verifyResponse(JSON.parse(responseText));
 * if (!check.valid) throw new Error(`unverified EasyPay response: ${check.reason}`);
 * ```
 */
import type { KeyObject } from 'node:crypto';
import { CanonicalJsonError, KeyFormatError, MissingKeyError } from '../errors.js';
import { decodeBase64Strict } from '../encoding.js';
import {
  loadPrivateKey,
  loadPublicKey,
  rsaSignatureLength,
  type LoadPrivateKeyOptions,
  type PrivateKeyInput,
  type PublicKeyInput,
} from '../keys.js';
import { nodeCrypto } from '../node-crypto.js';
import { VERIFIED, verificationFailure, type VerificationResult } from '../verification-result.js';
import { easypaySigningString } from './signing-string.js';

export interface EasypaySignerOptions {
  /** The merchant's RSA private key; needed to sign requests. */
  readonly privateKey?: PrivateKeyInput | undefined;
  readonly privateKeyPassphrase?: LoadPrivateKeyOptions['passphrase'];
  /**
   * EasyPay's RSA public key or certificate; needed to verify responses and notifications. Or,
   * during a key roll, several, each with the certificate id EasyPay names it by: an answer or
   * notification whose header names a certificate (`easyPayCertificateId`) is checked with the
   * keys of that id; one naming none, or an id no key has, with each key in turn.
   */
  readonly easypayPublicKey?: PublicKeyInput | readonly EasypayVerificationKey[] | undefined;
}

/** One of EasyPay's public keys (or certificates), and the id EasyPay names it by, when known. */
export interface EasypayVerificationKey {
  /** `easyPayCertificateId` of the answers and notifications this key signs (e.g. `00000000`). */
  readonly certificateId?: string | undefined;
  readonly key: PublicKeyInput;
}

/** A verification key, parsed once. */
interface LoadedKey {
  readonly certificateId: string | undefined;
  readonly key: KeyObject;
  readonly signatureLength: number;
}

/** The header field naming the EasyPay certificate that signed (rspHeader; assumed the same in a notification's reqHeader). */
const CERTIFICATE_ID_FIELD = 'easyPayCertificateId';

/** What the merchant sends, before signing. */
export interface EasypayUnsignedRequest<Header extends object = object, Body extends object = object> {
  readonly reqHeader: Header;
  readonly reqBody: Body;
}

/** What the merchant sends: exactly `reqHeader`, `reqBody` and `reqSign`, in that order. */
export interface EasypaySignedRequest<Header extends object = object, Body extends object = object> {
  reqHeader: Header;
  reqBody: Body;
  reqSign: string;
}

/** A parsed EasyPay response, as received (parts may be missing on a malformed answer). */
export interface EasypayResponseParts {
  readonly rspHeader?: unknown;
  readonly rspBody?: unknown;
  readonly rspSign?: unknown;
}

/** A parsed EasyPay notification (POSTed to `backUrl`), as received. */
export interface EasypayNotificationParts {
  readonly reqHeader?: unknown;
  readonly reqBody?: unknown;
  readonly reqSign?: unknown;
}

export interface EasypaySigner {
  /** Adds `reqSign`. Throws {@link CanonicalJsonError} for unsignable values, {@link MissingKeyError} without `privateKey`. */
  signRequest<Header extends object, Body extends object>(
    request: EasypayUnsignedRequest<Header, Body>,
  ): EasypaySignedRequest<Header, Body>;
  /** Verifies `rspSign` over `rspHeader` + `rspBody`. Never throws on bad input; see {@link VerificationResult}. */
  verifyResponse(response: EasypayResponseParts): VerificationResult;
  /** Verifies a notification's `reqSign` over its `reqHeader` + `reqBody`. */
  verifyNotification(notification: EasypayNotificationParts): VerificationResult;
  /** The base64 SHA256withRSA signature of an already-built signing string. */
  signString(signingString: string): string;
  /**
   * Verifies a base64 signature of an already-built signing string with EasyPay's public key:
   * with the keys of `certificateId` when one has it, otherwise with each key in turn.
   */
  verifyString(signingString: string, signature: unknown, certificateId?: string): VerificationResult;
}

export function createEasypaySigner(options: EasypaySignerOptions): EasypaySigner {
  const privateKey = options.privateKey === undefined
    ? undefined
    : loadPrivateKey(options.privateKey, { passphrase: options.privateKeyPassphrase });
  if (privateKey !== undefined) rsaSignatureLength(privateKey, 'private');
  const publicKeys = loadVerificationKeys(options.easypayPublicKey);

  function requirePrivateKey(): KeyObject {
    if (privateKey === undefined) throw new MissingKeyError('easypay', 'privateKey', 'sign a request');
    return privateKey;
  }
  function requirePublicKeys(): readonly LoadedKey[] {
    if (publicKeys.length === 0) throw new MissingKeyError('easypay', 'easypayPublicKey', 'verify a signature');
    return publicKeys;
  }

  /** The keys to try: those of the named certificate when any has its id, else all, in order. */
  function keysFor(certificateId: string | undefined): readonly LoadedKey[] {
    const all = requirePublicKeys();
    const named = certificateId === undefined ? [] : all.filter((k) => k.certificateId === certificateId);
    return named.length > 0 ? named : all;
  }

  function signString(signingString: string): string {
    return nodeCrypto().sign('sha256', Buffer.from(signingString, 'utf8'), requirePrivateKey()).toString('base64');
  }

  function verifyString(signingString: string, signature: unknown, certificateId?: string): VerificationResult {
    const keys = keysFor(certificateId);
    if (signature === undefined || signature === null || signature === '') {
      return verificationFailure('missing-signature', 'no signature');
    }
    if (typeof signature !== 'string') return verificationFailure('malformed-signature', 'signature is not a string');
    const bytes = decodeBase64Strict(signature);
    if (bytes === undefined) return verificationFailure('malformed-signature', 'signature is not valid base64');
    // A roll may change the key's size: only keys whose signatures have this length can match.
    const sized = keys.filter((k) => k.signatureLength === bytes.length);
    if (sized.length === 0) {
      const lengths = [...new Set(keys.map((k) => k.signatureLength))];
      return verificationFailure(
        'malformed-signature',
        `signature is ${bytes.length} bytes, ${lengths.map((n) => `an RSA-${n * 8} signature is ${n}`).join(', ')}`,
      );
    }
    const data = Buffer.from(signingString, 'utf8');
    if (sized.some((k) => nodeCrypto().verify('sha256', data, k.key, bytes))) return VERIFIED;
    const under = keys.length === 1 ? 'the EasyPay public key' : `any of the ${keys.length} EasyPay public keys tried`;
    return verificationFailure('mismatch', `signature does not match the payload under ${under}`);
  }

  function verifyParts(header: unknown, body: unknown, signature: unknown, names: readonly [string, string, string]): VerificationResult {
    requirePublicKeys();
    const [headerName, bodyName, signatureName] = names;
    if (signature === undefined || signature === null || signature === '') {
      return verificationFailure('missing-signature', `${signatureName} is missing`);
    }
    if (!isObject(header)) return verificationFailure('malformed-payload', `${headerName} is missing or not an object`);
    if (!isObject(body)) return verificationFailure('malformed-payload', `${bodyName} is missing or not an object`);
    let signingString: string;
    try {
      signingString = easypaySigningString(header, body, { header: `$.${headerName}`, body: `$.${bodyName}` });
    } catch (error) {
      if (error instanceof CanonicalJsonError) {
        return verificationFailure('malformed-payload', `cannot canonicalise: ${error.message}`);
      }
      throw error;
    }
    const named = (header as Readonly<Record<string, unknown>>)[CERTIFICATE_ID_FIELD];
    return verifyString(signingString, signature, typeof named === 'string' && named !== '' ? named : undefined);
  }

  return {
    signRequest<Header extends object, Body extends object>(
      request: EasypayUnsignedRequest<Header, Body>,
    ): EasypaySignedRequest<Header, Body> {
      const key = requirePrivateKey();
      const signingString = easypaySigningString(request.reqHeader, request.reqBody, REQUEST_PATHS);
      const reqSign = nodeCrypto().sign('sha256', Buffer.from(signingString, 'utf8'), key).toString('base64');
      return { reqHeader: request.reqHeader, reqBody: request.reqBody, reqSign };
    },
    verifyResponse: (response) =>
      verifyParts(response?.rspHeader, response?.rspBody, response?.rspSign, ['rspHeader', 'rspBody', 'rspSign']),
    verifyNotification: (notification) =>
      verifyParts(notification?.reqHeader, notification?.reqBody, notification?.reqSign, ['reqHeader', 'reqBody', 'reqSign']),
    signString,
    verifyString,
  };
}

const REQUEST_PATHS = { header: '$.reqHeader', body: '$.reqBody' } as const;

/** One key, or a list of keys with their certificate ids, parsed once. */
function loadVerificationKeys(input: PublicKeyInput | readonly EasypayVerificationKey[] | undefined): readonly LoadedKey[] {
  if (input === undefined) return [];
  const entries: readonly EasypayVerificationKey[] = Array.isArray(input) ? input : [{ key: input as PublicKeyInput }];
  if (entries.length === 0) throw new KeyFormatError('public', 'unsupported-input', 'easypayPublicKey is an empty list: give at least one key');
  return entries.map((entry) => {
    const key = loadPublicKey(entry.key);
    return { certificateId: entry.certificateId, key, signatureLength: rsaSignatureLength(key, 'public') };
  });
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
