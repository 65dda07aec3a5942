/**
 * The `fetch` refundkit calls: the standard `fetch(url, init)` shape, so Node's global `fetch`,
 * undici's own (for a dispatcher), or a test's function can be passed as they are. refundkit
 * calls it with a URL string and a plain init (method, headers, body, signal), never with a
 * `Request`: building one costs more than the whole rest of a refund's client work (see
 * bench/README.md, "Findings").
 *
 * @example
 * const fetch: FetchLike = async (url, init) => {
 *   const request = new Request(url, init); // a test that wants to read what was sent
 *   return new Response('{"code":"SUCCESS"}');
 * };
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;
