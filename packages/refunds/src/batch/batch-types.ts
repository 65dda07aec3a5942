// What `refunds.batch` takes and gives back: rows, options, limits, progress and the result.
import type { ProviderKey, Refund, RefundFailure, RefundStatus } from '../model.js';
import type { RefundInput } from '../refund-input.js';

/**
 * One row of a mass refund: the refund (as for `refunds.refund`) and where it came from, so an
 * error or a report can name the file's line. A bare `RefundInput` is a row numbered by its
 * place in the list (1, 2, …).
 */
export interface BatchRow {
  readonly input: RefundInput;
  /** The line of the file it was read from (CSV: the header is line 1), else its place in the list. */
  readonly line?: number | undefined;
}

/** How hard one provider account may be driven: one lane per (provider, account). */
export interface LaneLimit {
  /** Requests in flight at once (default {@link DEFAULT_LANE_LIMIT}). */
  readonly concurrency?: number | undefined;
  /** Requests started per second, spaced evenly (default {@link DEFAULT_LANE_LIMIT}). */
  readonly perSecond?: number | undefined;
  /**
   * At most one refund in flight per order (default true): two partial refunds of one order
   * racing at the provider is where providers' own over-refund checks are weakest, and a
   * provider may refuse the second as a concurrent operation on the order.
   */
  readonly onePerOrder?: boolean | undefined;
}

/**
 * The defaults, deliberately low: a provider's rate limit is rarely documented, and a refused
 * burst turns into `unknown` refunds to resolve. Raise them per provider once you know better.
 */
export const DEFAULT_LANE_LIMIT: Required<LaneLimit> = { concurrency: 4, perSecond: 10, onePerOrder: true };

/** The default cap on refunds in flight across the whole run. */
export const DEFAULT_BATCH_CONCURRENCY = 16;

/** Options of `refunds.batch`. */
export interface BatchOptions {
  /**
   * The run's label, stored on every refund it first reserves (`Refund.batch`); `batches()`
   * sums it. Rerunning a file under the same label resumes the same run.
   */
  readonly batch?: string | undefined;
  /** Refunds in flight at once across every provider (default {@link DEFAULT_BATCH_CONCURRENCY}). */
  readonly concurrency?: number | undefined;
  /** Per provider: the limit of each of its accounts' lanes (defaults: {@link DEFAULT_LANE_LIMIT}). */
  readonly limits?: Readonly<Partial<Record<ProviderKey, LaneLimit>>> | undefined;
  /** Called after each row ends (and never while rows are still being checked). */
  readonly onProgress?: ((progress: BatchProgress) => void) | undefined;
  /**
   * Stops the run: no row starts after it; rows in flight end as their calls do (an exchange
   * cut off is `unknown`, a row not started is reported `not_started`). Rerun to finish.
   */
  readonly signal?: AbortSignal | undefined;
  /** Only check the rows and say what would be done (`--dry-run`): nothing is reserved or sent. */
  readonly dryRun?: boolean | undefined;
}

/**
 * What the ledger says of a row before the run (the plan): `new` (never seen), `done` (succeeded:
 * nothing will be sent), `pending` (a query decides), `unknown` (a query first, the same number
 * again only if it cannot tell), `failed` (resubmitted under the same number).
 */
export type RowPlan = 'new' | 'done' | 'pending' | 'unknown' | 'failed';

/** One row's end: the row as planned, and what became of it. */
export interface BatchRowResult extends PlannedRow {
  /** The refund's status after the row, or `not_started` (the run was stopped before it). */
  readonly status: RefundStatus | 'not_started';
  readonly providerRefundId?: string | undefined;
  readonly failure?: RefundFailure | undefined;
  /** How long the row took, ms. */
  readonly ms: number;
}

/** Counts of rows by where they ended. */
export interface BatchCounts {
  total: number;
  done: number;
  succeeded: number;
  pending: number;
  failed: number;
  unknown: number;
  notStarted: number;
}

/** One lane's progress: a provider account. */
export interface LaneProgress extends BatchCounts {
  readonly provider: ProviderKey;
  readonly account: string;
  /** Rows ended per second over the last few seconds. */
  readonly ratePerSecond: number;
  /** Seconds left at that rate (undefined until there is a rate). */
  readonly etaSeconds: number | undefined;
}

/** What `onProgress` gets after each row. */
export interface BatchProgress {
  readonly row: BatchRowResult;
  readonly lanes: readonly LaneProgress[];
  readonly counts: Readonly<BatchCounts>;
}

/** What a dry run would do with a row. */
export interface PlannedRow {
  readonly line: number;
  readonly provider: ProviderKey;
  /** The merchant account (the ledger's key: `Refund.account`). */
  readonly account: string;
  readonly orderId: string;
  readonly refundId: string;
  readonly amount: number;
  readonly currency: string;
  readonly plan: RowPlan;
}

/** The result of `refunds.batch`. */
export interface BatchResult {
  readonly batch: string | undefined;
  readonly dryRun: boolean;
  /** Every row in file order (for a dry run, the plan: status `not_started`). */
  readonly rows: readonly BatchRowResult[];
  readonly counts: Readonly<BatchCounts>;
  readonly lanes: readonly LaneProgress[];
  /** True when the signal stopped the run before every row started. */
  readonly stopped: boolean;
  readonly ms: number;
}

/** A finished refund as a row's result. */
export function rowResult(row: PlannedRow, refund: Pick<Refund, 'status' | 'providerRefundId' | 'failure'>, ms: number): BatchRowResult {
  return {
    ...row,
    status: refund.status,
    ...(refund.providerRefundId !== undefined ? { providerRefundId: refund.providerRefundId } : {}),
    ...(refund.failure !== undefined ? { failure: refund.failure } : {}),
    ms,
  };
}
