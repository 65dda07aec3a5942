/**
 * `refundkit worker --ledger postgres://… --config C [--concurrency N]`: runs the jobs of
 * `refundkit batch --queue` until SIGINT or SIGTERM, then stops taking jobs, finishes those it
 * holds and exits 0. Many may run at once, on many machines. @refundkit/queue is loaded only here
 * and for `batch --queue`.
 */
import { createRefunds, LEASE_MARGIN_MS } from '@refundkit/refunds';
import { parseDuration } from '../amounts.js';
import { loadConfig } from '../config.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { ledgerLocation, openLedger } from '../ledger.js';
import { jsonLine } from '../terminal-text.js';
import { batchSettings, countFlag } from './batch.js';
import { openQueuePool, queueSchemaOf } from './queue-pool.js';

export const WORKER_HELP = `refundkit worker --ledger postgres://… [--config C] [--concurrency N] [--timeout 30s] [--json]

Runs the rows that refundkit batch FILE --queue enqueued, until SIGINT or SIGTERM: then it takes
no new job, finishes those it holds, and exits 0. Run as many as you like, on any machine that
reaches the database. Each row is sent through the same refund path as refundkit refund, taking
over the reservation the enqueuer made for it; a job delivered twice, or again after a worker was
killed, never refunds twice (the ledger's lease and same-number rule decide, not the queue).

Limits come from the config's "batch" block: perSecond per provider account holds across every
worker; concurrency is per worker and account. --concurrency: jobs at once in this worker
(default 8). Progress: a line every 5s on stderr (--json: one JSON object per row on stdout).
`;

export interface WorkerArgs {
  readonly config?: string | undefined;
  readonly ledger?: string | undefined;
  readonly concurrency?: string | undefined;
  readonly timeout?: string | undefined;
  readonly json?: boolean | undefined;
}

export interface WorkerControl {
  /** Resolves when the worker should stop; default: the first SIGINT or SIGTERM. */
  readonly stop?: Promise<unknown> | undefined;
}

export async function workerCommand(args: WorkerArgs, io: Io, control: WorkerControl = {}): Promise<number> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const concurrency = countFlag('--concurrency', args.concurrency, 1_000) ?? 8;
  const timeoutMs = args.timeout === undefined ? 30_000 : parseDuration('--timeout', args.timeout);
  if (timeoutMs === 0) throw new UsageError('--timeout must be more than 0');
  const configFile = args.config ?? env['REFUNDKIT_CONFIG'] ?? 'refundkit.config.json';
  const config = loadConfig(configFile, env, cwd);
  const settings = batchSettings(config);
  const location = ledgerLocation(args.ledger ?? env['REFUNDKIT_LEDGER'] ?? config.ledger, cwd, args.ledger !== undefined ? '--ledger' : 'REFUNDKIT_LEDGER');
  if (location.kind !== 'postgres') throw new UsageError('refundkit worker needs a PostgreSQL ledger: --ledger postgres://…');
  const ledger = await openLedger(location, io);
  // A row held by a sender that died is waited for to the end of its lease, then recovered (a query first).
  const inFlightWaitMs = 2 * timeoutMs + LEASE_MARGIN_MS;
  const refunds = createRefunds({ providers: config.providers as never, ledger, timeoutMs, inFlightWaitMs });
  const pool = openQueuePool(location.connectionString, concurrency + 4);
  const schema = queueSchemaOf(location.schema);
  const counts = { done: 0, succeeded: 0, pending: 0, failed: 0, unknown: 0 };
  try {
    const queue = await import('@refundkit/queue');
    await queue.migrateQueue(pool, schema);
    const worker = await queue.startQueueWorker({
      pool,
      schema,
      refunds,
      concurrency,
      limits: settings.limits,
      onRow: (job, refund) => {
        counts.done++;
        counts[refund.status]++;
        if (args.json) io.stdout.write(jsonLine({ type: 'row', line: job.line, batch: job.batch, provider: refund.provider, refund_id: refund.refundId, status: refund.status, failure_code: refund.failure?.code ?? '' }));
      },
    });
    io.stderr.write(`refundkit: worker started (concurrency ${concurrency}); SIGINT or SIGTERM to stop\n`);
    const line = (): string => `refundkit: worker: ${counts.done} rows done (succeeded ${counts.succeeded}, pending ${counts.pending}, failed ${counts.failed}, unknown ${counts.unknown})\n`;
    const ticker = setInterval(() => !args.json && io.stderr.write(line()), 5_000);
    ticker.unref();
    const stopSignal =
      control.stop ??
      new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    await Promise.race([stopSignal, worker.done]);
    io.stderr.write('refundkit: worker stopping: finishing the jobs it holds\n');
    await worker.stop();
    clearInterval(ticker);
    if (!args.json) io.stderr.write(line());
    return EXIT.ok;
  } finally {
    await pool.end();
    await refunds.close();
  }
}
