import { ConnectionError, HttpStatusError, TimeoutError } from '../errors/transport-error.js';

/** The `fetch` signature refundkit calls; Node's global `fetch`, undici's, or a test's. */
export type FetchLike = (input: Request) => Promise<Response>;

export interface DeadlineOptions {
  /** The fetch to call. Default: the global `fetch`. */
  readonly fetch?: FetchLike | undefined;
  /** Deadline for the whole exchange, connect and body included. Default 30 000 ms. */
  readonly timeoutMs?: number | undefined;
  /** Decodes a non-2xx body for `HttpStatusError.rawBody` (yima answers in GBK). Default UTF-8. */
  readonly decodeBody?: ((bytes: Uint8Array) => string) | undefined;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Error codes of a connection that never carried the request: safe to say nothing was sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Wraps a fetch so that one deadline covers connect, headers and the whole body, failures become
 * typed transport errors, and non-2xx answers throw `HttpStatusError` carrying the body. The
 * response it returns is fully buffered, so callers can read the raw bytes (for signatures, or
 * GBK XML) as often as they like.
 *
 * A refused connection or a failed DNS lookup reached nobody (`mayHaveReachedProvider: false`);
 * every other failure after the request left, a reset or a timeout, may have been acted on.
 *
 * @example
 * const send = fetchWithDeadline({ timeoutMs: 5_000 });
 * const response = await send(new Request('http://127.0.0.1:4010/QuickPay/Refund', { method: 'POST', body }));
 */
export function fetchWithDeadline(options: DeadlineOptions = {}): FetchLike {
  const inner: FetchLike = options.fetch ?? ((request) => fetch(request));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be a positive integer, got ${timeoutMs}`);
  const decodeBody = options.decodeBody ?? ((bytes: Uint8Array) => new TextDecoder().decode(bytes));
  return async (request) => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // Rejects at the deadline even if the fetch or its body stream ignores the abort signal.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new TimeoutError(timeoutMs));
      }, timeoutMs);
    });
    const onCallerAbort = (): void => controller.abort();
    request.signal.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const exchange = (async () => {
        const response = await inner(new Request(request, { signal: controller.signal }));
        return { response, body: new Uint8Array(await response.arrayBuffer()) };
      })();
      exchange.catch(() => undefined); // settled by the race below; never an unhandled rejection
      const { response, body } = await Promise.race([exchange, deadline]);
      if (response.status < 200 || response.status > 299) {
        throw new HttpStatusError(response.status, decodeBody(body), body);
      }
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (error) {
      if (error instanceof HttpStatusError || error instanceof TimeoutError) throw error;
      if (controller.signal.aborted && !request.signal.aborted) throw new TimeoutError(timeoutMs, { cause: error });
      const code = causeCode(error);
      const reached = !(code && NOT_SENT_CODES.has(code));
      throw new ConnectionError(`request to ${new URL(request.url).origin} failed${code ? ` (${code})` : ''}`, reached, { cause: error });
    } finally {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onCallerAbort);
    }
  };
}
