// A notification that names a refund this ledger never saw: kept, not dropped, so that an
// operator can find what the provider says about a refund made elsewhere (another system,
// another ledger, a refund id typed by hand) — `refunds.unmatchedNotifications()`,
// `refundkit status --unmatched`.
import type { ProviderKey } from '../model.js';

/** The longest excerpt of an unmatched notification's body a ledger keeps. */
export const UNMATCHED_EXCERPT_LIMIT = 4 * 1024;

/** What `handleNotification` hands the ledger to keep. */
export interface UnmatchedNotificationInput {
  readonly provider: ProviderKey;
  /** The account (merchant) the notification was received for. */
  readonly account: string;
  /** The refund number it names (the merchant's refund id). */
  readonly refundId: string;
  /** SHA-256 of the body, hex: the same delivery again is counted, not stored twice. */
  readonly digest: string;
  /** The body, cut to {@link UNMATCHED_EXCERPT_LIMIT} characters. */
  readonly excerpt: string;
  /** True when its signature verified; false for an unsigned one (a hint anyone could send). */
  readonly verified: boolean;
}

/**
 * An unmatched notification as the ledger keeps it.
 *
 * @example
 * { provider: 'easypay', account: '531000023045074', refundId: 'R-TYPED-BY-HAND', digest: '9f2c…', excerpt: '{"respStateInfo":…',
 *   verified: true, receivedAt: '2026-12-02T04:10:00.000Z', lastReceivedAt: '2026-12-02T04:12:00.000Z', deliveries: 3 }
 */
export interface UnmatchedNotification extends UnmatchedNotificationInput {
  /** When it first arrived (the ledger's clock). */
  readonly receivedAt: string;
  /** When the same body last arrived. */
  readonly lastReceivedAt: string;
  /** How many times this body arrived. */
  readonly deliveries: number;
}
