// A refund as a row of a SQL table, shared by the SQL stores (SQLite, PostgreSQL): the same
// columns, the same mapping, so both report exactly what the memory ledger reports.
import { decodeFailure, encodeFailureCode, toFailure } from '../failure.js';
import type { ProviderKey, Refund, RefundEvent } from '../model.js';

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
  ];
}

/** A history entry as stored (one JSON document per entry). */
export function toEvent(json: string | RefundEvent): RefundEvent {
  const event = typeof json === 'string' ? (JSON.parse(json) as RefundEvent) : json;
  // Entries written before failures said their source get it from the code, as rows do.
  return event.failure !== undefined && event.failure.source === undefined ? { ...event, failure: toFailure(event.failure) } : event;
}
