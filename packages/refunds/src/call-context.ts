// Per-call control without threading arguments through every adapter and generated client: the
// facade runs each provider exchange inside an AsyncLocalStorage context (provider, operation,
// refund id, the call's AbortSignal), and wraps the `fetch` it gives the clients so that the
// exchange obeys the call's signal and reports to the caller's hooks. The generated clients stay
// as they are (their transport already passes `init.signal` to fetch and keeps its own deadline).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FetchLike } from '@refundkit/runtime';
import { RefundkitError } from '@refundkit/runtime';

/** The provider operation an exchange belongs to. */
export type ProviderOperation = 'refund' | 'queryRefund';

/**
 * What `onRequest` sees of an exchange about to be sent. Never a body, a header, a key or a
 * signature: `url` is the endpoint's origin and path only (no query string, no user info).
 */
export interface RequestEvent {
  readonly provider: string;
  readonly operation: ProviderOperation;
  readonly refundId: string;
  readonly method: string;
  readonly url: string;
}

/** What `onResponse` sees once the exchange ends: the HTTP status, or the transport error's name. */
export interface ResponseEvent extends RequestEvent {
  /** The HTTP status, when an answer came (before its body was checked). */
  readonly status?: number | undefined;
  /** Milliseconds from sending to the answer's headers, or to the failure. */
  readonly durationMs: number;
  /** Why no answer came: the error's name (`AbortError`, `TypeError`), never its text. */
  readonly error?: string | undefined;
}

/** A logger refundkit writes to: `console` fits, as do pino and winston loggers. */
export interface RefundsLogger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface ExchangeHooks {
  readonly onRequest?: ((event: RequestEvent) => void) | undefined;
  readonly onResponse?: ((event: ResponseEvent) => void) | undefined;
  readonly logger?: RefundsLogger | undefined;
}

/** One exchange's context. `sent` turns true when the request is handed to fetch. */
export interface ExchangeContext {
  readonly provider: string;
  readonly operation: ProviderOperation;
  readonly refundId: string;
  readonly signal: AbortSignal | undefined;
  sent: boolean;
}

/**
 * The call was aborted (its `signal`, or its `timeoutMs` ran out) before its request could leave:
 * nothing was sent for it.
 */
export class AbortedError extends RefundkitError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('aborted', `${reason}; nothing was sent`, options);
  }
}

const exchanges = new AsyncLocalStorage<ExchangeContext>();

/** Runs `exchange` as one provider exchange of a call. */
export function inExchange<T>(context: Omit<ExchangeContext, 'sent'>, exchange: (context: ExchangeContext) => Promise<T>): Promise<T> {
  const store: ExchangeContext = { ...context, sent: false };
  return exchanges.run(store, () => exchange(store));
}

/** The endpoint without what may carry secrets (query string, user info, fragment). */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '[unparseable url]';
  }
}

function callSafely(logger: RefundsLogger | undefined, name: string, hook: () => void): void {
  try {
    hook();
  } catch (error) {
    // A hook's failure is the caller's bug, never a reason to change a refund's outcome.
    logger?.warn(`refundkit ${name} hook threw`, { error: error instanceof Error ? error.name : typeof error });
  }
}

/**
 * The fetch the facade gives every client: inside an exchange it refuses to start once the call
 * is aborted (nothing sent), passes the call's signal on, marks the request as sent, and reports
 * the exchange to the hooks and the logger.
 */
export function exchangeFetch(inner: FetchLike | undefined, hooks: ExchangeHooks): FetchLike {
  const send: FetchLike = inner ?? ((url, init) => fetch(url, init));
  return async (url, init) => {
    const context = exchanges.getStore();
    if (!context) return send(url, init);
    if (context.signal?.aborted) throw new AbortedError('the call was aborted before its request was sent', { cause: context.signal.reason });
    const signals = [init?.signal, context.signal].filter((s): s is AbortSignal => s !== undefined && s !== null);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const event: RequestEvent = { provider: context.provider, operation: context.operation, refundId: context.refundId, method: init?.method ?? 'GET', url: safeUrl(String(url)) };
    callSafely(hooks.logger, 'onRequest', () => hooks.onRequest?.(event));
    hooks.logger?.debug('refundkit request', { ...event });
    const started = performance.now();
    context.sent = true;
    try {
      const response = await send(url, { ...init, ...(signal ? { signal } : {}) });
      const done: ResponseEvent = { ...event, status: response.status, durationMs: Math.round(performance.now() - started) };
      callSafely(hooks.logger, 'onResponse', () => hooks.onResponse?.(done));
      hooks.logger?.debug('refundkit response', { ...done });
      return response;
    } catch (error) {
      const failed: ResponseEvent = { ...event, durationMs: Math.round(performance.now() - started), error: error instanceof Error ? error.name : typeof error };
      callSafely(hooks.logger, 'onResponse', () => hooks.onResponse?.(failed));
      hooks.logger?.debug('refundkit response', { ...failed });
      throw error;
    }
  };
}
