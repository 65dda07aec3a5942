/**
 * Helpers for the PostgreSQL ledger's tests: the server (from test/pg-global-setup.ts), a
 * `describe` that skips without one, and ledgers in fresh schemas that are dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { describe, inject } from 'vitest';
import { openPostgresLedger, migratePostgresLedger, type PostgresLedgerOptions } from '../src/ledger/postgres-ledger.js';
import { loadPostgresDriver, type PostgresPool } from '../src/ledger/postgres-driver.js';
import type { PostgresLedger } from '../src/ledger/postgres-store.js';

/** The test server's URL, or null (the PostgreSQL suites are then skipped: see pg-global-setup.ts). */
export const pgUrl: string | null = inject('pgUrl');

/** `describe` for suites that need PostgreSQL: skipped (with the one line pg-global-setup printed) without a server. */
export const describePg: ReturnType<typeof describe.skipIf> = describe.skipIf(pgUrl === null);

/** A schema name no other test uses: `refundkit_test_<random>`. */
export const freshSchemaName = (): string => `refundkit_test_${randomBytes(6).toString('hex')}`;

let admin: PostgresPool | undefined;

/** A pool for the tests' own statements (dropping schemas, inspecting tables, blocking locks). */
export async function adminPool(): Promise<PostgresPool> {
  if (!admin) {
    const { Pool } = await loadPostgresDriver();
    admin = new Pool({ connectionString: pgUrl!, max: 4 });
    admin.on('error', () => {});
  }
  return admin;
}

export async function dropSchema(schema: string): Promise<void> {
  await (await adminPool()).query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

export async function closeAdminPool(): Promise<void> {
  const pool = admin;
  admin = undefined;
  await pool?.end();
}

/** A ledger in a new, migrated schema; its `close()` also drops the schema. */
export async function openTestPostgresLedger(options: PostgresLedgerOptions = {}): Promise<PostgresLedger> {
  const schema = options.schema ?? freshSchemaName();
  await migratePostgresLedger({ connectionString: pgUrl! }, { schema });
  const ledger = await openPostgresLedger({ connectionString: pgUrl! }, { poolSize: 4, ...options, schema });
  const close = ledger.close.bind(ledger);
  ledger.close = async () => {
    await close();
    await dropSchema(schema);
  };
  return ledger;
}
