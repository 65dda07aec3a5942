import { RefundkitError } from '@refundkit/runtime';

/**
 * The ledger's database could not be reached, or a call did not complete: the connection was
 * refused or lost, the server ended the session, a statement ran past its timeout. The call's
 * transaction was rolled back, so the ledger is as it was before the call, except when
 * `maybeCommitted` is true (the connection was lost while committing): then the reservation or
 * answer may or may not be recorded, and the safe next step is the same call again, with the same
 * refund id (a reservation that did commit is then `in_flight` until its lease ends, never a
 * second refund). Nothing was sent to any provider because of this call.
 */
export class LedgerUnavailableError extends RefundkitError {
  constructor(
    message: string,
    /** True when the failure came while committing: the outcome of the call is unknown. */
    readonly maybeCommitted: boolean = false,
    options?: { cause?: unknown },
  ) {
    super('ledger_unavailable', message, options);
  }
}

/**
 * Why a database refused the ledger (see {@link LedgerRefusedError}):
 * - `database_missing`: no such database (SQLSTATE 3D000);
 * - `not_authorized`: the server does not let this user in from here: no such role, no
 *   `pg_hba.conf` entry (28000);
 * - `authentication_failed`: the password was refused, or none was given where one is asked (28P01);
 * - `permission_denied`: the role lacks a privilege on the ledger's schema or tables (42501);
 *   a SQLite file or folder this process may not write;
 * - `tls`: the connection string asks for TLS (`sslmode`) and the server offers none, or its
 *   certificate did not verify;
 * - `not_a_ledger`: a SQLite file that is not a database, or is damaged;
 * - `statement_refused`: any other error the database reported for the ledger's statement.
 */
export type LedgerRefusal = 'database_missing' | 'not_authorized' | 'authentication_failed' | 'permission_denied' | 'tls' | 'not_a_ledger' | 'statement_refused';

/**
 * The ledger's database refused it, for a reason that retrying will not change: a missing
 * database or role, a wrong password, a missing privilege, a TLS mismatch, a SQLite file that is
 * not a database (`reason` says which). Unlike {@link LedgerUnavailableError}, someone must fix the
 * connection string, the grants or the file first. The message names the ledger (its password
 * redacted) and ends with what happened: the call's transaction was rolled back, so nothing was
 * recorded, and nothing was sent to any provider because of this call.
 *
 * @example
 * // ledger postgres://app:***@db.internal:5432/shop, schema refundkit: database "shop" does not exist (3D000):
 * // create it, or correct the database in the connection string; nothing was recorded
 */
export class LedgerRefusedError extends RefundkitError {
  constructor(
    message: string,
    readonly reason: LedgerRefusal,
    /** The database's error code: a PostgreSQL SQLSTATE (`3D000`), a SQLite code (`SQLITE_NOTADB`), a TLS code; undefined when it gave none. */
    readonly databaseCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super('ledger_refused', message, options);
  }
}

/**
 * A PostgreSQL connection string refundkit cannot use, refused before connecting: not a
 * `postgres://` URL, a URL that cannot be parsed (usually a password holding `#`, `/`, `?` or `@`
 * unencoded: percent-encode them, `#` as `%23`, `/` as `%2F`, `?` as `%3F`, `@` as `%40`, `%` as
 * `%25`), or an `sslmode` refundkit does not know; or a schema name that is not a plain
 * identifier (`option`: `schema`). `option` names where it came from (`connectionString`, the
 * CLI's `--ledger`, `REFUNDKIT_LEDGER`, `schema`). The message never carries the
 * password. Nothing was recorded or sent.
 */
export class LedgerConnectionStringError extends RefundkitError {
  constructor(
    message: string,
    /** Where the connection string came from, e.g. `--ledger`. */
    readonly option: string,
  ) {
    super('ledger_connection_string', message);
  }
}

/**
 * The ledger's database schema is not the one this refundkit writes: never created, older (run
 * the migrations), or newer (this refundkit is older than the one that migrated it). `command`
 * is what to run.
 */
export class LedgerSchemaError extends RefundkitError {
  constructor(
    message: string,
    /** The database's schema version (0: none), and the one this code writes. */
    readonly found: number,
    readonly expected: number,
    /** What fixes it, e.g. `refundkit ledger migrate --ledger postgres://app@db/shop`. */
    readonly command: string,
  ) {
    super('ledger_schema_mismatch', message);
  }
}
