/**
 * The ledger: every provider's paid orders and the refunds made against them, in memory.
 *
 * The rules are the ones every document states (PROVIDERS.md, "Across providers" and each
 * provider's section):
 * - only a paid order can be refunded (Ti-Pay: 订单状态为"SUCCESS"时才能发起退款);
 * - one order may be refunded several times, each refund with its own number, and the
 *   cumulative refunds may not exceed the order (Lianke, Ti-Pay: 总退款金额不能超过用户实际支付金额);
 * - the same refund number sent again is the same refund: it returns the original refund, and
 *   is refused if it names another order or amount;
 * - a refund whose final state is failed may be resubmitted with the same number (Lianke,
 *   Ti-Pay: 一笔退款失败后重新提交,请不要更换退款单号): that is a new attempt, checked again.
 *
 * Amounts are integer minor units (fen, cents) throughout; the providers convert at the edge.
 * A refund's state is computed from the clock when asked ({@link refundPhase}), so a sandbox
 * with `delayMs: 0` shows the final state to the very next query without any timer.
 */
import type { Provider } from './provider.js';

/** Whether an order can be refunded: only `paid` ones can. */
export type OrderStatus = 'paid' | 'unpaid';

/** An order as a test adds it (see `Sandbox.addOrder`). */
export interface OrderInput {
  /**
   * The original payment's id as the refund request names it: easypay `oriOrgTrace`, eftpay
   * `out_trade_no`, lianke `order_no`, tipay `orderId`, yima `org_pos_seq` (13 to 32 characters).
   */
  readonly orderId: string;
  /** What the payer paid, in minor units (fen / cents), a positive safe integer. */
  readonly amount: number;
  /** Default `paid`. */
  readonly status?: OrderStatus | undefined;
  /** easypay: the payment's date `yyyyMMdd`, which the refund must send as `oriTransDate`. Default `20250101`. */
  readonly date?: string | undefined;
  /**
   * The wallet: eftpay `payment_type` (the refund must send the same; default `ALIPAYHK`),
   * lianke `paytype` (default `WECHATPAY_NATIVE`), yima `pay_type` (default `503`, WeChat).
   */
  readonly paymentType?: string | undefined;
  /** eftpay: `HKD` or `CNY` (default `HKD`); others ignore it. */
  readonly currency?: string | undefined;
}

export interface Order {
  readonly provider: Provider;
  readonly orderId: string;
  readonly amount: number;
  readonly status: OrderStatus;
  readonly date: string;
  readonly paymentType: string;
  readonly currency: string;
}

/** Where a refund is: accepted and in progress, or final. */
export type RefundPhase = 'pending' | 'succeeded' | 'failed';

export interface RefundRecord {
  readonly provider: Provider;
  /** The merchant's refund number: easypay `orgTrace`, eftpay/lianke `refund_no`, tipay `refundRequestId`, yima `pos_seq`. */
  readonly refundNo: string;
  readonly orderId: string;
  /** Minor units. */
  readonly amount: number;
  /** The provider's own number for the refund (outTrace, uniqueRefundNo, refund_trade_no, …). */
  readonly providerRefundId: string;
  /** Epoch ms the refund was accepted. */
  readonly createdAt: number;
  /** Epoch ms from which the refund is final. */
  readonly settlesAt: number;
  /** What the refund becomes when final (a `fail-refund` fault makes it `failed`). */
  readonly outcome: 'succeeded' | 'failed';
  /** This refund brings the order's refunded total to the whole order (eftpay TRADE_CLOSED). */
  readonly closesOrder: boolean;
  /** 1 for the first attempt; a resubmission after a failure is attempt 2, and so on. */
  readonly attempt: number;
  /** Request fields a provider echoes later (dates, wallet, notify URL, operator, …). */
  readonly details: Readonly<Record<string, string>>;
}

/** A refund record as the inspection API returns it: with its phase at the time of the call. */
export interface RefundView extends RefundRecord {
  readonly phase: RefundPhase;
}

export interface RefundAttempt {
  readonly refundNo: string;
  readonly orderId: string;
  readonly amount: number;
  readonly now: number;
  /** How long after `now` the refund becomes final (0: at once). */
  readonly settleAfterMs: number;
  readonly outcome: 'succeeded' | 'failed';
  readonly providerRefundId: () => string;
  readonly details?: Readonly<Record<string, string>>;
}

export type RefundRefusal = 'order-not-found' | 'order-not-paid' | 'exceeds-refundable' | 'refund-no-conflict';

export type RefundDecision =
  | { readonly kind: 'created'; readonly refund: RefundRecord; readonly order: Order }
  | { readonly kind: 'replayed'; readonly refund: RefundRecord; readonly order: Order }
  | { readonly kind: 'refused'; readonly reason: RefundRefusal; readonly detail: string };

export function refundPhase(refund: RefundRecord, now: number): RefundPhase {
  if (now < refund.settlesAt) return 'pending';
  return refund.outcome;
}

export class OrderConflictError extends Error {
  override readonly name = 'OrderConflictError';
}

export class Ledger {
  readonly #orders = new Map<string, Order>();
  readonly #refunds = new Map<string, RefundRecord>();
  readonly #requests = new Map<string, number>();
  /** Refund numbers whose first request is being committed slowly (the `slow-commit` fault). */
  readonly #committing = new Map<string, { readonly provider: Provider; readonly refundNo: string }>();

  addOrder(provider: Provider, input: OrderInput): Order {
    if (typeof input.orderId !== 'string' || input.orderId === '') {
      throw new TypeError('addOrder: orderId must be a non-empty string');
    }
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
      throw new TypeError(`addOrder: amount must be a positive integer of minor units, not ${String(input.amount)}`);
    }
    const key = keyOf(provider, input.orderId);
    if (this.#orders.has(key)) throw new OrderConflictError(`${provider} order ${input.orderId} already exists`);
    const order: Order = {
      provider,
      orderId: input.orderId,
      amount: input.amount,
      status: input.status ?? 'paid',
      date: input.date ?? DEFAULT_ORDER_DATE,
      paymentType: input.paymentType ?? DEFAULT_PAYMENT_TYPE[provider],
      currency: input.currency ?? 'HKD',
    };
    this.#orders.set(key, order);
    return order;
  }

  order(provider: Provider, orderId: string): Order | undefined {
    return this.#orders.get(keyOf(provider, orderId));
  }

  orders(provider: Provider): Order[] {
    return [...this.#orders.values()].filter((o) => o.provider === provider);
  }

  refund(provider: Provider, refundNo: string): RefundRecord | undefined {
    return this.#refunds.get(keyOf(provider, refundNo));
  }

  refunds(provider: Provider, orderId?: string): RefundRecord[] {
    return [...this.#refunds.values()].filter(
      (r) => r.provider === provider && (orderId === undefined || r.orderId === orderId),
    );
  }

  /**
   * What is refunded (or reserved by a refund still in progress) on an order, in minor units:
   * refunds that are pending or succeeded at `now`; failed ones give their amount back.
   */
  refundedTotal(provider: Provider, orderId: string, now: number): number {
    let total = 0;
    for (const refund of this.refunds(provider, orderId)) {
      if (refundPhase(refund, now) !== 'failed') total += refund.amount;
    }
    return total;
  }

  /** Counts one refund request that named `refundNo` (authenticated and well-formed). */
  countRequest(provider: Provider, refundNo: string): void {
    const key = keyOf(provider, refundNo);
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
  }

  requestsReceived(provider: Provider, refundNo: string): number {
    return this.#requests.get(keyOf(provider, refundNo)) ?? 0;
  }

  /**
   * Marks a refund number as being committed (a `slow-commit` request arrived): until
   * {@link endCommit}, the refund is not recorded (a query does not find it) and any other
   * request with the number is refused as a duplicate, as a provider that locks the number while
   * it works would. Returns false when the number is already being committed.
   */
  beginCommit(provider: Provider, refundNo: string): boolean {
    const key = keyOf(provider, refundNo);
    if (this.#committing.has(key)) return false;
    this.#committing.set(key, { provider, refundNo });
    return true;
  }

  endCommit(provider: Provider, refundNo: string): void {
    this.#committing.delete(keyOf(provider, refundNo));
  }

  /** The refund numbers being committed now. */
  committing(): { readonly provider: Provider; readonly refundNo: string }[] {
    return [...this.#committing.values()];
  }

  /**
   * Decides a pending refund now (the console's "flip" switch): it becomes `outcome` at `now`, as
   * if the provider had finished it, so the next query answers that. Only a refund still pending
   * can be decided; a final one is a `TypeError` (the provider never changes a final refund).
   */
  settle(provider: Provider, refundNo: string, outcome: 'succeeded' | 'failed', now: number): RefundRecord {
    const key = keyOf(provider, refundNo);
    const refund = this.#refunds.get(key);
    if (refund === undefined) throw new TypeError(`no ${provider} refund ${refundNo}`);
    if (refundPhase(refund, now) !== 'pending') throw new TypeError(`${provider} refund ${refundNo} is already ${refundPhase(refund, now)}: only a pending refund can be decided`);
    const settled: RefundRecord = { ...refund, settlesAt: now, outcome };
    this.#refunds.set(key, settled);
    return settled;
  }

  /** Applies the rules above and records the refund when it is accepted. */
  applyRefund(provider: Provider, attempt: RefundAttempt): RefundDecision {
    const key = keyOf(provider, attempt.refundNo);
    if (this.#committing.has(key)) {
      return {
        kind: 'refused',
        reason: 'refund-no-conflict',
        detail: `refund ${attempt.refundNo} is already being processed (a request with this number has not finished)`,
      };
    }
    const existing = this.#refunds.get(key);
    if (existing !== undefined && refundPhase(existing, attempt.now) !== 'failed') {
      if (existing.orderId !== attempt.orderId || existing.amount !== attempt.amount) {
        return {
          kind: 'refused',
          reason: 'refund-no-conflict',
          detail: `refund ${attempt.refundNo} already exists for order ${existing.orderId} and amount ${existing.amount}`,
        };
      }
      return { kind: 'replayed', refund: existing, order: this.order(provider, existing.orderId)! };
    }
    const order = this.order(provider, attempt.orderId);
    if (order === undefined) {
      return { kind: 'refused', reason: 'order-not-found', detail: `no order ${attempt.orderId}` };
    }
    if (order.status !== 'paid') {
      return { kind: 'refused', reason: 'order-not-paid', detail: `order ${attempt.orderId} is ${order.status}` };
    }
    const refunded = this.refundedTotal(provider, order.orderId, attempt.now);
    const refundable = order.amount - refunded;
    if (attempt.amount > refundable) {
      return {
        kind: 'refused',
        reason: 'exceeds-refundable',
        detail: `refund of ${attempt.amount} exceeds the refundable ${refundable} of order ${order.orderId} (${order.amount}, ${refunded} refunded)`,
      };
    }
    const refund: RefundRecord = {
      provider,
      refundNo: attempt.refundNo,
      orderId: order.orderId,
      amount: attempt.amount,
      providerRefundId: attempt.providerRefundId(),
      createdAt: attempt.now,
      settlesAt: attempt.now + attempt.settleAfterMs,
      outcome: attempt.outcome,
      closesOrder: refunded + attempt.amount === order.amount,
      attempt: (existing?.attempt ?? 0) + 1,
      details: { ...attempt.details },
    };
    this.#refunds.set(key, refund);
    return { kind: 'created', refund, order };
  }
}

/** The seeded orders' payment date, and the default for added easypay orders. */
export const DEFAULT_ORDER_DATE = '20250101';

const DEFAULT_PAYMENT_TYPE: Readonly<Record<Provider, string>> = {
  easypay: 'AliPay',
  eftpay: 'ALIPAYHK',
  lianke: 'WECHATPAY_NATIVE',
  tipay: 'YEEPAY',
  yima: '503',
};

function keyOf(provider: Provider, id: string): string {
  return `${provider}\u0000${id}`;
}
