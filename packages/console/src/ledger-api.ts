/**
 * The console's JSON over the ledger (`/console/api/…`): what the ledger views read, shaped for a
 * page — amounts also in major units with their currency (the runtime's exact conversion), the
 * provider's time zone beside each time, and nothing a page must not show (a refund's `raw`
 * answer and lease holder stay out).
 */
import { formatMinorUnits } from '@refundkit/runtime';
import type { BatchSummary, ProviderKey, Refund, RefundChange, RefundEvent, RefundKey, RefundListFilter, RefundPage, RefundStatus, RefundTotal, UnmatchedNotification } from '@refundkit/refunds';
import { REGISTRY } from '@refundkit/registry';

/** What the console reads from a `Refunds` instance (its accounts only, as every facade call). */
export interface ConsoleRefunds {
  list(filter?: RefundListFilter): Promise<RefundPage>;
  history(key: RefundKey): Promise<RefundEvent[]>;
  /** The refund; one that is not final is queried first (what "query the provider now" does). */
  get(key: RefundKey): Promise<Refund>;
  unmatchedNotifications(options?: { readonly limit?: number | undefined }): Promise<UnmatchedNotification[]>;
  totals(): Promise<RefundTotal[]>;
  changes(options?: { readonly after?: number; readonly limit?: number; readonly waitMs?: number; readonly signal?: AbortSignal }): Promise<RefundChange[]>;
  /** A summary per batch run (`refunds.batches()`): the batch view. */
  batches(options?: { readonly limit?: number | undefined }): Promise<BatchSummary[]>;
}

/**
 * Where each provider keeps its clock (their documents give local times): eftPay in Hong Kong,
 * the others in mainland China. The page shows times in the viewer's zone, the provider's in a tooltip.
 */
export const PROVIDER_TIME_ZONES: Readonly<Record<ProviderKey, string>> = {
  easypay: 'Asia/Shanghai',
  eftpay: 'Asia/Hong_Kong',
  lianke: 'Asia/Shanghai',
  tipay: 'Asia/Shanghai',
  yima: 'Asia/Shanghai',
};

/** `88.88 CNY`: integer minor units as major units, exactly. */
export function majorText(amount: number, currency: string): string {
  return `${formatMinorUnits(amount, 2)} ${currency}`;
}

/** A refund as a page shows it. */
export function refundView(refund: Refund) {
  const { raw: _raw, lease, ...rest } = refund;
  return {
    ...rest,
    ...(lease === undefined ? {} : { lease: { attempt: lease.attempt, expiresAt: lease.expiresAt } }),
    amountText: majorText(refund.amount, refund.currency),
    timeZone: PROVIDER_TIME_ZONES[refund.provider],
  };
}

/** A history entry as a page shows it: the answer's raw text and lease holders stay out. */
export function eventView(event: RefundEvent) {
  const { raw: _raw, holder: _holder, ...rest } = event;
  return rest;
}

/** Totals per provider and status (accounts summed), with the amount in major units. */
export function totalsView(totals: readonly RefundTotal[]) {
  const sums = new Map<string, { provider: ProviderKey; status: RefundStatus; count: number; amount: number }>();
  for (const t of totals) {
    const key = `${t.provider}\u0000${t.status}`;
    const sum = sums.get(key) ?? { provider: t.provider, status: t.status, count: 0, amount: 0 };
    sum.count += t.count;
    sum.amount += t.amount;
    sums.set(key, sum);
  }
  return [...sums.values()].map((s) => {
    const currencies = REGISTRY[s.provider].currencies as readonly string[];
    // The ledger sums a provider's refunds whatever their currency: one currency names it; several say so.
    return { ...s, amountText: currencies.length === 1 ? majorText(s.amount, currencies[0]!) : `${formatMinorUnits(s.amount, 2)} (${currencies.join(' + ')})` };
  });
}

export function unmatchedView(n: UnmatchedNotification) {
  return { ...n, timeZone: PROVIDER_TIME_ZONES[n.provider] };
}

/** The list filter from a query string (`provider`, `account`, `status` (repeatable), `orderId`, `from`, `before`, `limit`, `cursor`). */
export function filterOf(params: URLSearchParams): RefundListFilter {
  const text = (name: string): string | undefined => {
    const value = params.get(name);
    return value === null || value === '' ? undefined : value;
  };
  const statuses = params.getAll('status').filter((s) => s !== '') as RefundStatus[];
  const limit = text('limit');
  return {
    ...(text('provider') === undefined ? {} : { provider: text('provider') as ProviderKey }),
    ...(text('account') === undefined ? {} : { account: text('account') }),
    ...(statuses.length === 0 ? {} : { status: statuses }),
    ...(text('orderId') === undefined ? {} : { orderId: text('orderId') }),
    ...(text('from') === undefined ? {} : { createdFrom: text('from') }),
    ...(text('before') === undefined ? {} : { createdBefore: text('before') }),
    ...(limit === undefined ? {} : { limit: Number(limit) }),
    ...(text('cursor') === undefined ? {} : { cursor: text('cursor') }),
    ...(text('batch') === undefined ? {} : { batch: text('batch') }),
  };
}

/** A refund's page: the refund as stored (found through its order) and its whole history. */
export async function refundPage(refunds: ConsoleRefunds, key: { provider: ProviderKey; account: string; orderId: string; refundId: string }) {
  const { refunds: ofOrder } = await refunds.list({ provider: key.provider, account: key.account, orderId: key.orderId, limit: 1000 });
  const refund = ofOrder.find((r) => r.refundId === key.refundId);
  if (refund === undefined) return undefined;
  const history = await refunds.history({ provider: refund.provider, account: refund.account, orderId: refund.orderId, refundId: refund.refundId });
  return { refund: refundView(refund), history: history.map(eventView) };
}

/** Batch runs with their amounts per status in major units (a run's refunds may mix currencies: the sums are minor units of each). */
export function batchesView(batches: readonly BatchSummary[]) {
  return batches.map((b) => ({
    ...b,
    statuses: Object.fromEntries(Object.entries(b.statuses).map(([status, s]) => [status, { ...s, amountText: formatMinorUnits(s.amount, 2) }])),
  }));
}
