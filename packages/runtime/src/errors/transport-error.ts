import { RefundkitError } from './refundkit-error.js';

/**
 * The exchange with the provider failed. `mayHaveReachedProvider` tells whether the provider
 * could have acted on the request: when true, the refund's outcome is unknown and must be
 * resolved by a query or a retry with the same refund number, never by a new one.
 */
export class TransportError extends RefundkitError {
  readonly mayHaveReachedProvider: boolean;

  constructor(code: string, message: string, mayHaveReachedProvider: boolean, options?: { cause?: unknown }) {
    super(code, message, options);
    this.mayHaveReachedProvider = mayHaveReachedProvider;
  }
}

/** No complete answer within the configured time (connect included). */
export class TimeoutError extends TransportError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super('timeout', `no response within ${timeoutMs} ms`, true, options);
    this.timeoutMs = timeoutMs;
  }
}

/** The connection failed or was reset. */
export class ConnectionError extends TransportError {
  constructor(message: string, mayHaveReachedProvider: boolean, options?: { cause?: unknown }) {
    super('connection_failed', message, mayHaveReachedProvider, options);
  }
}

/** The provider answered with a non-2xx HTTP status. */
export class HttpStatusError extends TransportError {
  readonly status: number;
  /** The body as text (decoded in the provider's charset where the client knows it). */
  readonly rawBody: string;
  /** The body's bytes exactly as received. */
  readonly rawBytes: Uint8Array;

  constructor(status: number, rawBody: string, rawBytes: Uint8Array = new TextEncoder().encode(rawBody)) {
    super('http_status', `provider answered HTTP ${status}`, true);
    this.status = status;
    this.rawBody = rawBody;
    this.rawBytes = rawBytes;
  }
}

/**
 * The answer grew past the client's `maxAnswerBytes` (bytes after any content decoding, so a
 * small gzip that inflates to gigabytes is cut off at the same point). Reading stopped there and
 * the connection was dropped; the request had been sent, so the refund's outcome is unknown.
 *
 * Only an excerpt of the answer is kept (`rawBody`, at most {@link ANSWER_EXCERPT_BYTES} bytes'
 * worth), never the whole body.
 */
export class AnswerTooLargeError extends TransportError {
  /** The cap that was exceeded, in bytes. */
  readonly maxAnswerBytes: number;
  /** The HTTP status of the oversized answer (a 2xx, or the status of an oversized error body). */
  readonly status: number;
  /** The start of the answer as text, for investigation: at most {@link ANSWER_EXCERPT_BYTES} bytes. */
  readonly rawBody: string;

  constructor(maxAnswerBytes: number, status: number, excerpt: string, options?: { cause?: unknown }) {
    super('answer_too_large', `the provider's answer (HTTP ${status}) is larger than ${maxAnswerBytes} bytes; reading stopped there`, true, options);
    this.maxAnswerBytes = maxAnswerBytes;
    this.status = status;
    this.rawBody = excerpt;
  }
}

/** How much of an oversized answer {@link AnswerTooLargeError} keeps: 2 KiB. */
export const ANSWER_EXCERPT_BYTES = 2048;
