import { RefundkitError, TransportError, ValidationError, type Clock, type FetchLike } from '@refundkit/runtime';
import { AbortedError, exchangeFetch, inExchange, type ExchangeContext, type RefundsLogger, type RequestEvent, type ResponseEvent } from './call-context.js';
import { checkSettings } from './config/check-settings.js';
import type { ConfigIssue, ConfigRules, SettingRule } from './config/config-rules.js';
import { ConfigError, NotFoundError } from './errors.js';
import { toFailure } from './failure.js';
import type { RefundIdentity, RefundLedger, Reservation } from './ledger/ledger.js';
import { isLive } from './ledger/ledger-rules.js';
import { MemoryLedger } from './ledger/memory-ledger.js';
import { FINAL_STATUSES, type AnswerSource, type Lease, type Refund, type RefundEvent, type RefundKey } from './model.js';
import { invalid, type NotificationAck, type ProviderAnswer } from './providers/adapter.js';
import { ADAPTERS, type ConfiguredProvider, type ProviderConfigs } from './providers/index.js';
import { requestOf, type RefundInput, type RefundInputOf } from './refund-input.js';

/** How long a lease outlives its sender's exchanges, so a slow but live sender is never overtaken. */
export const LEASE_MARGIN_MS = 5_000;

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
   * others are refused, at compile time and at run time. Every block is checked by
   * `createRefunds` at once: one `ConfigError` lists every problem with its path.
   *
   * @example
   * providers: { eftpay: { baseUrl: 'https://vmp.eftpay.com.cn', userConfirmKey: 'S0003469', secretCode: new Secret(process.env.EFTPAY_SECRET_CODE ?? ''), currency: 'HKD' } }
   */
  readonly providers: { readonly [K in P]: ProviderConfigs[K] };
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
   * queries, then sends) plus {@link LEASE_MARGIN_MS}, i.e. 65 s with the default deadline.
   *
   * @example
   * leaseMs: 30_000
   */
  readonly leaseMs?: number;
  /**
   * How long `refund` waits for another sender holding the same refund (another call, process
   * or machine) before returning it as it stands (`unknown`, failure code `in_flight`).
   * Default: `leaseMs`, so a live holder is waited for to its end and a crashed one recovered.
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

/**
 * A notification as the provider POSTed it: the headers and the body exactly as received (the
 * signature covers the bytes).
 *
 * @example
 * const handled = await refunds.handleNotification('tipay', { headers: request.headers, rawBody: await request.text() });
 */
export interface NotificationInput {
  /** The request's headers (Node's `IncomingHttpHeaders` or a `Headers`). */
  readonly headers: Record<string, string | string[] | undefined> | Headers;
  /** The body exactly as received: a string, or the bytes. */
  readonly rawBody: string | Uint8Array;
}

/**
 * What `handleNotification` did.
 *
 * @example
 * const { refund, ack } = await refunds.handleNotification('tipay', notification);
 * response.writeHead(ack.status, { 'content-type': ack.contentType }).end(ack.body);
 */
export interface NotificationHandled {
  /** The refund as the ledger now has it; undefined when the notification names a refund the ledger never saw. */
  readonly refund?: Refund;
  /** What to answer the provider. */
  readonly ack: NotificationAck;
}

/** Providers that document refund notifications (eftpay, lianke and yima document none). */
export type NotifyingProvider = 'easypay' | 'tipay';

/** The refund facade over the providers `P` it was configured with; see {@link createRefunds}. */
export interface Refunds<P extends ConfiguredProvider = ConfiguredProvider> {
  /**
   * Refunds once per refund id: the ledger is written before anything is sent, a second call with
   * the same id never sends a second refund, and a call that meets the refund in flight elsewhere
   * waits for that sender (see `inFlightWaitMs`). Throws only for a local refusal before anything
   * is sent (`ValidationError`, `OverRefundError`, `ConflictError`, `AbortedError`); once a
   * request was sent every outcome is the returned refund (`unknown` with `failure` when unsure).
   *
   * @example
   * const refund = await refunds.refund({ provider: 'tipay', orderId: 'order123456789', refundId: 'refundorder987654', amount: 8888, currency: 'CNY', orderAmount: 10000 });
   * if (refund.status === 'failed') console.log(refund.failure); // { source: 'provider', code: '40101', message: '...' }
   */
  refund<K extends P>(input: RefundInputOf<K>, options?: CallOptions): Promise<Refund>;
  /**
   * The refund as the ledger has it; one that is not final is queried first (the answer is
   * recorded). `NotFoundError` when the ledger never saw it.
   *
   * @example
   * const now = await refunds.get({ provider: 'tipay', orderId: 'order123456789', refundId: 'refundorder987654' });
   */
  get(key: RefundKey, options?: CallOptions): Promise<Refund>;
  /**
   * Polls (`get`) until the refund is final (`succeeded`, `failed`) or `timeoutMs` passes, then
   * returns it as it stands.
   *
   * @example
   * const final = await refunds.waitFor(refund, { timeoutMs: 60_000 });
   */
  waitFor(key: RefundKey, options?: WaitOptions): Promise<Refund>;
  /**
   * Every reservation, attempt and answer of the refund, oldest first.
   *
   * @example
   * for (const event of await refunds.history(refund)) console.log(event.at, event.kind, event.status);
   */
  history(key: RefundKey): Promise<RefundEvent[]>;
  /**
   * Verifies a provider's notification, applies it idempotently (an unsigned one is confirmed by a
   * query) and returns the acknowledgement the provider expects.
   *
   * @example
   * const { ack } = await refunds.handleNotification('tipay', { headers, rawBody });
   */
  handleNotification(provider: Extract<P, NotifyingProvider>, notification: NotificationInput): Promise<NotificationHandled>;
  /**
   * Closes the ledger.
   *
   * @example
   * await refunds.close();
   */
  close(): Promise<void>;
}

/**
 * What a failed exchange means for the refund: surely never sent → `failed` (no money moved);
 * anything else — a timeout, a reset, a bad signature, a malformed, oversized or foreign answer,
 * even a bug after the request left — is `unknown`, never a thrown error.
 */
function answerForError(error: unknown): ProviderAnswer {
  if (error instanceof TransportError && !error.mayHaveReachedProvider) {
    return { status: 'failed', failure: { source: 'transport', code: error.code, message: error.message }, raw: '', providerMayKnow: false };
  }
  if (error instanceof RefundkitError) {
    const rawBody = (error as { rawBody?: unknown }).rawBody;
    return { status: 'unknown', failure: { source: error instanceof TransportError ? 'transport' : 'local', code: error.code, message: error.message }, raw: typeof rawBody === 'string' ? rawBody : '' };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { status: 'unknown', failure: { source: 'local', code: 'internal_error', message: `refundkit failed after the request may have left (${message}); the outcome is unknown` }, raw: '' };
}

/**
 * A refusal answering a resubmission whose earlier attempt may have reached the provider can
 * mean "duplicate number" or "already processing": `unknown`, and a query decides.
 */
function refusalOfKnownRefund(answer: ProviderAnswer, providerMayKnow: boolean): ProviderAnswer {
  if (answer.status !== 'failed' || answer.providerMayKnow !== false || !providerMayKnow) return answer;
  const code = answer.failure?.code ?? 'refused';
  return {
    ...answer,
    status: 'unknown',
    failure: { source: 'local', code: 'refused_resubmission', ...(answer.failure?.code === undefined ? {} : { providerCode: answer.failure.code }), message: `the provider refused (${code}: ${answer.failure?.message ?? ''}) a refund number an earlier request may have reached it with: a duplicate, not a failure; a query decides` },
  };
}


/**
 * A request that never left: the reservation is released (`failed`, the provider never knew of
 * this attempt), unless an earlier attempt may have reached the provider — then the refund stays
 * `unknown`, for a query to decide.
 */
function notSent(failure: ProviderAnswer['failure'] & object, providerMayKnow: boolean): ProviderAnswer {
  return { status: providerMayKnow ? 'unknown' : 'failed', failure, raw: '', providerMayKnow: false };
}

/** Goods lines: ids and names as text, quantity a positive integer, price integer minor units. */
function checkItems(items: unknown): void {
  if (!Array.isArray(items)) throw invalid('items', 'type array', 'must be an array of { id, name, quantity, price }');
  items.forEach((item: unknown, i) => {
    const at = `items[${i}]`;
    if (item === null || typeof item !== 'object') throw invalid(at, 'type object', 'must be { id, name, quantity, price }');
    const { id, name, quantity, price } = item as Record<string, unknown>;
    if (typeof id !== 'string' || id === '') throw invalid(`${at}.id`, 'required', 'must be a non-empty string');
    if (typeof name !== 'string' || name === '') throw invalid(`${at}.name`, 'required', 'must be a non-empty string');
    if (!Number.isSafeInteger(quantity)) throw invalid(`${at}.quantity`, 'type integer', 'must be a whole number');
    if ((quantity as number) <= 0) throw invalid(`${at}.quantity`, 'minimum 1', 'must be at least 1');
    if (!Number.isSafeInteger(price)) throw invalid(`${at}.price`, 'type integer', 'must be an integer count of minor units');
    if ((price as number) < 0) throw invalid(`${at}.price`, 'minimum 0', 'must not be negative');
  });
}

function checkCommonInput(input: RefundInput, currencies: readonly string[]): void {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw invalid('amount', 'minimum 1', 'must be a positive integer count of minor units');
  if (input.orderAmount !== undefined && (!Number.isSafeInteger(input.orderAmount) || input.orderAmount <= 0)) {
    throw invalid('orderAmount', 'minimum 1', 'must be a positive integer count of minor units');
  }
  if (typeof input.refundId !== 'string' || input.refundId === '') throw invalid('refundId', 'required', 'is required');
  if (typeof input.orderId !== 'string' || input.orderId === '') throw invalid('orderId', 'required', 'is required');
  if (input.items !== undefined) checkItems(input.items);
  if (!currencies.includes(input.currency)) throw invalid('currency', `enum [${currencies.join(', ')}]`, `must be one of ${currencies.join(', ')} for ${input.provider}`);
}

/** The fields a refund input may carry; anything else (a misspelt field, in plain JS) is refused by name. */
const INPUT_FIELDS = new Set(['provider', 'orderId', 'refundId', 'amount', 'currency', 'orderAmount', 'reason', 'items', 'notifyUrl', 'options']);

/**
 * The provider's per-refund options, checked against its entry before anything is reserved: an
 * unknown key (another provider's option, a misspelling) is refused naming the key, a required
 * one naming the provider.
 */
function checkOptions(provider: ConfiguredProvider, rules: ConfigRules<unknown>, input: { readonly options?: unknown }): void {
  for (const key of Object.keys(input)) {
    if (!INPUT_FIELDS.has(key)) throw invalid(key, 'additionalProperties', `is not a refund field (known: ${[...INPUT_FIELDS].join(', ')})`);
  }
  const options = input.options;
  const settings = rules.settings as Readonly<Record<string, SettingRule>>;
  const known = Object.keys(settings);
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) throw invalid('options', 'type object', `must be an object of ${provider} options`);
  const given = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(settings, key)) {
      throw invalid(`options.${key}`, 'additionalProperties', known.length === 0 ? `is not an option of ${provider}, which takes none` : `is not an option of ${provider} (its options: ${known.join(', ')})`);
    }
  }
  // Values are the adapter's to judge (with the contract's rule names); presence is judged here.
  for (const [key, rule] of Object.entries(settings)) {
    const value = given[key];
    if (rule.required && (value === undefined || value === '')) throw invalid(`options.${key}`, 'required', `is required for ${provider}`);
  }
}

/**
 * Every problem of the configuration, each with its path: unknown providers, and every setting of
 * every block against its provider's rules (providers/index.ts `ADAPTERS`).
 */
function configIssues(providers: unknown): ConfigIssue[] {
  if (providers === null || typeof providers !== 'object' || Array.isArray(providers)) return [{ path: 'providers', message: 'must be an object with one block per provider' }];
  const issues: ConfigIssue[] = [];
  const keys = Object.keys(providers);
  if (keys.length === 0) issues.push({ path: 'providers', message: `configure at least one provider (${Object.keys(ADAPTERS).join(', ')})` });
  for (const key of keys) {
    if (!Object.hasOwn(ADAPTERS, key)) {
      issues.push({ path: `providers.${key}`, message: `unknown provider (refundkit knows ${Object.keys(ADAPTERS).join(', ')})` });
      continue;
    }
    const entry = ADAPTERS[key as ConfiguredProvider];
    issues.push(...checkSettings(entry.config as ConfigRules<unknown>, (providers as Record<string, unknown>)[key], `providers.${key}`));
  }
  return issues;
}

/** A duration option: a typed `ValidationError` naming it and the rule, never a plain RangeError. */
function checkMs(name: string, value: unknown, minimum = 1, unit = 'milliseconds'): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) < minimum)) {
    throw new ValidationError('options', [{ path: name, rule: `minimum ${minimum}`, message: `${name} must be an integer ≥ ${minimum} (${unit}), got ${String(value)}` }]);
  }
}

/** The call's signal: the caller's, its `timeoutMs`, both, or none. */
function callSignal(options: CallOptions | undefined): AbortSignal | undefined {
  checkMs('timeoutMs', options?.timeoutMs);
  const signals = [options?.signal, options?.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs)].filter((s): s is AbortSignal => s !== undefined);
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

/** Why the call's signal fired, as a failure: its own deadline (`timeout`) or the caller's abort (`aborted`). */
function abortFailure(signal: AbortSignal): { code: 'timeout' | 'aborted'; message: string } {
  const reason = signal.reason as { name?: unknown } | undefined;
  return reason?.name === 'TimeoutError'
    ? { code: 'timeout', message: 'the call’s timeoutMs ran out after the request was sent: the provider may have acted on it; the outcome is unknown' }
    : { code: 'aborted', message: 'the call was aborted after the request was sent: the provider may have acted on it; the outcome is unknown' };
}

function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortedError(`${what} was ${abortFailure(signal).code === 'timeout' ? 'out of time (timeoutMs)' : 'aborted'} before it started`, { cause: signal.reason });
}

/** Sleeps, waking early (and rejecting) when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError('the wait was aborted', { cause: signal.reason }));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError('the wait was aborted', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One refund API over the configured providers. Every provider block is checked here, at once:
 * an unknown provider, a missing or misspelt setting, a secret that resolves to nothing, an
 * unreadable key file, a bad URL or a currency the provider does not take is one `ConfigError`
 * listing every problem with its path (`providers.tipay.merchantNo: required`).
 *
 * @example
 * const refunds = createRefunds({ providers: { tipay: { baseUrl: 'https://api.tipay.tianhecloud.com', appId: 'tichain000000', appKey: new Secret(process.env.TIPAY_APP_KEY ?? ''), merchantNo: '10012426723' } } });
 * const r = await refunds.refund({ provider: 'tipay', orderId: 'order123456789', refundId: 'refundorder987654', amount: 8888, currency: 'CNY' });
 * if (r.status === 'pending' || r.status === 'unknown') await refunds.waitFor(r);
 */
export function createRefunds<P extends ConfiguredProvider>(options: RefundsOptions<P>): Refunds<P> {
  const issues = configIssues(options.providers);
  if (issues.length > 0) {
    const providers = new Set(issues.map((issue) => issue.path.split('.')[1]));
    const only = providers.size === 1 ? [...providers][0] : undefined;
    throw new ConfigError(only !== undefined && Object.hasOwn(ADAPTERS, only) ? (only as ConfiguredProvider) : undefined, issues);
  }
  checkMs('timeoutMs', options.timeoutMs);
  checkMs('leaseMs', options.leaseMs);
  checkMs('inFlightWaitMs', options.inFlightWaitMs, 0);
  checkMs('maxAnswerBytes', options.maxAnswerBytes, 1, 'bytes');
  const providers = options.providers as { readonly [K in ConfiguredProvider]?: ProviderConfigs[K] };
  const ledger = options.ledger ?? new MemoryLedger();
  const logger = options.logger;
  const clients = new Map<ConfiguredProvider, unknown>();
  const clock: Clock = options.clock ?? Date.now;
  const shared = { fetch: exchangeFetch(options.fetch, { onRequest: options.onRequest, onResponse: options.onResponse, logger }), timeoutMs: options.timeoutMs, maxAnswerBytes: options.maxAnswerBytes, clock };
  const leaseMs = options.leaseMs ?? 2 * (options.timeoutMs ?? 30_000) + LEASE_MARGIN_MS;
  const inFlightWaitMs = options.inFlightWaitMs ?? leaseMs;

  async function provider<K extends ConfiguredProvider>(key: K) {
    const config = providers[key];
    if (!Object.hasOwn(providers, key) || !Object.hasOwn(ADAPTERS, key) || !config) throw new NotFoundError(`provider ${String(key)} is not configured`);
    const entry = ADAPTERS[key];
    // The provider's generated package is imported here, at its first use.
    const adapter = await entry.load();
    let client = clients.get(key);
    if (client === undefined) {
      try {
        client = adapter.createClient(config, shared);
      } catch (error) {
        // Bad keys and settings are the caller's to fix; the signing errors never quote key material.
        if (error instanceof RefundkitError) throw error;
        throw new ConfigError(key, error instanceof Error ? error.message : String(error), error);
      }
      clients.set(key, client);
    }
    return { entry, adapter, config, client, account: entry.accountOf(config) };
  }

  const identity = (refund: Refund): RefundIdentity => ({ provider: refund.provider, account: refund.account, refundId: refund.refundId });

  async function record(refund: Refund, answer: ProviderAnswer, source: AnswerSource, lease?: Lease): Promise<Refund> {
    const recorded = await ledger.update(identity(refund), {
      status: answer.status,
      source,
      providerRefundId: answer.providerRefundId,
      failure: answer.failure === undefined ? undefined : toFailure(answer.failure),
      raw: answer.raw,
      providerMayKnow: answer.providerMayKnow,
      orderAmount: answer.orderAmount,
      lease,
    });
    if (logger) {
      const details = { provider: recorded.provider, refundId: recorded.refundId, source, status: recorded.status, ...(recorded.failure ? { failure: { source: recorded.failure.source, code: recorded.failure.code } } : {}) };
      if (recorded.status === 'unknown') logger.warn('refundkit refund outcome unknown', details);
      else logger.info('refundkit refund recorded', details);
    }
    return recorded;
  }

  /**
   * What a failed exchange means, judged with what the call knows: a request that never reached
   * fetch (the call aborted first) was not sent; one the call's own signal cut off after it left
   * is `unknown` with code `timeout` or `aborted`.
   */
  function answerForExchangeError(error: unknown, exchange: ExchangeContext): ProviderAnswer {
    const answer = answerForError(error);
    if (!exchange.sent && exchange.signal?.aborted) return { ...answer, status: 'failed', providerMayKnow: false, failure: { source: 'local', code: 'aborted', message: 'the call was aborted before its request was sent; nothing was sent' } };
    if (exchange.signal?.aborted && error instanceof TransportError) return { ...answer, status: 'unknown', failure: { source: 'transport', ...abortFailure(exchange.signal) } };
    return answer;
  }

  /** Asks the provider; an answer that cannot tell keeps what the ledger knows. */
  async function ask(refund: Refund, signal: AbortSignal | undefined): Promise<ProviderAnswer> {
    const { adapter, config, client } = await provider(refund.provider as ConfiguredProvider);
    return inExchange({ provider: refund.provider, operation: 'queryRefund', refundId: refund.refundId, signal }, async (exchange) => {
      try {
        return await adapter.query(client, config, refund, clock);
      } catch (error) {
        return { ...answerForExchangeError(error, exchange), status: 'unknown' };
      }
    });
  }

  async function query(refund: Refund, signal: AbortSignal | undefined, lease?: Lease): Promise<Refund> {
    const answer = await ask(refund, signal);
    if (answer.status === 'unknown' && refund.status === 'pending') return refund;
    return record(refund, answer, 'query', lease);
  }

  async function stored(key: RefundKey): Promise<Refund> {
    const { account } = await provider(key.provider as ConfiguredProvider);
    const refund = await ledger.get({ provider: key.provider, account: key.account ?? account, refundId: key.refundId });
    if (!refund || refund.orderId !== key.orderId) throw new NotFoundError(`no ${key.provider} refund ${key.refundId} on order ${key.orderId} in the ledger`);
    return refund;
  }

  async function current(key: RefundKey, signal: AbortSignal | undefined): Promise<Refund> {
    const refund = await stored(key);
    if (FINAL_STATUSES.has(refund.status)) return refund;
    // A refund in flight elsewhere is its sender's to record; a query now would only race it.
    if (refund.status === 'unknown' && isLive(refund.lease, new Date(clock()))) return refund;
    throwIfAborted(signal, 'get');
    return query(refund, signal);
  }

  /**
   * Waits while another sender holds the refund: until it records an answer or releases the
   * lease, the lease looks expired, or `deadline` passes. Returns the refund as it then stands.
   * (Expiry is judged again by the ledger, on its own clock, when the caller reserves next.)
   */
  async function waitForHolder(reservation: Extract<Reservation, { outcome: 'in_flight' }>, deadline: number, signal: AbortSignal | undefined): Promise<Refund> {
    let interval = 20;
    let refund = reservation.refund;
    do {
      await sleep(Math.max(1, Math.min(interval, deadline - Date.now())), signal).catch(() => undefined);
      interval = Math.min(interval * 1.5, 500);
      refund = (await ledger.get(identity(refund))) ?? refund;
    } while (!signal?.aborted && refund.lease?.holder === reservation.lease.holder && isLive(refund.lease, new Date(clock())) && Date.now() < deadline);
    return refund;
  }

  return {
    async refund(input, callOptions) {
      const signal = callSignal(callOptions);
      throwIfAborted(signal, 'refund');
      const { entry, adapter, config, client, account } = await provider(input.provider);
      checkOptions(input.provider, entry.options as ConfigRules<unknown>, input);
      checkCommonInput(input, entry.currencies(config));
      // Checked, signed where the provider signs, before anything is reserved.
      const send = adapter.prepareRefund(client, config, requestOf(input), clock);
      throwIfAborted(signal, 'refund');
      const request = {
        key: { provider: input.provider, account, orderId: input.orderId, refundId: input.refundId },
        amount: input.amount,
        currency: input.currency,
        orderAmount: input.orderAmount,
        meta: send.meta,
        // Web Crypto's, not node:crypto's: importing the facade loads no node:crypto (cold start).
        lease: { holder: globalThis.crypto.randomUUID(), ttlMs: leaseMs },
      };
      const callDeadline = callOptions?.timeoutMs === undefined ? Infinity : Date.now() + callOptions.timeoutMs;
      const waitUntil = Math.min(Date.now() + inFlightWaitMs, callDeadline);
      for (;;) {
        const reservation = await ledger.reserve(request);
        if (reservation.outcome === 'existing') {
          return reservation.refund.status === 'pending' && !signal?.aborted ? query(reservation.refund, signal) : reservation.refund;
        }
        if (reservation.outcome === 'in_flight') {
          // Another sender holds it: send nothing; wait for its outcome, or take over once its lease expires.
          if (Date.now() >= waitUntil || signal?.aborted) {
            const failure = toFailure({ code: 'in_flight', message: `another sender holds this refund until ${reservation.lease.expiresAt}; nothing was sent: ask again with get/waitFor` });
            return { ...reservation.refund, failure };
          }
          const after = await waitForHolder(reservation, waitUntil, signal);
          if (after.status !== 'unknown') return after;
          continue;
        }
        const { lease, providerMayKnow } = reservation;
        if (reservation.outcome === 'recover') {
          // Its sender gave up or crashed: ask first, resend the same number only if the provider cannot tell.
          const answer = await ask(reservation.refund, signal);
          if (answer.status !== 'unknown') return record(reservation.refund, answer, 'query', lease);
        }
        const outcome = await inExchange({ provider: input.provider, operation: 'refund', refundId: input.refundId, signal }, async (exchange) => {
          try {
            return { answer: await send(), exchange };
          } catch (error) {
            return { answer: answerForExchangeError(error, exchange), exchange, error };
          }
        });
        if (!outcome.exchange.sent && signal?.aborted) {
          await record(reservation.refund, notSent(outcome.answer.failure ?? { code: 'aborted', message: 'aborted before sending' }, providerMayKnow), 'refund', lease);
          throw new AbortedError(`the ${input.provider} refund ${input.refundId} was aborted before its request was sent`, { cause: signal.reason });
        }
        if (outcome.error instanceof ValidationError) {
          // Refused locally when (re)prepared at send: nothing left.
          await record(reservation.refund, notSent({ source: 'local', code: 'validation_failed', message: outcome.error.message }, providerMayKnow), 'refund', lease);
          throw outcome.error;
        }
        return record(reservation.refund, refusalOfKnownRefund(outcome.answer, providerMayKnow), 'refund', lease);
      }
    },

    get: (key, callOptions) => current(key, callSignal(callOptions)),

    async waitFor(key, waitOptions = {}) {
      const { timeoutMs, intervalMs, signal } = waitOptions;
      checkMs('timeoutMs', timeoutMs, 0);
      checkMs('intervalMs', intervalMs);
      // `timeoutMs` is the whole wait (0: look once); each exchange keeps the instance's deadline.
      const deadline = Date.now() + (timeoutMs ?? 60_000);
      let interval = intervalMs ?? 1_000;
      throwIfAborted(signal, 'waitFor');
      let refund = await current(key, signal);
      while (!FINAL_STATUSES.has(refund.status) && Date.now() + interval <= deadline) {
        await sleep(interval, signal);
        interval = Math.min(interval * 1.5, 10_000);
        refund = await current(key, signal);
      }
      return refund;
    },

    async history(key) {
      const refund = await stored(key);
      return ledger.history(identity(refund));
    },

    async handleNotification(key, notification) {
      const { adapter, config, client, account } = await provider(key);
      if (!adapter.notifications) throw new NotFoundError(`${key} documents no notifications`);
      const outcome = adapter.notifications.verify(client, config, notification.rawBody, notification.headers);
      const ack = adapter.notifications.ack;
      const known = await ledger.get({ provider: key, account, refundId: outcome.refundId });
      if (!known) return { ack };
      if (known.status === 'succeeded') return { refund: known, ack };
      // An unsigned notification is a hint: only a query may make the refund final. A verified
      // one is recorded (a success even over `failed`: the provider is the truth).
      const refund = outcome.verified ? await record(known, outcome.answer, 'notification') : await query(known, undefined);
      return { refund, ack };
    },

    close: () => ledger.close(),
  };
}
