/**
 * Hooks for the providers whose documents define no signature, so a merchant can plug in
 * whatever their contract requires without forking refundkit. Nothing is invented: the default
 * hooks add nothing.
 *
 * - **lianke** (链科 QuickPay): authentication is not documented. A {@link RequestAuthHook}
 *   sees the request as it goes on the wire (a `WireRequest`: method, URL, headers, and the exact
 *   body, `bodyBytes()`) and returns extra headers. The generated client runs it last, after the
 *   body is final (`createLiankeClient({ auth })`).
 * - **yima** (翼码 ipos): the XML standard has no signature, access is by IP allow-list, and
 *   a MAC may be agreed per merchant. A {@link BodyMacHook} sees the raw (GBK) body bytes
 *   and returns the headers that carry the MAC.
 *
 * ```ts
 * const hmacAuth: RequestAuthHook = (request) => ({
 *   'x-signature': createHmac('sha256', key.reveal()).update(request.bodyBytes()).digest('hex'),
 * });
 * const lianke = createLiankeClient({ baseUrl, auth: hmacAuth });
 * ```
 */
import type { RequestHeadersHook } from '@refundkit/runtime';

/**
 * Returns headers to add to the request (an empty object adds none): the transport's own
 * `headersFor` hook, which every signing scheme plugs into, under the name lianke's option uses.
 */
export type RequestAuthHook = RequestHeadersHook;

/** A MAC over the raw body bytes, returned as the headers that carry it. */
export type BodyMacHook = (body: Uint8Array) => Promise<Readonly<Record<string, string>>> | Readonly<Record<string, string>>;

/** The default for lianke: no authentication headers. */
export const noAuth: RequestAuthHook = () => ({});

/** The default for yima: no MAC. */
export const noMac: BodyMacHook = () => ({});
