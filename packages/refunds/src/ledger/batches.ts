// Batch runs as the ledger sums them: one summary per `Refund.batch`, the same shape from every
// store (the memory store sums refunds one by one, the SQL stores group rows).
import type { AccountFilter } from '../changes/change.js';
import type { Refund, RefundStatus } from '../model.js';

/** What `batches` reads: at most `limit` runs (default 50), of these accounts (all when absent), or only the run `id`. */
export interface BatchesQuery {
  readonly limit?: number | undefined;
  readonly accounts?: readonly AccountFilter[] | undefined;
  readonly id?: string | undefined;
}

/** How many refunds of a run are in one status, and how much they come to (minor units, currencies as the refunds'). */
export interface BatchStatusCount {
  readonly count: number;
  readonly amount: number;
}

/**
 * One batch run as the ledger holds it now.
 *
 * @example
 * { id: 'flash-sale-1204', total: 2000, statuses: { succeeded: { count: 1990, amount: 1990000 }, pending: { count: 6, amount: 6000 }, failed: { count: 4, amount: 4000 }, unknown: { count: 0, amount: 0 } },
 *   firstReservedAt: '2026-12-04T16:00:00.000Z', lastUpdatedAt: '2026-12-04T16:02:41.311Z' }
 */
export interface BatchSummary {
  readonly id: string;
  /** Refunds (rows) in the run. */
  readonly total: number;
  /** Per status, every status present (zero counts included). */
  readonly statuses: Readonly<Record<RefundStatus, BatchStatusCount>>;
  /** When the run's first refund was reserved (the ledger's clock, ISO 8601). */
  readonly firstReservedAt: string;
  /** When any refund of the run last changed. */
  readonly lastUpdatedAt: string;
}

/** The ceiling on `limit`: a summary is a read for a console, not an export. */
export const MAX_BATCHES = 1_000;

/** One group of a `GROUP BY batch, status` (a SQL store; counts, sums and times as the driver gives them). */
export interface BatchGroupRow {
  batch: string;
  status: string;
  count: number | string;
  amount: number | string | null;
  first_at: string | Date;
  last_at: string | Date;
}

const iso = (value: string | Date): string => (value instanceof Date ? value.toISOString() : new Date(value).toISOString());

type Building = { id: string; total: number; statuses: Record<RefundStatus, { count: number; amount: number }>; firstReservedAt: string; lastUpdatedAt: string };

const empty = (id: string, at: string, updated: string): Building => ({
  id,
  total: 0,
  statuses: { pending: { count: 0, amount: 0 }, succeeded: { count: 0, amount: 0 }, failed: { count: 0, amount: 0 }, unknown: { count: 0, amount: 0 } },
  firstReservedAt: at,
  lastUpdatedAt: updated,
});

function add(into: Map<string, Building>, id: string, status: RefundStatus, count: number, amount: number, first: string, last: string): void {
  const run = into.get(id) ?? empty(id, first, last);
  run.total += count;
  run.statuses[status].count += count;
  run.statuses[status].amount += amount;
  if (first < run.firstReservedAt) run.firstReservedAt = first;
  if (last > run.lastUpdatedAt) run.lastUpdatedAt = last;
  into.set(id, run);
}

/** Newest run first (by first reservation; the id breaks ties), at most `limit`. */
function newestFirst(runs: Iterable<Building>, query: BatchesQuery): BatchSummary[] {
  return [...runs].sort((a, b) => b.firstReservedAt.localeCompare(a.firstReservedAt) || a.id.localeCompare(b.id)).slice(0, batchLimit(query));
}

/** The query's limit, checked (a bad one is a programming error: `RangeError`). */
export function batchLimit(query: BatchesQuery): number {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BATCHES) throw new RangeError(`batches: limit must be an integer from 1 to ${MAX_BATCHES}, not ${limit}`);
  return limit;
}

/** Sums refunds read one by one (the memory store); `keep` filters by account. */
export function sumBatches(refunds: Iterable<Refund>, query: BatchesQuery, keep: (refund: Refund) => boolean): BatchSummary[] {
  batchLimit(query);
  const runs = new Map<string, Building>();
  for (const refund of refunds) {
    if (refund.batch === undefined || (query.id !== undefined && refund.batch !== query.id) || !keep(refund)) continue;
    add(runs, refund.batch, refund.status, 1, refund.amount, refund.createdAt, refund.updatedAt);
  }
  return newestFirst(runs.values(), query);
}

/** Summaries from the rows of a `GROUP BY batch, status` (a SQL store). */
export function batchesOf(rows: readonly BatchGroupRow[], query: BatchesQuery): BatchSummary[] {
  const runs = new Map<string, Building>();
  for (const row of rows) add(runs, row.batch, row.status as RefundStatus, Number(row.count), Number(row.amount ?? 0), iso(row.first_at), iso(row.last_at));
  return newestFirst(runs.values(), query);
}
