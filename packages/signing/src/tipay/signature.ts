/**
 * Ti-Pay (天河链, over Yeepay 易宝) header signature:
 *
 *     ti-signature = lowercase hex SHA-256(ParamsJson + Timestamp + AppKey)
 *
 * `Timestamp` is the `ti-timestamp` header (epoch milliseconds, decimal). `ParamsJson` is
 * *assumed* (the document does not define it) to be:
 * - for a request with a body (POST): the exact body bytes sent, hashed as bytes, so what is
 *   signed is what goes on the wire (no re-serialisation, no re-decoding);
 * - for GET/HEAD: the JSON of the query parameters in the order they appear in the URL,
 *   like `JSON.stringify(Object.fromEntries(url.searchParams))` (values decoded, all strings;
 *   `{}` for no query; see {@link tipayQueryJson}). A key repeated in the query has no single
 *   JSON form and is refused with {@link TipayRequestError}.
 * - any other method without a body: the empty string.
 *
 * ```ts
 * tipaySignature('{"merchantNo":"10012426723"}', '1647751123703', appKey)
 * // = sha256hex('{"merchantNo":"10012426723"}' + '1647751123703' + appKey)
 * tipayParamsJson('GET', 'https://…/trade/query?merchantNo=1&orderId=a')
 * // '{"merchantNo":"1","orderId":"a"}'
 * ```
 */
import { nodeCrypto } from '../node-crypto.js';
import { TipayRequestError } from '../errors.js';
import { revealSecret, type MaybeSecret } from '../secret.js';

export const TIPAY_APP_ID_HEADER = 'ti-appid';
export const TIPAY_TIMESTAMP_HEADER = 'ti-timestamp';
export const TIPAY_SIGNATURE_HEADER = 'ti-signature';

/** `lowercase hex SHA-256(paramsJson + timestamp + appKey)`, strings as UTF-8, bytes as they are. */
export function tipaySignature(paramsJson: string | Uint8Array, timestamp: string, appKey: MaybeSecret<string>): string {
  if (typeof paramsJson === 'string') {
    return nodeCrypto().hash('sha256', paramsJson + timestamp + revealSecret(appKey), 'hex');
  }
  const suffix = Buffer.from(timestamp + revealSecret(appKey), 'utf8');
  return nodeCrypto().hash('sha256', Buffer.concat([paramsJson, suffix]), 'hex');
}

/** What `ParamsJson` is for a request: the query's JSON for GET/HEAD, otherwise the body as sent. */
export function tipayParamsJson(
  method: string,
  url: string | URL,
  body?: string | Uint8Array | null,
): string | Uint8Array {
  const upper = method.toUpperCase();
  if (upper === 'GET' || upper === 'HEAD') return tipayQueryJson(url);
  return body ?? '';
}

/**
 * The query parameters as a JSON object, keys in the order they appear in the URL, values
 * decoded: `?merchantNo=1&orderId=a%20b` → `{"merchantNo":"1","orderId":"a b"}`. This equals
 * `JSON.stringify(Object.fromEntries(url.searchParams))` except that integer-like keys keep their
 * place (a JavaScript object would move them first). A repeated key is refused.
 */
export function tipayQueryJson(url: string | URL): string {
  const params = (typeof url === 'string' ? new URL(url) : url).searchParams;
  const seen = new Set<string>();
  let out = '{';
  for (const [key, value] of params) {
    if (seen.has(key)) {
      throw new TipayRequestError('duplicate-query-parameter', `query parameter "${key}" appears more than once; its JSON form is ambiguous`);
    }
    seen.add(key);
    if (out.length > 1) out += ',';
    out += JSON.stringify(key) + ':' + JSON.stringify(value);
  }
  return out + '}';
}
