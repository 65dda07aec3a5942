import { parseArgs } from 'node:util';
import { LEDGER_SCHEMA_VERSION, migratePostgresLedger, openSqliteLedger } from '@refundkit/refunds';
import { EXIT, UsageError, type Io } from '../io.js';
import { ledgerLocation } from '../ledger.js';
import { jsonLine, printable } from '../terminal-text.js';

export const LEDGER_HELP = `refundkit ledger migrate [--ledger postgres://user@host/db | FILE] [--schema NAME] [--json]

Creates the ledger's tables, or brings them to this refundkit's version. For PostgreSQL it
applies the SQL migrations shipped with @refundkit/refunds (in one transaction, in the schema
NAME, default "refundkit", or the URL's ?schema= parameter); a PostgreSQL ledger refuses to open
until this has run. A SQLite file is migrated as it is opened. The ledger is --ledger, else
REFUNDKIT_LEDGER, else ./.refundkit/ledger.db. The password in a URL is never printed.
`;

/** `refundkit ledger <subcommand>`: today `migrate`. */
export async function ledgerCommand(args: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: { ledger: { type: 'string' }, schema: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help || positionals.length === 0) return io.stdout.write(LEDGER_HELP), v.help ? EXIT.ok : EXIT.input;
  if (positionals.length > 1 || positionals[0] !== 'migrate') throw new UsageError(`unknown ledger command ${JSON.stringify(positionals.join(' '))}: try refundkit ledger migrate`);

  const env = io.env ?? process.env;
  const location = ledgerLocation(v.ledger ?? env['REFUNDKIT_LEDGER'], io.cwd ?? process.cwd(), v.ledger !== undefined ? '--ledger' : 'REFUNDKIT_LEDGER');
  let report: { ledger: string; schema?: string; from: number; to: number; applied: readonly string[] };
  if (location.kind === 'postgres') {
    const schema = v.schema ?? location.schema;
    const done = await migratePostgresLedger({ connectionString: location.connectionString }, schema ? { schema } : {});
    report = { ledger: location.shown.replace(/, schema .*$/, ''), schema: done.schema, from: done.from, to: done.to, applied: done.applied };
  } else {
    if (v.schema) throw new UsageError('--schema is for a PostgreSQL ledger; a SQLite ledger is one file');
    await (await openSqliteLedger(location.file)).close();
    report = { ledger: location.shown, from: LEDGER_SCHEMA_VERSION, to: LEDGER_SCHEMA_VERSION, applied: [] };
  }
  if (v.json) io.stdout.write(jsonLine(report));
  else {
    const where = printable(`${report.ledger}${report.schema ? `, schema ${report.schema}` : ''}`);
    io.stdout.write(
      report.applied.length > 0
        ? `refundkit: ledger ${where} migrated from version ${report.from} to ${report.to} (${report.applied.join(', ')})\n`
        : `refundkit: ledger ${where} is at version ${report.to}, up to date\n`,
    );
  }
  return EXIT.ok;
}
