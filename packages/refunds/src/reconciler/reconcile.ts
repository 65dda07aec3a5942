// The reconciler: finds refunds left `pending` or `unknown`, and asks their providers. It only
// queries — it never sends a refund request — and it takes each refund under a claim in the
// ledger first, so two reconcilers (in one process or on two machines) never query one refund
// at the same moment, and a refund whose sender is sending is never touched.
import type { RefundsLogger } from '../call-context.js';
import type { AccountFilter } from '../changes/change.js';
import { checkCount, optionError } from '../changes/read-changes.js';
import { toFailure } from '../failure.js';
import { checkMs } from '../facade/input-checks.js';
import { recordAnswer, RECORD_RETRY_MS } from '../facade/record-answer.js';
import type { RefundIdentity, RefundLedger, RefundUpdate } from '../ledger/ledger.js';
import type { Lease, ProviderKey, Refund } from '../model.js';
import type { ProviderAnswer } from '../providers/adapter.js';
import type { CheckBackoff } from './claim.js';
import type { QuerySpacing } from './rate-limit.js';

/** What `refunds.reconcile()` takes. Every field is optional. */
export interface ReconcileOptions<P extends ProviderKey = ProviderKey> {
  /** Only refunds created at least this long ago (default 5 minutes): the caller's own `waitFor` has its turn first. */
  readonly olderThanMs?: number | undefined;
  /** At most this many refunds in this run (default 100, at most 10 000). */
  readonly limit?: number | undefined;
  /** Only these providers (default: every configured one). */
  readonly providers?: readonly P[] | undefined;
  /** Stops the run: no refund is claimed after it fires, a query under way is cut off (and moves nothing); the summary says what was done. */
  readonly signal?: AbortSignal | undefined;
  /**
   * A gentler stop: no refund is claimed after it fires, but a query under way finishes and is
   * recorded (a server draining on SIGTERM; `signal` remains the hard stop).
   */
  readonly stopClaiming?: AbortSignal | undefined;
  /** Queries per second per provider and account, in this process (default 5). */
  readonly perSecond?: number | undefined;
  /** Refunds checked at once (default 4). */
  readonly concurrency?: number | undefined;
  /**
   * The wait between two checks of one refund, kept in the ledger per refund: `firstMs` (default
   * 60 000) doubling up to `maxMs` (default 3 600 000), each ± `jitter` (default 0.2).
   */
  readonly backoff?: Partial<CheckBackoff> | undefined;
}

/**
 * What a run did. `checked` = `resolved.succeeded` + `resolved.failed` + `stillPending` +
 * `stillUnknown`: the refunds it queried. `skipped`: refunds found due that it did not query —
 * another reconciler or a sender held them, they settled or were checked meanwhile, or the run
 * was stopped.
 */
export interface ReconcileSummary {
  readonly checked: number;
  readonly resolved: { readonly succeeded: number; readonly failed: number };
  readonly stillPending: number;
  readonly stillUnknown: number;
  readonly skipped: number;
}

export const DEFAULT_BACKOFF: CheckBackoff = { firstMs: 60_000, maxMs: 3_600_000, jitter: 0.2 };
export const DEFAULT_OLDER_THAN_MS = 5 * 60_000;
export const DEFAULT_RECONCILE_LIMIT = 100;
export const DEFAULT_QUERIES_PER_SECOND = 5;

/** What the facade lends the reconciler. */
export interface ReconcileContext {
  readonly ledger: RefundLedger;
  /** The (provider, account) pairs this instance holds. */
  readonly accounts: readonly AccountFilter[];
  /** Asks the provider about the refund; never throws for the exchange (an answer that cannot tell is `unknown`). */
  ask(refund: Refund, signal: AbortSignal | undefined): Promise<ProviderAnswer>;
  /** How long a claim lasts: one exchange plus the lease margin. */
  readonly claimMs: number;
  readonly spacing: QuerySpacing;
  readonly logger?: RefundsLogger | undefined;
}

function checkBackoff(backoff: CheckBackoff): void {
  checkMs('backoff.firstMs', backoff.firstMs);
  checkMs('backoff.maxMs', backoff.maxMs);
  if (backoff.maxMs < backoff.firstMs) throw optionError('backoff.maxMs', 'at least backoff.firstMs', 'backoff.maxMs must be at least backoff.firstMs');
  if (!(backoff.jitter >= 0 && backoff.jitter < 1)) throw optionError('backoff.jitter', '0 to below 1', `backoff.jitter must be from 0 to below 1, not ${String(backoff.jitter)}`);
}

/** The update for an answer to the reconciler's query, under its claim. */
function updateOf(answer: ProviderAnswer, lease: Lease): RefundUpdate {
  return {
    status: answer.status,
    source: 'query',
    providerRefundId: answer.providerRefundId,
    failure: answer.failure === undefined ? undefined : toFailure(answer.failure),
    raw: answer.raw,
    providerMayKnow: answer.providerMayKnow,
    orderAmount: answer.orderAmount,
    lease,
    // A query that cannot tell leaves the refund as it was (pending stays pending) and ends the claim.
    inconclusive: answer.status === 'unknown' ? true : undefined,
  };
}

/** One run; see `Refunds.reconcile`. */
export async function reconcile(context: ReconcileContext, options: ReconcileOptions = {}): Promise<ReconcileSummary> {
  const olderThanMs = options.olderThanMs ?? DEFAULT_OLDER_THAN_MS;
  checkMs('olderThanMs', olderThanMs, 0);
  checkCount('limit', options.limit, 10_000);
  checkCount('concurrency', options.concurrency, 64);
  const perSecond = options.perSecond ?? DEFAULT_QUERIES_PER_SECOND;
  if (!(perSecond > 0 && Number.isFinite(perSecond))) throw optionError('perSecond', 'more than 0', `perSecond must be more than 0, not ${String(perSecond)}`);
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  checkBackoff(backoff);
  const accounts = options.providers === undefined ? context.accounts : context.accounts.filter((a) => options.providers!.includes(a.provider));
  const { ledger, signal } = { ledger: context.ledger, signal: options.signal };
  const { stopClaiming } = options;
  // Waiting for a rate-limit slot ends on either stop; a query under way ends only on `signal`.
  const waitSignal = stopClaiming === undefined ? signal : signal === undefined ? stopClaiming : AbortSignal.any([signal, stopClaiming]);
  const stopped = (): boolean => signal?.aborted === true || stopClaiming?.aborted === true;

  const summary = { checked: 0, resolved: { succeeded: 0, failed: 0 }, stillPending: 0, stillUnknown: 0, skipped: 0 };
  if (accounts.length === 0 || stopped()) return summary;
  const due = await ledger.due({ olderThanMs, limit: options.limit ?? DEFAULT_RECONCILE_LIMIT, accounts });
  let next = 0;
  let failure: { error: unknown } | undefined;

  async function check(key: RefundIdentity): Promise<void> {
    // The slot first, then the claim: a claim is never held while waiting for the rate limit.
    try {
      await context.spacing.acquire(`${key.provider}\u0000${key.account}`, perSecond, waitSignal);
    } catch {
      summary.skipped++;
      return;
    }
    if (stopped()) {
      summary.skipped++;
      return;
    }
    const claim = await ledger.claim({ key, lease: { holder: globalThis.crypto.randomUUID(), ttlMs: context.claimMs }, olderThanMs, backoff, random: Math.random() });
    if (claim.outcome === 'skipped') {
      summary.skipped++;
      return;
    }
    const answer = await context.ask(claim.refund, signal);
    const recorded = await recordAnswer(ledger, key, updateOf(answer, claim.lease), { refund: claim.refund, sent: false, deadline: Date.now() + RECORD_RETRY_MS });
    summary.checked++;
    if (recorded.status === 'succeeded') summary.resolved.succeeded++;
    else if (recorded.status === 'failed') summary.resolved.failed++;
    else if (recorded.status === 'pending') summary.stillPending++;
    else summary.stillUnknown++;
    context.logger?.[recorded.status === 'unknown' ? 'warn' : 'info']('refundkit reconciler checked a refund', {
      provider: key.provider,
      refundId: key.refundId,
      was: claim.refund.status,
      status: recorded.status,
      checks: claim.refund.reconcile?.checks,
    });
  }

  async function worker(): Promise<void> {
    while (next < due.length) {
      const key = due[next++]!;
      if (failure || stopped()) {
        summary.skipped++;
        continue;
      }
      try {
        await check(key);
      } catch (error) {
        // The ledger failed (after its retries): stop taking refunds; a claim left behind expires.
        failure ??= { error };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, due.length) }, worker));
  if (failure) throw failure.error;
  return summary;
}
