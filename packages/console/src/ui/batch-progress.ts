// A batch run's summary as the ledger gives it (`refunds.batches()`), read into what the progress bar needs.
export interface BatchProgress {
  id: string;
  total: number;
  final: number;
  counts: { succeeded: number; failed: number; pending: number; unknown: number };
  firstReservedAt?: string | undefined;
  lastUpdatedAt?: string | undefined;
}

const STATUSES = ['succeeded', 'failed', 'pending', 'unknown'] as const;

/** Reads a summary: its id, and per status a count (a number, or `{ count }`); undefined when it is not one. */
export function readBatch(value: unknown): BatchProgress | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const id = typeof v['batch'] === 'string' ? v['batch'] : typeof v['id'] === 'string' ? v['id'] : undefined;
  if (id === undefined) return undefined;
  const perStatus = (v['statuses'] ?? v['byStatus'] ?? v['counts'] ?? v) as Record<string, unknown>;
  const countOf = (status: string): number => {
    const entry = perStatus[status];
    if (typeof entry === 'number') return entry;
    if (typeof entry === 'object' && entry !== null && typeof (entry as { count?: unknown }).count === 'number') return (entry as { count: number }).count;
    return 0;
  };
  const counts = { succeeded: countOf('succeeded'), failed: countOf('failed'), pending: countOf('pending'), unknown: countOf('unknown') };
  const summed = STATUSES.reduce((n, s) => n + counts[s], 0);
  const totalField = v['total'];
  const total = typeof totalField === 'number' ? totalField : typeof totalField === 'object' && totalField !== null && typeof (totalField as { count?: unknown }).count === 'number' ? (totalField as { count: number }).count : summed;
  const time = (...names: string[]): string | undefined => names.map((n) => v[n]).find((t): t is string => typeof t === 'string');
  return { id, total, final: counts.succeeded + counts.failed, counts, firstReservedAt: time('firstReservedAt', 'firstReserved', 'startedAt'), lastUpdatedAt: time('lastUpdatedAt', 'lastUpdated', 'updatedAt') };
}
