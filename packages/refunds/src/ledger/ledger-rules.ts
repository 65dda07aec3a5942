import { ConflictError, OverRefundError } from '../errors.js';
import { FINAL_STATUSES, type Refund } from '../model.js';
import type { ReservationRequest, RefundUpdate } from './ledger.js';

/** The fields on which a second request with the same refund id must agree with the first. */
export function differences(existing: Refund, request: ReservationRequest): string[] {
  const diff: string[] = [];
  if (existing.orderId !== request.key.orderId) diff.push('order');
  if (existing.amount !== request.amount) diff.push('amount');
  if (existing.currency !== request.currency) diff.push('currency');
  return diff;
}

/** Throws `ConflictError` when `request` reuses `existing`'s refund id for another refund. */
export function assertSameRefund(existing: Refund, request: ReservationRequest): void {
  const diff = differences(existing, request);
  if (diff.length > 0) throw new ConflictError(request.key.provider, request.key.refundId, diff);
}

/**
 * Throws `OverRefundError` when `amount` does not fit in what is left of the order: the order's
 * total minus every refund on it that holds money (any status but `failed`), this one excluded.
 */
export function assertFits(request: ReservationRequest, orderAmount: number | undefined, others: readonly Refund[]): void {
  if (orderAmount === undefined) return;
  const held = others.filter((r) => r.refundId !== request.key.refundId && r.status !== 'failed').reduce((sum, r) => sum + r.amount, 0);
  const remaining = Math.max(0, orderAmount - held);
  if (request.amount > remaining) throw new OverRefundError(request.key.provider, request.key.orderId, request.amount, remaining);
}

/**
 * The refund after an update. A final status stays: a late answer never changes `succeeded` or
 * `failed` (a failed refund is reopened only by `reserve`, on resubmission). The failure is the
 * update's own: a refund that moves on forgets the cause of an earlier unknown.
 */
export function applyUpdate(existing: Refund, update: RefundUpdate, now: Date): Refund {
  if (FINAL_STATUSES.has(existing.status)) return existing;
  const { failure: _previous, ...rest } = existing;
  return {
    ...rest,
    status: update.status,
    ...(update.providerRefundId !== undefined ? { providerRefundId: update.providerRefundId } : {}),
    ...(update.raw !== undefined ? { raw: update.raw } : {}),
    ...(update.failure !== undefined ? { failure: update.failure } : {}),
    updatedAt: now.toISOString(),
  };
}

/** The smaller of two known order totals (a caller's figure never raises a provider's). */
export function tighter(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/**
 * The refund `reserve` records once the request fits: a new refund in flight (`unknown`), or a
 * failed one reopened for resubmission under the same number (`unknown` again, its creation
 * kept). The request's `meta`, when given, replaces the refund's.
 */
export function reservedRefund(existing: Refund | undefined, request: ReservationRequest, now: Date): Refund {
  const at = now.toISOString();
  const meta = request.meta ?? existing?.meta;
  const { provider, orderId, refundId } = request.key;
  return existing
    ? { ...existing, status: 'unknown', ...(meta ? { meta } : {}), updatedAt: at }
    : { provider, orderId, refundId, amount: request.amount, currency: request.currency, status: 'unknown', ...(meta ? { meta } : {}), createdAt: at, updatedAt: at };
}
