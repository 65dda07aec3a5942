/**
 * Ti-Pay request signing and notification/response verification with one app's credentials.
 * See {@link tipaySignature} for the formula and what `ParamsJson` is.
 *
 * ```ts
 * const tipay = createTipaySigner({ appId: 'tichain000000', appKey: new Secret(appKey) });
 * const body = JSON.stringify(refundRequest);
 * const headers = tipay.signRequest({ method: 'POST', url, body });
 * // { 'ti-appid': 'tichain000000', 'ti-timestamp': '1647751123703', 'ti-signature': '644d…' }
 * await fetch(url, { method: 'POST', body, headers: { ...headers, 'content-type': 'application/json' } });
 *
 * // a notification: the raw body bytes and the request headers
 * const check = tipay.verify({ body: rawBody, headers: req.headers, maxAgeMs: 5 * 60_000 });
 * ```
 *
 * The clock is injectable (`clock: () => epochMilliseconds`) for tests and for servers whose
 * clock is known to drift.
 */
import type { Clock, WireRequest } from '@refundkit/runtime';
import { constantTimeEqual } from '../constant-time.js';
import { TipayRequestError } from '../errors.js';
import { decodeHexStrict } from '../encoding.js';
import type { MaybeSecret } from '../secret.js';
import { VERIFIED, verificationFailure, type VerificationResult } from '../verification-result.js';
import {
  TIPAY_APP_ID_HEADER,
  TIPAY_SIGNATURE_HEADER,
  TIPAY_TIMESTAMP_HEADER,
  tipayParamsJson,
  tipaySignature,
} from './signature.js';

export interface TipaySignerOptions {
  /** `ti-appid`: the merchant id on the 天河链 open platform. */
  readonly appId: string;
  /** The AppKey appended to every signed string. */
  readonly appKey: MaybeSecret<string>;
  /**
   * AppKeys of a key roll that are being retired: `verify` accepts a signature under `appKey`
   * or any of these (so a notification signed just before Ti-Pay switched keys still verifies);
   * requests are signed with `appKey` only. Drop them once the roll is over.
   */
  readonly previousAppKeys?: readonly MaybeSecret<string>[] | undefined;
  /** Epoch milliseconds; defaults to `Date.now`. */
  readonly clock?: Clock | undefined;
}

/** The three headers every Ti-Pay request carries. */
export interface TipayHeaders {
  'ti-appid': string;
  'ti-timestamp': string;
  'ti-signature': string;
}

/**
 * What signing reads of a request: its method, URL and exact body (`undefined` when it has none).
 * Any `WireRequest` (`@refundkit/runtime`, what the transport sends) is one.
 */
type SignedPart = Pick<WireRequest, 'method' | 'url'> & Partial<Pick<WireRequest, 'body'>>;

/** Header lookup: a fetch `Headers`, or a Node `IncomingHttpHeaders`-like record (any case). */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface TipayVerifyInput {
  /** The raw body bytes (or text) exactly as received. */
  readonly body: string | Uint8Array;
  readonly headers: HeaderSource;
  /** Reject a `ti-timestamp` further than this from the clock (either way). Off by default. */
  readonly maxAgeMs?: number | undefined;
}

export interface TipaySigner {
  readonly appId: string;
  /** The three headers for a request, timestamped now. */
  signRequest(request: SignedPart): TipayHeaders;
  /** Verifies `ti-signature` over the body and `ti-timestamp`; never throws on bad input. */
  verify(input: TipayVerifyInput): VerificationResult;
}

const DIGEST_BYTES = 32;

export function createTipaySigner(options: TipaySignerOptions): TipaySigner {
  const { appId, appKey } = options;
  // The current key first: it is the one a signature is expected under.
  const verificationKeys = [appKey, ...(options.previousAppKeys ?? [])];
  const clock = options.clock ?? Date.now;

  function now(): number {
    const time = clock();
    if (!Number.isSafeInteger(time) || time < 0) {
      throw new TipayRequestError('invalid-timestamp', 'the clock must return a non-negative integer of epoch milliseconds');
    }
    return time;
  }

  return {
    appId,
    signRequest(request) {
      const paramsJson = tipayParamsJson(request.method, request.url, request.body);
      const timestamp = String(now());
      return {
        [TIPAY_APP_ID_HEADER]: appId,
        [TIPAY_TIMESTAMP_HEADER]: timestamp,
        [TIPAY_SIGNATURE_HEADER]: tipaySignature(paramsJson, timestamp, appKey),
      };
    },
    verify(input) {
      const received = readHeader(input.headers, TIPAY_SIGNATURE_HEADER);
      if (received === undefined || received === '') {
        return verificationFailure('missing-signature', `${TIPAY_SIGNATURE_HEADER} header is missing`);
      }
      const expected = decodeHexStrict(received, DIGEST_BYTES);
      if (expected === undefined) {
        return verificationFailure('malformed-signature', `${TIPAY_SIGNATURE_HEADER} is not 64 hex characters`);
      }
      const timestamp = readHeader(input.headers, TIPAY_TIMESTAMP_HEADER);
      if (timestamp === undefined) {
        return verificationFailure('malformed-payload', `${TIPAY_TIMESTAMP_HEADER} header is missing`);
      }
      if (typeof input.body !== 'string' && !(input.body instanceof Uint8Array)) {
        return verificationFailure('malformed-payload', 'body is not a string or bytes');
      }
      // Every key is tried (no early exit), so timing does not say which one matched.
      let matches = false;
      for (const key of verificationKeys) {
        const actual = Buffer.from(tipaySignature(input.body, timestamp, key), 'hex');
        matches = constantTimeEqual(actual, expected) || matches;
      }
      if (!matches) {
        const under = verificationKeys.length === 1 ? 'this AppKey' : `this AppKey or its ${verificationKeys.length - 1} previous one(s)`;
        return verificationFailure('mismatch', `${TIPAY_SIGNATURE_HEADER} does not match the body and ${TIPAY_TIMESTAMP_HEADER} under ${under}`);
      }
      if (input.maxAgeMs !== undefined) {
        const sent = /^\d{1,16}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
        if (!(Math.abs(now() - sent) <= input.maxAgeMs)) {
          return verificationFailure('stale-timestamp', `${TIPAY_TIMESTAMP_HEADER} is not within ${input.maxAgeMs} ms of the clock`);
        }
      }
      return VERIFIED;
    },
  };
}

/**
 * One header's value by lower-case `name`; in a record, keys match in any case, and a header
 * repeated (an array of several values) reads as absent.
 */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const value = headers[key];
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0] as string;
    return undefined;
  }
  return undefined;
}
