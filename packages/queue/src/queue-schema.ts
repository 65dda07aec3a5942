// Where the jobs live: graphile-worker's schema (its own migrations), plus two small tables of
// refundkit's in the same schema: each provider account's next start instant (the starts-per-
// second limit, held across every worker) and the live workers (so a killed one's jobs are
// released at once, not after graphile-worker's four-hour lock timeout).
import { Logger, runMigrations } from 'graphile-worker';
import type { Pool } from 'pg';

/** The default schema of the queue (graphile-worker's tables and refundkit's two). */
export const DEFAULT_QUEUE_SCHEMA = 'refundkit_queue';

/** A schema name the queue accepts: a plain lowercase identifier, never quoted wrongly or injected. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema, checked and double-quoted for SQL. */
export function quoted(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`queue schema ${JSON.stringify(schema)}: use lowercase letters, digits and _ (at most 63, not starting with a digit)`);
  return `"${schema}"`;
}

/** The task every batch row is a job of. */
export const REFUND_TASK = 'refundkit_refund';

/**
 * Creates or upgrades the queue's schema: graphile-worker's migrations, then refundkit's tables
 * (in one transaction under an advisory lock, so workers starting together take turns).
 */
export async function migrateQueue(pool: Pool, schema: string = DEFAULT_QUEUE_SCHEMA): Promise<void> {
  const s = quoted(schema);
  await runMigrations({ pgPool: pool, schema, logger: quietLogger });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('refundkit.queue.migrate:' || $1::text))`, [schema]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${s}.refundkit_lanes (
        provider text NOT NULL,
        account  text NOT NULL,
        next_at  timestamptz NOT NULL,
        PRIMARY KEY (provider, account)
      );
      CREATE TABLE IF NOT EXISTS ${s}.refundkit_workers (
        worker_id   text PRIMARY KEY,
        backend_pid integer NOT NULL,
        started_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Releases the jobs of workers whose process is gone: a worker registers its ids with the
 * backend pid of a connection it holds for its whole life, so a worker killed with SIGKILL (its
 * connection closed by the kernel) is found missing from `pg_stat_activity`. Returns how many
 * workers were swept. Their refunds are safe to hand on: the ledger's lease of the killed sender
 * runs out, and the next sender recovers the refund by a query first.
 */
export async function sweepDeadWorkers(pool: Pool, schema: string): Promise<number> {
  const s = quoted(schema);
  const { rows } = await pool.query<{ swept: number }>(`
    WITH dead AS (
      DELETE FROM ${s}.refundkit_workers w
       WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = w.backend_pid)
      RETURNING worker_id)
    SELECT count(*)::int AS swept, ${s}.force_unlock_workers(array(SELECT worker_id FROM dead)) FROM (SELECT 1) one`);
  return rows[0]?.swept ?? 0;
}

/** graphile-worker's logger, silenced but for errors (refundkit prints its own lines). */
export const quietLogger = new Logger(() => (level, message) => {
  if (String(level) === 'error') process.stderr.write(`refundkit: queue: ${message}\n`);
});
