import { fetchWithDeadline, type DeadlineOptions } from './fetch-with-deadline.js';
import { WireRequest } from './wire-request.js';

/**
 * Headers computed from the final request, just before it is sent: a merchant's own
 * authentication over the exact method, URL and body that go on the wire (lianke's `auth` hook;
 * it may be asynchronous). They are set on the request (replacing any of the same name). A
 * provider's own signature is computed once, earlier, by the client's `prepare<Op>`.
 */
export type RequestHeadersHook = (
  request: WireRequest,
) => Promise<Readonly<Record<string, string>>> | Readonly<Record<string, string>>;

export interface OpenapiFetchTransportOptions extends DeadlineOptions {
  /** The provider's base URL. */
  readonly baseUrl: string;
  /** Signs (or otherwise authenticates) each request; default none. */
  readonly headersFor?: RequestHeadersHook | undefined;
}

/**
 * The `createClient` options that make openapi-fetch send through refundkit's transport: it
 * builds a {@link WireRequest} (its `Request` option) instead of an undici `Request`, the
 * `headersFor` hook (if any) adds the merchant's headers, and {@link fetchWithDeadline} sends it
 * and buffers the answer. openapi-fetch keeps doing what it is for: typed paths and the request
 * it builds from them; the generated clients hand it a body and query already serialised by their
 * `prepare<Op>` (its per-request `bodySerializer` / `querySerializer` options).
 *
 * The casts are the one place where the light objects stand in for `Request`/`Response`:
 * openapi-fetch 0.17 constructs its `Request` option with `(url, init)` and reads only `method`
 * from it, and reads `status`, `ok`, `headers` and `arrayBuffer()`/`text()` from what `fetch`
 * returns (node_modules/openapi-fetch/dist/index.mjs, `coreFetch`). A middleware added with
 * `use()` would receive a `WireRequest`, so the generated clients add none.
 *
 * @example
 * const http = createClient<paths>(openapiFetchTransport({
 *   baseUrl: 'https://lianke.example.com',
 *   headersFor: (request) => auth({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body: request.bodyBytes() }),
 * }));
 */
export function openapiFetchTransport(options: OpenapiFetchTransportOptions): {
  readonly baseUrl: string;
  readonly Request: typeof Request;
  readonly fetch: (input: Request) => Promise<Response>;
} {
  const send = fetchWithDeadline(options);
  const { headersFor } = options;
  const signed = headersFor === undefined
    ? send
    : async (request: WireRequest) => {
        const extra = await headersFor(request);
        for (const [name, value] of Object.entries(extra)) request.headers.set(name, value);
        return send(request);
      };
  return {
    baseUrl: options.baseUrl,
    // openapi-fetch builds its request with `new Request(url, init)` and hands it to `fetch`: WireRequest
    // is the part of Request that it and the transport use (no stream body), not the whole DOM class.
    Request: WireRequest as unknown as typeof Request,
    // Called only with the WireRequest built above (the Request option), never a DOM Request.
    fetch: signed as unknown as (input: Request) => Promise<Response>,
  };
}
