import { RefundkitError } from '@refundkit/runtime';
import { sqliteRebuildCommand } from './sqlite-rebuild-hint.js';

/**
 * The part of better-sqlite3's API the SQLite ledger uses, declared here so that neither this
 * package's build nor its published types depend on better-sqlite3 or @types/better-sqlite3:
 * the driver is an optional peer dependency, loaded only by `openSqliteLedger`.
 */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface SqliteTransaction<A extends unknown[], R> {
  (...args: A): R;
  /** Runs in `BEGIN IMMEDIATE`: the write lock is taken before the first read. */
  immediate(...args: A): R;
}

export interface SqliteDatabase {
  readonly open: boolean;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R>;
  close(): unknown;
}

export type SqliteDatabaseConstructor = new (file: string, options?: { timeout?: number }) => SqliteDatabase;

/** better-sqlite3 is missing, or installed without a native module that loads in this Node. */
export class SqliteUnavailableError extends RefundkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('sqlite_unavailable', message, options);
  }
}

// A non-literal specifier: TypeScript does not resolve it (no types needed) and bundlers leave it alone.
const DRIVER: string = 'better-sqlite3';

const isModuleMissing = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(DRIVER);
};

/**
 * Imports better-sqlite3 on first use. A missing module is a `SqliteUnavailableError` that says
 * how to install it; `importer` is for tests.
 */
export async function loadSqliteDriver(importer: (specifier: string) => Promise<unknown> = (s) => import(s)): Promise<SqliteDatabaseConstructor> {
  let module: unknown;
  try {
    module = await importer(DRIVER);
  } catch (error) {
    if (isModuleMissing(error)) {
      throw new SqliteUnavailableError('the SQLite ledger needs better-sqlite3, an optional peer dependency: npm install better-sqlite3@^12', { cause: error });
    }
    throw new SqliteUnavailableError(`better-sqlite3 could not be loaded: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
  const candidate = (module as { default?: unknown } | null)?.default ?? module;
  if (typeof candidate !== 'function') throw new SqliteUnavailableError('better-sqlite3 was found but does not export a Database constructor');
  return candidate as SqliteDatabaseConstructor;
}

/**
 * Opens a database. better-sqlite3 loads its native module on the first `new Database`, so a
 * module built for another Node (or not built at all) fails here: that too is reported as
 * `SqliteUnavailableError`, with the remedy.
 */
export function openDatabase(Database: SqliteDatabaseConstructor, file: string, busyTimeoutMs: number): SqliteDatabase {
  try {
    return new Database(file, { timeout: busyTimeoutMs });
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    if (/bindings|NODE_MODULE_VERSION|better_sqlite3\.node|invalid ELF|wrong ELF/i.test(message)) {
      throw new SqliteUnavailableError(`better-sqlite3 is installed but its native module does not load in Node ${process.versions.node}: rebuild it against this Node's headers: ${sqliteRebuildCommand()} (${message})`, { cause: error });
    }
    throw error;
  }
}
