/**
 * Finds the PostgreSQL server the PostgreSQL ledger's tests use, once per run, and hands its URL
 * to them (`inject('pgUrl')`, null when there is none). Without a server the PostgreSQL suites
 * are skipped, with one line saying how to run them; with REFUNDKIT_REQUIRE_PG=1 (CI: .ci/run)
 * a missing server fails the run instead.
 */
import type { TestProject } from 'vitest/node';
import { loadPostgresDriver } from '../src/ledger/postgres-driver.js';
import { redactConnectionString } from '../src/ledger/connection-string.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test server's URL, or null when PostgreSQL tests are skipped. */
    pgUrl: string | null;
  }
}

/** Where the tests look unless REFUNDKIT_TEST_PG_URL says otherwise (trust authentication, database `test`). */
export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export default async function setup(project: TestProject): Promise<void> {
  const url = process.env['REFUNDKIT_TEST_PG_URL'] || DEFAULT_TEST_PG_URL;
  const required = process.env['REFUNDKIT_REQUIRE_PG'] === '1';
  const { Pool } = await loadPostgresDriver();
  const pool = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 3000 });
  pool.on('error', () => {});
  let failure: string | undefined;
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    failure = String((error as Error).message || (error as { code?: string }).code || error);
  } finally {
    await pool.end().catch(() => {});
  }
  if (failure === undefined) return project.provide('pgUrl', url);
  const where = redactConnectionString(url);
  if (required) throw new Error(`REFUNDKIT_REQUIRE_PG=1 but PostgreSQL at ${where} is unreachable (${failure}): start it, or set REFUNDKIT_TEST_PG_URL`);
  console.warn(`PostgreSQL ledger tests skipped: no server at ${where} (${failure}); to run them, start PostgreSQL or set REFUNDKIT_TEST_PG_URL=postgres://user@host:port/db`);
  project.provide('pgUrl', null);
}
