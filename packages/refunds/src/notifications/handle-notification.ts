// A notification is checked like an answer: verified, its echoes compared with the refund it
// names, applied only when both hold, and kept in that refund's history either way. It is
// acknowledged only once the ledger stored what it said.
import { RefundkitError } from '@refundkit/runtime';
import type { RefundsLogger } from '../call-context.js';
import { NotificationBodyError } from '../errors.js';
import { toFailure } from '../failure.js';
import type { RefundLedger } from '../ledger/ledger.js';
import type { Refund, RefundFailure } from '../model.js';
import type { NotificationEcho, NotificationOutcome, ProviderAdapter, ProviderAnswer } from '../providers/adapter.js';
import type { NotificationHandled, NotificationInput } from './notification-types.js';
import { keepUnmatched } from './unmatched.js';
import { changeRecorded } from '../facade/record-answer.js';
import type { QueryBudget } from './query-budget.js';

/** What the facade lends the notification path. */
export interface NotificationContext {
  readonly ledger: RefundLedger;
  /** This instance's account (merchant) for the provider, its adapter, config and client. */
  readonly account: string;
  readonly adapter: ProviderAdapter<unknown, unknown, unknown>;
  readonly config: unknown;
  readonly client: unknown;
  /** Records a believed answer (retrying transient faults; a lasting fault throws `LedgerUnavailableError`). */
  record(refund: Refund, answer: ProviderAnswer, verdict?: 'refused'): Promise<Refund>;
  /** Queries the provider about the refund and records the answer. */
  query(refund: Refund): Promise<Refund>;
  readonly budget: QueryBudget;
  readonly logger?: RefundsLogger | undefined;
}

/** The body as text (for the history's excerpt and for peeking); a non-body is a typed error. */
export function bodyText(rawBody: unknown): string {
  if (typeof rawBody === 'string') {
    if (rawBody === '') throw new NotificationBodyError('is empty');
    return rawBody;
  }
  if (rawBody instanceof Uint8Array) {
    if (rawBody.length === 0) throw new NotificationBodyError('is empty');
    return new TextDecoder().decode(rawBody);
  }
  const kind = rawBody === undefined ? 'is missing' : rawBody === null ? 'is null' : `is ${Array.isArray(rawBody) ? 'an array' : `a parsed ${typeof rawBody}`}`;
  throw new NotificationBodyError(kind);
}

/** The echoes that differ from the refund (or the account, for the merchant). */
function mismatches(echo: readonly NotificationEcho[], account: string, refund: Refund | undefined): NotificationEcho[] {
  return echo.filter((e) => {
    if (e.received === undefined) return false;
    if (e.of === 'merchant') return e.received !== account;
    if (!refund) return false;
    return e.received !== (e.of === 'orderId' ? refund.orderId : refund.amount);
  });
}

function describe(found: readonly NotificationEcho[], account: string, refund: Refund | undefined): string {
  return found
    .map((e) => `${e.field} ${JSON.stringify(e.received)} (the ${e.of === 'merchant' ? `account's ${JSON.stringify(account)}` : `refund's ${JSON.stringify(e.of === 'orderId' ? refund?.orderId : refund?.amount)}`})`)
    .join(', ');
}

/**
 * Verifies, checks and applies one notification; see `Refunds.handleNotification`. Throws
 * `NotificationBodyError` for a body not passed as received, and the ledger's error when it
 * cannot store what the notification said (then nothing is acknowledged: the provider retries).
 */
export async function handleNotification(provider: string, notification: NotificationInput, context: NotificationContext): Promise<NotificationHandled> {
  const { ledger, account, adapter, logger } = context;
  const notifications = adapter.notifications!;
  const rawBody: unknown = (notification as { rawBody?: unknown } | null | undefined)?.rawBody;
  const text = bodyText(rawBody);
  const refusedBy = async (failure: RefundFailure, refund: Refund | undefined): Promise<NotificationHandled> => {
    logger?.warn('refundkit notification refused', { provider, refundId: refund?.refundId, failure: { code: failure.code, message: failure.message } });
    const kept = refund ? await context.record(refund, { status: 'unknown', failure, raw: text }, 'refused') : undefined;
    return { outcome: 'refused', changed: false, ...(kept ? { refund: kept } : {}), failure, ack: notifications.reject };
  };

  let outcome: NotificationOutcome;
  try {
    outcome = notifications.verify(context.client, context.config, rawBody as string | Uint8Array, notification.headers ?? {});
  } catch (error) {
    if (!(error instanceof RefundkitError)) throw error;
    const named = notifications.peek(text);
    const refund = named === undefined ? undefined : await ledger.get({ provider: adapter.key, account, refundId: named });
    return refusedBy(toFailure({ code: 'notification_refused', message: `${error.code}: ${error.message}` }), refund);
  }

  // A notification about another merchant's refund never touches this account's refunds.
  const foreign = mismatches(outcome.echo.filter((e) => e.of === 'merchant'), account, undefined);
  if (foreign.length > 0) return refusedBy(toFailure({ code: 'notification_refused', message: `the notification is about another merchant: ${describe(foreign, account, undefined)}` }), undefined);

  const known = await ledger.get({ provider: adapter.key, account, refundId: outcome.refundId });
  if (!known) {
    // Kept before it is acknowledged: a ledger that cannot keep it throws, and the provider retries.
    const unmatched = await keepUnmatched(ledger, { provider: adapter.key, account, refundId: outcome.refundId, rawBody: rawBody as string | Uint8Array, text, verified: outcome.verified });
    logger?.info('refundkit notification for a refund this ledger never saw: kept', { provider, refundId: outcome.refundId, deliveries: unmatched.deliveries });
    return { outcome: 'unmatched', changed: false, unmatched, ack: notifications.ack };
  }
  const differing = mismatches(outcome.echo, account, known);
  if (differing.length > 0) return refusedBy(toFailure({ code: 'notification_refused', message: `the notification does not echo the refund: ${describe(differing, account, known)}` }), known);

  if (known.status === 'succeeded' || (known.status === outcome.answer.status && known.status === 'failed')) return { outcome: 'duplicate', changed: false, refund: known, ack: notifications.ack };
  if (!outcome.verified) {
    // An unsigned notification is a hint: only a query may make the refund final, within budget.
    if (!context.budget.take(provider)) {
      const failure = toFailure({ code: 'notification_unsigned', message: 'an unsigned notification over the query rate limit (notificationQueries): not confirmed now; the provider will deliver it again' });
      return { outcome: 'deferred', changed: false, refund: known, failure, ack: notifications.reject };
    }
    const refund = await context.query(known);
    return { outcome: moved(known, refund) ? 'applied' : 'duplicate', changed: changed(known, refund), refund, ack: notifications.ack };
  }
  if (known.status === outcome.answer.status && (outcome.answer.providerRefundId === undefined || outcome.answer.providerRefundId === known.providerRefundId)) {
    return { outcome: 'duplicate', changed: false, refund: known, ack: notifications.ack };
  }
  // Recorded (a success even over `failed`: the provider is the truth) before it is acknowledged.
  const refund = await context.record(known, outcome.answer);
  return { outcome: 'applied', changed: changed(known, refund), refund, ack: notifications.ack };
}

/**
 * Whether this call moved the refund's status: exactly when its write appended a change to the
 * feed (`refunds.changes()`), judged by the ledger inside that write, not by comparing with
 * what was read before it (another process may have moved the refund in between).
 */
function changed(before: Refund, after: Refund): boolean {
  return after !== before && changeRecorded(after) !== undefined;
}

function moved(before: Refund, after: Refund): boolean {
  return before.status !== after.status || before.providerRefundId !== after.providerRefundId;
}
