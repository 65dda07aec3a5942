/**
 * `refundkit batch FILE --queue --ledger postgres://…`: checks the file (nothing is enqueued for a
 * bad one), enqueues every row that is not done as a job, in the transaction of its reservation,
 * then follows the run until no job of it is left. Ctrl-C stops following; the jobs stay with
 * the workers. @refundkit/queue (graphile-worker) is loaded only here and in `worker`.
 */
import { resolve } from 'node:path';
import { createLogUpdate } from 'log-update';
import type { PostgresLedger } from '@refundkit/refunds';
import { EXIT, UsageError, type Io } from '../io.js';
import { jsonLine } from '../terminal-text.js';
import { resultFromLedger } from '../batch/queue-run.js';
import { batchExitCode, rowRecord, summaryTable, writeReport } from '../batch/report.js';
import { interruptions, openBatch, type BatchArgs, type BatchControl } from './batch.js';
import { openQueuePool, queueSchemaOf } from './queue-pool.js';

export async function queueBatchCommand(args: BatchArgs, io: Io, control: BatchControl): Promise<number> {
  const started = performance.now();
  const opened = await openBatch(args, io);
  const { refunds, rows, label, location } = opened;
  // A postgres:// location opens the PostgreSQL ledger: its `reserveWith` writes each reservation in the enqueuer's transaction.
  const pg = opened.ledger as PostgresLedger;
  if (location.kind !== 'postgres') {
    await refunds.close();
    throw new UsageError('--queue needs a PostgreSQL ledger: --ledger postgres://…');
  }
  const queue = await import('@refundkit/queue');
  const pool = openQueuePool(location.connectionString);
  const schema = queueSchemaOf(location.schema);
  const stop = control.signal === undefined ? interruptions(io, 'no longer following; the jobs stay with the workers') : undefined;
  const signal = control.signal ?? stop?.signal;
  try {
    // Every row checked (and planned from the ledger) before anything is reserved or enqueued.
    const plan = await refunds.batch(rows, { batch: label, dryRun: true });
    await queue.migrateQueue(pool, schema);
    const enqueued = await queue.enqueueBatch(
      plan.rows.map((row, i) => ({ input: rows[i]!.input, plan: row })),
      { pool, ledger: pg, refunds, schema, batch: label },
    );
    io.stderr.write(`refundkit: batch ${label}: ${enqueued.enqueued} rows enqueued (${enqueued.done} done already); following until the workers finish\n`);
    const tty = (io.stderr as { isTTY?: boolean }).isTTY === true && !args.json;
    const draw = tty ? createLogUpdate(io.stderr as unknown as NodeJS.WriteStream, { showCursor: true, defaultHeight: 24 }) : undefined;
    let printedAt = performance.now();
    const state = await queue.followRun({
      pool,
      schema,
      ledger: pg,
      batch: label,
      ...(signal ? { signal } : {}),
      onTick: (s) => {
        const st = s.summary?.statuses;
        const line = `batch ${label}: ${s.jobsLeft} jobs left  succeeded ${st?.succeeded.count ?? 0}  pending ${st?.pending.count ?? 0}  failed ${st?.failed.count ?? 0}  unknown ${st?.unknown.count ?? 0}`;
        if (draw) draw(line);
        else if (!args.json && performance.now() - printedAt >= 2_000) {
          printedAt = performance.now();
          io.stderr.write(`refundkit: ${line}\n`);
        }
      },
    });
    draw?.done();
    const result = await resultFromLedger(pg, label, plan.rows, performance.now() - started, state.jobsLeft > 0);
    if (args.report !== undefined) writeReport(resolve(io.cwd ?? process.cwd(), args.report), result);
    // Rows whose jobs are still waiting are not finished: at least "pending" (4), whatever the ledger says of them now.
    const counts = state.jobsLeft > 0 && result.counts.notStarted === 0 ? { ...result.counts, notStarted: state.jobsLeft } : result.counts;
    const exit = batchExitCode(counts);
    if (args.json) {
      for (const row of result.rows) io.stdout.write(jsonLine({ type: 'row', ...rowRecord(row) }));
      io.stdout.write(jsonLine({ type: 'summary', batch: label, queued: true, enqueued: enqueued.enqueued, jobsLeft: state.jobsLeft, jobsGivenUp: state.jobsGivenUp, counts: result.counts, ms: Math.round(result.ms), exit }));
    } else {
      io.stdout.write(`batch ${label} (queued): ${result.counts.total} rows in ${(result.ms / 1000).toFixed(1)}s${state.jobsLeft > 0 ? `; ${state.jobsLeft} jobs still with the workers` : ''}\n`);
      io.stdout.write(summaryTable(result));
    }
    return state.jobsLeft > 0 && exit === EXIT.ok ? EXIT.pending : exit;
  } finally {
    stop?.dispose();
    await pool.end();
    await refunds.close();
  }
}
