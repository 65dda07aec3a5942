import { RefundkitError } from '@refundkit/runtime';
import type { ProviderKey } from './model.js';

/**
 * Reserving this refund would take more than is left of the order: nothing was sent.
 *
 * @example
 * // order 5000, 3000 already refunded or in flight
 * await refunds.refund({ ..., amount: 2500, orderAmount: 5000 }) // OverRefundError: 2000 left
 */
export class OverRefundError extends RefundkitError {
  constructor(
    readonly provider: ProviderKey,
    readonly orderId: string,
    readonly requested: number,
    readonly remaining: number,
  ) {
    super('over_refund', `${provider} order ${orderId}: refunding ${requested} would exceed the order (${remaining} left); nothing was sent`);
  }
}

/** The refund id is already used for a different refund (another amount, order or currency). */
export class ConflictError extends RefundkitError {
  constructor(
    readonly provider: ProviderKey,
    readonly refundId: string,
    readonly differences: readonly string[],
  ) {
    super('refund_id_conflict', `${provider} refund ${refundId} already exists with a different ${differences.join(', ')}; use a new refund id for a new refund`);
  }
}

/** The facade was asked about a provider it has no configuration for, or a refund it never saw. */
export class NotFoundError extends RefundkitError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** A provider's configuration cannot be used (an unreadable key, a missing setting). Nothing was sent. */
export class ConfigError extends RefundkitError {
  constructor(
    readonly provider: ProviderKey,
    detail: string,
    cause?: unknown,
  ) {
    super('config_invalid', `${provider} configuration: ${detail}`, { cause });
  }
}
