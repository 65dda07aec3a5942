// A diagnostic only, not a refundkit component: MemoryLedger's rules (packages/refunds/src/ledger,
// `memory-ledger.ts` + `ledger-rules.ts`) with the refunds of each order kept in a per-order
// list, so `reserve` no longer scans every refund in the ledger. The facade benchmark runs it
// beside the real MemoryLedger to show how much of the facade's cost is that scan (see
// bench/README.md, "Findings"). Implements the public `RefundLedger` interface.
import { ConflictError, OverRefundError } from '@refundkit/refunds';

const FINAL = new Set(['succeeded', 'failed']);
const keyOf = (provider, id) => `${provider}\u0000${id}`;
const tighter = (a, b) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

export class IndexedMemoryLedger {
  #refunds = new Map();
  #byOrder = new Map(); // provider\0orderId -> Set of refund keys
  #orders = new Map();

  async reserve(request) {
    const { provider, orderId, refundId } = request.key;
    const key = keyOf(provider, refundId);
    const existing = this.#refunds.get(key);
    if (existing) {
      const diff = [];
      if (existing.orderId !== orderId) diff.push('order');
      if (existing.amount !== request.amount) diff.push('amount');
      if (existing.currency !== request.currency) diff.push('currency');
      if (diff.length > 0) throw new ConflictError(provider, refundId, diff);
      if (existing.status !== 'failed') return { outcome: 'existing', refund: existing };
    }
    const orderKey = keyOf(provider, orderId);
    const orderAmount = tighter(request.orderAmount, this.#orders.get(orderKey));
    if (request.orderAmount !== undefined) this.#orders.set(orderKey, orderAmount);
    if (orderAmount !== undefined) {
      let held = 0;
      for (const k of this.#byOrder.get(orderKey) ?? []) {
        const r = this.#refunds.get(k);
        if (r.refundId !== refundId && r.status !== 'failed') held += r.amount;
      }
      const remaining = Math.max(0, orderAmount - held);
      if (request.amount > remaining) throw new OverRefundError(provider, orderId, request.amount, remaining);
    }
    const now = new Date().toISOString();
    const meta = request.meta ?? existing?.meta;
    const refund = existing
      ? { ...existing, status: 'unknown', ...(meta ? { meta } : {}), updatedAt: now }
      : { provider, orderId, refundId, amount: request.amount, currency: request.currency, status: 'unknown', ...(meta ? { meta } : {}), createdAt: now, updatedAt: now };
    this.#refunds.set(key, refund);
    let keys = this.#byOrder.get(orderKey);
    if (!keys) this.#byOrder.set(orderKey, (keys = new Set()));
    keys.add(key);
    return { outcome: existing ? 'resubmit' : 'new', refund };
  }

  async update(key, update) {
    const k = keyOf(key.provider, key.refundId);
    const existing = this.#refunds.get(k);
    if (!existing) throw new Error(`ledger: no refund ${key.provider}/${key.refundId}`);
    if (FINAL.has(existing.status)) return existing;
    const { failure: _previous, ...rest } = existing;
    const refund = {
      ...rest,
      status: update.status,
      ...(update.providerRefundId !== undefined ? { providerRefundId: update.providerRefundId } : {}),
      ...(update.raw !== undefined ? { raw: update.raw } : {}),
      ...(update.failure !== undefined ? { failure: update.failure } : {}),
      updatedAt: new Date().toISOString(),
    };
    this.#refunds.set(k, refund);
    return refund;
  }

  async get(key) {
    return this.#refunds.get(keyOf(key.provider, key.refundId));
  }

  async recordOrderAmount(provider, orderId, amount) {
    const k = keyOf(provider, orderId);
    this.#orders.set(k, tighter(amount, this.#orders.get(k)));
  }

  async refundsOf(provider, orderId) {
    return [...(this.#byOrder.get(keyOf(provider, orderId)) ?? [])].map((k) => this.#refunds.get(k));
  }

  async close() {}
}
