// The queue's connections: a pg pool of its own on the ledger's database (the ledger's pool is
// the ledger's), and the queue's schema beside the ledger's.
import pg from 'pg';

/** The queue's schema: `<ledger schema>_queue` (default `refundkit_queue`), so ledgers side by side in one database have queues side by side. */
export function queueSchemaOf(ledgerSchema: string | undefined): string {
  return `${ledgerSchema ?? 'refundkit'}_queue`;
}

/** A pool on the ledger's database, named in pg_stat_activity; an idle connection the server closed is dropped, never a crash. */
export function openQueuePool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: 'refundkit-queue' });
  pool.on('error', () => undefined);
  // A connection's own errors (a server that ended the session) fail its next statement instead.
  pool.on('connect', (client) => void client.on('error', () => undefined));
  return pool;
}
