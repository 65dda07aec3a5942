/**
 * Hooks for the providers whose documents define no signature, so a merchant can plug in
 * whatever their contract requires without forking refundkit. Nothing is invented: the default
 * hooks add nothing.
 *
 * - **lianke** (链科 QuickPay): authentication is not documented. A {@link RequestAuthHook}
 *   sees the final request (method, URL, headers, raw body bytes) and returns extra headers.
 * - **yima** (翼码 ipos): the XML standard has no signature, access is by IP allow-list, and
 *   a MAC may be agreed per merchant. A {@link BodyMacHook} sees the raw (GBK) body bytes
 *   and returns the headers that carry the MAC.
 *
 * ```ts
 * const hmacAuth: RequestAuthHook = ({ body }) => ({
 *   'x-signature': createHmac('sha256', key.reveal()).update(body).digest('hex'),
 * });
 * client.use(createAuthHookMiddleware(hmacAuth));
 * ```
 */
import { readRequestBody, withHeaders, type FetchMiddleware } from './fetch-middleware.js';

/** The request as it will be sent. `headers` names are lower case. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** Returns headers to add to the request (an empty object adds none). */
export type RequestAuthHook = (
  request: OutgoingRequest,
) => Promise<Readonly<Record<string, string>>> | Readonly<Record<string, string>>;

/** A MAC over the raw body bytes, returned as the headers that carry it. */
export type BodyMacHook = (
  body: Uint8Array,
) => Promise<Readonly<Record<string, string>>> | Readonly<Record<string, string>>;

/** The default for lianke: no authentication headers. */
export const noAuth: RequestAuthHook = () => ({});

/** The default for yima: no MAC. */
export const noMac: BodyMacHook = () => ({});

/**
 * Runs a {@link RequestAuthHook} as an openapi-fetch middleware: the hook sees the final body
 * bytes, and the returned `Request` sends exactly those bytes with the hook's headers added.
 * With a hook that adds nothing, the original request passes through.
 */
export function createAuthHookMiddleware(hook: RequestAuthHook): FetchMiddleware {
  return {
    async onRequest({ request }) {
      const body = await readRequestBody(request);
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const extra = await hook({
        method: request.method,
        url: request.url,
        headers,
        body: body ?? new Uint8Array(0),
      });
      return Object.keys(extra).length === 0 ? undefined : withHeaders(request, extra, body);
    },
  };
}
