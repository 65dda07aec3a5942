/**
 * The CLI's error table (issue 19): one table from error code to { sent, exit, next }, printed in
 * the README ("Errors and exit codes"). This keeps the two in step both ways, checks that every
 * error code the packages define is in it, and runs the command into errors to see that what it
 * prints and its exit code say truly whether anything was sent: a ledger error before sending
 * exits 1 saying nothing was sent; `outcome_unrecorded` (a request sent, its answer not recorded)
 * exits 3 naming the command that resolves it with the same refund id.
 */
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { RefundkitError } from '@refundkit/runtime';
import { OutcomeNotRecordedError, redactConnectionString } from '@refundkit/refunds';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ERROR_EXITS, errorReport } from '../src/error-exits.js';
import { HELP } from '../src/main.js';
import { REFUND_HELP } from '../src/commands/refund.js';
import { startSandbox } from '@refundkit/sandbox';
import { migratePostgresLedger } from '@refundkit/refunds';
import { cli, newId, onlyJson, providerConfigs, REPO_ROOT, tempDir, writeConfig } from './support.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const PASSWORD_PLAIN = 'hunter2#x/y';

/** The README's "Errors and exit codes" table: code → { sent, exit, next }. */
function readmeTable(): Map<string, { sent: boolean; exit: number; next: string }> {
  const start = README.indexOf('### Errors and exit codes');
  expect(start, 'README has an "Errors and exit codes" section').toBeGreaterThan(0);
  const section = README.slice(start, README.indexOf('\n#', start + 10));
  const rows = new Map<string, { sent: boolean; exit: number; next: string }>();
  for (const match of section.matchAll(/^\| `([a-z_]+)` \| (yes|no) \| (\d) \| (.+) \|$/gm)) {
    expect(rows.has(match[1]!), `${match[1]} is listed once`).toBe(false);
    rows.set(match[1]!, { sent: match[2] === 'yes', exit: Number(match[3]), next: match[4]! });
  }
  return rows;
}

/** Every error code the packages define: `super('code'`, `RefundkitError('code'`, and the literal unions of codes (`SigningErrorCode`, `AnswerRejection`). */
function codesInSources(): Set<string> {
  const folders = ['packages/runtime/src', 'packages/signing/src', 'packages/refunds/src', 'packages/cli/src', ...readdirSync(join(REPO_ROOT, 'generated')).map((p) => `generated/${p}/src`)];
  const text = folders
    .flatMap((folder) => readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts')).map((name) => readFileSync(join(REPO_ROOT, folder, name), 'utf8')))
    .join('\n');
  const codes = new Set([...text.matchAll(/(?:super|RefundkitError)\(\s*'([a-z_]+)'/g)].map((m) => m[1]!));
  for (const union of text.matchAll(/type (?:\w*ErrorCode|AnswerRejection)\s*=([^;]+);/g)) for (const m of union[1]!.matchAll(/'([a-z_]+)'/g)) codes.add(m[1]!);
  // The CLI's own: UsageError's code.
  for (const m of text.matchAll(/readonly code = '([a-z_]+)'/g)) codes.add(m[1]!);
  return codes;
}

describe('the error table', () => {
  it('is the README’s table, row for row, both ways', () => {
    const readme = readmeTable();
    expect(readme.size).toBeGreaterThan(20);
    for (const [code, entry] of Object.entries(ERROR_EXITS)) expect(readme.get(code), `README row for ${code}`).toEqual(entry);
    for (const code of readme.keys()) expect(Object.keys(ERROR_EXITS), `README row ${code} in ERROR_EXITS`).toContain(code);
  });

  it('has every error code the packages define (the scan finds them)', () => {
    const codes = codesInSources();
    for (const known of ['usage', 'config_invalid', 'key_format', 'answer_too_deep', 'ledger_refused', 'ledger_connection_string', 'over_refund']) expect(codes).toContain(known);
    expect([...codes].filter((code) => !Object.hasOwn(ERROR_EXITS, code))).toEqual([]);
  });

  it('says "sent" exactly when it exits 3, and "nothing sent" when it exits 1; outcome_unrecorded is sent', () => {
    for (const [code, entry] of Object.entries(ERROR_EXITS)) expect(entry.exit, code).toBe(entry.sent ? 3 : 1);
    expect(ERROR_EXITS['outcome_unrecorded']).toMatchObject({ sent: true, exit: 3 });
    for (const code of ['ledger_unavailable', 'ledger_refused', 'ledger_connection_string', 'ledger_schema_mismatch', 'postgres_unavailable', 'sqlite_unavailable']) {
      expect(ERROR_EXITS[code], code).toMatchObject({ sent: false, exit: 1 });
    }
  });

  it('--help, refund --help and the README say the same exit codes, 3 also for sent but not recorded', () => {
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    const sentence = /Exit codes: 0 succeeded, 4 pending, 2 failed, 3 unknown \(also: sent, but the answer not recorded\), 1 bad input or a local refusal \(nothing sent\)\./;
    expect(flat(HELP)).toMatch(sentence);
    expect(flat(README)).toMatch(sentence);
    expect(flat(REFUND_HELP)).toContain('3 unknown (also: sent, but the answer not recorded), 1 bad input or a local refusal (nothing sent)');
  });
});

describe('what an error prints', () => {
  it('outcome_unrecorded: exit 3, the provider may have refunded, the ledger holds it as unknown, the command that resolves it with the same id', () => {
    const error = new OutcomeNotRecordedError('tipay', 'TIORD1', 'TIREF1', { status: 'succeeded' }, new Error('ledger postgres://app:***@db/shop: the database ended the session'));
    const report = errorReport(error, 'refund');
    expect(report.exit).toBe(3);
    expect(report.text).toContain('refundkit: the request was sent: tipay may have refunded TIREF1 on order TIORD1, and the ledger holds the refund as unknown.');
    expect(report.text).toContain('the same command and the same --refund-id TIREF1 (never a new one), or: refundkit status --provider tipay --order TIORD1 --refund-id TIREF1');
    expect(report.text).not.toContain('nothing was sent');
  });

  it('an error the table does not know (a bug): exit 3 in refund, where the request may have left; exit 1 elsewhere', () => {
    const bug = new TypeError('x is not a function');
    expect(errorReport(bug, 'refund')).toMatchObject({ exit: 3 });
    expect(errorReport(bug, 'refund').text).toContain('TypeError: x is not a function');
    expect(errorReport(bug, 'refund').text).toContain('may have reached the provider');
    expect(errorReport(bug, 'validate')).toMatchObject({ exit: 1 });
    expect(errorReport(bug, 'validate').text).toContain('nothing was sent');
  });

  it('escapes control characters of a message (it may quote a provider or the user)', () => {
    expect(errorReport(new RefundkitError('not_found', 'no refund \u001b[2Kx'), 'status').text).toContain('no refund \\x1b[2Kx');
  });
});

describe('the CLI meets a ledger it cannot use: exit 1, nothing sent, the setting named, never the password', () => {
  const tmp = tempDir('refundkit-cli-errors-');
  afterAll(() => tmp.remove());
  // Nothing listens on port 1: were anything sent, the command would fail differently (connection_failed).
  const config = writeConfig(tmp.dir, 'refundkit.config.json', { providers: { tipay: { baseUrl: 'http://127.0.0.1:1', appId: 'tichain000000', appKey: 'k'.repeat(16), merchantNo: '10012426723' } } });
  const refund = ['refund', '--provider', 'tipay', '--order', 'TIORD000000001', '--refund-id', 'TIREF000000001', '--amount', '1.00', '--config', config];
  const badUrl = `postgres://app:${PASSWORD_PLAIN}@127.0.0.1:1/shop`;

  it.each([
    ['--ledger', { argv: ['--ledger', badUrl], env: {} }],
    ['REFUNDKIT_LEDGER', { argv: [], env: { REFUNDKIT_LEDGER: badUrl } }],
  ])('an unencoded # or / in the password of %s: ledger_connection_string suggesting percent-encoding', async (source, { argv, env }) => {
    const result = await cli([...refund, ...argv, '--json'], { cwd: tmp.dir, env });
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toContain(`refundkit: ${source} postgres://app:***@127.0.0.1:1/shop is not a URL pg can read: percent-encode #, /, ?, @ and %`);
    expect(result.err).toContain('refundkit: nothing was sent; percent-encode');
    expect(result.err).not.toContain('hunter2');
  });

  it('a URL in the config file’s ledger: the config file named', async () => {
    const withLedger = writeConfig(tmp.dir, 'with-ledger.json', { providers: { tipay: { baseUrl: 'http://127.0.0.1:1', appId: 'a', appKey: 'k', merchantNo: 'm' } }, ledger: badUrl });
    const result = await cli(['refund', '--provider', 'tipay', '--order', 'o', '--refund-id', 'r', '--amount', '1.00', '--config', withLedger], { cwd: tmp.dir });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`refundkit: "ledger" in ${withLedger} postgres://app:***@`);
    expect(result.err).not.toContain('hunter2');
  });

  it('ledger migrate with such a URL: the same, naming --ledger', async () => {
    const result = await cli(['ledger', 'migrate', '--ledger', badUrl], { cwd: tmp.dir });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^refundkit: --ledger postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/shop is not a URL pg can read/);
    expect(result.err).not.toContain('hunter2');
  });

  it('a database nobody answers for: ledger_unavailable, the ledger named, nothing recorded, nothing sent', async () => {
    const url = `postgres://app:${encodeURIComponent(PASSWORD_PLAIN)}@127.0.0.1:1/shop`;
    const result = await cli([...refund, '--ledger', url], { cwd: tmp.dir });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^refundkit: ledger postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/shop, schema refundkit: .*ECONNREFUSED.*; nothing was recorded\nrefundkit: nothing was sent; run the same command again/);
    expect(result.err).not.toContain('hunter2');
    expect(result.err).not.toContain(encodeURIComponent(PASSWORD_PLAIN));
  });
});

const pgBase = process.env['REFUNDKIT_TEST_PG_URL'] || 'postgres://postgres@127.0.0.1:5432/test';
/** Whether the test server answers (these cases need it); with REFUNDKIT_REQUIRE_PG=1 its absence fails them. */
async function pgReachable(): Promise<boolean> {
  const { default: pg } = (await import('pg' as string)) as { default: { Client: new (c: { connectionString: string; connectionTimeoutMillis: number }) => { connect(): Promise<void>; end(): Promise<void> } } };
  const client = new pg.Client({ connectionString: pgBase, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    if (process.env['REFUNDKIT_REQUIRE_PG'] === '1') throw new Error(`REFUNDKIT_REQUIRE_PG=1 but PostgreSQL at ${redactConnectionString(pgBase)} is unreachable: ${(error as Error).message}`);
    return false;
  }
}
const pgUp = await pgReachable();

describe.skipIf(!pgUp)('the CLI meets a PostgreSQL server that refuses the ledger', () => {
  const tmp = tempDir('refundkit-cli-pg-errors-');
  afterAll(() => tmp.remove());
  const config = writeConfig(tmp.dir, 'refundkit.config.json', { providers: { tipay: { baseUrl: 'http://127.0.0.1:1', appId: 'tichain000000', appKey: 'k'.repeat(16), merchantNo: '10012426723' } } });
  const refund = ['refund', '--provider', 'tipay', '--order', 'TIORD000000002', '--refund-id', 'TIREF000000002', '--amount', '1.00', '--config', config];
  const withPassword = (database?: string): string => {
    const url = new URL(pgBase);
    url.username ||= 'postgres';
    url.password = encodeURIComponent(PASSWORD_PLAIN);
    if (database) url.pathname = `/${database}`;
    return url.toString();
  };

  it('a database that does not exist: exit 1, ledger_refused naming the ledger, nothing recorded, nothing sent', async () => {
    const database = `refundkit_missing_${randomBytes(3).toString('hex')}`;
    const result = await cli([...refund, '--ledger', withPassword(database)], { cwd: tmp.dir });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`refundkit: ledger ${redactConnectionString(withPassword(database))}, schema refundkit: database "${database}" does not exist (3D000): create it, or correct the database in the connection string; nothing was recorded\n`);
    expect(result.err).toContain('refundkit: nothing was sent; fix the database, role, password, grants or file the message names');
    expect(result.err).not.toContain('hunter2');
  });

  it('refund --wait whose waiting fails after the refund was recorded (a query answer that cannot be recorded): the refund printed as pending, exit 4, never "nothing sent"', async () => {
    const { default: pg } = (await import('pg' as string)) as {
      default: { Client: new (c: { connectionString: string }) => { connect(): Promise<void>; query<R>(q: string, v?: unknown[]): Promise<{ rows: R[] }>; end(): Promise<void> } };
    };
    const schema = `refundkit_cli_wait_${randomBytes(4).toString('hex')}`;
    await migratePostgresLedger({ connectionString: pgBase }, { schema });
    const sandbox = await startSandbox({ delayMs: 0 });
    const blocker = new pg.Client({ connectionString: pgBase });
    await blocker.connect();
    try {
      const config = writeConfig(tmp.dir, 'wait.json', { providers: providerConfigs(sandbox) });
      const orderId = sandbox.addOrder('tipay', { orderId: newId('tipay', 'wto'), amount: 10_000 }).orderId;
      const refundId = newId('tipay', 'wtr');
      // tipay answers "processing"; the query --wait sends is answered after 1.5 s, by when the
      // refund's row is locked: recording the answer runs past the 300 ms statement timeout.
      sandbox.armFault({ provider: 'tipay', fault: 'slow', refundNo: refundId, operation: 'queryRefund', ms: 1500 });
      const ledger = `${withPassword()}?schema=${schema}&statement_timeout=300`;
      const running = cli(['refund', '--provider', 'tipay', '--order', orderId, '--refund-id', refundId, '--amount', '12.00', '--config', config, '--ledger', ledger, '--wait', '--json'], { cwd: tmp.dir });
      await vi.waitFor(() => expect(sandbox.requests().some((r) => r.operation === 'queryRefund' && r.refundNo === refundId)).toBe(true), { timeout: 20_000, interval: 20 });
      await blocker.query('BEGIN');
      const { rows } = await blocker.query<{ status: string }>(`SELECT status FROM "${schema}".refunds WHERE refund_id = $1 FOR UPDATE`, [refundId]);
      expect(rows).toEqual([{ status: 'pending' }]);
      const result = await running;
      await blocker.query('ROLLBACK');
      expect(result.code, result.err).toBe(4);
      expect(onlyJson(result.out)).toMatchObject({ refundId, status: 'pending' });
      expect(result.err).toContain(`; the refund was sent and is pending: ask with refundkit status --provider tipay --order ${orderId} --refund-id ${refundId}`);
      expect(result.err).toMatch(/waiting stopped \(.*statement timeout/);
      expect(result.err).not.toContain('nothing was sent');
      expect(result.err).not.toContain('hunter2');
      expect(sandbox.requestsReceived('tipay', refundId)).toBe(1);
    } finally {
      await blocker.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      await blocker.end();
      await sandbox.close();
    }
  });

  it('sslmode=require on a server without TLS: the bin prints no pg warning, one refusal, exit 1', async () => {
    const bin = join(REPO_ROOT, 'packages/cli/bin/refundkit.js');
    const child = spawn(process.execPath, [bin, ...refund, '--ledger', `${withPassword()}?sslmode=require`], { cwd: tmp.dir, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, err).toBe(1);
    expect(err).not.toMatch(/SECURITY WARNING|Warning:|uselibpqcompat/);
    expect(err).toMatch(/^refundkit: ledger postgres:\/\/postgres:\*\*\*@.*sslmode=require, schema refundkit: The server does not support SSL connections: .*; nothing was recorded\nrefundkit: nothing was sent; /);
    expect(err).not.toContain('hunter2');
  });
});

/**
 * A server on 127.0.0.1 that speaks PostgreSQL's protocol as far as authentication: it asks for a
 * cleartext password and refuses it with SQLSTATE 28P01, as PostgreSQL refuses a wrong one (the
 * test server trusts local connections, so it never asks). Records the passwords it was sent.
 */
async function passwordRefusingServer(): Promise<{ port: number; passwords: string[]; close: () => Promise<void> }> {
  const passwords: string[] = [];
  const sockets = new Set<Socket>();
  /** A protocol message: its type byte, its length (itself included), its body. */
  const message = (type: string, body: Buffer): Buffer => {
    const head = Buffer.alloc(5);
    head.write(type, 0, 'latin1');
    head.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([head, body]);
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket)).on('error', () => {});
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!started) {
        if (buffer.length < 8 || buffer.length < buffer.readInt32BE(0)) return;
        const code = buffer.readInt32BE(4);
        buffer = buffer.subarray(buffer.readInt32BE(0));
        if (code === 80877103) return void socket.write('N'); // SSLRequest: no TLS here
        started = true;
        return void socket.write(message('R', Buffer.from([0, 0, 0, 3]))); // AuthenticationCleartextPassword
      }
      if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
      passwords.push(buffer.subarray(5, buffer.readInt32BE(1)).toString('utf8'));
      const fields = ['SFATAL', 'VFATAL', 'C28P01', 'Mpassword authentication failed for user "app"'].map((f) => `${f}\0`).join('');
      socket.end(message('E', Buffer.from(`${fields}\0`, 'utf8')));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    passwords,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('driver warnings and a refused password, as the person running the bin sees them', () => {
  const tmp = tempDir('refundkit-cli-pgpass-');
  afterAll(() => tmp.remove());

  it('a password from ~/.pgpass that the server refuses: one warning line for pg’s pgpass notice, ledger_refused, exit 1, never the password', async () => {
    const fake = await passwordRefusingServer();
    try {
      const secret = 'pgpass-secret-7d1a';
      const pgpass = join(tmp.dir, 'pgpass');
      writeFileSync(pgpass, `127.0.0.1:${fake.port}:shop:app:${secret}\n`);
      chmodSync(pgpass, 0o600); // pg ignores a pgpass file others may read
      const bin = join(REPO_ROOT, 'packages/cli/bin/refundkit.js');
      const child = spawn(process.execPath, [bin, 'ledger', 'migrate', '--ledger', `postgres://app@127.0.0.1:${fake.port}/shop`], {
        cwd: tmp.dir,
        env: { PATH: process.env['PATH'] ?? '', PGPASSFILE: pgpass },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
      child.stdout.resume();
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      // pg read the file and sent its password: the notice it prints then is what is under test.
      expect(fake.passwords).toEqual([secret]);
      expect(code, err).toBe(1);
      expect(err.split('\n').filter(Boolean)).toEqual([
        expect.stringMatching(/^refundkit: warning: pgpass support is deprecated and will be removed in pg@9\.0\./),
        `refundkit: ledger postgres://app@127.0.0.1:${fake.port}/shop, schema refundkit: password authentication failed for user "app" (28P01): correct the password in the connection string (percent-encoded); nothing was recorded`,
        'refundkit: nothing was sent; fix the database, role, password, grants or file the message names, then run the same command again',
      ]);
      expect(err).not.toContain(secret);
    } finally {
      await fake.close();
    }
  });
});

describe('a crash of the bin (an uncaught exception, an unhandled error event)', () => {
  const tmp = tempDir('refundkit-cli-crash-');
  afterAll(() => tmp.remove());
  // Loaded before the bin: throws outside any of refundkit's calls, as a dependency's stray event would.
  const preload = join(tmp.dir, 'crash.mjs');
  writeFileSync(preload, "setTimeout(() => { throw new Error('boom-crash'); }, 300);\n");

  async function crashedRun(args: readonly string[]): Promise<{ code: number | null; err: string }> {
    const bin = join(REPO_ROOT, 'packages/cli/bin/refundkit.js');
    const child = spawn(process.execPath, ['--import', preload, bin, ...args], { cwd: tmp.dir, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.stdout.resume();
    // The sandbox command would run until stopped: the crash must end it.
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(guard);
    return { code, err };
  }

  it('in a command that sends no refund: exit 1, the error, nothing sent', async () => {
    const { code, err } = await crashedRun(['sandbox', '--port', '0']);
    expect(code, err).toBe(1);
    expect(err).toContain('refundkit: Error: boom-crash\nrefundkit: nothing was sent; a refundkit bug: please report it\n');
  });

  it('in refund: exit 3, the request may have reached the provider, never "nothing sent"', async () => {
    const config = writeConfig(tmp.dir, 'refundkit.config.json', { providers: { tipay: { baseUrl: 'http://127.0.0.1:1', appId: 'tichain000000', appKey: 'k'.repeat(16), merchantNo: '10012426723' } } });
    // A provider that never answers keeps the command in flight when the crash comes.
    const held = createServer(() => {});
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(held.address() as AddressInfo).port}`;
      const { code, err } = await crashedRun(['refund', '--provider', 'tipay', '--order', 'TIORD000000009', '--refund-id', 'TIREF000000009', '--amount', '1.00', '--config', config, '--base-url', baseUrl, '--ledger', join(tmp.dir, 'ledger.db'), '--timeout', '20s']);
      expect(code, err).toBe(3);
      expect(err).toContain('refundkit: Error: boom-crash\nrefundkit: the request may have reached the provider');
      expect(err).not.toContain('nothing was sent');
    } finally {
      held.close();
    }
  });
});
