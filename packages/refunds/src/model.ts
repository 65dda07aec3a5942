import { PROVIDER_KEYS, type ProviderKey } from '@refundkit/registry';

/** The providers refundkit refunds through: the provider registry's keys, one per folder of `specs/`. */
export const PROVIDERS = PROVIDER_KEYS;
export type { ProviderKey };

/**
 * The unified status. `succeeded` only when the provider said so in a verified answer about this
 * refund; `failed` only when the provider refused the request and no money moved; `unknown` for
 * everything else (timeouts, 5xx, resets, bad signatures, malformed or foreign answers, unmapped
 * codes, a refund in flight elsewhere): resolve it with `get`/`waitFor` or a retry with the same
 * refund id, never with a new one.
 */
export type RefundStatus = 'pending' | 'succeeded' | 'failed' | 'unknown';

/**
 * Statuses a refund ends in. `succeeded` never changes again; `failed` changes only to
 * `succeeded`, on a verified answer saying so (the provider is the truth), or by a resubmission.
 */
export const FINAL_STATUSES: ReadonlySet<RefundStatus> = new Set(['succeeded', 'failed']);

/**
 * Where a failure's code comes from:
 * - `provider`: the provider's own code, as its answer gave it (tipay `40101`, lianke `REFUNDFAILED`);
 * - `transport`: the exchange itself (`timeout`, `connection_failed`, `http_status`, `aborted`);
 * - `local`: refundkit's judgement of an answer or a state (`signature_invalid`, `answer_mismatch`,
 *   `refused_resubmission`, `in_flight`, ...), with the provider's code beside it in `providerCode`
 *   when an answer gave one.
 * Every code refundkit itself writes is in `FAILURE_CODES` (and the README's table).
 */
export type FailureSource = 'provider' | 'transport' | 'local';

/**
 * What went wrong, in the provider's own words where it gave any.
 *
 * @example
 * { source: 'provider', code: '40101', message: 'sign error' }              // tipay refused the request
 * { source: 'transport', code: 'timeout', message: 'no response within 30000 ms' }
 * { source: 'local', code: 'refused_resubmission', providerCode: '40001', message: '...' }
 */
export interface RefundFailure {
  readonly source: FailureSource;
  /** The provider's code when `source` is `provider`; otherwise refundkit's (see `FAILURE_CODES`). */
  readonly code: string;
  readonly message: string;
  /** For a `local` failure about a provider's answer: the code that answer carried. */
  readonly providerCode?: string | undefined;
}

/**
 * A sender's claim on a refund while its request is in flight: nobody else sends this refund
 * until the holder records an answer or `expiresAt` passes (a crashed holder's refund is then
 * recovered by the next caller: a query first, then the same refund number again). Times come
 * from the ledger's clock, never a caller's.
 */
export interface Lease {
  /** Who holds it: a random id per reservation. */
  readonly holder: string;
  /** The attempt (1, 2, …) the lease covers: each send of the refund number is one attempt. */
  readonly attempt: number;
  readonly expiresAt: string;
}

/**
 * A refund as the ledger and the facade report it. Amounts are integer minor units.
 *
 * @example
 * const refund = await refunds.refund({ provider: 'tipay', orderId: 'order123456789', refundId: 'refundorder987654', amount: 8888, currency: 'CNY' });
 * refund.status;    // 'succeeded' | 'pending' | 'failed' | 'unknown'
 * refund.failure;   // e.g. { source: 'transport', code: 'timeout', message: 'no response within 30000 ms' }
 */
export interface Refund {
  /** The provider refunded through. @example provider: 'tipay' */
  readonly provider: ProviderKey;
  /**
   * The merchant account the refund belongs to, as the provider knows it (tipay `merchantNo`,
   * easypay `mchtCode`, eftpay `user_confirm_key`, lianke `store_no`, yima `isspid/pos_id`):
   * configurations sharing one ledger never see each other's refunds.
   *
   * @example
   * account: '10012426723' // tipay merchantNo; yima: '39493002/1511300001'
   */
  readonly account: string;
  /** The order refunded, as the merchant numbered it. @example orderId: 'order123456789' */
  readonly orderId: string;
  /** This refund's number: retry with the same one. @example refundId: 'refundorder987654' */
  readonly refundId: string;
  /** Integer minor units. @example amount: 8888 // 88.88 */
  readonly amount: number;
  /** @example currency: 'CNY' */
  readonly currency: string;
  /** See {@link RefundStatus}. @example if (refund.status === 'unknown') await refunds.waitFor(refund) */
  readonly status: RefundStatus;
  /** The provider's own number for the refund, once it gave one. @example providerRefundId: '1002202301300000005245434665' */
  readonly providerRefundId?: string;
  /**
   * Why the refund is `failed` or `unknown` (see {@link RefundFailure}).
   *
   * @example
   * if (refund.failure?.source === 'provider') console.log('the provider said', refund.failure.code);
   */
  readonly failure?: RefundFailure;
  /**
   * The provider's last answer as received (raw text, at most {@link RAW_EXCERPT_LIMIT}
   * characters), for audit. Never printed by the CLI's `--json`.
   *
   * @example
   * raw: '{"code":200,"success":true,"data":{"status":"SUCCESS",...}}'
   */
  readonly raw?: string;
  /**
   * What the provider's adapter needs to query this refund later and the request does not keep
   * (eftpay `paymentType`, easypay `payType` and `transDate`): strings only, set on reserve.
   *
   * @example
   * meta: { paymentType: 'ALIPAYHK', buyerType: 'others' } // eftpay
   */
  readonly meta?: Readonly<Record<string, string>>;
  /**
   * How many times a request for this refund number was (or was about to be) sent.
   *
   * @example
   * attempts: 2 // the first was refused, or its sender crashed; the second used the same number
   */
  readonly attempts: number;
  /**
   * True once a request for this refund may have reached the provider without being refused
   * (accepted, or no answer): a later refusal of the same number may mean "duplicate", so it
   * is `unknown`, never `failed`.
   *
   * @example
   * providerMayKnow: true // after a timeout: a refusal of a resubmission will not be called failed
   */
  readonly providerMayKnow: boolean;
  /**
   * Present while a sender holds the refund (see {@link Lease}).
   *
   * @example
   * lease: { holder: '6f1c…', attempt: 1, expiresAt: '2026-12-02T04:11:05.000Z' }
   */
  readonly lease?: Lease;
  /**
   * The reconciler's schedule for this refund, once a reconciler took it to query it: how many
   * checks since its last reservation, and when the next may be (backoff, see
   * `refunds.reconcile`). Kept in the ledger, so it survives restarts and every process shares it.
   *
   * @example
   * reconcile: { checks: 3, nextCheckAt: '2026-12-02T04:17:00.000Z' } // next wait about 8 minutes
   */
  readonly reconcile?: { readonly checks: number; readonly nextCheckAt: string };
  /**
   * The batch run the refund was first reserved under (`refunds.batch`, `refundkit batch`): kept
   * as it was whatever later runs resubmit or recover it, so `batches()` can sum a run.
   *
   * @example batch: 'flash-sale-2026-12-04'
   */
  readonly batch?: string;
  /** When the refund was first reserved, ISO 8601 (the ledger's clock). @example createdAt: '2026-12-02T04:10:00.000Z' */
  readonly createdAt: string;
  /** When the record last changed, ISO 8601 (the ledger's clock). @example updatedAt: '2026-12-02T04:10:01.120Z' */
  readonly updatedAt: string;
}

/** The longest `raw` answer a ledger keeps; longer ones are cut, with their length noted. */
export const RAW_EXCERPT_LIMIT = 16 * 1024;

/**
 * Identifies one refund: refund ids are unique per provider and merchant account. A `Refund` is
 * one, so `refunds.get(refund)` works.
 *
 * @example
 * await refunds.get({ provider: 'tipay', orderId: 'order123456789', refundId: 'refundorder987654' });
 */
export interface RefundKey {
  /** @example provider: 'tipay' */
  readonly provider: ProviderKey;
  /** @example orderId: 'order123456789' */
  readonly orderId: string;
  /** @example refundId: 'refundorder987654' */
  readonly refundId: string;
  /**
   * The account: its name under the provider's `accounts`, or the merchant a refund carries
   * ({@link Refund.account}), so `get(refund)` finds the refund's own account. Without it, the
   * provider's default account. A name or merchant this instance does not hold is an
   * `UnknownAccountError`: nothing is read or sent.
   *
   * @example account: 'shopA'
   */
  readonly account?: string | undefined;
}

/** Where one entry of a refund's history came from. */
export type AnswerSource = 'refund' | 'query' | 'notification';

/**
 * One entry of a refund's history: every reservation, attempt and answer is kept, so a support
 * engineer can see why a refund is where it is.
 * - `reserved` / `resubmitted` / `recovered`: a sender took the refund's lease (a new refund, a
 *   failed one sent again, an unknown one taken over) for attempt `attempt`;
 * - `answer`: what a refund request, a query or a notification said (`status` as mapped), and
 *   the refund's status after it (`statusAfter`): a late or contrary answer is kept even when
 *   it changes nothing. `verdict` says why an answer moved nothing: `late` (from an attempt
 *   that is no longer the current one: another sender took the lease, or a later attempt exists),
 *   `refused` (a notification that failed verification or the echo rule);
 * - `anomaly`: something the ledger refused to believe (an order total below what is already
 *   refunded; a success that takes the order past its total), in `note`;
 * - `claimed`: a reconciler took the refund (`holder`) to query it, starting no attempt; its
 *   answer follows as an `answer` from a `query` (one that cannot tell moves nothing).
 */
export interface RefundEvent {
  readonly at: string;
  readonly kind: 'reserved' | 'resubmitted' | 'recovered' | 'answer' | 'anomaly' | 'claimed';
  readonly attempt?: number;
  readonly holder?: string;
  readonly source?: AnswerSource;
  readonly status?: RefundStatus;
  readonly statusAfter?: RefundStatus;
  readonly failure?: RefundFailure;
  readonly providerRefundId?: string;
  /** The answer as received, at most {@link RAW_EXCERPT_LIMIT} characters. */
  readonly raw?: string;
  readonly note?: string;
  /** Why this answer could not move the refund (see above); absent for an answer heard in its turn. */
  readonly verdict?: 'late' | 'refused';
}
