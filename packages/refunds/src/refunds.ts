import { TransportError, ValidationError, type Clock } from '@refundkit/runtime';
import { AbortedError, exchangeFetch, inExchange, type ExchangeContext } from './call-context.js';
import type { ConfigRules } from './config/config-rules.js';
import { ConfigError, NotFoundError } from './errors.js';
import { Accounts } from './facade/accounts.js';
import { abortFailure, callSignal, sleep, throwIfAborted } from './facade/call-signal.js';
import { answerForError, notSent } from './facade/exchange-answers.js';
import { checkCommonInput, checkMs, checkOptions, configIssues } from './facade/input-checks.js';
import { LEASE_MARGIN_MS, LeaseTimer, sendMarginMs } from './facade/lease-margin.js';
import { DEFAULT_IN_FLIGHT_WAIT_MS, type CallOptions, type RefundCallOptions, type RefundsOptions, type WaitOptions } from './facade/options.js';
import { batchLabel } from './batch/batch-label.js';
import { ledgerOperations, type RefundsLedgerOperations } from './facade/ledger-operations.js';
import { nothingSent, recordAnswer, RECORD_RETRY_MS } from './facade/record-answer.js';
import { toFailure } from './failure.js';
import type { LedgerHealth, RefundIdentity, RefundLedger, RefundTotal, Reservation, ReservationRequest } from './ledger/ledger.js';
import { LedgerUnavailableError } from './ledger/ledger-errors.js';
import { isLive } from './ledger/ledger-rules.js';
import { MemoryLedger } from './ledger/memory-ledger.js';
import { FINAL_STATUSES, type AnswerSource, type Lease, type Refund, type RefundEvent, type RefundKey } from './model.js';
import { handleNotification } from './notifications/handle-notification.js';
import type { NotificationHandled, NotificationInput, NotificationOptions, NotifyingProvider } from './notifications/notification-types.js';
import { notificationAccount } from './notifications/route-notification.js';
import { QueryBudget } from './notifications/query-budget.js';
import type { ProviderAdapter, ProviderAnswer } from './providers/adapter.js';
import { ADAPTERS, type ConfiguredProvider } from './providers/index.js';
import { requestOf, type RefundInputOf } from './refund-input.js';

export { LEASE_MARGIN_MS };
export type { CallOptions, RefundCallOptions, RefundsOptions, WaitOptions, NotificationHandled, NotificationInput, NotificationOptions, NotifyingProvider };

/** How often a sender reserves again when its lease keeps coming back too short to send under. */
const LEASE_TRIES = 3;

/** The refund facade over the providers `P` it was configured with; see {@link createRefunds}. */
export interface Refunds<P extends ConfiguredProvider = ConfiguredProvider> extends RefundsLedgerOperations<P> {
  /**
   * Refunds once per refund id: the ledger is written before anything is sent, a second call with
   * the same id never sends a second refund, and a call that meets the refund in flight elsewhere
   * waits for that sender (see `inFlightWaitMs`). Throws only for a local refusal before anything
   * is sent (`ValidationError`, `OverRefundError`, `ConflictError`, `AbortedError`,
   * `LedgerUnavailableError`: each says nothing was sent); once a request was sent every outcome
   * is the returned refund (`unknown` with `failure` when unsure), except when the ledger cannot
   * record the answer: then `OutcomeNotRecordedError` (`sent: true`) says the provider may have
   * refunded and the same call with the same refund id resolves it.
   *
   * @example
   * const refund = await refunds.refund({ provider: 'tipay', orderId: 'order123456789', refundId: 'refundorder987654', amount: 8888, currency: 'CNY', orderAmount: 10000 });
   * if (refund.status === 'failed') console.log(refund.failure); // { source: 'provider', code: '40101', message: '...' }
   */
  refund<K extends P>(input: RefundInputOf<K>, options?: RefundCallOptions): Promise<Refund>;
  /**
   * The refund as the ledger has it; one that is not final is queried first (the answer is
   * recorded). `NotFoundError` when the ledger never saw it; `UnknownAccountError` when the key
   * names an account this instance does not hold (it never reads another account's refund). The
   * key's `account` is the account's name or the refund's own `account` (its merchant); without
   * it, the provider's default account.
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
   * Checks a provider's notification like an answer and applies it idempotently: its signature
   * (an unsigned one is only a hint, confirmed by a query within `notificationQueries`), then the
   * echo rule (merchant, order, amount: a notification about another merchant never touches
   * this account's refunds). A refused one changes nothing and is kept in the named refund's
   * history. Returns what happened (`outcome`, `changed`) and the answer for the provider: its
   * acknowledgement only once the ledger stored what the notification said, otherwise an answer
   * that makes it deliver again. Throws `NotificationBodyError` when `rawBody` is not the raw
   * body, and `LedgerUnavailableError` when the ledger cannot store it (answer 503: the provider
   * retries). With several accounts, `account` says whose it is (verified with that account's
   * keys); without it, the merchant the notification names picks the account, else the default.
   *
   * @example
   * const { ack, outcome } = await refunds.handleNotification('tipay', { headers, rawBody });
   * await refunds.handleNotification('tipay', { headers, rawBody }, { account: 'shopA' });
   */
  handleNotification(provider: Extract<P, NotifyingProvider>, notification: NotificationInput, options?: NotificationOptions): Promise<NotificationHandled>;
  /**
   * Whether the ledger answers and its schema is current (for a health check). Never throws.
   *
   * @example
   * const { ok, detail } = await refunds.health(); // { ok: true, detail: 'ledger postgres://app:***@db/shop: schema 1' }
   */
  health(): Promise<LedgerHealth>;
  /**
   * How many refunds, and how much, per provider, account and status, as the ledger holds them.
   *
   * @example
   * for (const t of await refunds.totals()) console.log(t.provider, t.account, t.status, t.count);
   */
  totals(): Promise<RefundTotal[]>;
  /**
   * Closes the ledger.
   *
   * @example
   * await refunds.close();
   */
  close(): Promise<void>;
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
  const ledger = options.ledger ?? new MemoryLedger();
  const logger = options.logger;
  const clock: Clock = options.clock ?? Date.now;
  const shared = { fetch: exchangeFetch(options.fetch, { onRequest: options.onRequest, onResponse: options.onResponse, logger }), timeoutMs: options.timeoutMs, maxAnswerBytes: options.maxAnswerBytes, clock };
  const accounts = new Accounts(options.providers, shared);
  const exchangeMs = options.timeoutMs ?? 30_000;
  const leaseMs = options.leaseMs ?? 2 * exchangeMs + LEASE_MARGIN_MS;
  const inFlightWaitMs = options.inFlightWaitMs ?? Math.min(DEFAULT_IN_FLIGHT_WAIT_MS, leaseMs);
  const marginMs = sendMarginMs(exchangeMs, leaseMs);
  const notificationBudget = new QueryBudget(options.notificationQueries);

  /**
   * The provider's account `account` names (a name, or the merchant a refund carries; the default
   * without one), its adapter and its own client; `account` there is the merchant, the ledger's key.
   */
  async function provider<K extends ConfiguredProvider>(key: K, account: unknown, operation: string) {
    const opened = await accounts.open(key, account, operation);
    return { ...opened, account: opened.merchant };
  }

  const identity = (refund: Refund): RefundIdentity => ({ provider: refund.provider, account: refund.account, refundId: refund.refundId });

  /**
   * Records an answer. `sent`: this call's request left for the provider, so a ledger that stays
   * unreachable is an `OutcomeNotRecordedError`, never "nothing sent".
   */
  async function record(refund: Refund, answer: ProviderAnswer, source: AnswerSource, how: { lease?: Lease; sent?: boolean; verdict?: 'refused'; deadline?: number } = {}): Promise<Refund> {
    // A query's answer that cannot be recorded: the query went out, no refund request did.
    const unsentNote = source === 'query' ? 'the query was answered but not recorded; no refund request was sent' : undefined;
    const update = {
      status: answer.status,
      source,
      providerRefundId: answer.providerRefundId,
      failure: answer.failure === undefined ? undefined : toFailure(answer.failure),
      raw: answer.raw,
      providerMayKnow: answer.providerMayKnow,
      orderAmount: answer.orderAmount,
      lease: how.lease,
      verdict: how.verdict,
    };
    const deadline = Math.max(Date.now() + 1_000, Math.min(how.deadline ?? Infinity, Date.now() + RECORD_RETRY_MS));
    const recorded = await recordAnswer(ledger, identity(refund), update, { refund, sent: how.sent === true, deadline, unsentNote });
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
    const { adapter, config, client } = await provider(refund.provider as ConfiguredProvider, refund.account, 'get');
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
    return record(refund, answer, 'query', lease ? { lease } : {});
  }

  async function stored(key: RefundKey): Promise<Refund> {
    // Another account's refund is never read through this instance, whatever its key says: an
    // account it does not hold is an UnknownAccountError.
    const { account } = await provider(key.provider as ConfiguredProvider, key.account, 'get');
    const refund = await ledger.get({ provider: key.provider, account, refundId: key.refundId });
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

  /** `ledger.reserve`, its faults saying that nothing was sent. */
  async function reserve(request: ReservationRequest): Promise<Reservation> {
    try {
      return await ledger.reserve(request);
    } catch (error) {
      throw nothingSent(error);
    }
  }

  return {
    async refund(input, callOptions) {
      const signal = callSignal(callOptions);
      throwIfAborted(signal, 'refund');
      const { entry, adapter, config, client, account } = await provider(input.provider, input.account, 'refund');
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
        batch: batchLabel(callOptions?.batch),
        // Web Crypto's, not node:crypto's: importing the facade loads no node:crypto (cold start).
        lease: { holder: globalThis.crypto.randomUUID(), ttlMs: leaseMs },
      };
      const callDeadline = callOptions?.timeoutMs === undefined ? Infinity : Date.now() + callOptions.timeoutMs;
      const waitUntil = Math.min(Date.now() + inFlightWaitMs, callDeadline);
      let shortLeases = 0;
      for (;;) {
        // Timed from before the reservation is asked for: a slow commit only shortens the lease.
        const timer = new LeaseTimer(leaseMs, clock);
        const reservation = await reserve({ ...request, lease: { holder: globalThis.crypto.randomUUID(), ttlMs: leaseMs } });
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
        const { lease } = reservation;
        if (reservation.outcome === 'recover') {
          // Its sender gave up or crashed: ask first, resend the same number only if the provider cannot tell.
          const answer = await ask(reservation.refund, signal);
          if (answer.status !== 'unknown') return record(reservation.refund, answer, 'query', { lease, deadline: callDeadline });
        }
        if (timer.remainingMs() < marginMs) {
          // Too little of the lease is left to send under it (this sender stalled, or the ledger
          // was slow): send nothing, end the attempt, and reserve again — which may find the
          // refund recovered by another sender meanwhile.
          const failure = { source: 'local' as const, code: 'lease_too_short', message: `the lease had ${Math.max(0, Math.round(timer.remainingMs()))} ms left, under the ${Math.round(marginMs)} ms needed to send; nothing was sent` };
          await record(reservation.refund, notSent(failure), 'refund', { lease, deadline: callDeadline });
          if (++shortLeases >= LEASE_TRIES) {
            throw new LedgerUnavailableError(`the ${input.provider} refund ${input.refundId}: ${LEASE_TRIES} leases in a row came back with too little time left to send (the process stalls, or the ledger answers too slowly for leaseMs ${leaseMs}); nothing was sent`);
          }
          continue;
        }
        const outcome = await inExchange({ provider: input.provider, operation: 'refund', refundId: input.refundId, signal }, async (exchange) => {
          try {
            return { answer: await send(), exchange };
          } catch (error) {
            return { answer: answerForExchangeError(error, exchange), exchange, error };
          }
        });
        if (!outcome.exchange.sent && signal?.aborted) {
          await record(reservation.refund, notSent(outcome.answer.failure ?? { code: 'aborted', message: 'aborted before sending' }), 'refund', { lease, deadline: callDeadline });
          throw new AbortedError(`the ${input.provider} refund ${input.refundId} was aborted before its request was sent`, { cause: signal.reason });
        }
        if (outcome.error instanceof ValidationError) {
          // Refused locally when (re)prepared at send: nothing left.
          await record(reservation.refund, notSent({ source: 'local', code: 'validation_failed', message: outcome.error.message }), 'refund', { lease, deadline: callDeadline });
          throw outcome.error;
        }
        // A request left (or may have): the ledger's rules fence this answer by its attempt.
        return record(reservation.refund, outcome.answer, 'refund', { lease, sent: outcome.exchange.sent, deadline: callDeadline });
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

    async handleNotification(key, notification, notificationOptions) {
      const route = await notificationAccount(accounts, key, notification, notificationOptions?.account);
      if ('outcome' in route) return route;
      const { adapter, config, client, account } = await provider(key, route.name, 'handleNotification');
      return handleNotification(key, notification, {
        ledger,
        account,
        adapter: adapter as ProviderAdapter<unknown, unknown, unknown>,
        config,
        client,
        record: (refund, answer, verdict) => record(refund, answer, 'notification', verdict ? { verdict } : {}),
        query: (refund) => query(refund, undefined),
        budget: notificationBudget,
        logger,
      });
    },

    health: () => ledger.health(),
    totals: () => ledger.totals(),
    ...ledgerOperations<P>({
      ledger,
      accounts: () => accounts.all().map((a) => ({ provider: a.provider, account: a.merchant })),
      ask,
      claimMs: exchangeMs + LEASE_MARGIN_MS,
      logger,
    }),

    close: () => ledger.close(),
  };
}
