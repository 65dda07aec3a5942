/**
 * `refundkit ledger migrate` and `--ledger postgres://…`: the CLI migrates a PostgreSQL ledger,
 * refuses to use one that is not migrated (saying the command to run), says which ledger it
 * uses, and never prints the URL's password, with or without --json. The PostgreSQL cases are
 * skipped without a server (REFUNDKIT_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test),
 * and fail instead when REFUNDKIT_REQUIRE_PG=1 (CI).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migratePostgresLedger, POSTGRES_LEDGER_SCHEMA_VERSION, redactConnectionString } from '@refundkit/refunds';
import { startSandbox } from '@refundkit/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ledgerLocation } from '../src/ledger.js';
import { cli, newId, onlyJson, providerConfigs, REQUIRED_OPTIONS, tempDir, writeConfig } from './support.js';

const PASSWORD = 'pw-never-printed-9c1e';
const baseUrl = process.env['REFUNDKIT_TEST_PG_URL'] || 'postgres://postgres@127.0.0.1:5432/test';

/** The server's URL with a password (trust authentication ignores it), or null when there is no server. */
async function reachable(): Promise<string | null> {
  const url = new URL(baseUrl);
  url.password = PASSWORD;
  try {
    // Migrating a throwaway schema is the cheapest full check: pg loads, connects, writes.
    const probe = `refundkit_cli_probe_${randomBytes(4).toString('hex')}`;
    await migratePostgresLedger({ connectionString: url.toString() }, { schema: probe, connectTimeoutMs: 3000 });
    const { default: pg } = (await import('pg' as string)) as { default: { Client: new (c: { connectionString: string }) => { connect(): Promise<void>; query(q: string): Promise<unknown>; end(): Promise<void> } } };
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await client.query(`DROP SCHEMA ${probe} CASCADE`);
    await client.end();
    return url.toString();
  } catch (error) {
    if (process.env['REFUNDKIT_REQUIRE_PG'] === '1') throw new Error(`REFUNDKIT_REQUIRE_PG=1 but PostgreSQL at ${redactConnectionString(baseUrl)} is unreachable: ${(error as Error).message}`);
    return null;
  }
}
const pgUrl = await reachable();

const tmp = tempDir('refundkit-cli-ledger-');
const schemas: string[] = [];
afterAll(async () => {
  tmp.remove();
  if (!pgUrl || schemas.length === 0) return;
  const { default: pg } = (await import('pg' as string)) as { default: { Client: new (c: { connectionString: string }) => { connect(): Promise<void>; query(q: string): Promise<unknown>; end(): Promise<void> } } };
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});
const freshSchema = (): string => {
  const schema = `refundkit_cli_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  return schema;
};

describe('where the ledger is', () => {
  it('a postgres:// or postgresql:// URL is a database (its schema parameter is refundkit’s), anything else a file', () => {
    const pg = ledgerLocation('postgres://app:secret@db:5432/shop?schema=shop_a&sslmode=require', '/work');
    expect(pg).toEqual({ kind: 'postgres', connectionString: 'postgres://app:secret@db:5432/shop?sslmode=require', schema: 'shop_a', shown: 'postgres://app:***@db:5432/shop?sslmode=require, schema shop_a' });
    expect(ledgerLocation('postgresql://db/shop', '/work')).toMatchObject({ kind: 'postgres', schema: undefined, shown: 'postgresql://db/shop, schema refundkit' });
    expect(ledgerLocation('ledger.db', '/work')).toEqual({ kind: 'sqlite', file: '/work/ledger.db', shown: '/work/ledger.db' });
    expect(ledgerLocation(undefined, '/work')).toMatchObject({ kind: 'sqlite', file: '/work/.refundkit/ledger.db' });
  });

  it('a config file’s ledger URL is kept as it is (a file path is relative to the config file)', () => {
    const file = join(tmp.dir, 'pg.json');
    writeFileSync(file, JSON.stringify({ providers: { tipay: { baseUrl: 'http://127.0.0.1:1' } }, ledger: { env: 'RK_LEDGER_URL' } }));
    expect(loadConfig(file, { RK_LEDGER_URL: 'postgres://app:secret@db/shop' }, tmp.dir).ledger).toBe('postgres://app:secret@db/shop');
    writeFileSync(file, JSON.stringify({ providers: {}, ledger: 'data/ledger.db' }));
    expect(loadConfig(file, {}, '/').ledger).toBe(join(tmp.dir, 'data', 'ledger.db'));
  });
});

/** The package's migration files, in order: a fresh schema gets every one. */
const MIGRATION_FILES = readdirSync(new URL('../../refunds/migrations/postgres/', import.meta.url)).filter((f) => f.endsWith('.sql')).sort();

describe.skipIf(pgUrl === null)('refundkit ledger migrate on PostgreSQL', () => {
  it('migrates, then finds the schema up to date; the password never printed, with or without --json', async () => {
    const schema = freshSchema();
    const first = await cli(['ledger', 'migrate', '--ledger', pgUrl!, '--schema', schema], { cwd: tmp.dir });
    expect(first.code).toBe(0);
    expect(first.out).toBe(`refundkit: ledger ${redactConnectionString(pgUrl!)}, schema ${schema} migrated from version 0 to ${POSTGRES_LEDGER_SCHEMA_VERSION} (${MIGRATION_FILES.join(', ')})\n`);
    expect(MIGRATION_FILES).toHaveLength(POSTGRES_LEDGER_SCHEMA_VERSION);
    const again = await cli(['ledger', 'migrate', '--json'], { cwd: tmp.dir, env: { REFUNDKIT_LEDGER: `${pgUrl!}?schema=${schema}` } });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toEqual({ ledger: redactConnectionString(pgUrl!), schema, from: POSTGRES_LEDGER_SCHEMA_VERSION, to: POSTGRES_LEDGER_SCHEMA_VERSION, applied: [] });
    for (const output of [first.out, first.err, again.out, again.err]) expect(output).not.toContain(PASSWORD);
  });

  it('refund on a database not migrated: exit 1, nothing sent, the command to run, no password', async () => {
    const schema = freshSchema();
    const config = join(tmp.dir, 'refundkit.config.json');
    writeFileSync(config, JSON.stringify({ providers: { tipay: { baseUrl: 'http://127.0.0.1:1', appId: 'a', appKey: 'k', merchantNo: 'm' } } }));
    const ledger = `${pgUrl!}?schema=${schema}`;
    for (const json of [[], ['--json']]) {
      const result = await cli(['refund', '--provider', 'tipay', '--order', 'o-1', '--refund-id', 'r-1', '--amount', '1.00', '--ledger', ledger, ...json], { cwd: tmp.dir });
      expect(result.code).toBe(1);
      expect(result.err).toContain(`run refundkit ledger migrate --ledger ${redactConnectionString(pgUrl!)} --schema ${schema}`);
      expect(result.out + result.err).not.toContain(PASSWORD);
    }
  });

  it('refund and status through a migrated PostgreSQL ledger: the ledger named without its password, a retry replayed from it', async () => {
    const schema = freshSchema();
    const ledger = `${pgUrl!}?schema=${schema}`;
    expect((await cli(['ledger', 'migrate', '--ledger', ledger], { cwd: tmp.dir })).code).toBe(0);
    const sandbox = await startSandbox({ port: 0, delayMs: 0 });
    try {
      writeConfig(tmp.dir, 'pg-refund.json', { providers: providerConfigs(sandbox), ledger: { env: 'RK_LEDGER' } as never });
      const orderId = sandbox.addOrder('tipay', { orderId: newId('tipay', 'ord'), amount: 10_000 }).orderId;
      const refundId = newId('tipay', 'ref');
      const argv = ['refund', '--config', 'pg-refund.json', '--provider', 'tipay', '--order', orderId, '--refund-id', refundId, '--amount', '12.34', ...REQUIRED_OPTIONS.tipay, '--json'];
      const env = { RK_LEDGER: ledger };
      const first = await cli(argv, { cwd: tmp.dir, env });
      expect(first.err).toBe(`refundkit: ledger ${redactConnectionString(pgUrl!)}, schema ${schema}\n`);
      expect(onlyJson(first.out)).toMatchObject({ refundId, amount: 1234 });
      const again = await cli(argv, { cwd: tmp.dir, env });
      expect(onlyJson(again.out)).toMatchObject({ refundId, amount: 1234 });
      expect(sandbox.requests().filter((r) => r.operation === 'refund' && r.refundNo === refundId)).toHaveLength(1);
      const status = await cli(['status', '--config', 'pg-refund.json', '--provider', 'tipay', '--order', orderId, '--refund-id', refundId, '--json'], { cwd: tmp.dir, env });
      expect(onlyJson(status.out)).toMatchObject({ refundId, status: 'succeeded' });
      for (const output of [first.out, first.err, again.out, status.out, status.err]) expect(output).not.toContain(PASSWORD);
    } finally {
      await sandbox.close();
    }
  });

  it('an unreachable server: exit 1, a ledger_unavailable message, no password', async () => {
    const url = new URL(pgUrl!);
    url.port = '1';
    const result = await cli(['ledger', 'migrate', '--ledger', url.toString(), '--json'], { cwd: tmp.dir });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^refundkit: ledger postgres:\/\/.*:\*\*\*@/);
    expect(result.out + result.err).not.toContain(PASSWORD);
  });
});

describe('refundkit ledger, other uses', () => {
  it('migrate on a SQLite file opens (and so migrates) it', async () => {
    const result = await cli(['ledger', 'migrate', '--ledger', 'l.db', '--json'], { cwd: tmp.dir });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ ledger: join(tmp.dir, 'l.db'), applied: [] });
  });

  it('an unknown subcommand or --schema on a file is bad input', async () => {
    expect((await cli(['ledger', 'drop'], { cwd: tmp.dir })).code).toBe(1);
    expect((await cli(['ledger', 'migrate', '--ledger', 'l.db', '--schema', 'x'], { cwd: tmp.dir })).err).toContain('--schema is for a PostgreSQL ledger');
    expect((await cli(['ledger', '--help'], { cwd: tmp.dir })).out).toContain('refundkit ledger migrate');
  });
});
