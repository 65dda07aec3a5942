import type { Clock } from '@refundkit/runtime';
import { NotFoundError } from '../errors.js';
import type { Refund, RefundEvent } from '../model.js';
import type { LedgerHealth, OrderIdentity, RefundIdentity, RefundLedger, RefundTotal, RefundUpdate, Reservation, ReservationRequest } from './ledger.js';
import { sumTotals } from './totals.js';
import { planReservation, planUpdate, type OrderState } from './ledger-rules.js';

const refundKey = (key: RefundIdentity): string => `${key.provider}\u0000${key.account}\u0000${key.refundId}`;
const orderKey = (key: OrderIdentity): string => `${key.provider}\u0000${key.account}\u0000${key.orderId}`;

/**
 * A ledger in process memory. Every method runs to completion without awaiting, so each is
 * atomic within the process. Lost when the process exits: use the SQLite ledger to survive
 * restarts or to share one ledger between processes, PostgreSQL to share it between machines.
 */
export class MemoryLedger implements RefundLedger {
  readonly #refunds = new Map<string, Refund>();
  readonly #history = new Map<string, RefundEvent[]>();
  readonly #orders = new Map<string, number>();
  /** Refund keys per order, in reservation order: the over-refund check reads one order, not the ledger. */
  readonly #byOrder = new Map<string, string[]>();
  readonly #now: Clock;
  #closed = false;

  constructor(options: { now?: Clock } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async reserve(request: ReservationRequest): Promise<Reservation> {
    const key = refundKey(request.key);
    const existing = this.#refunds.get(key);
    const order = orderKey(request.key);
    const plan = planReservation(existing, request, this.#orderState(order, key), new Date(this.#now()));
    if (plan.kind === 'keep') return plan.reservation;
    if (plan.orderTotal !== undefined) this.#orders.set(order, plan.orderTotal);
    if (plan.kind === 'refuse') throw plan.error;
    if (plan.insert) {
      const keys = this.#byOrder.get(order);
      if (keys) keys.push(key);
      else this.#byOrder.set(order, [key]);
    }
    this.#refunds.set(key, plan.refund);
    this.#append(key, [plan.event]);
    return plan.reservation;
  }

  async update(identity: RefundIdentity, update: RefundUpdate): Promise<Refund> {
    const key = refundKey(identity);
    const existing = this.#refunds.get(key);
    if (!existing) throw new NotFoundError(`ledger: no refund ${identity.provider}/${identity.refundId}`);
    const order = orderKey(existing);
    const plan = planUpdate(existing, update, this.#orderState(order, key), new Date(this.#now()));
    if (plan.orderTotal !== undefined) this.#orders.set(order, plan.orderTotal);
    this.#refunds.set(key, plan.refund);
    this.#append(key, plan.events);
    return plan.refund;
  }

  async get(key: RefundIdentity): Promise<Refund | undefined> {
    return this.#refunds.get(refundKey(key));
  }

  async history(key: RefundIdentity): Promise<RefundEvent[]> {
    return [...(this.#history.get(refundKey(key)) ?? [])];
  }

  async refundsOf(order: OrderIdentity): Promise<Refund[]> {
    return (this.#byOrder.get(orderKey(order)) ?? []).map((key) => this.#refunds.get(key)!);
  }

  async orderAmount(order: OrderIdentity): Promise<number | undefined> {
    return this.#orders.get(orderKey(order));
  }

  async totals(): Promise<RefundTotal[]> {
    return sumTotals(this.#refunds.values());
  }

  async health(): Promise<LedgerHealth> {
    return this.#closed ? { ok: false, detail: 'in memory, closed' } : { ok: true, detail: 'in memory' };
  }

  /** Marks the ledger closed for `health`; what it holds stays readable (it is only memory). */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #orderState(order: string, except: string): OrderState {
    let heldByOthers = 0;
    for (const key of this.#byOrder.get(order) ?? []) {
      const refund = this.#refunds.get(key)!;
      if (key !== except && refund.status !== 'failed') heldByOthers += refund.amount;
    }
    return { total: this.#orders.get(order), heldByOthers };
  }

  #append(key: string, events: readonly RefundEvent[]): void {
    const list = this.#history.get(key);
    if (list) list.push(...events);
    else this.#history.set(key, [...events]);
  }
}
