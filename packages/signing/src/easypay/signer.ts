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
import { CanonicalJsonError, MissingKeyError } from '../errors.js';
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
  /** EasyPay's RSA public key or certificate; needed to verify responses and notifications. */
  readonly easypayPublicKey?: PublicKeyInput | undefined;
}

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
  /** Verifies a base64 signature of an already-built signing string with EasyPay's public key. */
  verifyString(signingString: string, signature: unknown): VerificationResult;
}

export function createEasypaySigner(options: EasypaySignerOptions): EasypaySigner {
  const privateKey = options.privateKey === undefined
    ? undefined
    : loadPrivateKey(options.privateKey, { passphrase: options.privateKeyPassphrase });
  if (privateKey !== undefined) rsaSignatureLength(privateKey, 'private');
  const publicKey = options.easypayPublicKey === undefined ? undefined : loadPublicKey(options.easypayPublicKey);
  const signatureLength = publicKey === undefined ? 0 : rsaSignatureLength(publicKey, 'public');

  function requirePrivateKey(): KeyObject {
    if (privateKey === undefined) throw new MissingKeyError('easypay', 'privateKey', 'sign a request');
    return privateKey;
  }
  function requirePublicKey(): KeyObject {
    if (publicKey === undefined) throw new MissingKeyError('easypay', 'easypayPublicKey', 'verify a signature');
    return publicKey;
  }

  function signString(signingString: string): string {
    return nodeCrypto().sign('sha256', Buffer.from(signingString, 'utf8'), requirePrivateKey()).toString('base64');
  }

  function verifyString(signingString: string, signature: unknown): VerificationResult {
    const key = requirePublicKey();
    if (signature === undefined || signature === null || signature === '') {
      return verificationFailure('missing-signature', 'no signature');
    }
    if (typeof signature !== 'string') return verificationFailure('malformed-signature', 'signature is not a string');
    const bytes = decodeBase64Strict(signature);
    if (bytes === undefined) return verificationFailure('malformed-signature', 'signature is not valid base64');
    if (bytes.length !== signatureLength) {
      return verificationFailure(
        'malformed-signature',
        `signature is ${bytes.length} bytes, an RSA-${signatureLength * 8} signature is ${signatureLength}`,
      );
    }
    return nodeCrypto().verify('sha256', Buffer.from(signingString, 'utf8'), key, bytes)
      ? VERIFIED
      : verificationFailure('mismatch', 'signature does not match the payload under the EasyPay public key');
  }

  function verifyParts(header: unknown, body: unknown, signature: unknown, names: readonly [string, string, string]): VerificationResult {
    requirePublicKey();
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
    return verifyString(signingString, signature);
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

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
