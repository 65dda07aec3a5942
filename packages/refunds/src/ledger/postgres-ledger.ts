// The PostgreSQL ledger's entry points. This module is light and loads nothing else: the store
// (postgres-store.ts), its migrations and the `pg` driver are imported at the first call, so
// importing @refundkit/refunds costs nothing for those who never use PostgreSQL.
import type { Clock } from '@refundkit/runtime';
import type { PostgresPool } from './postgres-driver.js';
import type { MigrationReport } from './postgres-migrations.js';
import type { PostgresLedger } from './postgres-store.js';

/** Which database: a connection string (refundkit opens and closes its own pool), or a `pg.Pool` the caller owns. */
export type PostgresTarget = { readonly connectionString: string } | { readonly pool: PostgresPool };

export interface PostgresLedgerOptions {
  /** The schema holding the ledger's tables (default `refundkit`): several apps can share one database. */
  readonly schema?: string;
  /** Apply missing migrations on open instead of refusing an older schema (default false: run `refundkit ledger migrate`). */
  readonly migrate?: boolean;
  /** Connections in the pool refundkit opens (default 10). Ignored with a caller's pool. */
  readonly poolSize?: number;
  /** Longest a statement may run, lock waits included, before the call fails with `LedgerUnavailableError` (default 10 000 ms; 0: none). Ignored with a caller's pool. */
  readonly statementTimeoutMs?: number;
  /** Longest to wait for a connection (default 10 000 ms). Ignored with a caller's pool. */
  readonly connectTimeoutMs?: number;
  /** `application_name` of refundkit's connections, as `pg_stat_activity` shows them (default `refundkit`; a connection string's own wins). */
  readonly applicationName?: string;
  /**
   * TESTS ONLY: the clock the ledger reads instead of the database's (read at every call), so a
   * conformance suite can freeze time and move it on to expire a lease, exactly as it does with
   * the memory and SQLite ledgers. Production code never sets it: the point of this ledger is
   * one clock, the database's, for every machine.
   */
  readonly testClock?: Clock;
}

/**
 * Opens a ledger in a PostgreSQL database, shared by every instance of an app on every machine.
 * `pg` (node-postgres 8) is an optional peer dependency, imported here on first use; without it
 * this throws `PostgresUnavailableError`. The schema must be at this code's version (apply the
 * migrations with `refundkit ledger migrate --ledger <url>` or {@link migratePostgresLedger}, or
 * pass `migrate: true`), else `LedgerSchemaError` says which command to run. Close it when done.
 *
 * @example
 * const ledger = await openPostgresLedger({ connectionString: process.env.DATABASE_URL! }, { schema: 'refundkit' });
 * const refunds = createRefunds({ providers, ledger });
 */
export async function openPostgresLedger(target: PostgresTarget, options: PostgresLedgerOptions = {}): Promise<PostgresLedger> {
  const { openLedger } = await import('./postgres-store.js');
  return openLedger(target, options);
}

/**
 * Creates the ledger's schema or brings it to this code's version (`migrations/postgres/*.sql`,
 * in one transaction; concurrent callers take turns). What `refundkit ledger migrate` runs.
 *
 * @example
 * await migratePostgresLedger({ connectionString: 'postgres://app@db/shop' }); // { schema: 'refundkit', from: 0, to: 1, applied: ['001_ledger.sql'] }
 */
export async function migratePostgresLedger(target: PostgresTarget, options: Pick<PostgresLedgerOptions, 'schema' | 'connectTimeoutMs' | 'applicationName'> = {}): Promise<MigrationReport> {
  const { migrateLedger } = await import('./postgres-store.js');
  return migrateLedger(target, options);
}

export type { PostgresLedger, MigrationReport, PostgresPool };
