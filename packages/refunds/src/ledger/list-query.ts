// Listing a ledger's refunds (a console, support staff): the filter every store takes, the one
// order every store lists in, and the cursor that pages through it. Shared by the memory, SQLite
// and PostgreSQL stores so that the three list exactly the same refunds in the same order.
import { ValidationError } from '@refundkit/runtime';
import type { AccountFilter } from '../changes/change.js';
import { PROVIDERS, type ProviderKey, type Refund, type RefundStatus } from '../model.js';

const STATUSES: readonly RefundStatus[] = ['pending', 'succeeded', 'failed', 'unknown'];
export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 1000;

/**
 * Which refunds to list: every field narrows; none lists them all. Newest first (by the time the
 * refund was first reserved), at most `limit`, after `cursor` (the `next` of the page before).
 *
 * @example
 * const page = await refunds.list({ provider: 'tipay', status: ['pending', 'unknown'], limit: 20 });
 * const more = page.next === undefined ? [] : (await refunds.list({ provider: 'tipay', status: ['pending', 'unknown'], limit: 20, cursor: page.next })).refunds;
 */
export interface RefundListFilter {
  readonly provider?: ProviderKey | undefined;
  /** The merchant account (see `Refund.account`). */
  readonly account?: string | undefined;
  /** One status or several. */
  readonly status?: RefundStatus | readonly RefundStatus[] | undefined;
  readonly orderId?: string | undefined;
  /** The batch run (see `Refund.batch`). */
  readonly batch?: string | undefined;
  /** Reserved at or after this time (ISO 8601 or a `Date`). */
  readonly createdFrom?: string | Date | undefined;
  /** Reserved before this time (ISO 8601 or a `Date`). */
  readonly createdBefore?: string | Date | undefined;
  /** At most this many (default 50, at most 1000). */
  readonly limit?: number | undefined;
  /** Where the previous page stopped: its `next`. */
  readonly cursor?: string | undefined;
}

/** One page of {@link RefundListFilter}'s refunds; `next` is there when more may follow. */
export interface RefundPage {
  readonly refunds: Refund[];
  readonly next?: string | undefined;
}

/** Where a page ended: the last refund's place in the listing order. */
export interface ListPosition {
  readonly createdAt: string;
  readonly provider: string;
  readonly account: string;
  readonly refundId: string;
}

/** What a store's `list` reads: the filter checked and normalised, the cursor decoded. */
export interface ListQuery {
  readonly limit: number;
  /** The facade's own accounts (all when absent). */
  readonly accounts?: readonly AccountFilter[] | undefined;
  readonly provider?: ProviderKey | undefined;
  readonly account?: string | undefined;
  readonly statuses?: readonly RefundStatus[] | undefined;
  readonly orderId?: string | undefined;
  readonly batch?: string | undefined;
  /** ISO 8601 with milliseconds, UTC: comparable as text with `Refund.createdAt`. */
  readonly createdFrom?: string | undefined;
  readonly createdBefore?: string | undefined;
  readonly after?: ListPosition | undefined;
}

const listError = (path: string, rule: string, message: string): ValidationError => new ValidationError('options', [{ path, rule, message }]);

/** Checks a filter (a typed `validation_failed` naming the field) and turns it into a store's query. */
export function toListQuery(filter: RefundListFilter = {}, accounts?: readonly AccountFilter[]): ListQuery {
  const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw listError('limit', `1 to ${MAX_LIST_LIMIT}`, `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, not ${String(limit)}`);
  if (filter.provider !== undefined && !(PROVIDERS as readonly string[]).includes(filter.provider)) throw listError('provider', 'enum', `provider must be one of ${PROVIDERS.join(', ')}`);
  const statuses = filter.status === undefined ? undefined : typeof filter.status === 'string' ? [filter.status] : [...filter.status];
  for (const status of statuses ?? []) if (!STATUSES.includes(status)) throw listError('status', 'enum', `status must be one of ${STATUSES.join(', ')}, not ${JSON.stringify(status)}`);
  for (const [name, value] of [['account', filter.account], ['orderId', filter.orderId], ['batch', filter.batch]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw listError(name, 'minLength', `${name} must be a non-empty string when given`);
  }
  return {
    limit,
    ...(accounts === undefined ? {} : { accounts }),
    ...(filter.provider === undefined ? {} : { provider: filter.provider }),
    ...(filter.account === undefined ? {} : { account: filter.account }),
    ...(statuses === undefined || statuses.length === 0 ? {} : { statuses }),
    ...(filter.orderId === undefined ? {} : { orderId: filter.orderId }),
    ...(filter.batch === undefined ? {} : { batch: filter.batch }),
    ...(filter.createdFrom === undefined ? {} : { createdFrom: isoTime('createdFrom', filter.createdFrom) }),
    ...(filter.createdBefore === undefined ? {} : { createdBefore: isoTime('createdBefore', filter.createdBefore) }),
    ...(filter.cursor === undefined ? {} : { after: decodeCursor(filter.cursor) }),
  };
}

function isoTime(name: string, value: string | Date): string {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw listError(name, 'date-time', `${name} must be an ISO 8601 time or a Date, not ${JSON.stringify(String(value))}`);
  return new Date(ms).toISOString();
}

/** The cursor after `refund`: opaque to callers (base64url JSON of its place in the order). */
export function encodeCursor(refund: Pick<Refund, 'createdAt' | 'provider' | 'account' | 'refundId'>): string {
  return Buffer.from(JSON.stringify([refund.createdAt, refund.provider, refund.account, refund.refundId]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || parts.length !== 4 || !parts.every((p) => typeof p === 'string') || !Number.isFinite(Date.parse(parts[0] as string))) {
    throw listError('cursor', 'cursor', 'cursor must be the `next` of an earlier page, unchanged');
  }
  const [createdAt, provider, account, refundId] = parts as string[];
  return { createdAt: new Date(Date.parse(createdAt!)).toISOString(), provider: provider!, account: account!, refundId: refundId! };
}

/** A store read `limit + 1` refunds in listing order: the page, with `next` when there was one more. */
export function pageOf(rows: Refund[], limit: number): RefundPage {
  if (rows.length <= limit) return { refunds: rows };
  const refunds = rows.slice(0, limit);
  return { refunds, next: encodeCursor(refunds[limit - 1]!) };
}

/** Code-unit order of two strings (what SQLite's BINARY and PostgreSQL's "C" collations do for these ids). */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The listing order: newest first, then provider, account and refund id, each descending. Negative when `a` comes first. */
export function compareListed(a: ListPosition, b: ListPosition): number {
  return compareText(b.createdAt, a.createdAt) || compareText(b.provider, a.provider) || compareText(b.account, a.account) || compareText(b.refundId, a.refundId);
}

/** Whether `refund` passes the query's filter (the memory store; the SQL stores say the same in SQL). */
export function matchesList(refund: Refund, query: ListQuery): boolean {
  if (query.accounts !== undefined && !query.accounts.some((a) => a.provider === refund.provider && a.account === refund.account)) return false;
  if (query.provider !== undefined && refund.provider !== query.provider) return false;
  if (query.account !== undefined && refund.account !== query.account) return false;
  if (query.statuses !== undefined && !query.statuses.includes(refund.status)) return false;
  if (query.orderId !== undefined && refund.orderId !== query.orderId) return false;
  if (query.batch !== undefined && refund.batch !== query.batch) return false;
  if (query.createdFrom !== undefined && refund.createdAt < query.createdFrom) return false;
  if (query.createdBefore !== undefined && refund.createdAt >= query.createdBefore) return false;
  if (query.after !== undefined && compareListed(query.after, refund) >= 0) return false;
  return true;
}
