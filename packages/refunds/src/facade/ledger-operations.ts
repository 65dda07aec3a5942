// The facade's calls that read or work the ledger as a whole rather than one refund: the change
// feed, unmatched notifications, the reconciler. Declared and built here so that refunds.ts only
// wires them in.
import type { RefundsLogger } from '../call-context.js';
import type { AccountFilter, RefundChange } from '../changes/change.js';
import { checkCount, readChanges, type ChangesOptions } from '../changes/read-changes.js';
import type { RefundLedger } from '../ledger/ledger.js';
import { toListQuery, type RefundListFilter, type RefundPage } from '../ledger/list-query.js';
import type { BatchSummary } from '../ledger/batches.js';
import type { ProviderKey, Refund } from '../model.js';
import type { UnmatchedNotification } from '../notifications/unmatched-types.js';
import type { ProviderAnswer } from '../providers/adapter.js';
import { QuerySpacing } from '../reconciler/rate-limit.js';
import { reconcile, type ReconcileOptions, type ReconcileSummary } from '../reconciler/reconcile.js';

/** Part of `Refunds`: the change feed, unmatched notifications and the reconciler. */
export interface RefundsLedgerOperations<P extends ProviderKey = ProviderKey> {
  /**
   * The change feed: every status transition of this instance's refunds (its providers'
   * accounts) after `after`, in `seq` order — the order they committed. Keep the `seq` of the
   * last change you applied and ask for what comes after it: nothing is missed, nothing comes
   * twice. `waitMs` makes it a long poll. To follow the feed, see `followChanges`.
   *
   * @example
   * const changes = await refunds.changes({ after: cursor, limit: 100 });
   * for (const c of changes) console.log(c.seq, c.refundId, `${c.from ?? 'new'} -> ${c.to}`);
   */
  changes(options?: ChangesOptions): Promise<RefundChange[]>;
  /**
   * This instance's refunds (its providers' accounts), newest first, filtered by provider,
   * account, status, order and the time they were reserved; a page at a time (`next` is the
   * cursor of the following page). A bad filter is a `ValidationError` naming the field.
   *
   * @example
   * const { refunds: stuck } = await refunds.list({ status: ['pending', 'unknown'], createdBefore: new Date(Date.now() - 3_600_000) });
   */
  list(filter?: RefundListFilter): Promise<RefundPage>;
  /**
   * Notifications that named a refund this ledger never saw (of this instance's accounts), the
   * latest first: kept before they were acknowledged, with a bounded excerpt of the body.
   *
   * @example
   * for (const n of await refunds.unmatchedNotifications({ limit: 20 })) console.log(n.provider, n.refundId, n.deliveries);
   */
  unmatchedNotifications(options?: { readonly limit?: number | undefined }): Promise<UnmatchedNotification[]>;
  /**
   * Queries every `pending` or `unknown` refund created at least `olderThanMs` ago whose next
   * check is due (a backoff per refund, kept in the ledger: 1 minute doubling to 1 hour, with
   * jitter), at most `perSecond` queries per provider and account, and records what the
   * providers say. Never sends a refund request; an answer that cannot tell leaves the refund as
   * it was. Each refund is claimed in the ledger first (a lease that starts no attempt), so
   * several reconcilers — processes, machines — never query one refund at once, and a refund
   * whose sender is sending is skipped. For a background loop see `startReconciler`; for cron,
   * `refundkit reconcile`.
   *
   * @example
   * const summary = await refunds.reconcile({ olderThanMs: 5 * 60_000, limit: 500 });
   * // { checked: 12, resolved: { succeeded: 9, failed: 1 }, stillPending: 1, stillUnknown: 1, skipped: 0 }
   */
  reconcile(options?: ReconcileOptions<P>): Promise<ReconcileSummary>;
  /**
   * The batch runs of this instance's accounts (refunds reserved under a `batch` label, see
   * `refunds.batch`), the run started most recently first: per status how many and how much,
   * the run's size, when it started and when it last moved. `id` reads one run.
   *
   * @example
   * const [latest] = await refunds.batches({ limit: 1 });
   * console.log(latest.id, latest.statuses.succeeded.count, '/', latest.total);
   */
  batches(options?: { readonly limit?: number | undefined; readonly id?: string | undefined }): Promise<BatchSummary[]>;
}

/** What the facade lends these calls. */
export interface LedgerOperationsContext {
  readonly ledger: RefundLedger;
  /** The (provider, account) pairs this instance holds, from its configuration. */
  accounts(): readonly AccountFilter[];
  ask(refund: Refund, signal: AbortSignal | undefined): Promise<ProviderAnswer>;
  readonly claimMs: number;
  readonly logger?: RefundsLogger | undefined;
}

export function ledgerOperations<P extends ProviderKey>(context: LedgerOperationsContext): RefundsLedgerOperations<P> {
  const spacing = new QuerySpacing();
  return {
    changes: (options) => readChanges(context.ledger, context.accounts(), options),
    list: async (filter) => context.ledger.list(toListQuery(filter, context.accounts())),
    async unmatchedNotifications(options = {}) {
      checkCount('limit', options.limit, 10_000);
      return context.ledger.unmatched({ limit: options.limit ?? 50, accounts: context.accounts() });
    },
    reconcile: (options) => reconcile({ ...context, accounts: context.accounts(), spacing }, options),
    async batches(options = {}) {
      checkCount('limit', options.limit, 1_000);
      return context.ledger.batches({ limit: options.limit, id: options.id, accounts: context.accounts() });
    },
  };
}
