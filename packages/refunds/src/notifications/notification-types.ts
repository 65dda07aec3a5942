// What `handleNotification` takes and returns.
import type { Refund, RefundFailure } from '../model.js';
import type { NotificationAck } from '../providers/adapter.js';
import type { UnmatchedNotification } from './unmatched-types.js';

/**
 * A notification as the provider POSTed it: the headers and the body exactly as received (the
 * signature covers the bytes).
 *
 * @example
 * const handled = await refunds.handleNotification('tipay', { headers: request.headers, rawBody: await request.text() });
 */
export interface NotificationInput {
  /** The request's headers (Node's `IncomingHttpHeaders` or a `Headers`). */
  readonly headers: Record<string, string | string[] | undefined> | Headers;
  /** The body exactly as received: a string, or the bytes. */
  readonly rawBody: string | Uint8Array;
}

/**
 * Which account a notification is for, when the caller knows (e.g. from the URL it arrived at,
 * `/notify/<provider>/<account>`): its name. Without it, the merchant the notification names
 * picks the account, else the default.
 *
 * @example
 * await refunds.handleNotification('tipay', notification, { account: 'shopA' });
 */
export interface NotificationOptions {
  /** The account's name (or its merchant id); verified with that account's keys. */
  readonly account?: string | undefined;
}

/**
 * What `handleNotification` did.
 *
 * @example
 * const { refund, ack } = await refunds.handleNotification('tipay', notification);
 * response.writeHead(ack.status, { 'content-type': ack.contentType }).end(ack.body);
 */
export interface NotificationHandled {
  /**
   * - `applied`: believed and recorded (the refund moved, or the answer was kept beside it);
   * - `duplicate`: believed, and the ledger already had it: nothing changed;
   * - `refused`: failed verification or the echo rule (another amount, order or merchant): kept
   *   in the named refund's history where it is this account's, changed nothing; the provider
   *   is answered so it delivers again;
   * - `unmatched`: names a refund this ledger never saw: kept in the ledger (`unmatched`,
   *   `refunds.unmatchedNotifications()`), then acknowledged; changed no refund;
   * - `deferred`: unsigned, and the query that would confirm it is over the rate limit
   *   (`notificationQueries`): changed nothing, answered so the provider delivers again.
   */
  readonly outcome: NotificationOutcomeKind;
  /**
   * True when this call moved the refund's status: exactly when it appended a change to the feed
   * (`refunds.changes()`). A notification that only adds the provider's refund id is `applied`
   * with `changed: false`.
   */
  readonly changed: boolean;
  /** For `unmatched`: the notification as the ledger keeps it (the same body again counts a delivery). */
  readonly unmatched?: UnmatchedNotification;
  /** The refund as the ledger now has it; undefined when the notification names no refund of this account's. */
  readonly refund?: Refund;
  /** Why it was refused or deferred. */
  readonly failure?: RefundFailure;
  /** What to answer the provider: its documented acknowledgement, or an answer that makes it deliver again. */
  readonly ack: NotificationAck;
}

/** See {@link NotificationHandled.outcome}. */
export type NotificationOutcomeKind = 'applied' | 'duplicate' | 'refused' | 'unmatched' | 'deferred';

/** Providers that document refund notifications (eftpay, lianke and yima document none). */
export type NotifyingProvider = 'easypay' | 'tipay';

