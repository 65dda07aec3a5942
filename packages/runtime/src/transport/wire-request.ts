/**
 * A request as refundkit sends it: URL, method, headers and the exact body. It stands in for
 * `Request` where openapi-fetch builds one (its `Request` client option), so building a refund
 * request costs a plain object instead of an undici `Request` and its body stream.
 *
 * It carries only what refundkit needs: `url`, `method`, `headers`, `body` (a string or bytes,
 * sent as they are) and an optional caller `signal`.
 *
 * @example
 * const request = new WireRequest('http://127.0.0.1:4010/QuickPay/Refund', {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: '{"order_no":"1"}',
 * });
 */
export class WireRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string | Uint8Array | undefined;
  readonly signal: AbortSignal | undefined;

  constructor(url: string | URL, init: WireRequestInit = {}) {
    this.url = String(url);
    this.method = (init.method ?? 'GET').toUpperCase();
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers ?? undefined);
    this.body = wireBody(init.body);
    this.signal = init.signal ?? undefined;
  }

  /** The body as the bytes that go on the wire (empty when there is none). */
  bodyBytes(): Uint8Array {
    if (this.body === undefined) return new Uint8Array(0);
    return typeof this.body === 'string' ? new TextEncoder().encode(this.body) : this.body;
  }
}

/** What {@link WireRequest} takes: the `RequestInit` members refundkit uses. */
export interface WireRequestInit {
  readonly method?: string | undefined;
  readonly headers?: ConstructorParameters<typeof Headers>[0];
  readonly body?: unknown;
  readonly signal?: AbortSignal | null | undefined;
}

function wireBody(body: unknown): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // openapi-fetch serialises JSON to a string; anything else (a stream, FormData) is not ours to send.
  throw new TypeError(`WireRequest body must be a string or bytes, got ${Object.prototype.toString.call(body)}`);
}
