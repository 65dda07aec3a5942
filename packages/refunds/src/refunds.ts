import { RefundkitError, TransportError, ValidationError, type FetchLike } from '@refundkit/runtime';
import { ConfigError, NotFoundError } from './errors.js';
import type { RefundIdentity, RefundLedger, Reservation } from './ledger/ledger.js';
import { isLive } from './ledger/ledger-rules.js';
import { MemoryLedger } from './ledger/memory-ledger.js';
import { FINAL_STATUSES, type AnswerSource, type Lease, type Refund, type RefundEvent, type RefundKey } from './model.js';
import { invalid, type NotificationAck, type ProviderAnswer, type RefundRequest } from './providers/adapter.js';
import { ADAPTERS, type ConfiguredProvider, type ProviderConfigs, type ProviderOptions } from './providers/index.js';

/** How long a lease outlives its sender's exchanges, so a slow but live sender is never overtaken. */
export const LEASE_MARGIN_MS = 5_000;

export interface RefundsOptions {
  /** Configuration of each provider to refund through; others are refused. */
  readonly providers: { readonly [P in ConfiguredProvider]?: ProviderConfigs[P] };
  /** Where refunds are written before any provider is called. Default: in memory. */
  readonly ledger?: RefundLedger;
  readonly fetch?: FetchLike;
  /** Deadline per provider exchange. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /**
   * How long a sender's lease on a refund lasts: nobody else sends that refund meanwhile, and a
   * crashed sender's refund is recovered once it expires. Default: two exchanges (a recovery
   * queries, then sends) plus {@link LEASE_MARGIN_MS}, i.e. 65 s with the default deadline.
   */
  readonly leaseMs?: number;
  /**
   * How long `refund` waits for another sender holding the same refund (another call, process
   * or machine) before returning it as it stands (`unknown`, failure code `in_flight`).
   * Default: `leaseMs`, so a live holder is waited for to its end and a crashed one recovered.
   */
  readonly inFlightWaitMs?: number;
}

/** A refund request for one provider, its `options` typed for that provider. */
export type RefundInput = { [P in ConfiguredProvider]: { readonly provider: P } & RefundRequest<ProviderOptions[P]> }[ConfiguredProvider];

export interface WaitOptions {
  /** Give up (returning the last-known state) after this long. Default 60 000 ms. */
  readonly timeoutMs?: number;
  /** First poll interval; grows ×1.5 up to 10 s. Default 1 000 ms. */
  readonly intervalMs?: number;
}

export interface NotificationInput {
  readonly headers: Record<string, string | string[] | undefined> | Headers;
  readonly rawBody: string | Uint8Array;
}

export interface NotificationHandled {
  /** The refund as the ledger now has it; undefined when the notification names a refund the ledger never saw. */
  readonly refund?: Refund;
  /** What to answer the provider. */
  readonly ack: NotificationAck;
}

export interface Refunds {
  /**
   * Refunds once per refund id: the ledger is written before anything is sent, a second call with
   * the same id never sends a second refund, and a call that meets the refund in flight elsewhere
   * waits for that sender (see `inFlightWaitMs`).
   */
  refund(input: RefundInput): Promise<Refund>;
  get(key: RefundKey): Promise<Refund>;
  waitFor(key: RefundKey, options?: WaitOptions): Promise<Refund>;
  /** Every reservation, attempt and answer of the refund, oldest first. */
  history(key: RefundKey): Promise<RefundEvent[]>;
  handleNotification(provider: ConfiguredProvider, notification: NotificationInput): Promise<NotificationHandled>;
  close(): Promise<void>;
}

/**
 * What a failed exchange means for the refund: surely never sent → `failed` (no money moved);
 * anything else — a timeout, a reset, a bad signature, a malformed, oversized or foreign answer,
 * even a bug after the request left — is `unknown`, never a thrown error.
 */
function answerForError(error: unknown): ProviderAnswer {
  if (error instanceof TransportError && !error.mayHaveReachedProvider) {
    return { status: 'failed', failure: { code: error.code, message: error.message }, raw: '', providerMayKnow: false };
  }
  if (error instanceof RefundkitError) {
    const rawBody = (error as { rawBody?: unknown }).rawBody;
    return { status: 'unknown', failure: { code: error.code, message: error.message }, raw: typeof rawBody === 'string' ? rawBody : '' };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { status: 'unknown', failure: { code: 'internal_error', message: `refundkit failed after the request may have left (${message}); the outcome is unknown` }, raw: '' };
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
    failure: { code: 'refused_resubmission', message: `the provider refused (${code}: ${answer.failure?.message ?? ''}) a refund number an earlier request may have reached it with: a duplicate, not a failure; a query decides` },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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

/** The provider's `baseUrl` must be an http(s) URL: checked before anything is reserved. */
function checkBaseUrl(provider: ConfiguredProvider, baseUrl: unknown): void {
  let url: URL | undefined;
  try {
    url = typeof baseUrl === 'string' ? new URL(baseUrl) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) throw new ConfigError(provider, `providers.${provider}.baseUrl: ${baseUrl === undefined ? 'required' : 'must be an absolute http(s) URL'}`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(provider, `providers.${provider}.baseUrl: scheme ${url.protocol} is not supported (http or https)`);
}

/**
 * One refund API over the configured providers.
 *
 * @example
 * const refunds = createRefunds({ providers: { tipay: { baseUrl, appId, appKey: new Secret(key), merchantNo } } });
 * const r = await refunds.refund({ provider: 'tipay', orderId: 'o-1', refundId: 'r-1', amount: 1234, currency: 'CNY' });
 * if (r.status === 'pending' || r.status === 'unknown') await refunds.waitFor(r);
 */
export function createRefunds(options: RefundsOptions): Refunds {
  const ledger = options.ledger ?? new MemoryLedger();
  const clients = new Map<ConfiguredProvider, unknown>();
  const shared = { fetch: options.fetch, timeoutMs: options.timeoutMs };
  const leaseMs = options.leaseMs ?? 2 * (options.timeoutMs ?? 30_000) + LEASE_MARGIN_MS;
  const inFlightWaitMs = options.inFlightWaitMs ?? leaseMs;

  async function provider<P extends ConfiguredProvider>(key: P) {
    const config = options.providers[key];
    if (!Object.hasOwn(options.providers, key) || !Object.hasOwn(ADAPTERS, key) || !config) throw new NotFoundError(`provider ${String(key)} is not configured`);
    const entry = ADAPTERS[key];
    // The provider's generated package is imported here, at its first use.
    const adapter = await entry.load();
    let client = clients.get(key);
    if (client === undefined) {
      checkBaseUrl(key, (config as { baseUrl?: unknown }).baseUrl);
      try {
        client = adapter.createClient(config as never, shared);
      } catch (error) {
        // Bad keys and settings are the caller's to fix; the signing errors never quote key material.
        if (error instanceof RefundkitError) throw error;
        throw new ConfigError(key, error instanceof Error ? error.message : String(error), error);
      }
      clients.set(key, client);
    }
    return { entry, adapter, config: config as ProviderConfigs[P], client, account: entry.accountOf(config as never) };
  }

  const identity = (refund: Refund): RefundIdentity => ({ provider: refund.provider, account: refund.account, refundId: refund.refundId });

  function record(refund: Refund, answer: ProviderAnswer, source: AnswerSource, lease?: Lease): Promise<Refund> {
    return ledger.update(identity(refund), {
      status: answer.status,
      source,
      providerRefundId: answer.providerRefundId,
      failure: answer.failure,
      raw: answer.raw,
      providerMayKnow: answer.providerMayKnow,
      orderAmount: answer.orderAmount,
      lease,
    });
  }

  /** Asks the provider; an answer that cannot tell keeps what the ledger knows. */
  async function ask(refund: Refund): Promise<ProviderAnswer> {
    const { adapter, config, client } = await provider(refund.provider as ConfiguredProvider);
    try {
      return await adapter.query(client, config as never, refund);
    } catch (error) {
      return { ...answerForError(error), status: 'unknown' };
    }
  }

  async function query(refund: Refund, lease?: Lease): Promise<Refund> {
    const answer = await ask(refund);
    if (answer.status === 'unknown' && refund.status === 'pending') return refund;
    return record(refund, answer, 'query', lease);
  }

  async function stored(key: RefundKey): Promise<Refund> {
    const { account } = await provider(key.provider as ConfiguredProvider);
    const refund = await ledger.get({ provider: key.provider, account: key.account ?? account, refundId: key.refundId });
    if (!refund || refund.orderId !== key.orderId) throw new NotFoundError(`no ${key.provider} refund ${key.refundId} on order ${key.orderId} in the ledger`);
    return refund;
  }

  async function get(key: RefundKey): Promise<Refund> {
    const refund = await stored(key);
    if (FINAL_STATUSES.has(refund.status)) return refund;
    // A refund in flight elsewhere is its sender's to record; a query now would only race it.
    if (refund.status === 'unknown' && isLive(refund.lease, new Date())) return refund;
    return query(refund);
  }

  /**
   * Waits while another sender holds the refund: until it records an answer or releases the
   * lease, the lease looks expired, or `deadline` passes. Returns the refund as it then stands.
   * (Expiry is judged again by the ledger, on its own clock, when the caller reserves next.)
   */
  async function waitForHolder(reservation: Extract<Reservation, { outcome: 'in_flight' }>, deadline: number): Promise<Refund> {
    let interval = 20;
    let refund = reservation.refund;
    do {
      await sleep(Math.max(1, Math.min(interval, deadline - Date.now())));
      interval = Math.min(interval * 1.5, 500);
      refund = (await ledger.get(identity(refund))) ?? refund;
    } while (refund.lease?.holder === reservation.lease.holder && isLive(refund.lease, new Date()) && Date.now() < deadline);
    return refund;
  }

  return {
    async refund(input) {
      const { entry, adapter, config, client, account } = await provider(input.provider);
      checkCommonInput(input, entry.currencies(config as never));
      // Checked, signed where the provider signs, before anything is reserved.
      const send = adapter.prepareRefund(client, config as never, input as never);
      const request = {
        key: { provider: input.provider, account, orderId: input.orderId, refundId: input.refundId },
        amount: input.amount,
        currency: input.currency,
        orderAmount: input.orderAmount,
        meta: send.meta,
        // Web Crypto's, not node:crypto's: importing the facade loads no node:crypto (cold start).
        lease: { holder: globalThis.crypto.randomUUID(), ttlMs: leaseMs },
      };
      const waitUntil = Date.now() + inFlightWaitMs;
      for (;;) {
        const reservation = await ledger.reserve(request);
        if (reservation.outcome === 'existing') {
          return reservation.refund.status === 'pending' ? query(reservation.refund) : reservation.refund;
        }
        if (reservation.outcome === 'in_flight') {
          // Another sender holds it: send nothing; wait for its outcome, or take over once its lease expires.
          if (Date.now() >= waitUntil) {
            const failure = { code: 'in_flight', message: `another sender holds this refund until ${reservation.lease.expiresAt}; nothing was sent: ask again with get/waitFor` };
            return { ...reservation.refund, failure };
          }
          const after = await waitForHolder(reservation, waitUntil);
          if (after.status !== 'unknown') return after;
          continue;
        }
        const { lease, providerMayKnow } = reservation;
        if (reservation.outcome === 'recover') {
          // Its sender gave up or crashed: ask first, resend the same number only if the provider cannot tell.
          const answer = await ask(reservation.refund);
          if (answer.status !== 'unknown') return record(reservation.refund, answer, 'query', lease);
        }
        let answer: ProviderAnswer;
        try {
          answer = await send();
        } catch (error) {
          answer = answerForError(error);
          if (error instanceof ValidationError) {
            await record(reservation.refund, answer, 'refund', lease);
            throw error;
          }
        }
        return record(reservation.refund, refusalOfKnownRefund(answer, providerMayKnow), 'refund', lease);
      }
    },

    get,

    async waitFor(key, waitOptions = {}) {
      const deadline = Date.now() + (waitOptions.timeoutMs ?? 60_000);
      let interval = waitOptions.intervalMs ?? 1_000;
      let refund = await get(key);
      while (!FINAL_STATUSES.has(refund.status) && Date.now() + interval <= deadline) {
        await sleep(interval);
        interval = Math.min(interval * 1.5, 10_000);
        refund = await get(key);
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
      const outcome = adapter.notifications.verify(client, config as never, notification.rawBody, notification.headers);
      const ack = adapter.notifications.ack;
      const known = await ledger.get({ provider: key, account, refundId: outcome.refundId });
      if (!known) return { ack };
      if (known.status === 'succeeded') return { refund: known, ack };
      // An unsigned notification is a hint: only a query may make the refund final. A verified
      // one is recorded (a success even over `failed`: the provider is the truth).
      const refund = outcome.verified ? await record(known, outcome.answer, 'notification') : await query(known);
      return { refund, ack };
    },

    close: () => ledger.close(),
  };
}
