import type { ProviderKey, Refund, RefundKey } from '../model.js';
import type { RefundLedger, RefundUpdate, Reservation, ReservationRequest } from './ledger.js';
import { applyUpdate, assertFits, assertSameRefund, reservedRefund, tighter } from './ledger-rules.js';

const keyOf = (provider: ProviderKey, id: string): string => `${provider}\u0000${id}`;

/**
 * A ledger in process memory. Every method runs to completion without awaiting, so `reserve`
 * is atomic within the process. Lost when the process exits: use the SQLite ledger to survive
 * restarts or to share one ledger between processes.
 */
export class MemoryLedger implements RefundLedger {
  readonly #refunds = new Map<string, Refund>();
  readonly #orders = new Map<string, number>();
  /** Refund keys per order, in reservation order: the over-refund check reads one order, not the ledger. */
  readonly #byOrder = new Map<string, string[]>();
  readonly #now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  async reserve(request: ReservationRequest): Promise<Reservation> {
    const { provider, orderId, refundId } = request.key;
    const existing = this.#refunds.get(keyOf(provider, refundId));
    if (existing) {
      assertSameRefund(existing, request);
      if (existing.status !== 'failed') return { outcome: 'existing', refund: existing };
    }
    const orderKey = keyOf(provider, orderId);
    const orderAmount = tighter(request.orderAmount, this.#orders.get(orderKey));
    if (request.orderAmount !== undefined) this.#orders.set(orderKey, orderAmount!);
    if (orderAmount !== undefined) assertFits(request, orderAmount, this.#refundsOf(provider, orderId));
    const refund = reservedRefund(existing, request, this.#now());
    const key = keyOf(provider, refundId);
    if (!existing) {
      const keys = this.#byOrder.get(orderKey);
      if (keys) keys.push(key);
      else this.#byOrder.set(orderKey, [key]);
    }
    this.#refunds.set(key, refund);
    return { outcome: existing ? 'resubmit' : 'new', refund };
  }

  async update(key: RefundKey, update: RefundUpdate): Promise<Refund> {
    const existing = this.#refunds.get(keyOf(key.provider, key.refundId));
    if (!existing) throw new Error(`ledger: no refund ${key.provider}/${key.refundId}`);
    const refund = applyUpdate(existing, update, this.#now());
    this.#refunds.set(keyOf(key.provider, key.refundId), refund);
    return refund;
  }

  async get(key: Pick<RefundKey, 'provider' | 'refundId'>): Promise<Refund | undefined> {
    return this.#refunds.get(keyOf(key.provider, key.refundId));
  }

  async recordOrderAmount(provider: ProviderKey, orderId: string, amount: number): Promise<void> {
    this.#orders.set(keyOf(provider, orderId), tighter(amount, this.#orders.get(keyOf(provider, orderId)))!);
  }

  async refundsOf(provider: ProviderKey, orderId: string): Promise<Refund[]> {
    return this.#refundsOf(provider, orderId);
  }

  async close(): Promise<void> {}

  #refundsOf(provider: ProviderKey, orderId: string): Refund[] {
    return (this.#byOrder.get(keyOf(provider, orderId)) ?? []).map((key) => this.#refunds.get(key)!);
  }
}
