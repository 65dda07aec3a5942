/**
 * The schema version of the PostgreSQL ledger this code writes: the number of the last file in
 * `migrations/postgres/` (a test checks they agree). Opening a ledger whose `schema_migrations`
 * says otherwise is a `LedgerSchemaError`.
 */
export const POSTGRES_LEDGER_SCHEMA_VERSION = 3;

/** The schema the PostgreSQL ledger lives in unless told otherwise. */
export const DEFAULT_POSTGRES_SCHEMA = 'refundkit';

/** A schema name refundkit accepts: a plain lowercase SQL identifier, so it is never quoted wrongly or injected. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema name, double-quoted for SQL (checked against {@link SCHEMA_NAME} first). */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`ledger schema ${JSON.stringify(schema)}: use lowercase letters, digits and _ (at most 63, not starting with a digit)`);
  return `"${schema}"`;
}
