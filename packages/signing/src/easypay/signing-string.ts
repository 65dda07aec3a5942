/**
 * The text EasyPay (易生支付, 易企通 2.0) signs: the canonical JSON of the header followed by the
 * upper-case hex MD5 of the canonical JSON of the body (both UTF-8).
 *
 *     signingString = canonicalJson(header) + UPPER_HEX(MD5(canonicalJson(body)))
 *
 * The same construction covers requests (`reqHeader`, `reqBody`), responses (`rspHeader`,
 * `rspBody`) and notifications (`reqHeader`, `reqBody`).
 *
 * ```ts
 * easypaySigningString({ transTime: '20241104104313', reqId: '531000023045074' }, { a: 1 })
 * // '{"reqId":"531000023045074","transTime":"20241104104313"}' + 'BB6CB5C68DF4652941CAF652A366F2D8'
 * //   (the suffix is MD5('{"a":1}') in upper-case hex)
 * ```
 *
 * Throws {@link CanonicalJsonError} when either part cannot be put in canonical form; its path
 * starts with `paths.header`/`paths.body` (default `$.header`/`$.body`; the signer passes
 * `$.reqHeader`, `$.rspBody`, … so the path names the field of the message).
 */
import { nodeCrypto } from '../node-crypto.js';
import { canonicalJson } from '../canonical-json.js';

export function easypaySigningString(
  header: unknown,
  body: unknown,
  paths: { readonly header: string; readonly body: string } = DEFAULT_PATHS,
): string {
  return canonicalJson(header, paths.header) + easypayBodyDigest(body, paths.body);
}

/** `UPPER_HEX(MD5(canonicalJson(body)))`, the second half of {@link easypaySigningString}. */
export function easypayBodyDigest(body: unknown, path = '$'): string {
  return nodeCrypto().hash('md5', canonicalJson(body, path), 'hex').toUpperCase();
}

const DEFAULT_PATHS = { header: '$.header', body: '$.body' } as const;
