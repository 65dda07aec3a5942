// What a queued run's end looks like to the CLI: every row as the ledger now holds it, in the
// shape of an in-process run's result, so the summary, the report and the exit code are the same.
import type { BatchCounts, BatchResult, BatchRowResult, LaneProgress, PlannedRow, RefundLedger } from '@refundkit/refunds';

/** Reads each row's refund (8 at a time) and builds the run's result. Rows the ledger lacks are `not_started`. */
export async function resultFromLedger(ledger: RefundLedger, batch: string, planned: readonly PlannedRow[], ms: number, stopped: boolean): Promise<BatchResult> {
  const rows: BatchRowResult[] = new Array(planned.length);
  let next = 0;
  const work = async (): Promise<void> => {
    while (next < planned.length) {
      const i = next++;
      const row = planned[i]!;
      const refund = await ledger.get({ provider: row.provider, account: row.account, refundId: row.refundId });
      rows[i] = refund
        ? { ...row, status: refund.status, ...(refund.providerRefundId !== undefined ? { providerRefundId: refund.providerRefundId } : {}), ...(refund.failure !== undefined ? { failure: refund.failure } : {}), ms: 0 }
        : { ...row, status: 'not_started', ms: 0 };
    }
  };
  await Promise.all(Array.from({ length: 8 }, work));
  const empty = (): BatchCounts => ({ total: 0, done: 0, succeeded: 0, pending: 0, failed: 0, unknown: 0, notStarted: 0 });
  const counts = empty();
  const lanes = new Map<string, LaneProgress & BatchCounts>();
  for (const row of rows) {
    const key = `${row.provider}\u0000${row.account}`;
    const lane = lanes.get(key) ?? { provider: row.provider, account: row.account, ...empty(), ratePerSecond: 0, etaSeconds: undefined };
    for (const c of [counts, lane]) {
      c.total++;
      if (row.status === 'not_started') c.notStarted++;
      else {
        c.done++;
        c[row.status]++;
      }
    }
    lanes.set(key, lane);
  }
  return { batch, dryRun: false, rows, counts, lanes: [...lanes.values()], stopped, ms };
}
