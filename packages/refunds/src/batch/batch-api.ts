// `refunds.batch` as the facade declares it; the work is in run-batch.ts, loaded at the first call.
import type { ConfiguredProvider } from '../providers/index.js';
import type { RefundInputOf } from '../refund-input.js';
import type { BatchOptions, BatchResult, BatchRow } from './batch-types.js';

/** Part of `Refunds`: mass refunds in this process. */
export interface RefundsBatch<P extends ConfiguredProvider = ConfiguredProvider> {
  /**
   * Refunds many rows at once. Every row is checked before anything is sent (the facade's input
   * checks and the provider's contract; a refund id twice; a refund id the ledger holds for
   * another refund; more on an order than it holds, counting the ledger and the rows together):
   * any bad row is a `BatchInvalidError` listing each by line and rule, and nothing is reserved
   * or sent. Then each row goes through `refund` under its provider account's limits
   * (`limits`: requests in flight, starts per second, one refund per order in flight) and the
   * run's `concurrency`. The ledger is the run's state: the same rows again send nothing for
   * refunds that succeeded, query pending and unknown ones, and resubmit failed ones under the
   * same refund number — an interrupted run is finished by running it again.
   *
   * @example
   * const result = await refunds.batch(rows, { batch: 'flash-sale-1204', onProgress: (p) => console.log(p.counts.done, '/', p.counts.total) });
   * // result.counts: { total: 2000, done: 2000, succeeded: 1994, pending: 2, failed: 4, unknown: 0, notStarted: 0 }
   */
  batch(rows: readonly (BatchRow | RefundInputOf<P>)[], options?: BatchOptions): Promise<BatchResult>;
}
