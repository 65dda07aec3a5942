// `refunds.batch`: a mass refund in this process. Every row is checked first (nothing is sent
// when one is bad); then each row goes through the facade's own `refund`, so every ledger rule
// holds as for a single refund: the ledger is the run's state, and running the same rows again
// sends nothing for refunds that succeeded, queries pending and unknown ones (resending the same
// number only when the provider cannot tell), and resubmits failed ones under the same number.
import { RefundkitError } from '@refundkit/runtime';
import { optionError } from '../changes/read-changes.js';
import type { RefundCallOptions } from '../facade/options.js';
import type { ProviderKey, Refund } from '../model.js';
import type { RefundInput } from '../refund-input.js';
import { toFailure } from '../failure.js';
import { batchLabel } from './batch-label.js';
import { BatchTally } from './batch-progress.js';
import { DEFAULT_BATCH_CONCURRENCY, DEFAULT_LANE_LIMIT, rowResult, type BatchOptions, type BatchResult, type BatchRow, type BatchRowResult, type LaneLimit } from './batch-types.js';
import { checkRows, type CheckContext, type CheckedRow } from './check-rows.js';
import { LaneQueue, Slots, Spacing } from './lane-limiter.js';

/** What `runBatch` needs of the facade: its checks' context and its `refund`. */
export interface BatchContext extends CheckContext {
  refund(input: RefundInput, options: RefundCallOptions): Promise<Refund>;
}

type Planned = CheckedRow & { plan: BatchRowResult['plan'] };

function checkCountOption(name: string, value: unknown, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) throw optionError(name, `1 to ${max}`, `${name} must be a whole number from 1 to ${max}, not ${String(value)}; nothing was sent`);
}

/** The options, checked before anything is read or sent. */
function checkBatchOptions(options: BatchOptions): void {
  checkCountOption('concurrency', options.concurrency, 1_000);
  for (const [provider, limit] of Object.entries(options.limits ?? {})) {
    checkCountOption(`limits.${provider}.concurrency`, limit?.concurrency, 1_000);
    if (limit?.perSecond !== undefined && !(typeof limit.perSecond === 'number' && limit.perSecond > 0 && limit.perSecond <= 100_000)) {
      throw optionError(`limits.${provider}.perSecond`, 'more than 0, at most 100000', `limits.${provider}.perSecond must be a number of requests per second more than 0; nothing was sent`);
    }
  }
}

/** A row's end when its call threw: nothing sent (the refusal's code), or maybe sent (`unknown`). */
function rowOfError(row: Planned, error: unknown, ms: number): BatchRowResult {
  const maybeSent = !(error instanceof RefundkitError) || (error as { sent?: unknown }).sent === true;
  const code = error instanceof RefundkitError ? error.code : 'internal_error';
  const message = error instanceof Error ? error.message : String(error);
  return rowResult(row, { status: maybeSent ? 'unknown' : 'failed', failure: toFailure({ source: 'local', code, message }) }, ms);
}

const withoutInput = ({ input: _input, accountName: _name, ...row }: Planned) => row;

/**
 * Runs the rows: checks them all (a `BatchInvalidError` when any is bad: nothing reserved or
 * sent), then refunds each under its lane's limits. Never throws for a row: each row's end is
 * in the result (`unknown` when a request may have left and nothing is known).
 */
export async function runBatch(context: BatchContext, rows: readonly (BatchRow | RefundInput)[], options: BatchOptions = {}): Promise<BatchResult> {
  const started = performance.now();
  checkBatchOptions(options);
  const label = batchLabel(options.batch);
  const planned = await checkRows(rows, context);
  if (options.dryRun) {
    const results = planned.map((row) => ({ ...withoutInput(row), status: 'not_started' as const, ms: 0 }));
    const tally = new BatchTally(lanesOf(planned).map(([, lane]) => ({ provider: lane[0]!.provider, account: lane[0]!.account, total: lane.length })));
    for (const row of results) tally.add(row);
    return { batch: label, dryRun: true, rows: results, counts: tally.counts, lanes: tally.lanes(), stopped: false, ms: performance.now() - started };
  }

  const lanes = lanesOf(planned);
  const tally = new BatchTally(lanes.map(([, lane]) => ({ provider: lane[0]!.provider, account: lane[0]!.account, total: lane.length })));
  const results = new Map<number, BatchRowResult>();
  const all = new Slots(options.concurrency ?? DEFAULT_BATCH_CONCURRENCY);
  const signal = options.signal;
  // Settles when the run is stopped: every wait for a start races it (one listener for the run).
  const stopping = signal === undefined ? undefined : new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  let stopped = false;

  const end = (result: BatchRowResult): void => {
    results.set(result.line, result);
    tally.add(result);
    options.onProgress?.({ row: result, lanes: tally.lanes(), counts: tally.counts });
  };

  await Promise.all(
    lanes.map(async ([provider, laneRows]) => {
      const limit: Required<LaneLimit> = { ...DEFAULT_LANE_LIMIT, ...definedOf(options.limits?.[provider]) };
      const queue = new LaneQueue(laneRows, limit.onePerOrder);
      const spacing = new Spacing(limit.perSecond);
      const stop = (): void => {
        stopped = true;
        for (const row of queue.drain()) end({ ...withoutInput(row), status: 'not_started', ms: 0 });
      };
      const worker = async (): Promise<void> => {
        for (let row = await queue.next(); row !== undefined; row = await queue.next()) {
          const rowStarted = performance.now();
          try {
            // A refund that already succeeded sends nothing: it takes no slot and no start.
            const sends = row.plan !== 'done';
            if (sends) {
              await all.acquire();
              if (!signal?.aborted) await spacing.take(stopping);
            }
            try {
              if (signal?.aborted) {
                end({ ...withoutInput(row), status: 'not_started', ms: 0 });
                stop();
                continue;
              }
              // The run's signal stops new rows only: a row that started finishes (its own deadline bounds it).
              const refund = await context.refund(row.input, label === undefined ? {} : { batch: label });
              end(rowResult(withoutInput(row), refund, performance.now() - rowStarted));
            } catch (error) {
              end(rowOfError(row, error, performance.now() - rowStarted));
            } finally {
              if (sends) all.release();
            }
          } finally {
            queue.done(row);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(limit.concurrency, laneRows.length) }, worker));
    }),
  );

  const ordered = planned.map((row) => results.get(row.line)!);
  return { batch: label, dryRun: false, rows: ordered, counts: tally.counts, lanes: tally.lanes(), stopped, ms: performance.now() - started };
}

/** The rows by lane (provider account), lanes in order of their first row. */
function lanesOf(rows: readonly Planned[]): [ProviderKey, Planned[]][] {
  const lanes = new Map<string, [ProviderKey, Planned[]]>();
  for (const row of rows) {
    const key = `${row.provider}\u0000${row.account}`;
    const lane = lanes.get(key);
    if (lane) lane[1].push(row);
    else lanes.set(key, [row.provider, [row]]);
  }
  return [...lanes.values()];
}

function definedOf(limit: LaneLimit | undefined): Partial<LaneLimit> {
  return Object.fromEntries(Object.entries(limit ?? {}).filter(([, v]) => v !== undefined));
}
