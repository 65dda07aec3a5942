// Which account a notification is for. The call may say (`handleNotification(provider,
// notification, { account })`, e.g. from the route `/notify/<provider>/<account>`); otherwise the
// merchant the notification names (easypay `mchtCode`, tipay `merchantNo`), read without believing
// it, picks the account whose keys verify it; the echo rule then checks that merchant against the
// account's. A notification naming no merchant, or one no account holds, goes to the default.
import { NotFoundError } from '../errors.js';
import { toFailure } from '../failure.js';
import type { Account, Accounts } from '../facade/accounts.js';
import type { ProviderAdapter } from '../providers/adapter.js';
import { ADAPTERS, type ConfiguredProvider } from '../providers/index.js';
import { bodyText } from './handle-notification.js';
import type { NotificationHandled, NotificationInput } from './notification-types.js';

/**
 * The account to verify and apply the notification with, or, when there are several accounts and
 * no default and it names a merchant none of them holds, its refusal (nothing verified, nothing
 * changed: it is no account's here). Throws `NotificationBodyError` for a body not passed as
 * received, and a `ValidationError` (`account` required) when it names no merchant and there are
 * several accounts and no default.
 */
export async function notificationAccount(accounts: Accounts, provider: ConfiguredProvider, notification: NotificationInput, requested: unknown): Promise<Account | NotificationHandled> {
  // NotFoundError for a provider not configured here, before anything is loaded.
  const fallback = accounts.defaultOf(provider);
  const { notifications } = (await ADAPTERS[provider].load()) as ProviderAdapter<unknown, unknown, unknown>;
  if (!notifications) throw new NotFoundError(`${provider} documents no notifications`);
  if (requested !== undefined) return accounts.find(provider, requested, 'handleNotification');
  const merchant = notifications.peekMerchant(bodyText((notification as { rawBody?: unknown } | null | undefined)?.rawBody));
  const named = merchant === undefined ? undefined : accounts.withMerchant(provider, merchant);
  if (named) return named;
  if (merchant !== undefined && !fallback) {
    const failure = toFailure({ code: 'notification_refused', message: `the notification names merchant ${JSON.stringify(merchant)}, which no ${provider} account here holds` });
    return { outcome: 'refused', changed: false, failure, ack: notifications.reject };
  }
  return accounts.find(provider, undefined, 'handleNotification');
}
