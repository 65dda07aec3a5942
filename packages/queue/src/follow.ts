// Following a queued run from the enqueuing process: the ledger's summary of the run (its
// statuses) and the queue's jobs of the run still to do, until none is left. Stopping the
// follower leaves the jobs to the workers.
import type { BatchSummary, PostgresLedger } from '@refundkit/refunds';
import type { Pool } from 'pg';
import { runKeyPattern } from './job.js';
import { quoted, sweepDeadWorkers } from './queue-schema.js';

export interface RunState {
  readonly summary: BatchSummary | undefined;
  /** Jobs of the run waiting or running. */
  readonly jobsLeft: number;
  /** Jobs graphile-worker gave up on (every attempt failed): their rows stay as the ledger holds them. */
  readonly jobsGivenUp: number;
}

export async function runState(pool: Pool, schema: string, ledger: PostgresLedger, batch: string): Promise<RunState> {
  const s = quoted(schema);
  const [{ rows }, summaries] = await Promise.all([
    pool.query<{ left: number; given_up: number }>(`SELECT count(*) FILTER (WHERE attempts < max_attempts)::int AS left, count(*) FILTER (WHERE attempts >= max_attempts)::int AS given_up FROM ${s}.jobs WHERE key LIKE $1`, [runKeyPattern(batch)]),
    ledger.batches({ id: batch, limit: 1 }),
  ]);
  return { summary: summaries[0], jobsLeft: rows[0]?.left ?? 0, jobsGivenUp: rows[0]?.given_up ?? 0 };
}

/** Calls `onTick` every `everyMs` until the run has no job left or `signal` aborts; returns the last state. */
export async function followRun(options: { pool: Pool; schema: string; ledger: PostgresLedger; batch: string; everyMs?: number; signal?: AbortSignal; onTick?: (state: RunState) => void }): Promise<RunState> {
  for (;;) {
    await sweepDeadWorkers(options.pool, options.schema).catch(() => undefined);
    const state = await runState(options.pool, options.schema, options.ledger, options.batch);
    options.onTick?.(state);
    if (state.jobsLeft === 0 || options.signal?.aborted) return state;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.everyMs ?? 500);
      options.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}
