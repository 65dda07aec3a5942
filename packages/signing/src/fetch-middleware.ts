/**
 * The shape of an openapi-fetch (0.17) middleware, declared structurally so this package depends
 * on no fetch client: `onRequest` may return a replacement `Request`, `onResponse` a replacement
 * `Response`; returning `undefined` passes the original through. Objects of this type can be
 * given to `createClient(...).use(middleware)`.
 *
 * ```ts
 * client.use(createTipayMiddleware(createTipaySigner({ appId, appKey })));
 * ```
 */
export interface FetchMiddleware {
  onRequest(params: { readonly request: Request }): Promise<Request | undefined>;
  onResponse?(params: { readonly request: Request; readonly response: Response }): Promise<Response | undefined>;
}

/** The exact body bytes a `Request` will send (`undefined` when it has none), read from a clone. */
export async function readRequestBody(request: Request): Promise<Uint8Array | undefined> {
  if (request.body === null) return undefined;
  return new Uint8Array(await request.clone().arrayBuffer());
}

/**
 * A new `Request` equal to `request` with `extraHeaders` set, sending exactly `body` (the bytes
 * that were signed). The original request is not modified.
 */
export function withHeaders(
  request: Request,
  extraHeaders: Readonly<Record<string, string>>,
  body: Uint8Array | undefined,
): Request {
  const headers = new Headers(request.headers);
  for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value);
  return new Request(request, body === undefined ? { headers } : { headers, body });
}
