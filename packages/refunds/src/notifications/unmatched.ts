// Keeping a notification that names a refund this ledger never saw (see unmatched-types.ts).
import type { RefundLedger } from '../ledger/ledger.js';
import type { ProviderKey } from '../model.js';
import { UNMATCHED_EXCERPT_LIMIT, type UnmatchedNotification } from './unmatched-types.js';

/** SHA-256 of the body as received, hex. Web Crypto's: the facade's eager modules load no node:crypto (cold start). */
async function digestOf(rawBody: string | Uint8Array): Promise<string> {
  const bytes = typeof rawBody === 'string' ? new TextEncoder().encode(rawBody) : rawBody;
  const hash = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `text` cut to {@link UNMATCHED_EXCERPT_LIMIT} characters, saying how long it was. */
function unmatchedExcerpt(text: string): string {
  return text.length <= UNMATCHED_EXCERPT_LIMIT ? text : `${text.slice(0, UNMATCHED_EXCERPT_LIMIT)}…[cut: ${text.length} characters in all]`;
}

/**
 * Stores the notification; the caller acknowledges it only after this resolved. A ledger that
 * cannot store it throws (`LedgerUnavailableError`): the notification is then not acknowledged,
 * and the provider delivers it again.
 */
export async function keepUnmatched(
  ledger: RefundLedger,
  notification: { provider: ProviderKey; account: string; refundId: string; rawBody: string | Uint8Array; text: string; verified: boolean },
): Promise<UnmatchedNotification> {
  return ledger.keepUnmatched({
    provider: notification.provider,
    account: notification.account,
    refundId: notification.refundId,
    digest: await digestOf(notification.rawBody),
    excerpt: unmatchedExcerpt(notification.text),
    verified: notification.verified,
  });
}
