import { resolve } from 'node:path';
import { checkConnectionString, defaultLedgerPath, isPostgresUrl, openPostgresLedger, openSqliteLedger, redactConnectionString, type RefundLedger } from '@refundkit/refunds';
import type { Io } from './io.js';
import { printable } from './terminal-text.js';

/**
 * Where a command's ledger is: a `postgres://` or `postgresql://` URL (its optional `schema`
 * parameter names the schema, default `refundkit`; the parameter is refundkit's, not sent to
 * the server), or a SQLite file path, relative to `cwd`.
 */
export type LedgerLocation =
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly schema: string | undefined; readonly shown: string }
  | { readonly kind: 'sqlite'; readonly file: string; readonly shown: string };

/**
 * `--ledger`, `REFUNDKIT_LEDGER`, the config's `ledger`, or `./.refundkit/ledger.db`, in that
 * order, as a location. A URL pg would misread (an unencoded `#`, `/`, `?` or `@` in its password)
 * is a `LedgerConnectionStringError` naming `source`, the setting it came from, before anything
 * is opened or sent.
 */
export function ledgerLocation(spec: string | undefined, cwd: string, source = '--ledger'): LedgerLocation {
  const chosen = spec ?? defaultLedgerPath(cwd);
  if (isPostgresUrl(chosen)) {
    checkConnectionString(chosen, source);
    let connectionString = chosen;
    let schema: string | undefined;
    try {
      const url = new URL(chosen);
      schema = url.searchParams.get('schema') ?? undefined;
      url.searchParams.delete('schema');
      connectionString = url.toString();
    } catch {
      // pg reads a few strings the URL class does not (spaces, a stray %): they have no schema parameter to take.
    }
    return { kind: 'postgres', connectionString, schema, shown: `${redactConnectionString(connectionString)}, schema ${schema ?? 'refundkit'}` };
  }
  const file = chosen === ':memory:' ? chosen : resolve(cwd, chosen);
  return { kind: 'sqlite', file, shown: file };
}

/** Opens the ledger and says on stderr which one it is (a URL without its password). */
export async function openLedger(location: LedgerLocation, io: Io): Promise<RefundLedger> {
  const ledger =
    location.kind === 'postgres'
      ? await openPostgresLedger({ connectionString: location.connectionString }, location.schema ? { schema: location.schema } : {})
      : await openSqliteLedger(location.file);
  io.stderr.write(`refundkit: ledger ${printable(location.shown)}\n`);
  return ledger;
}
