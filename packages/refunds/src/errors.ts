import { RefundkitError } from '@refundkit/runtime';
import type { ConfigIssue } from './config/config-rules.js';
import type { ProviderKey, RefundFailure, RefundStatus } from './model.js';

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

/** What a provider answered to a request the ledger then could not record, as far as it was read. */
export interface UnrecordedAnswer {
  readonly status: RefundStatus;
  readonly failure?: RefundFailure | undefined;
  readonly providerRefundId?: string | undefined;
  /** The answer's first characters (at most `RAW_EXCERPT_LIMIT`). */
  readonly rawExcerpt?: string | undefined;
}

/**
 * A refund request WAS sent, and the ledger could not record its answer (the connection was
 * lost, the server restarted, a statement ran past its timeout, a row stayed locked) although the
 * call retried the write within its deadline. The provider may have refunded. The ledger holds
 * the refund as `unknown` (reserved before the send, its lease still running): the same call
 * with the same refund id, once the ledger is back, queries the provider and records what it
 * holds. Never retry under a new refund id.
 *
 * @example
 * try { await refunds.refund(input) } catch (error) {
 *   if (error instanceof OutcomeNotRecordedError) console.error(error.sent, error.answer.status); // true 'succeeded'
 * }
 */
export class OutcomeNotRecordedError extends RefundkitError {
  /** Always true: a request reached the network. */
  readonly sent = true;

  constructor(
    readonly provider: ProviderKey,
    readonly orderId: string,
    readonly refundId: string,
    readonly answer: UnrecordedAnswer,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'outcome_unrecorded',
      `the ${provider} refund ${refundId} (order ${orderId}) was SENT and the provider answered "${answer.status}", but the ledger could not record it (${why}). The provider may have refunded; the ledger holds this refund as unknown. Run the same refund again with the same refund id once the ledger is reachable: it asks the provider and records what it holds. Never use a new refund id for it`,
      { cause },
    );
  }
}

/**
 * A notification's body was not passed as received: `rawBody` must be the bytes or the text
 * exactly as they arrived (the signature covers them), not a parsed object. Nothing was changed.
 *
 * @example
 * // Express: app.post('/notify/tipay', express.raw({ type: '*\/*' }), ...) then rawBody: req.body (a Buffer)
 */
export class NotificationBodyError extends RefundkitError {
  constructor(detail: string) {
    super('notification_body_invalid', `the notification's rawBody ${detail}: pass the raw bytes or text exactly as received (read the body before any JSON or form parser); nothing was changed`);
  }
}

/** A refund key names an account this instance does not hold: nothing was read or sent. */
export class UnknownAccountError extends RefundkitError {
  constructor(
    readonly provider: ProviderKey,
    readonly account: string,
    readonly known: readonly string[],
  ) {
    super('account_unknown', `${provider} account ${JSON.stringify(account)} is not configured here (known: ${known.join(', ')}); nothing was read or sent`);
  }
}
