// A refund as a row of a SQL table, shared by the SQL stores (SQLite, PostgreSQL): the same
// columns, the same mapping, so both report exactly what the memory ledger reports.
import { decodeFailure, encodeFailureCode, toFailure } from '../failure.js';
import type { ProviderKey, Refund, RefundEvent, RefundStatus } from '../model.js';
import type { ChangeEntry, ChangeSource, RefundChange } from '../changes/change.js';
import type { UnmatchedNotification } from '../notifications/unmatched-types.js';

/** The `refunds` table's columns, in the order {@link refundParams} gives them. */
export const REFUND_COLUMNS = [
  'provider',
  'account',
  'refund_id',
  'order_id',
  'amount',
  'currency',
  'status',
  'provider_refund_id',
  'failure_code',
  'failure_message',
  'raw',
  'meta',
  'attempts',
  'provider_may_know',
  'lease_holder',
  'lease_attempt',
  'lease_expires_at',
  'created_at',
  'updated_at',
  'checks',
  'next_check_at',
  'batch',
] as const;

/** A row as a driver returns it (PostgreSQL gives BIGINT as a string, booleans as booleans; SQLite 0/1). */
export interface RefundRow {
  provider: string;
  account: string;
  refund_id: string;
  order_id: string;
  amount: number | string;
  currency: string;
  status: string;
  provider_refund_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  raw: string | null;
  meta: string | Record<string, string> | null;
  attempts: number | string;
  provider_may_know: number | boolean;
  lease_holder: string | null;
  lease_attempt: number | string | null;
  lease_expires_at: string | Date | null;
  created_at: string | Date;
  updated_at: string | Date;
  /** The reconciler's schedule (`Refund.reconcile`): NULL until a reconciler first claims the refund. */
  checks: number | string | null;
  next_check_at: string | Date | null;
  /** `Refund.batch` (SQLite schema 4, PostgreSQL 3). */
  batch: string | null;
}

const iso = (value: string | Date): string => (value instanceof Date ? value.toISOString() : value);

/** A row as the ledger reports it: absent optional fields are omitted, exactly as the memory ledger has them. */
export function toRefund(row: RefundRow): Refund {
  return {
    provider: row.provider as ProviderKey,
    account: row.account,
    orderId: row.order_id,
    refundId: row.refund_id,
    amount: Number(row.amount),
    currency: row.currency,
    status: row.status as Refund['status'],
    ...(row.provider_refund_id !== null ? { providerRefundId: row.provider_refund_id } : {}),
    ...(row.failure_code !== null ? { failure: decodeFailure(row.failure_code, row.failure_message ?? '') } : {}),
    ...(row.raw !== null ? { raw: row.raw } : {}),
    ...(row.meta !== null ? { meta: typeof row.meta === 'string' ? (JSON.parse(row.meta) as Record<string, string>) : row.meta } : {}),
    attempts: Number(row.attempts),
    providerMayKnow: row.provider_may_know === true || row.provider_may_know === 1,
    ...(row.lease_holder !== null && row.lease_expires_at !== null
      ? { lease: { holder: row.lease_holder, attempt: Number(row.lease_attempt), expiresAt: iso(row.lease_expires_at) } }
      : {}),
    ...(row.batch != null ? { batch: row.batch } : {}),
    ...(row.checks !== null && row.next_check_at !== null ? { reconcile: { checks: Number(row.checks), nextCheckAt: iso(row.next_check_at) } } : {}),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** The row's values in {@link REFUND_COLUMNS} order; `bool` writes `provider_may_know` as the store wants it. */
export function refundParams(refund: Refund, bool: (value: boolean) => unknown = (v) => (v ? 1 : 0)): unknown[] {
  return [
    refund.provider,
    refund.account,
    refund.refundId,
    refund.orderId,
    refund.amount,
    refund.currency,
    refund.status,
    refund.providerRefundId ?? null,
    refund.failure !== undefined ? encodeFailureCode(refund.failure) : null,
    refund.failure?.message ?? null,
    refund.raw ?? null,
    refund.meta !== undefined ? JSON.stringify(refund.meta) : null,
    refund.attempts,
    bool(refund.providerMayKnow),
    refund.lease?.holder ?? null,
    refund.lease?.attempt ?? null,
    refund.lease?.expiresAt ?? null,
    refund.createdAt,
    refund.updatedAt,
    refund.reconcile?.checks ?? null,
    refund.reconcile?.nextCheckAt ?? null,
    refund.batch ?? null,
  ];
}

/** A change-feed row as a driver returns it. */
export interface ChangeRow {
  seq: number | string;
  at: string | Date;
  provider: string;
  account: string;
  order_id: string;
  refund_id: string;
  amount: number | string;
  currency: string;
  from_status: string | null;
  to_status: string;
  source: string;
}

/** The change-feed columns, in the order {@link changeParams} gives them (without `seq`, which the store assigns). */
export const CHANGE_COLUMNS = ['at', 'provider', 'account', 'order_id', 'refund_id', 'amount', 'currency', 'from_status', 'to_status', 'source'] as const;

export function changeParams(change: ChangeEntry): unknown[] {
  return [change.at, change.provider, change.account, change.orderId, change.refundId, change.amount, change.currency, change.from, change.to, change.source];
}

export function toChange(row: ChangeRow): RefundChange {
  return {
    seq: Number(row.seq),
    at: iso(row.at),
    provider: row.provider as ProviderKey,
    account: row.account,
    orderId: row.order_id,
    refundId: row.refund_id,
    amount: Number(row.amount),
    currency: row.currency,
    from: row.from_status as RefundStatus | null,
    to: row.to_status as RefundStatus,
    source: row.source as ChangeSource,
  };
}

/** An unmatched-notification row as a driver returns it. */
export interface UnmatchedRow {
  provider: string;
  account: string;
  digest: string;
  refund_id: string;
  excerpt: string;
  verified: number | boolean;
  received_at: string | Date;
  last_received_at: string | Date;
  deliveries: number | string;
}

export function toUnmatched(row: UnmatchedRow): UnmatchedNotification {
  return {
    provider: row.provider as ProviderKey,
    account: row.account,
    refundId: row.refund_id,
    digest: row.digest,
    excerpt: row.excerpt,
    verified: row.verified === true || row.verified === 1,
    receivedAt: iso(row.received_at),
    lastReceivedAt: iso(row.last_received_at),
    deliveries: Number(row.deliveries),
  };
}

/** A history entry as stored (one JSON document per entry). */
export function toEvent(json: string | RefundEvent): RefundEvent {
  const event = typeof json === 'string' ? (JSON.parse(json) as RefundEvent) : json;
  // Entries written before failures said their source get it from the code, as rows do.
  return event.failure !== undefined && event.failure.source === undefined ? { ...event, failure: toFailure(event.failure) } : event;
}
