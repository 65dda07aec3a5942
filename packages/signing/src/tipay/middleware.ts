/**
 * Ti-Pay signing as an openapi-fetch middleware.
 *
 * - `onRequest` reads the final body bytes from the `Request` (a clone, so the body is still
 *   sent), signs them (or the query's JSON for GET) and returns a new `Request` carrying
 *   `ti-appid`, `ti-timestamp` and `ti-signature`, with exactly the bytes that were signed.
 * - `onResponse` verifies a response that carries `ti-signature` (same formula over the raw
 *   response body and its `ti-timestamp`). Ti-Pay does not document signed responses, so a
 *   response without the header passes through untouched; one whose signature does not verify
 *   is stopped with a {@link SignatureVerificationError} (the middleware has no result to return,
 *   and an unverified response must never be mapped as a success).
 *
 * ```ts
 * const client = createClient<paths>({ baseUrl: 'https://api.tipay.tianhecloud.com' });
 * client.use(createTipayMiddleware(createTipaySigner({ appId, appKey: new Secret(appKey) })));
 * ```
 */
import { SignatureVerificationError } from '../errors.js';
import { readRequestBody, withHeaders, type FetchMiddleware } from '../fetch-middleware.js';
import { TIPAY_SIGNATURE_HEADER } from './signature.js';
import type { TipaySigner } from './signer.js';

export interface TipayMiddlewareOptions {
  /** Verify responses that carry `ti-signature` (default `true`). */
  readonly verifySignedResponses?: boolean | undefined;
}

export function createTipayMiddleware(
  signer: TipaySigner,
  options: TipayMiddlewareOptions = {},
): Required<FetchMiddleware> {
  const verifySignedResponses = options.verifySignedResponses ?? true;
  return {
    async onRequest({ request }) {
      const body = await readRequestBody(request);
      const headers = signer.signRequest({ method: request.method, url: request.url, body });
      return withHeaders(request, { ...headers }, body);
    },
    async onResponse({ response }) {
      if (!verifySignedResponses || !response.headers.has(TIPAY_SIGNATURE_HEADER)) return undefined;
      const body = new Uint8Array(await response.clone().arrayBuffer());
      const result = signer.verify({ body, headers: response.headers });
      if (!result.valid) throw new SignatureVerificationError('tipay', result, response.status);
      return undefined;
    },
  };
}
