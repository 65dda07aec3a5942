import { AnswerTooLargeError, ConnectionError, HttpStatusError, TimeoutError } from '../errors/transport-error.js';
import { BufferedResponse } from './buffered-response.js';
import { deadlineSlots } from './deadline-slots.js';
import { readCappedBody } from './read-capped-body.js';
import type { FetchLike } from './fetch-like.js';
import type { WireRequest } from './wire-request.js';

/** Sends one request and answers with the whole body read: what {@link fetchWithDeadline} returns. */
export type SendRequest = (request: WireRequest) => Promise<BufferedResponse>;

export interface DeadlineOptions {
  /** The fetch to call. Default: the global `fetch`. */
  readonly fetch?: FetchLike | undefined;
  /** Deadline for the whole exchange, connect and body included. Default 30 000 ms. */
  readonly timeoutMs?: number | undefined;
  /** Decodes a non-2xx body for `HttpStatusError.rawBody` (yima answers in GBK). Default UTF-8. */
  readonly decodeBody?: ((bytes: Uint8Array) => string) | undefined;
  /**
   * The largest answer read, in bytes after content decoding (gzip, deflate), error bodies
   * included. Past it reading stops and the exchange fails with `AnswerTooLargeError` (the
   * request was sent: the outcome is unknown). Default {@link DEFAULT_MAX_ANSWER_BYTES}.
   */
  readonly maxAnswerBytes?: number | undefined;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * 1 MiB: hundreds of times any answer in the five providers' documents (the largest example is
 * about 1 KiB), and small enough that a hostile or broken endpoint cannot exhaust memory.
 */
export const DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024;

/** Error codes of a connection that never carried the request: safe to say nothing was sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** undici's refusal of a 3xx under `redirect: 'error'` (a TypeError caused by "unexpected redirect"). */
function isRedirectRefusal(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof Error && cause.message === 'unexpected redirect';
}

/**
 * Wraps a fetch so that one deadline covers connect, headers and the whole body, failures become
 * typed transport errors, and non-2xx answers throw `HttpStatusError` carrying the body. The body
 * is read as a stream and never beyond `maxAnswerBytes` (`AnswerTooLargeError` past it). The
 * response it returns is fully buffered, so callers can read the raw bytes (for signatures, or
 * GBK XML) as often as they like.
 *
 * A refused connection or a failed DNS lookup reached nobody (`mayHaveReachedProvider: false`);
 * every other failure after the request left, a reset or a timeout, may have been acted on.
 * A redirect is not followed (the signed request is never sent to another URL): it is a
 * `ConnectionError` that may have reached the provider.
 *
 * `accept-encoding` is left as the fetch sets it (undici: `gzip, deflate`). Asking for `identity`
 * would protect nothing: undici inflates whatever `content-encoding` the server names, asked or
 * not, so the cap counts bytes after inflation, and a gzip bomb stops at `maxAnswerBytes`.
 *
 * The request goes to `fetch(url, init)` as a URL and a plain init, the body as the exact string
 * or bytes it was built with: no `Request` object is made on the way.
 *
 * @example
 * const send = fetchWithDeadline({ timeoutMs: 5_000 });
 * const response = await send(new WireRequest('http://127.0.0.1:4010/QuickPay/Refund', { method: 'POST', body }));
 * response.bytes; // the body exactly as received
 */
export function fetchWithDeadline(options: DeadlineOptions = {}): SendRequest {
  const inner: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be a positive integer, got ${timeoutMs}`);
  const maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  if (!Number.isSafeInteger(maxAnswerBytes) || maxAnswerBytes <= 0) throw new RangeError(`maxAnswerBytes must be a positive integer, got ${maxAnswerBytes}`);
  const decodeBody = options.decodeBody ?? ((bytes: Uint8Array) => new TextDecoder().decode(bytes));
  // One deadline per exchange, its timer and abort signal shared by requests that start within
  // the same few milliseconds (deadline-slots.ts): each still gets its full timeoutMs.
  const slots = deadlineSlots(timeoutMs, () => new TimeoutError(timeoutMs));
  return async (request) => {
    const slot = slots.join();
    const callerSignal = request.signal;
    const signal = callerSignal === undefined ? slot.signal : AbortSignal.any([slot.signal, callerSignal]);
    try {
      // Redirects are not followed: a signed refund request goes to the configured provider and
      // nowhere else (a 3xx is a ConnectionError that may have reached it: the outcome is unknown).
      // `redirect: 'error'` with no window also spares undici a copy of every request and its
      // body stream (bench/README.md, finding 7).
      const init: RequestInit = { method: request.method, headers: request.headers, signal, redirect: 'error', window: null };
      if (request.body !== undefined) init.body = request.body;
      const exchange = (async () => {
        const response = await inner(request.url, init);
        return { response, body: await readCappedBody(response, maxAnswerBytes, decodeBody) };
      })();
      exchange.catch(() => undefined); // settled by the race below; never an unhandled rejection
      // Rejects at the deadline even if the fetch or its body stream ignores the abort signal.
      const { response, body } = await Promise.race([exchange, slot.expired]);
      if (response.status < 200 || response.status > 299) {
        throw new HttpStatusError(response.status, decodeBody(body), body);
      }
      return new BufferedResponse(response.status, response.statusText, response.headers, body);
    } catch (error) {
      if (error instanceof HttpStatusError || error instanceof TimeoutError || error instanceof AnswerTooLargeError) throw error;
      if (slot.signal.aborted && !callerSignal?.aborted) throw new TimeoutError(timeoutMs, { cause: error });
      if (isRedirectRefusal(error)) {
        throw new ConnectionError(`request to ${new URL(request.url).origin} was answered with a redirect, which refundkit does not follow`, true, { cause: error });
      }
      const code = causeCode(error);
      const reached = !(code && NOT_SENT_CODES.has(code));
      throw new ConnectionError(`request to ${new URL(request.url).origin} failed${code ? ` (${code})` : ''}`, reached, { cause: error });
    } finally {
      slots.leave(slot);
    }
  };
}
