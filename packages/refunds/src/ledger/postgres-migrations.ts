// The PostgreSQL ledger's schema: versioned SQL files shipped in the package
// (`migrations/postgres/NNN_name.sql`), applied in order, each recorded in the schema's own
// `schema_migrations` table. Loaded only with the PostgreSQL ledger.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LedgerSchemaError } from './ledger-errors.js';
import type { PostgresPool, PostgresQueryable } from './postgres-driver.js';
import { POSTGRES_LEDGER_SCHEMA_VERSION, quoteSchema } from './postgres-schema.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** What {@link migrate} did. */
export interface MigrationReport {
  readonly schema: string;
  /** The version before (0: the schema had no ledger) and after. */
  readonly from: number;
  readonly to: number;
  /** The files applied, in order (none when the schema was up to date). */
  readonly applied: readonly string[];
}

/**
 * The folder of SQL files: `<package>/migrations/postgres`, found from this module whether it
 * runs from `src/ledger/` (tests) or from a chunk in `dist/` (the built package).
 */
export function migrationsFolder(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const up of ['..', join('..', '..')]) {
    const folder = join(here, up, 'migrations', 'postgres');
    if (existsSync(folder)) return folder;
  }
  throw new Error(`refundkit: the PostgreSQL migrations are missing from the installed package (looked near ${here})`);
}

/** Every migration file, in version order. */
export async function loadMigrations(folder: string = migrationsFolder()): Promise<Migration[]> {
  const files = (await readdir(folder)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(files.map(async (name) => ({ version: Number(name.slice(0, 3)), name, sql: await readFile(join(folder, name), 'utf8') })));
}

/** The command that brings `ledger` (already redacted) up to date, for messages. */
export function migrateCommand(redactedLedger: string, schema: string, defaultSchema: string): string {
  return `refundkit ledger migrate --ledger ${redactedLedger}${schema === defaultSchema ? '' : ` --schema ${schema}`}`;
}

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_SCHEMA = '3F000';

/** The schema's recorded version: 0 when it holds no ledger (no schema, or no `schema_migrations`). */
export async function schemaVersion(db: PostgresQueryable, schema: string): Promise<number> {
  try {
    const { rows } = await db.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${quoteSchema(schema)}.schema_migrations`);
    return rows[0]?.version ?? 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === UNDEFINED_TABLE || code === UNDEFINED_SCHEMA) return 0;
    throw error;
  }
}

/** Refuses a schema this code does not write, saying what to run. `ledger` names it (redacted, with its schema). */
export function assertVersion(found: number, ledger: string, command: string): void {
  const expected = POSTGRES_LEDGER_SCHEMA_VERSION;
  if (found === expected) return;
  if (found > expected) {
    throw new LedgerSchemaError(
      `ledger ${ledger} is at version ${found}, newer than this refundkit writes (${expected}): upgrade refundkit (npm install @refundkit/refunds@latest); nothing was recorded`,
      found,
      expected,
      'npm install @refundkit/refunds@latest',
    );
  }
  const state = found === 0 ? 'has no refundkit ledger yet' : `is at version ${found}, older than this refundkit writes (${expected})`;
  throw new LedgerSchemaError(`ledger ${ledger} ${state}: run ${command}; nothing was recorded`, found, expected, command);
}

/**
 * Applies the missing migrations to `schema` in one transaction (all or nothing). Concurrent
 * callers (several app instances starting at once) take turns on an advisory lock; the second
 * finds the schema up to date. A schema newer than this code is refused, untouched.
 */
export async function migrate(pool: PostgresPool, schema: string, ledger: string, migrations?: readonly Migration[]): Promise<MigrationReport> {
  const quoted = quoteSchema(schema);
  const files = migrations ?? (await loadMigrations());
  const latest = Math.max(0, ...files.map((m) => m.version));
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error): void => void (broken = error);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    try {
      // One lock per schema name: two migrators never interleave, migrators of other schemas never wait.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('refundkit.migrate:' || $1::text))`, [schema]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const from = await schemaVersion(client, schema);
      if (from > latest) assertVersion(from, ledger, '');
      const applied: string[] = [];
      await client.query(`SET LOCAL search_path TO ${quoted}`);
      for (const migration of files.filter((m) => m.version > from)) {
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
        applied.push(migration.name);
      }
      await client.query('COMMIT');
      return { schema, from, to: Math.max(from, latest), applied };
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => void (broken = rollback));
      throw error;
    }
  } finally {
    client.off('error', onError);
    client.release(broken ?? false);
  }
}
