// What `createRefunds` and each call take: options, per-call control, waiting.
import type { Clock, FetchLike } from '@refundkit/runtime';
import type { RefundsLogger, RequestEvent, ResponseEvent } from '../call-context.js';
import type { RefundLedger } from '../ledger/ledger.js';
import type { NotificationQueryLimit } from '../notifications/query-budget.js';
import type { ConfiguredProvider, ProviderConfigs } from '../providers/index.js';
import type { ProviderBlock } from './accounts.js';


/**
 * How long `refund` waits by default for another sender of the same refund (see
 * `RefundsOptions.inFlightWaitMs`): short of the 60 s after which a typical load balancer or
 * proxy gives up on a request, with room for the exchange that follows.
 */
export const DEFAULT_IN_FLIGHT_WAIT_MS = 25_000;

/**
 * What `createRefunds` takes. Only `providers` is required.
 *
 * @example
 * const options: RefundsOptions<'tipay'> = {
 *   providers: { tipay: { baseUrl: 'https://api.tipay.tianhecloud.com', appId: 'tichain000000', appKey: new Secret(process.env.TIPAY_APP_KEY ?? ''), merchantNo: '10012426723' } },
 *   timeoutMs: 10_000,
 *   logger: console,
 * };
 */
export interface RefundsOptions<P extends ConfiguredProvider = ConfiguredProvider> {
  /**
   * Configuration of each provider to refund through (see `TipayConfig`, `EftpayConfig`, ...);
   * others are refused, at compile time and at run time. A block is one merchant account's
   * settings, or several accounts by name (`{ accounts: { shopA: {...}, shopB: {...} },
   * default: 'shopA' }`, see `AccountsBlock`). Every block is checked by `createRefunds` at
   * once: one `ConfigError` lists every problem with its path.
   *
   * @example
   * providers: { eftpay: { baseUrl: 'https://vmp.eftpay.com.cn', userConfirmKey: 'S0003469', secretCode: new Secret(process.env.EFTPAY_SECRET_CODE ?? ''), currency: 'HKD' } }
   */
  readonly providers: { readonly [K in P]: ProviderBlock<ProviderConfigs[K]> };
  /**
   * Where refunds are written before any provider is called. Default: in memory.
   *
   * @example
   * ledger: await openSqliteLedger('.refundkit/ledger.db')
   */
  readonly ledger?: RefundLedger;
  /**
   * The fetch every provider client calls (tests inject one; for an undici dispatcher pass
   * undici's own fetch). Default: the global fetch.
   *
   * @example
   * fetch: (url, init) => undiciFetch(url, { ...init, dispatcher: agent })
   */
  readonly fetch?: FetchLike;
  /**
   * Deadline per provider exchange, connect and body included. Default 30 000 ms. A call's own
   * `timeoutMs` can shorten it, never lengthen it.
   *
   * @example
   * timeoutMs: 10_000
   */
  readonly timeoutMs?: number;
  /**
   * The largest answer accepted from a provider, in bytes after decompression. Default 1 MiB
   * (a real answer is a few KiB). A larger one is cut off as it streams in: the refund is
   * `unknown` (`answer_too_large`) and only an excerpt is kept. Applies to every provider.
   *
   * @example
   * maxAnswerBytes: 256 * 1024
   */
  readonly maxAnswerBytes?: number;
  /**
   * The facade's clock, epoch milliseconds: it dates what is sent (eftpay `time`, easypay
   * `transTime`/`transDate`, Ti-Pay's `ti-timestamp`, yima's query `pos_seq`) and judges whether a
   * lease still lives. Give the same clock to a `MemoryLedger` or `openSqliteLedger` to move time
   * in tests instead of waiting for it. Waits (`waitFor`, `inFlightWaitMs`, deadlines) always run
   * on real time, so a frozen test clock never hangs them. Default `Date.now`.
   *
   * @example
   * let now = Date.UTC(2026, 0, 1); const clock = () => now;
   * createRefunds({ providers, clock, ledger: new MemoryLedger({ now: clock }) }); // now += 60_000 expires a lease
   */
  readonly clock?: Clock;
  /**
   * How long a sender's lease on a refund lasts: nobody else sends that refund meanwhile, and a
   * crashed sender's refund is recovered once it expires. Default: two exchanges (a recovery
   * queries, then sends) plus `LEASE_MARGIN_MS` (5 s), i.e. 65 s with the default deadline.
   *
   * @example
   * leaseMs: 30_000
   */
  readonly leaseMs?: number;
  /**
   * How long `refund` waits for another sender holding the same refund (another call, process
   * or machine, or a reconciler checking it) before returning it as it stands (`unknown`,
   * failure code `in_flight`: nothing sent, ask again). Default 25 000 ms (`DEFAULT_IN_FLIGHT_WAIT_MS`,
   * or `leaseMs` if shorter): a request handler answers before a typical load balancer's 60 s
   * idle timeout cuts it off, and the caller's retry with the same refund id finds the outcome.
   * A batch job or a command line that can wait passes `leaseMs`, so a live holder is waited for
   * to its end and a crashed one recovered (`refundkit refund` does).
   *
   * @example
   * inFlightWaitMs: 0 // never wait: report the refund in flight at once
   */
  readonly inFlightWaitMs?: number;
  /**
   * Called as each request to a provider is sent. It sees the provider, the operation
   * (`refund`, `queryRefund`), the refund id, the method and the endpoint (origin and path: no
   * query string, no body, no header, no key or signature). It must not throw (a throw is logged
   * and ignored).
   *
   * @example
   * onRequest: ({ provider, operation, refundId, url }) => metrics.increment('refundkit.request', { provider, operation })
   */
  readonly onRequest?: (event: RequestEvent) => void;
  /**
   * Called as each exchange ends: what `onRequest` saw, plus the HTTP `status` (or the `error`
   * name when no answer came) and `durationMs`.
   *
   * @example
   * onResponse: ({ provider, status, durationMs }) => histogram.observe({ provider, status }, durationMs)
   */
  readonly onResponse?: (event: ResponseEvent) => void;
  /**
   * Where refundkit logs: each exchange at `debug` (what the hooks see), each refund's outcome at
   * `info`, an `unknown` outcome at `warn`. Never a secret, a key, a signature or a body.
   * Default: no logging.
   *
   * @example
   * logger: console
   */
  readonly logger?: RefundsLogger;
  /**
   * How many queries unsigned notifications may cause, per provider: each is only a hint,
   * confirmed by a query, and anyone can POST one. Over the limit a notification is `deferred`
   * (answered so the provider delivers it again). Default 1 per second, bursts of 10.
   *
   * @example
   * notificationQueries: { perSecond: 5, burst: 20 }
   */
  readonly notificationQueries?: NotificationQueryLimit;
}

/**
 * Per-call control of `refund`, `get` and `waitFor`.
 *
 * @example
 * const controller = new AbortController();
 * const refund = await refunds.refund(input, { timeoutMs: 5_000, signal: controller.signal });
 */
export interface CallOptions {
  /**
   * Bounds this call, every exchange and wait in it (and never lengthens the instance's
   * per-exchange `timeoutMs`). When it runs out during an exchange the refund is `unknown`
   * (failure `{ source: 'transport', code: 'timeout' }`); before a request was sent, `refund`
   * throws `AbortedError` (code `aborted`) and nothing is reserved or sent.
   *
   * @example
   * await refunds.get(key, { timeoutMs: 2_000 })
   */
  readonly timeoutMs?: number | undefined;
  /**
   * Aborts the call. Before the request was sent: `AbortedError`, nothing reserved (a reservation
   * already made is released). After it left: the refund is `unknown` (failure code `aborted`),
   * never `failed`: the provider may have acted on it.
   *
   * @example
   * await refunds.refund(input, { signal: AbortSignal.timeout(3_000) })
   */
  readonly signal?: AbortSignal | undefined;
}

/** Options of `refund`: the call's, plus the batch run it belongs to. */
export interface RefundCallOptions extends CallOptions {
  /**
   * The batch run this refund belongs to (`Refund.batch`), kept on a new refund and never
   * changed after (a later run that resubmits it leaves it as it was); `batches()` sums runs.
   * Letters, digits and `._:-`, at most 100 characters. `refunds.batch` sets it for every row.
   *
   * @example
   * await refunds.refund(input, { batch: 'flash-sale-1204' })
   */
  readonly batch?: string | undefined;
}

/**
 * Options of `waitFor`: polling, plus the call's `signal` (an abort rejects with `AbortedError`;
 * what was recorded stays recorded). `timeoutMs` here is how long to wait in all: at the end
 * `waitFor` returns the last-known state.
 *
 * @example
 * await refunds.waitFor(refund, { timeoutMs: 120_000, intervalMs: 2_000 })
 */
export interface WaitOptions extends CallOptions {
  /**
   * Give up (returning the last-known state) after this long; 0 looks once. Default 60 000 ms.
   * Each exchange keeps the instance's per-exchange deadline.
   */
  readonly timeoutMs?: number | undefined;
  /** First poll interval; grows ×1.5 up to 10 s. Default 1 000 ms. */
  readonly intervalMs?: number | undefined;
}

