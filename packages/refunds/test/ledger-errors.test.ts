/**
 * What a ledger says when its database refuses it (issue 19): every error names the ledger, its
 * password redacted, says what to do and ends with what was recorded ("nothing was recorded");
 * a connection string pg cannot read is refused before connecting, naming the option and
 * suggesting percent-encoding; an `sslmode` pg would warn about reaches pg as the `verify-full`
 * it means, so no warning reaches the terminal.
 *
 * PostgreSQL cases run against the test server (skipped without one): a missing database, a
 * missing role, a role without privileges (created here, dropped after). The server trusts every
 * connection from 127.0.0.1 (any password is accepted), so a wrong password cannot be produced
 * there: that case runs pg against a fake server on 127.0.0.1 that asks for a password and
 * answers SQLSTATE 28P01, as PostgreSQL does.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RefundkitError } from '@refundkit/runtime';
import { checkConnectionString, passwordOf, redactConnectionString } from '../src/ledger/connection-string.js';
import { LedgerConnectionStringError, LedgerRefusedError, LedgerSchemaError, LedgerUnavailableError } from '../src/ledger/ledger-errors.js';
import { refusalOf } from '../src/ledger/postgres-driver.js';
import { migratePostgresLedger, openPostgresLedger } from '../src/ledger/postgres-ledger.js';
import { openLedger } from '../src/ledger/postgres-store.js';
import { LEDGER_SCHEMA_VERSION, openSqliteLedger } from '../src/ledger/sqlite-ledger.js';
import { loadSqliteDriver } from '../src/ledger/sqlite-driver.js';
import { adminPool, closeAdminPool, describePg, dropSchema, freshSchemaName, pgUrl } from './pg-support.js';

const PASSWORD = 'pw#never/shown@9f';

async function rejection<E>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, String((error as Error | undefined)?.stack ?? error)).toBeInstanceOf(type);
  expect(error).toBeInstanceOf(RefundkitError);
  return error as E;
}

const thrown = (work: () => unknown): unknown => {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
};

describe('a connection string refundkit cannot use is refused before connecting', () => {
  it.each([
    ['# in the password', 'postgres://app:pa#ss@db.internal:5432/shop', 'pa#ss'],
    ['/ in the password', 'postgres://app:pa/ss@db.internal:5432/shop', 'pa/ss'],
    ['? in the password', 'postgres://app:pa?ss@db.internal/shop', 'pa?ss'],
    ['# after an @ in the password (a URL that parses, with the wrong host)', 'postgres://app:p@ss#1@db.internal/shop', 'p@ss#1'],
    ['? after an @ in the password', 'postgres://app:p@ss?1@db.internal/shop', 'p@ss?1'],
    ['@ and # in the password', 'postgres://app:p@s#s@db.internal/shop', 'p@s#s'],
  ])('%s: ledger_connection_string naming the option, suggesting percent-encoding, never the password', (_case, url, password) => {
    const error = thrown(() => checkConnectionString(url, '--ledger')) as LedgerConnectionStringError;
    expect(error).toBeInstanceOf(LedgerConnectionStringError);
    expect(error.code).toBe('ledger_connection_string');
    expect(error.option).toBe('--ledger');
    expect(error.message).toMatch(/^--ledger postgres:\/\/app:\*\*\*@db\.internal/);
    expect(error.message).toContain('percent-encode #, /, ?, @ and %');
    expect(error.message).toContain('# as %23, / as %2F');
    expect(error.message).toMatch(/nothing was recorded$/);
    expect(error.message).not.toContain(password);
    expect(JSON.stringify(error)).not.toContain(password);
  });

  it('the same password percent-encoded is accepted as it is', () => {
    const url = `postgres://app:${encodeURIComponent('pa#s/s?@')}@db.internal:5432/shop`;
    expect(checkConnectionString(url)).toBe(url);
    expect(passwordOf(url)).toBe('pa#s/s?@');
  });

  it('openPostgresLedger refuses it with the same error, naming connectionString, before loading a connection', async () => {
    const error = await rejection(openPostgresLedger({ connectionString: `postgres://app:${PASSWORD}@127.0.0.1:1/shop` }), LedgerConnectionStringError);
    expect(error.option).toBe('connectionString');
    expect(error.message).toMatch(/^connectionString postgres:\/\/app:\*\*\*@/);
    expect(error.message).not.toContain(PASSWORD);
  });

  it('a string that is not a postgres:// URL is refused; a socket folder passes to pg as it is', () => {
    const error = thrown(() => checkConnectionString(`host=db user=app password=${PASSWORD}`, 'REFUNDKIT_LEDGER')) as LedgerConnectionStringError;
    expect(error).toBeInstanceOf(LedgerConnectionStringError);
    expect(error.message).toMatch(/^REFUNDKIT_LEDGER host=db user=app password=\*\*\* is not a PostgreSQL URL/);
    expect(error.message).not.toContain(PASSWORD);
    expect(checkConnectionString('/var/run/postgresql shop')).toBe('/var/run/postgresql shop');
  });

  it('a schema name that is not a plain identifier: the same error, naming schema, before connecting', async () => {
    const error = await rejection(openPostgresLedger({ connectionString: 'postgres://app@127.0.0.1:1/shop' }, { schema: 'Shop-A' }), LedgerConnectionStringError);
    expect(error.option).toBe('schema');
    expect(error.message).toBe('schema "Shop-A": use lowercase letters, digits and _ (at most 63, not starting with a digit); nothing was recorded');
  });

  it('redacts an unparseable URL up to its last @, so no piece of the password shows', () => {
    expect(redactConnectionString('postgres://app:p@s#s@db/shop')).toBe('postgres://app:***@db/shop');
    expect(passwordOf('postgres://app:p@s#s@db/shop')).toBe('p@s#s');
  });
});

describe('sslmode', () => {
  it('prefer, require, verify-ca and allow reach pg as verify-full, which is what pg 8 does with them, without its warning', () => {
    for (const mode of ['prefer', 'require', 'verify-ca', 'allow']) {
      expect(checkConnectionString(`postgres://app@db/shop?application_name=x&sslmode=${mode}&connect_timeout=3`)).toBe('postgres://app@db/shop?application_name=x&sslmode=verify-full&connect_timeout=3');
    }
  });

  it('disable, no-verify and verify-full pass as they are; with uselibpqcompat=true pg reads libpq’s meanings and the string is untouched', () => {
    for (const mode of ['disable', 'no-verify', 'verify-full']) expect(checkConnectionString(`postgres://db/shop?sslmode=${mode}`)).toBe(`postgres://db/shop?sslmode=${mode}`);
    expect(checkConnectionString('postgres://db/shop?uselibpqcompat=true&sslmode=require')).toBe('postgres://db/shop?uselibpqcompat=true&sslmode=require');
  });

  it('an sslmode refundkit does not know (a typo would mean TLS with pg’s defaults) is refused, naming the valid ones', () => {
    const error = thrown(() => checkConnectionString(`postgres://app:${encodeURIComponent(PASSWORD)}@db/shop?sslmode=requir`, '--ledger')) as LedgerConnectionStringError;
    expect(error).toBeInstanceOf(LedgerConnectionStringError);
    expect(error.message).toContain('sslmode must be given once, one of disable, no-verify, allow, prefer, require, verify-ca, verify-full');
    expect(error.message).not.toContain(PASSWORD);
    expect(error.message).not.toContain(encodeURIComponent(PASSWORD));
  });
});

describe('refusalOf: which database errors are refusals', () => {
  const pgError = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });
  it('maps the SQLSTATEs of a missing database, role, password and privilege, TLS, and any other statement error', () => {
    expect(refusalOf(pgError('3D000'))?.reason).toBe('database_missing');
    expect(refusalOf(pgError('28P01'))?.reason).toBe('authentication_failed');
    expect(refusalOf(pgError('28000'))?.reason).toBe('not_authorized');
    expect(refusalOf(pgError('42501'))?.reason).toBe('permission_denied');
    expect(refusalOf(new Error('The server does not support SSL connections'))?.reason).toBe('tls');
    expect(refusalOf(pgError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'))?.reason).toBe('tls');
    expect(refusalOf(new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'))?.reason).toBe('authentication_failed');
    expect(refusalOf(pgError('22012'))?.reason).toBe('statement_refused');
  });

  it('leaves faults to retry (unavailable) and errors that are not the database’s alone', () => {
    expect(refusalOf(pgError('57P01'))).toBeUndefined();
    expect(refusalOf(pgError('ECONNREFUSED'))).toBeUndefined();
    expect(refusalOf(new TypeError('x is not a function'))).toBeUndefined();
  });
});

/**
 * A server on 127.0.0.1 that speaks PostgreSQL's protocol as far as authentication: it asks for
 * a cleartext password and refuses any, with SQLSTATE 28P01 (what PostgreSQL answers a wrong
 * password with). It records the passwords it was sent, to show pg really sent one.
 */
async function startPasswordRefusingServer(): Promise<{ port: number; passwords: string[]; close: () => Promise<void> }> {
  const passwords: string[] = [];
  const sockets = new Set<Socket>();
  const message = (type: string, body: Buffer): Buffer => {
    const head = Buffer.alloc(5);
    head.write(type, 0, 'latin1');
    head.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([head, body]);
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        buffer = buffer.subarray(length);
        if (code === 80877103) return void socket.write('N'); // SSLRequest: no TLS here
        started = true;
        const ask = Buffer.alloc(4);
        ask.writeInt32BE(3); // AuthenticationCleartextPassword
        socket.write(message('R', ask));
        return;
      }
      if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
      passwords.push(buffer.subarray(5, 1 + buffer.readInt32BE(1) - 1).toString('utf8'));
      const fields = ['SFATAL', 'VFATAL', 'C28P01', 'Mpassword authentication failed for user "app"'].map((f) => Buffer.from(`${f}\0`, 'utf8'));
      socket.end(message('E', Buffer.concat([...fields, Buffer.from([0])])));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    passwords,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a wrong password (a fake server: the test server trusts every local connection)', () => {
  it('is a LedgerRefusedError (authentication_failed, 28P01) naming the ledger without the password; nothing was recorded', async () => {
    const fake = await startPasswordRefusingServer();
    try {
      const url = `postgres://app:${encodeURIComponent(PASSWORD)}@127.0.0.1:${fake.port}/shop`;
      const error = await rejection(openPostgresLedger({ connectionString: url }, { connectTimeoutMs: 5000 }), LedgerRefusedError);
      expect(fake.passwords).toEqual([PASSWORD]);
      expect(error.code).toBe('ledger_refused');
      expect(error.reason).toBe('authentication_failed');
      expect(error.databaseCode).toBe('28P01');
      expect(error.message).toBe(
        `ledger postgres://app:***@127.0.0.1:${fake.port}/shop, schema refundkit: password authentication failed for user "app" (28P01): correct the password in the connection string (percent-encoded); nothing was recorded`,
      );
      expect(JSON.stringify(error)).not.toContain(PASSWORD);
    } finally {
      await fake.close();
    }
  });
});

/**
 * A server on 127.0.0.1 that accepts a connection and, in the same write, ends the session as
 * `pg_terminate_backend` does (FATAL 57P01): pg then parses "ready" and "terminated" in one go,
 * before the code that asked for the connection has run a line.
 */
async function startTerminatingServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
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
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < 8 || buffer.length < buffer.readInt32BE(0)) return;
      const code = buffer.readInt32BE(4);
      buffer = buffer.subarray(buffer.readInt32BE(0));
      if (code === 80877103) return void socket.write('N');
      const fatal = ['SFATAL', 'VFATAL', 'C57P01', 'Mterminating connection due to administrator command'].map((f) => `${f}\0`).join('');
      socket.end(Buffer.concat([message('R', Buffer.from([0, 0, 0, 0])), message('Z', Buffer.from('I')), message('E', Buffer.from(`${fatal}\0`))]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a session ended the moment it is handed out', () => {
  it('is a LedgerUnavailableError for the call, never an unhandled error event that ends the process', async () => {
    const fake = await startTerminatingServer();
    // Without the schema check, the first statement is a reservation on a connection of its own.
    const ledger = await openLedger({ connectionString: `postgres://app@127.0.0.1:${fake.port}/shop` }, { poolSize: 1 }, false);
    try {
      const key = { provider: 'tipay' as const, account: 'A', orderId: 'o-1', refundId: 'r-1' };
      const error = await rejection(ledger.reserve({ key, amount: 100, currency: 'CNY', lease: { holder: 'h', ttlMs: 60_000 } }), LedgerUnavailableError);
      expect(error.message).toMatch(/^ledger postgres:\/\/app@127\.0\.0\.1:\d+\/shop, schema refundkit: .*; nothing was recorded$/);
    } finally {
      await ledger.close();
      await fake.close();
    }
  });
});

describePg('refusals of the test server', () => {
  const role = `refundkit_noperm_${randomBytes(4).toString('hex')}`;
  const schema = freshSchemaName();
  /** pgUrl as another user, with a password the server ignores (trust) and that must never show. */
  const as = (user: string, database?: string): string => {
    const url = new URL(pgUrl!);
    url.username = user;
    url.password = encodeURIComponent(PASSWORD);
    if (database) url.pathname = `/${database}`;
    return url.toString();
  };
  afterAll(async () => {
    const admin = await adminPool();
    await dropSchema(schema);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await closeAdminPool();
  });

  it('a database that does not exist: ledger_refused (database_missing, 3D000), the ledger named, nothing recorded', async () => {
    const url = as('postgres', `refundkit_missing_${randomBytes(3).toString('hex')}`);
    const error = await rejection(openPostgresLedger({ connectionString: url }), LedgerRefusedError);
    expect(error.reason).toBe('database_missing');
    expect(error.databaseCode).toBe('3D000');
    expect(error.message).toMatch(/^ledger postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/refundkit_missing_\w+, schema refundkit: database "refundkit_missing_\w+" does not exist \(3D000\): create it, or correct the database in the connection string; nothing was recorded$/);
    expect(error.message).not.toContain(PASSWORD);
  });

  it('a role that does not exist: ledger_refused (not_authorized, 28000)', async () => {
    const error = await rejection(openPostgresLedger({ connectionString: as(`${role}_absent`) }), LedgerRefusedError);
    expect(error.reason).toBe('not_authorized');
    expect(error.databaseCode).toBe('28000');
    expect(error.message).toMatch(/^ledger postgres:\/\/refundkit_noperm_\w+_absent:\*\*\*@.*role "refundkit_noperm_\w+_absent" does not exist \(28000\): .*nothing was recorded$/);
  });

  it('a role without privileges: ledger_refused (permission_denied, 42501) on open, and on a reservation when it may only read; nothing recorded', async () => {
    const admin = await adminPool();
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await migratePostgresLedger({ connectionString: pgUrl! }, { schema });
    const opened = await rejection(openPostgresLedger({ connectionString: as(role) }, { schema }), LedgerRefusedError);
    expect(opened.reason).toBe('permission_denied');
    expect(opened.databaseCode).toBe('42501');
    expect(opened.message).toMatch(new RegExp(`^ledger postgres://${role}:\\*\\*\\*@.*, schema ${schema}: permission denied for schema ${schema} \\(42501\\): grant the role USAGE .*; nothing was recorded$`));

    // Reading allowed, writing not: the reservation is refused by the server, and nothing is kept.
    await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA "${schema}" TO ${role}`);
    const ledger = await openPostgresLedger({ connectionString: as(role) }, { schema, poolSize: 1 });
    try {
      const key = { provider: 'tipay' as const, account: 'A', orderId: 'o-1', refundId: 'r-1' };
      const error = await rejection(ledger.reserve({ key, amount: 100, currency: 'CNY', lease: { holder: 'h', ttlMs: 60_000 } }), LedgerRefusedError);
      expect(error.reason).toBe('permission_denied');
      expect(error.message).toMatch(/permission denied for table orders \(42501\): .*; nothing was recorded$/);
      expect(error.message).not.toContain(PASSWORD);
      expect(await ledger.get(key)).toBeUndefined();
    } finally {
      await ledger.close();
      await admin.query(`REVOKE ALL ON ALL TABLES IN SCHEMA "${schema}" FROM ${role}; REVOKE ALL ON SCHEMA "${schema}" FROM ${role}`);
    }
  });

  it('sslmode=require against a server without TLS: ledger_refused (tls), and pg’s multi-line warning never printed', async () => {
    // A process of its own: pg warns once per process, so only a fresh one shows whether it would.
    // The built package (test/global-setup.ts rebuilds it when stale): Node 20 cannot import TypeScript.
    const script = [
      `import { openPostgresLedger } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};`,
      `try { await openPostgresLedger({ connectionString: ${JSON.stringify(`${as('postgres')}?sslmode=require`)} }, { connectTimeoutMs: 5000 }); console.log('opened'); }`,
      `catch (error) { console.log(JSON.stringify({ code: error.code, reason: error.reason, message: error.message })); }`,
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, err).toBe(0);
    expect(err).not.toMatch(/SECURITY WARNING|sslmode|Warning/);
    const error = JSON.parse(out.trim()) as { code: string; reason: string; message: string };
    expect(error.code).toBe('ledger_refused');
    expect(error.reason).toBe('tls');
    expect(error.message).toMatch(/^ledger postgres:\/\/postgres:\*\*\*@.*sslmode=require, schema refundkit: The server does not support SSL connections: .*; nothing was recorded$/);
    expect(error.message).not.toContain(PASSWORD);
  });
});

describe('the SQLite ledger’s errors name the file and say nothing was recorded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'refundkit-ledger-errors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const key = { provider: 'tipay' as const, account: 'A', orderId: 'o-1', refundId: 'r-1' };
  const reservation = { key, amount: 100, currency: 'CNY', lease: { holder: 'h', ttlMs: 60_000 } };

  it('a file that is not a database: ledger_refused (not_a_ledger, SQLITE_NOTADB)', async () => {
    const file = join(dir, 'not-a-db.db');
    writeFileSync(file, 'this is a text file, not a SQLite database\n'.repeat(50));
    const error = await rejection(openSqliteLedger(file), LedgerRefusedError);
    expect(error.reason).toBe('not_a_ledger');
    expect(error.databaseCode).toBe('SQLITE_NOTADB');
    expect(error.message).toBe(`ledger ${file}: file is not a database (SQLITE_NOTADB): it is not a SQLite database, or it is damaged: point the ledger at the right file; nothing was recorded`);
  });

  it('a folder that cannot be created (a file stands in its place): ledger_refused (permission_denied)', async () => {
    // Not chmod: the tests may run as root, who writes anywhere; a file where the folder should be stops anyone.
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const error = await rejection(openSqliteLedger(join(blocker, 'ledger.db')), LedgerRefusedError);
    expect(error.reason).toBe('permission_denied');
    expect(error.message).toMatch(/^ledger .*a-file\/ledger\.db: .*\((ENOTDIR|EEXIST)\): this process cannot create or write the file or its folder.*; nothing was recorded$/);
  });

  it('a database another connection holds past the busy timeout: ledger_unavailable, the same call works once it lets go', async () => {
    const file = join(dir, 'busy.db');
    const ledger = await openSqliteLedger(file, { busyTimeoutMs: 50 });
    const Database = await loadSqliteDriver();
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      const error = await rejection(ledger.reserve(reservation), LedgerUnavailableError);
      expect(error.code).toBe('ledger_unavailable');
      expect(error.message).toBe(`ledger ${file}: database is locked (SQLITE_BUSY): another connection held the database past the busy timeout (50 ms); nothing was recorded`);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await ledger.get(key)).toBeUndefined();
    expect((await ledger.reserve(reservation)).outcome).toBe('new');
    await ledger.close();
  });

  it('a schema newer than the code: ledger_schema_mismatch with the command to run', async () => {
    const file = join(dir, 'newer.db');
    await (await openSqliteLedger(file)).close();
    const Database = await loadSqliteDriver();
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    const error = await rejection(openSqliteLedger(file), LedgerSchemaError);
    expect(error.code).toBe('ledger_schema_mismatch');
    expect(error.found).toBe(99);
    expect(error.command).toBe('npm install @refundkit/refunds@latest');
    expect(error.message).toMatch(new RegExp(`^ledger .*newer\\.db has schema version 99, newer than this refundkit understands \\(${LEDGER_SCHEMA_VERSION}\\): upgrade refundkit .*; nothing was recorded$`));
  });
});
