import { HttpStatusError, RefundkitError, TransportError, ValidationError, type FetchLike } from '@refundkit/runtime';
import { ConfigError, NotFoundError } from './errors.js';
import type { RefundLedger } from './ledger/ledger.js';
import { MemoryLedger } from './ledger/memory-ledger.js';
import { FINAL_STATUSES, type Refund, type RefundKey } from './model.js';
import { invalid, type NotificationAck, type ProviderAnswer, type RefundRequest } from './providers/adapter.js';
import { ADAPTERS, type ConfiguredProvider, type ProviderConfigs, type ProviderOptions } from './providers/index.js';

export interface RefundsOptions {
  /** Configuration of each provider to refund through; others are refused. */
  readonly providers: { readonly [P in ConfiguredProvider]?: ProviderConfigs[P] };
  /** Where refunds are written before any provider is called. Default: in memory. */
  readonly ledger?: RefundLedger;
  readonly fetch?: FetchLike;
  /** Deadline per provider exchange. Default 30 000 ms. */
  readonly timeoutMs?: number;
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
  refund(input: RefundInput): Promise<Refund>;
  get(key: RefundKey): Promise<Refund>;
  waitFor(key: RefundKey, options?: WaitOptions): Promise<Refund>;
  handleNotification(provider: ConfiguredProvider, notification: NotificationInput): Promise<NotificationHandled>;
  close(): Promise<void>;
}

/** What a failed exchange means for the refund: refused before sending → failed; anything after → unknown. */
function answerForError(error: unknown): ProviderAnswer {
  if (error instanceof TransportError && !error.mayHaveReachedProvider) {
    return { status: 'failed', failure: { code: error.code, message: error.message }, raw: '' };
  }
  if (error instanceof RefundkitError) {
    const raw = error instanceof HttpStatusError ? error.rawBody : ((error as { rawBody?: string }).rawBody ?? '');
    return { status: 'unknown', failure: { code: error.code, message: error.message }, raw };
  }
  throw error;
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

  async function provider<P extends ConfiguredProvider>(key: P) {
    const config = options.providers[key];
    if (!Object.hasOwn(options.providers, key) || !Object.hasOwn(ADAPTERS, key) || !config) throw new NotFoundError(`provider ${String(key)} is not configured`);
    const entry = ADAPTERS[key];
    // The provider's generated package is imported here, at its first use.
    const adapter = await entry.load();
    let client = clients.get(key);
    if (client === undefined) {
      try {
        client = adapter.createClient(config as never, shared);
      } catch (error) {
        // Bad keys and settings are the caller's to fix; the signing errors never quote key material.
        if (error instanceof RefundkitError) throw error;
        throw new ConfigError(key, error instanceof Error ? error.message : String(error), error);
      }
      clients.set(key, client);
    }
    return { entry, adapter, config: config as ProviderConfigs[P], client };
  }

  async function record(key: RefundKey, answer: ProviderAnswer): Promise<Refund> {
    if (answer.orderAmount !== undefined) await ledger.recordOrderAmount(key.provider, key.orderId, answer.orderAmount);
    return ledger.update(key, { status: answer.status, providerRefundId: answer.providerRefundId, failure: answer.failure, raw: answer.raw });
  }

  async function query(refund: Refund): Promise<Refund> {
    const { adapter, config, client } = await provider(refund.provider as ConfiguredProvider);
    let answer: ProviderAnswer;
    try {
      answer = await adapter.query(client, config as never, refund);
    } catch (error) {
      answer = { ...answerForError(error), status: 'unknown' };
    }
    // A query that cannot tell keeps what the ledger knows.
    if (answer.status === 'unknown' && refund.status === 'pending') return refund;
    return record(refund, answer);
  }

  async function get(key: RefundKey): Promise<Refund> {
    const refund = await ledger.get(key);
    if (!refund || refund.orderId !== key.orderId) throw new NotFoundError(`no ${key.provider} refund ${key.refundId} on order ${key.orderId} in the ledger`);
    return FINAL_STATUSES.has(refund.status) ? refund : query(refund);
  }

  return {
    async refund(input) {
      const { entry, adapter, config, client } = await provider(input.provider);
      checkCommonInput(input, entry.currencies(config as never));
      const send = adapter.prepareRefund(client, config as never, input as never);
      const reservation = await ledger.reserve({ key: input, amount: input.amount, currency: input.currency, orderAmount: input.orderAmount, meta: send.meta });
      if (reservation.outcome === 'existing') {
        const existing = reservation.refund;
        if (existing.status === 'succeeded') return existing;
        // Pending or unknown: ask the provider; if it still cannot tell, resend the same refund number.
        const resolved = await query(existing);
        if (resolved.status !== 'unknown') return resolved;
      }
      let answer: ProviderAnswer;
      try {
        answer = await send();
      } catch (error) {
        if (error instanceof ValidationError) throw error;
        answer = answerForError(error);
      }
      return record(input, answer);
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

    async handleNotification(key, notification) {
      const { adapter, config, client } = await provider(key);
      if (!adapter.notifications) throw new NotFoundError(`${key} documents no notifications`);
      const outcome = adapter.notifications.verify(client, config as never, notification.rawBody, notification.headers);
      const ack = adapter.notifications.ack;
      const known = await ledger.get({ provider: key, refundId: outcome.refundId });
      if (!known) return { ack };
      if (FINAL_STATUSES.has(known.status)) return { refund: known, ack };
      // An unsigned notification is a hint: only a query may make the refund final.
      const refund = outcome.verified ? await record(known, outcome.answer) : await query(known);
      return { refund, ack };
    },

    close: () => ledger.close(),
  };
}
