import { RefundkitError } from '@refundkit/runtime';
import { LedgerUnavailableError, type LedgerRefusal } from './ledger-errors.js';

/**
 * The part of node-postgres (`pg` 8) the PostgreSQL ledger uses, declared here so that neither
 * this package's build nor its published types depend on `pg` or `@types/pg`: the driver is an
 * optional peer dependency, loaded only by `openPostgresLedger` and `migratePostgresLedger`.
 * A `pg.Pool`, `pg.Client` and `pg.PoolClient` fit these shapes.
 */
export interface PostgresQueryResult<Row = Record<string, unknown>> {
  readonly rows: Row[];
  readonly rowCount: number | null;
}

/** Anything that runs a query: a `pg.Client`, a `pg.PoolClient` (e.g. inside the caller's transaction). */
export interface PostgresQueryable {
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<PostgresQueryResult<Row>>;
}

export interface PostgresPoolClient extends PostgresQueryable {
  /** Back to the pool; with an error (or `true`), the connection is closed instead of reused. */
  release(destroy?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

export interface PostgresPool extends PostgresQueryable {
  connect(): Promise<PostgresPoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The settings of a pool refundkit creates (node-postgres names). */
export interface PostgresPoolConfig {
  connectionString: string;
  max?: number;
  statement_timeout?: number;
  connectionTimeoutMillis?: number;
  application_name?: string;
}

export type PostgresPoolConstructor = new (config: PostgresPoolConfig) => PostgresPool;

/** What the ledger takes from `pg`: its pool, and its quoting of a string as an SQL literal. */
export interface PostgresDriver {
  readonly Pool: PostgresPoolConstructor;
  /** `pg.escapeLiteral`: `'…'` with quotes doubled (`E'…'` when it holds a backslash). */
  readonly escapeLiteral: (value: string) => string;
}

/** `pg` is missing or cannot be loaded. */
export class PostgresUnavailableError extends RefundkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('postgres_unavailable', message, options);
  }
}

// A non-literal specifier: TypeScript does not resolve it (no types needed) and bundlers leave it alone.
const DRIVER: string = 'pg';

/** Imports `pg` on first use; a missing module is a `PostgresUnavailableError` saying what to install. `importer` is for tests. */
export async function loadPostgresDriver(importer: (specifier: string) => Promise<unknown> = (s) => import(s)): Promise<PostgresDriver> {
  let module: unknown;
  try {
    module = await importer(DRIVER);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(`'${DRIVER}'`)) {
      throw new PostgresUnavailableError('the PostgreSQL ledger needs pg (node-postgres), an optional peer dependency: npm install pg@^8.11', { cause: error });
    }
    throw new PostgresUnavailableError(`pg could not be loaded: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
  const exports = ((module as { default?: unknown } | null)?.default ?? module) as { Pool?: unknown; escapeLiteral?: unknown } | null;
  if (typeof exports?.Pool !== 'function' || typeof exports.escapeLiteral !== 'function') {
    throw new PostgresUnavailableError('pg was found but does not export Pool and escapeLiteral: install pg@^8.11');
  }
  return { Pool: exports.Pool as PostgresPoolConstructor, escapeLiteral: exports.escapeLiteral as (value: string) => string };
}

/**
 * SQLSTATE classes and codes that mean "the database could not do it now", not "the request is
 * wrong": connection exceptions (08), insufficient resources (53), operator intervention (57:
 * a terminated backend, a cancelled statement, a server shutting down), lock timeouts (55P03),
 * and serialization failures or deadlocks (40).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57|40)|^55P03$/;
/** Node socket errors and node-postgres's own words for a lost or refused connection. */
const UNAVAILABLE_NODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_TEXT = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|not queryable/i;

/** True when `error` says the database could not be reached or the call did not complete. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof RefundkitError) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE.has(code))) return true;
  return UNAVAILABLE_TEXT.test(String((error as Error | null)?.message ?? ''));
}

/** What each refusal asks of the operator, for messages. */
const REFUSAL_HINTS: Readonly<Record<LedgerRefusal, string>> = {
  database_missing: 'create it, or correct the database in the connection string',
  not_authorized: 'the server lets no such user in from here: create the role, or correct the user in the connection string (or the server\'s pg_hba.conf)',
  authentication_failed: 'correct the password in the connection string (percent-encoded)',
  permission_denied: 'grant the role USAGE on the ledger\'s schema and SELECT, INSERT, UPDATE on its tables, or use the role that ran refundkit ledger migrate',
  tls: 'the connection string\'s sslmode asks for TLS the server does not offer, or its certificate did not verify (see sslmode in the refunds README)',
  not_a_ledger: 'it is not a refundkit ledger',
  statement_refused: 'the database refused the ledger\'s statement',
};

/** TLS failures: the server offers none, or its certificate does not verify (Node's codes). */
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT(_LOCALLY)?)$|CERT_)/;
const TLS_TEXT = /does not support SSL connections|self[- ]signed certificate|unable to verify the first certificate|certificate has expired|Hostname\/IP does not match/i;
/** pg's words when the server asks for a password and none (or no string) was given. */
const NO_PASSWORD_TEXT = /SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string|password must be a string/i;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Why the database refused the ledger, when `error` says it did for a reason retrying will not
 * change (a missing database or role, a wrong or missing password, a missing privilege, TLS, or
 * any other error the server reported for a statement), with what to do; undefined for anything
 * else (a fault {@link isUnavailable} names, or not the database's error at all).
 */
export function refusalOf(error: unknown): { reason: LedgerRefusal; code: string | undefined; hint: string } | undefined {
  if (error instanceof RefundkitError || isUnavailable(error)) return undefined;
  const code = (error as { code?: unknown } | null)?.code;
  const message = String((error as Error | null)?.message ?? '');
  const sqlstate = typeof code === 'string' && SQLSTATE.test(code) ? code : undefined;
  let reason: LedgerRefusal | undefined;
  if (sqlstate === '3D000') reason = 'database_missing';
  else if (sqlstate === '28P01' || NO_PASSWORD_TEXT.test(message)) reason = 'authentication_failed';
  else if (sqlstate?.startsWith('28')) reason = 'not_authorized';
  else if (sqlstate === '42501') reason = 'permission_denied';
  else if ((typeof code === 'string' && TLS_CODES.test(code)) || TLS_TEXT.test(message)) reason = 'tls';
  else if (sqlstate !== undefined) reason = 'statement_refused';
  return reason === undefined ? undefined : { reason, code: typeof code === 'string' ? code : undefined, hint: REFUSAL_HINTS[reason] };
}

/** What went wrong, for a message: the SQLSTATE when there is one, and the driver's words (never a connection string). */
export function describeFault(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = String((error as Error | null)?.message ?? error);
  if (code === '57014') return `a statement ran past the ledger's statement timeout (${message})`;
  if (code === '57P01' || code === '57P02' || code === '57P03') return `the database ended the session (${message})`;
  return typeof code === 'string' ? `${message} (${code})` : message;
}

export { LedgerUnavailableError };
