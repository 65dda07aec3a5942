import { RefundkitError } from '@refundkit/runtime';
import type { ConfigIssue } from './config/config-rules.js';
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

/**
 * The configuration cannot be used: nothing was loaded or sent. `createRefunds` checks every
 * provider block at once and throws one `ConfigError` whose `issues` list every problem with its
 * path; the message lists them too, one per line. Secrets and keys are never quoted.
 *
 * @example
 * try {
 *   createRefunds({ providers: { tipay: { baseUrl: 'api.tipay.com', appId: 'tichain000000', appKey: new Secret(process.env.TIPAY_APP_KEY!) } } as never });
 * } catch (error) {
 *   if (error instanceof ConfigError) console.error(error.issues);
 *   // [{ path: 'providers.tipay.baseUrl', message: 'must be an absolute http(s) URL' },
 *   //  { path: 'providers.tipay.appKey', message: 'resolves to nothing (is the environment variable set?)' },
 *   //  { path: 'providers.tipay.merchantNo', message: 'required' }]
 * }
 */
export class ConfigError extends RefundkitError {
  /** Every problem, with its path (`providers.tipay.merchantNo`). */
  readonly issues: readonly ConfigIssue[];

  /**
   * @param provider the provider the problems are about; `undefined` when they span several
   * @param detail one problem in words (its path is then `providers.<provider>`), or the list of issues
   */
  constructor(
    readonly provider: ProviderKey | undefined,
    detail: string | readonly ConfigIssue[],
    cause?: unknown,
  ) {
    const issues = typeof detail === 'string' ? [{ path: provider === undefined ? 'providers' : `providers.${provider}`, message: detail }] : detail;
    const message =
      typeof detail === 'string'
        ? `${provider ?? 'refundkit'} configuration: ${detail}`
        : `refundkit configuration is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}`;
    super('config_invalid', message, { cause });
    this.issues = issues;
  }
}
