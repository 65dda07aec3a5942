/**
 * The PostgreSQL ledger's own behaviour (the RefundLedger contract itself is the conformance
 * suite's, with test/ledger-stores.ts): migrations and the schema check, the database's clock
 * against a skewed caller, a reservation inside the caller's transaction, faults of the
 * database (a terminated session mid-reservation and mid-update, a statement timeout, no
 * server), and secrets. Skipped without a server (test/pg-global-setup.ts).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { RefundkitError } from '@refundkit/runtime';
import { ConflictError, OverRefundError } from '../src/errors.js';
import { redactConnectionString, isPostgresUrl } from '../src/ledger/connection-string.js';
import type { ReservationRequest } from '../src/ledger/ledger.js';
import { LedgerSchemaError, LedgerUnavailableError } from '../src/ledger/ledger-errors.js';
import { loadPostgresDriver, PostgresUnavailableError, type PostgresPool, type PostgresPoolClient } from '../src/ledger/postgres-driver.js';
import { migratePostgresLedger, openPostgresLedger } from '../src/ledger/postgres-ledger.js';
import { POSTGRES_LEDGER_SCHEMA_VERSION } from '../src/ledger/postgres-schema.js';
import type { PostgresLedger } from '../src/ledger/postgres-store.js';
import { adminPool, closeAdminPool, describePg, dropSchema, freshSchemaName, openTestPostgresLedger, pgUrl } from './pg-support.js';

const ACCOUNT = 'merchant-1';
const request = (refundId: string, amount: number, more: { orderId?: string; orderAmount?: number; holder?: string; ttlMs?: number } = {}): ReservationRequest => ({
  key: { provider: 'tipay', account: ACCOUNT, orderId: more.orderId ?? 'order-1', refundId },
  amount,
  currency: 'CNY',
  ...(more.orderAmount !== undefined ? { orderAmount: more.orderAmount } : {}),
  lease: { holder: more.holder ?? `holder-${refundId}`, ttlMs: more.ttlMs ?? 60_000 },
});
const refundKey = (refundId: string) => ({ provider: 'tipay' as const, account: ACCOUNT, refundId });
const order = (orderId = 'order-1') => ({ provider: 'tipay' as const, account: ACCOUNT, orderId });

async function rejection<E>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

/** `pgUrl` with a password in it (trust authentication ignores it), to check it never comes out. */
const withPassword = (url: string, password: string): string => {
  const parsed = new URL(url);
  parsed.username ||= 'postgres';
  parsed.password = password;
  return parsed.toString();
};

describe('redactConnectionString', () => {
  it('hides the password of a URL, in its user part or a password parameter, and keeps the rest', () => {
    expect(redactConnectionString('postgres://app:s3cret@db.internal:5432/shop')).toBe('postgres://app:***@db.internal:5432/shop');
    expect(redactConnectionString('postgresql://app:p%40ss%2Fw@db/shop?sslmode=require')).toBe('postgresql://app:***@db/shop?sslmode=require');
    expect(redactConnectionString('postgres://app@db/shop?password=s3cret&application_name=x')).toBe('postgres://app@db/shop?password=***&application_name=x');
    expect(redactConnectionString('postgres://db/shop')).toBe('postgres://db/shop');
  });

  it('hides password= in a key/value connection string', () => {
    expect(redactConnectionString("host=db user=app password=s3cret dbname=shop")).toBe('host=db user=app password=*** dbname=shop');
    expect(redactConnectionString("host=db password='s3 cret' dbname=shop")).toBe('host=db password=*** dbname=shop');
  });

  it('tells a PostgreSQL URL from a file path', () => {
    expect(isPostgresUrl('postgres://db/shop')).toBe(true);
    expect(isPostgresUrl('POSTGRESQL://db/shop')).toBe(true);
    expect(isPostgresUrl('./postgres/ledger.db')).toBe(false);
    expect(isPostgresUrl('.refundkit/ledger.db')).toBe(false);
  });
});

describe('loading pg', () => {
  it('says what to install when pg is missing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'pg' imported from x"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = await rejection(loadPostgresDriver(async () => Promise.reject(missing)), PostgresUnavailableError);
    expect(error.code).toBe('postgres_unavailable');
    expect(error.message).toContain('npm install pg@^8');
  });
});

describe('migrations shipped in the package', () => {
  it('are numbered files whose last number is the schema version the code writes', () => {
    const files = readdirSync(fileURLToPath(new URL('../migrations/postgres/', import.meta.url))).filter((f) => f.endsWith('.sql')).sort();
    expect(files.length).toBeGreaterThan(0);
    files.forEach((file, index) => expect(file).toMatch(new RegExp(`^${String(index + 1).padStart(3, '0')}_[a-z0-9_]+\\.sql$`)));
    expect(Number(files.at(-1)!.slice(0, 3))).toBe(POSTGRES_LEDGER_SCHEMA_VERSION);
  });

  it('are listed in the package files', async () => {
    const pkg = (await import('../package.json', { with: { type: 'json' } })).default as { files: string[] };
    expect(pkg.files).toContain('migrations');
  });
});

describePg('PostgreSQL ledger', () => {
  const schemas: string[] = [];
  const ledgers: PostgresLedger[] = [];
  const schema = (): string => {
    const name = freshSchemaName();
    schemas.push(name);
    return name;
  };
  const track = (ledger: PostgresLedger): PostgresLedger => (ledgers.push(ledger), ledger);
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(ledgers.splice(0).map((l) => l.close()));
    await Promise.all(schemas.splice(0).map(dropSchema));
  });
  afterAll(closeAdminPool);

  describe('schema and migrations', () => {
    it('refuses a database without the ledger, naming the command to run (and never the password)', async () => {
      const name = schema();
      const url = withPassword(pgUrl!, 'hunter2-never-shown');
      const error = await rejection(openPostgresLedger({ connectionString: url }, { schema: name }), LedgerSchemaError);
      expect(error.code).toBe('ledger_schema_mismatch');
      expect(error.found).toBe(0);
      expect(error.expected).toBe(POSTGRES_LEDGER_SCHEMA_VERSION);
      expect(error.command).toBe(`refundkit ledger migrate --ledger ${redactConnectionString(url)} --schema ${name}`);
      expect(error.message).toContain(error.command);
      expect(error.message).not.toContain('hunter2');
      // Refusing created nothing.
      const { rows } = await (await adminPool()).query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name]);
      expect(rows).toEqual([]);
    });

    it('upgrades a schema at version 2 to 3: its refunds kept, in no batch run; new reservations carry their batch', async () => {
      const name = schema();
      const { loadMigrations, migrate } = await import('../src/ledger/postgres-migrations.js');
      const db = await adminPool();
      const upToTwo = (await loadMigrations()).filter((m) => m.version <= 2);
      expect(await migrate(db, name, name, upToTwo)).toMatchObject({ from: 0, to: 2 });
      // A refund written at version 2 (its columns, no batch).
      await db.query(`INSERT INTO "${name}".orders (provider, account, order_id) VALUES ('tipay', $1, 'order-1')`, [ACCOUNT]);
      await db.query(
        `INSERT INTO "${name}".refunds (provider, account, refund_id, order_id, amount, currency, status, attempts, provider_may_know, created_at, updated_at)
         VALUES ('tipay', $1, 'old', 'order-1', 100, 'CNY', 'succeeded', 1, true, now(), now())`,
        [ACCOUNT],
      );
      expect(await migratePostgresLedger({ connectionString: pgUrl! }, { schema: name })).toMatchObject({ from: 2, to: 3, applied: ['003_batches.sql'] });
      const ledger = await openPostgresLedger({ connectionString: pgUrl! }, { schema: name, poolSize: 2 });
      try {
        const old = await ledger.get(refundKey('old'));
        expect(old).toMatchObject({ status: 'succeeded', amount: 100 });
        expect(old && 'batch' in old).toBe(false);
        expect(await ledger.batches()).toEqual([]);
        const reserved = await ledger.reserve({ ...request('new', 5), batch: 'run-1' });
        expect(reserved.refund.batch).toBe('run-1');
        expect(await ledger.batches()).toMatchObject([{ id: 'run-1', total: 1, statuses: { unknown: { count: 1, amount: 5 } } }]);
      } finally {
        await ledger.close();
      }
    });

    it('migrates a new schema once, then finds it up to date; the tables have the ledger’s types and keys', async () => {
      const name = schema();
      const first = await migratePostgresLedger({ connectionString: pgUrl! }, { schema: name });
      expect(first).toEqual({ schema: name, from: 0, to: POSTGRES_LEDGER_SCHEMA_VERSION, applied: ['001_ledger.sql', '002_changes_reconciler_unmatched.sql', '003_batches.sql'] });
      const again = await migratePostgresLedger({ connectionString: pgUrl! }, { schema: name });
      expect(again).toEqual({ schema: name, from: POSTGRES_LEDGER_SCHEMA_VERSION, to: POSTGRES_LEDGER_SCHEMA_VERSION, applied: [] });

      const db = await adminPool();
      const columns = await db.query<{ table_name: string; column_name: string; data_type: string }>(
        `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND column_name IN ('amount', 'lease_expires_at', 'created_at', 'event', 'meta') ORDER BY 1, 2`,
        [name],
      );
      expect(columns.rows).toEqual([
        { table_name: 'orders', column_name: 'amount', data_type: 'bigint' },
        { table_name: 'orders', column_name: 'created_at', data_type: 'timestamp with time zone' },
        { table_name: 'refund_changes', column_name: 'amount', data_type: 'bigint' },
        { table_name: 'refund_events', column_name: 'event', data_type: 'jsonb' },
        { table_name: 'refunds', column_name: 'amount', data_type: 'bigint' },
        { table_name: 'refunds', column_name: 'created_at', data_type: 'timestamp with time zone' },
        { table_name: 'refunds', column_name: 'lease_expires_at', data_type: 'timestamp with time zone' },
        { table_name: 'refunds', column_name: 'meta', data_type: 'jsonb' },
      ]);
      const keys = await db.query<{ table: string; key: string }>(
        `SELECT c.conrelid::regclass::text AS table, pg_get_constraintdef(c.oid) AS key FROM pg_constraint c
          WHERE c.contype = 'p' AND c.connamespace = $1::regnamespace ORDER BY 1`,
        [name],
      );
      expect(keys.rows.map((r) => [r.table.replace(`${name}.`, ''), r.key])).toEqual([
        ['change_counter', 'PRIMARY KEY (only_row)'],
        ['orders', 'PRIMARY KEY (provider, account, order_id)'],
        ['refund_changes', 'PRIMARY KEY (seq)'],
        ['refund_events', 'PRIMARY KEY (seq)'],
        ['refunds', 'PRIMARY KEY (provider, account, refund_id)'],
        ['schema_migrations', 'PRIMARY KEY (version)'],
        ['unmatched_notifications', 'PRIMARY KEY (provider, account, digest)'],
      ]);
      const indexes = await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'refunds_to_resolve'`, [name]);
      expect(indexes.rows[0]?.indexdef).toMatch(/\(status, lease_expires_at\) WHERE/);
    });

    it('lets several instances migrate at once: one applies, the others find it done', async () => {
      const name = schema();
      const reports = await Promise.all([1, 2, 3].map(() => migratePostgresLedger({ connectionString: pgUrl! }, { schema: name })));
      expect(reports.map((r) => r.applied.length).sort()).toEqual([0, 0, POSTGRES_LEDGER_SCHEMA_VERSION]);
      expect(reports.every((r) => r.to === POSTGRES_LEDGER_SCHEMA_VERSION)).toBe(true);
    });

    it('refuses a schema newer than the code, untouched, saying to upgrade refundkit', async () => {
      const name = schema();
      await migratePostgresLedger({ connectionString: pgUrl! }, { schema: name });
      await (await adminPool()).query(`INSERT INTO "${name}".schema_migrations (version, name) VALUES ($1, '999_future.sql')`, [POSTGRES_LEDGER_SCHEMA_VERSION + 1]);
      const opened = await rejection(openPostgresLedger({ connectionString: pgUrl! }, { schema: name }), LedgerSchemaError);
      expect(opened.found).toBe(POSTGRES_LEDGER_SCHEMA_VERSION + 1);
      expect(opened.message).toMatch(/newer than this refundkit writes .*upgrade refundkit/);
      const migrated = await rejection(migratePostgresLedger({ connectionString: pgUrl! }, { schema: name }), LedgerSchemaError);
      expect(migrated.message).toContain('newer');
      const { rows } = await (await adminPool()).query(`SELECT count(*)::int AS n FROM "${name}".schema_migrations`);
      expect(rows[0]).toEqual({ n: POSTGRES_LEDGER_SCHEMA_VERSION + 1 });
    });

    it('opens with migrate: true on an empty schema; keeps several apps apart by schema', async () => {
      const a = track(await openPostgresLedger({ connectionString: pgUrl! }, { schema: schema(), migrate: true }));
      const b = track(await openPostgresLedger({ connectionString: pgUrl! }, { schema: schema(), migrate: true }));
      await a.reserve(request('r1', 100, { orderAmount: 100 }));
      expect((await b.reserve(request('r1', 100, { orderAmount: 100 }))).outcome).toBe('new');
      expect(await a.refundsOf(order())).toHaveLength(1);
    });

    it('rejects a schema name that is not a plain identifier, before connecting', async () => {
      await expect(openPostgresLedger({ connectionString: pgUrl! }, { schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(/use lowercase letters/);
    });
  });

  describe('storage', () => {
    it('keeps amounts past 32 bits exactly (BIGINT) and reports timestamps as ISO UTC', async () => {
      const ledger = track(await openTestPostgresLedger());
      const big = 9_000_000_000_001; // > 2^32, < 2^53
      const reservation = await ledger.reserve(request('big', big, { orderAmount: big + 1 }));
      expect(reservation.outcome).toBe('new');
      const stored = await ledger.get(refundKey('big'));
      expect(stored?.amount).toBe(big);
      expect(await ledger.orderAmount(order())).toBe(big + 1);
      expect(stored?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      await rejection(ledger.reserve(request('big-2', 2)), OverRefundError);
    });

    it('stores hostile text exactly: quotes, backslashes, SQL, non-ASCII, in ids, raw answers, meta and history', async () => {
      const ledger = track(await openTestPostgresLedger());
      const hostile = `r'1\\'; DROP TABLE refunds; -- \\x00 E'\\n' 退款 $$ $1`;
      const orderId = `o'\\${hostile}`;
      const reservation = await ledger.reserve({ ...request(hostile, 100, { orderId, orderAmount: 1000 }), meta: { note: hostile, [hostile]: 'k' } });
      if (reservation.outcome !== 'new') throw new Error(reservation.outcome);
      const raw = `{"msg":"${hostile}"}\\u0027 '' \\\\`;
      const answered = await ledger.update(refundKey(hostile), { status: 'failed', source: 'refund', raw, failure: { code: `E'${hostile}`, message: hostile }, lease: reservation.lease, providerMayKnow: false });
      expect(await ledger.get(refundKey(hostile))).toEqual(answered);
      expect(answered).toMatchObject({ refundId: hostile, orderId, raw, failure: { code: `E'${hostile}`, message: hostile }, meta: { note: hostile, [hostile]: 'k' } });
      const history = await ledger.history(refundKey(hostile));
      expect(history.at(-1)).toMatchObject({ kind: 'answer', raw, failure: { message: hostile } });
      expect((await ledger.refundsOf(order(orderId))).map((r) => r.refundId)).toEqual([hostile]);
      const { rows } = await (await adminPool()).query(`SELECT count(*)::int AS n FROM "${ledger.schema}".refunds`);
      expect(rows[0]).toEqual({ n: 1 });
    });

    it('keeps an answer carrying U+0000 (which PostgreSQL text cannot hold), with U+FFFD in its place', async () => {
      const ledger = track(await openTestPostgresLedger());
      const reservation = await ledger.reserve({ ...request('r-nul', 100), meta: { k: 'a\u0000b' } });
      if (reservation.outcome !== 'new') throw new Error(reservation.outcome);
      await ledger.update(refundKey('r-nul'), { status: 'failed', source: 'refund', raw: 'x\u0000y', failure: { code: 'c\u0000', message: 'm' }, lease: reservation.lease, providerMayKnow: false });
      expect(await ledger.get(refundKey('r-nul'))).toMatchObject({ status: 'failed', raw: 'x\uFFFDy', failure: { code: 'c\uFFFD' }, meta: { k: 'a\uFFFDb' } });
      expect((await ledger.history(refundKey('r-nul'))).at(-1)).toMatchObject({ raw: 'x\uFFFDy' });
    });
  });

  describe('the database’s clock', () => {
    /** The database's clock now, in ms. */
    const dbNow = async (): Promise<number> => (await (await adminPool()).query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now.getTime();

    it('times leases and timestamps by the database, whatever the caller’s clock says', async () => {
      const ahead = track(await openTestPostgresLedger());
      const behind = track(await openPostgresLedger({ connectionString: pgUrl! }, { schema: ahead.schema }));
      const skew = 7 * 60_000;

      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + skew); // this process's clock runs 7 minutes fast
      const before = await dbNow();
      const reservation = await ahead.reserve(request('r1', 100, { ttlMs: 30_000 }));
      const after = await dbNow();
      if (reservation.outcome !== 'new') throw new Error(reservation.outcome);
      const created = Date.parse(reservation.refund.createdAt);
      expect(created).toBeGreaterThanOrEqual(before);
      expect(created).toBeLessThanOrEqual(after);
      expect(Date.parse(reservation.lease.expiresAt) - created).toBe(30_000);

      // Another caller whose clock runs 7 minutes slow sees the lease live, and takes nothing.
      vi.setSystemTime(Date.now() - 2 * skew);
      const second = await behind.reserve(request('r1', 100, { holder: 'other' }));
      expect(second.outcome).toBe('in_flight');
      vi.useRealTimers();

      // An answer is stamped by the database too.
      const answered = await behind.update(refundKey('r1'), { status: 'pending', source: 'refund', lease: reservation.lease });
      expect(Math.abs(Date.parse(answered.updatedAt) - (await dbNow()))).toBeLessThan(60_000);
      expect(answered.lease).toBeUndefined();
    });

    it('reads the test-only testClock instead, when a test sets one: a lease expires when it says so', async () => {
      let offset = 0;
      const ledger = track(await openTestPostgresLedger({ testClock: () => Date.UTC(2025, 0, 1) + offset }));
      const first = await ledger.reserve(request('r1', 100, { ttlMs: 60_000 }));
      expect(first.outcome).toBe('new');
      expect(first.refund.createdAt).toBe('2025-01-01T00:00:00.000Z');
      offset = 59_999;
      expect((await ledger.reserve(request('r1', 100, { holder: 'b' }))).outcome).toBe('in_flight');
      offset = 60_000;
      const recovered = await ledger.reserve(request('r1', 100, { holder: 'b' }));
      expect(recovered.outcome).toBe('recover');
      if (recovered.outcome !== 'recover') return;
      expect(recovered.lease).toMatchObject({ holder: 'b', attempt: 2 });
      expect(recovered.providerMayKnow).toBe(true);
      expect((await ledger.history(refundKey('r1'))).map((e) => e.kind)).toEqual(['reserved', 'recovered']);
    });
  });

  describe('reserveWith: a reservation inside the caller’s transaction', () => {
    it('commits with the caller’s own rows, or not at all', async () => {
      const ledger = track(await openTestPostgresLedger());
      const db = await adminPool();
      await db.query(`CREATE TABLE "${ledger.schema}".jobs (refund_id text PRIMARY KEY)`);
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        const rolledBack = await ledger.reserveWith(client, request('r1', 100, { orderAmount: 1000 }));
        expect(rolledBack.outcome).toBe('new');
        await client.query(`INSERT INTO "${ledger.schema}".jobs VALUES ('r1')`);
        await client.query('ROLLBACK');
        expect(await ledger.get(refundKey('r1'))).toBeUndefined();
        expect(await ledger.orderAmount(order())).toBeUndefined();

        await client.query('BEGIN');
        const kept = await ledger.reserveWith(client, request('r1', 100, { orderAmount: 1000 }));
        expect(kept.outcome).toBe('new');
        await client.query(`INSERT INTO "${ledger.schema}".jobs VALUES ('r1')`);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      expect((await ledger.get(refundKey('r1')))?.status).toBe('unknown');
      expect((await db.query(`SELECT refund_id FROM "${ledger.schema}".jobs`)).rows).toEqual([{ refund_id: 'r1' }]);
    });

    it('throws the rules’ errors as reserve does', async () => {
      const ledger = track(await openTestPostgresLedger());
      await ledger.reserve(request('r1', 600, { orderAmount: 1000 }));
      const client = await (await adminPool()).connect();
      try {
        await client.query('BEGIN');
        await rejection(ledger.reserveWith(client, request('r2', 600)), OverRefundError);
        await rejection(ledger.reserveWith(client, request('r1', 700)), ConflictError);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    });

    it('refuses a transaction that is not READ COMMITTED: its reads could miss a reservation committed meanwhile', async () => {
      const ledger = track(await openTestPostgresLedger());
      const client = await (await adminPool()).connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await expect(ledger.reserveWith(client, request('r1', 100))).rejects.toThrow(/READ COMMITTED/);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
      expect(await ledger.get(refundKey('r1'))).toBeUndefined();
    });
  });

  describe('faults of the database', () => {
    /** Another session holding the order's row lock, as a slow reservation would. */
    async function holdOrderLock(schemaName: string, orderId = 'order-1'): Promise<PostgresPoolClient> {
      const blocker = await (await adminPool()).connect();
      await blocker.query('BEGIN');
      const { rows } = await blocker.query(`SELECT 1 FROM "${schemaName}".orders WHERE provider = 'tipay' AND account = $1 AND order_id = $2 FOR UPDATE`, [ACCOUNT, orderId]);
      expect(rows).toHaveLength(1);
      return blocker;
    }
    async function release(blocker: PostgresPoolClient): Promise<void> {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
    /** The backend of `applicationName` once it waits for a lock. */
    async function waitingBackend(applicationName: string): Promise<number> {
      const db = await adminPool();
      for (let i = 0; i < 200; i++) {
        const { rows } = await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [applicationName]);
        if (rows[0]) return rows[0].pid;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`${applicationName} never waited for the lock`);
    }
    const terminate = async (pid: number): Promise<void> => void (await (await adminPool()).query('SELECT pg_terminate_backend($1)', [pid]));

    it('a session terminated mid-reservation: LedgerUnavailableError, nothing recorded, and the next call works', async () => {
      const applicationName = `refundkit-test-${freshSchemaName()}`;
      const ledger = track(await openTestPostgresLedger({ applicationName }));
      await ledger.reserve(request('r0', 100, { orderAmount: 1000 }));
      const blocker = await holdOrderLock(ledger.schema);
      const pending = ledger.reserve(request('r1', 200));
      const settled = pending.catch((e: unknown) => e);
      await terminate(await waitingBackend(applicationName));
      const error = await settled;
      await release(blocker);
      expect(error).toBeInstanceOf(LedgerUnavailableError);
      expect(error).toBeInstanceOf(RefundkitError);
      expect((error as LedgerUnavailableError).code).toBe('ledger_unavailable');
      expect((error as LedgerUnavailableError).maybeCommitted).toBe(false);
      expect((error as Error).message).toMatch(/ended the session.*nothing was recorded/);

      expect(await ledger.get(refundKey('r1'))).toBeUndefined();
      expect(await ledger.history(refundKey('r1'))).toEqual([]);
      expect((await ledger.refundsOf(order())).map((r) => r.refundId)).toEqual(['r0']);
      expect((await ledger.reserve(request('r1', 200))).outcome).toBe('new');
    });

    it('a session terminated mid-update: LedgerUnavailableError, the refund as it was, and the answer can be recorded again', async () => {
      const applicationName = `refundkit-test-${freshSchemaName()}`;
      const ledger = track(await openTestPostgresLedger({ applicationName }));
      const reservation = await ledger.reserve(request('r1', 100, { orderAmount: 1000 }));
      if (reservation.outcome !== 'new') throw new Error(reservation.outcome);
      const blocker = await holdOrderLock(ledger.schema);
      const answer = { status: 'succeeded' as const, source: 'refund' as const, providerRefundId: 'p-1', lease: reservation.lease };
      const settled = ledger.update(refundKey('r1'), answer).catch((e: unknown) => e);
      await terminate(await waitingBackend(applicationName));
      const error = await settled;
      await release(blocker);
      expect(error).toBeInstanceOf(LedgerUnavailableError);

      const untouched = await ledger.get(refundKey('r1'));
      expect(untouched).toEqual(reservation.refund);
      expect((await ledger.history(refundKey('r1'))).map((e) => e.kind)).toEqual(['reserved']);
      const recorded = await ledger.update(refundKey('r1'), answer);
      expect(recorded).toMatchObject({ status: 'succeeded', providerRefundId: 'p-1' });
      expect(recorded.lease).toBeUndefined();
    });

    it('a statement timeout (here a lock held too long): LedgerUnavailableError, nothing recorded', async () => {
      const ledger = track(await openTestPostgresLedger({ statementTimeoutMs: 300 }));
      await ledger.reserve(request('r0', 100, { orderAmount: 1000 }));
      const blocker = await holdOrderLock(ledger.schema);
      const error = await rejection(ledger.reserve(request('r1', 200)), LedgerUnavailableError);
      const updateError = await rejection(ledger.update(refundKey('r0'), { status: 'failed', source: 'refund', failure: { code: 'X', message: 'no' } }), LedgerUnavailableError);
      await release(blocker);
      expect(error.message).toMatch(/statement timeout/);
      expect(updateError.message).toMatch(/statement timeout/);
      expect(await ledger.get(refundKey('r1'))).toBeUndefined();
      expect((await ledger.get(refundKey('r0')))?.status).toBe('unknown');
      expect((await ledger.reserve(request('r1', 200))).outcome).toBe('new');
    });

    /**
     * A caller's pool whose connections fail the way a network does while the writes and COMMIT
     * are in flight: `after` runs the statement first (the server committed, the answer was
     * lost), `before` never sends it. Either way the caller cannot know, and must be told.
     */
    async function poolLosingCommits(when: 'before' | 'after'): Promise<{ pool: PostgresPool; end: () => Promise<void> }> {
      const { Pool } = await loadPostgresDriver();
      const real = new Pool({ connectionString: pgUrl!, max: 2 });
      real.on('error', () => {});
      const lost = (): Error => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      const pool: PostgresPool = {
        query: (text, values) => real.query(text, values),
        connect: async () => {
          const client = await real.connect();
          return {
            query: async (text: string, values?: unknown[]) => {
              // The round trip that commits (a NOTIFY may follow the COMMIT in it).
              if (!/;\s*COMMIT\b/.test(text)) return client.query(text, values);
              if (when === 'after') await client.query(text, values);
              throw lost();
            },
            release: (destroy?: Error | boolean) => client.release(destroy),
            on: (event: 'error', listener: (error: Error) => void) => client.on(event, listener),
            off: (event: 'error', listener: (error: Error) => void) => client.off(event, listener),
          } as PostgresPoolClient;
        },
        end: () => real.end(),
        on: (event, listener) => real.on(event, listener),
      };
      return { pool, end: () => real.end() };
    }

    it.each(['after', 'before'] as const)('the connection lost while committing (%s the server got it): maybeCommitted, and the same call again is safe', async (when) => {
      const ledger = track(await openTestPostgresLedger());
      const { pool, end } = await poolLosingCommits(when);
      try {
        const faulty = await openPostgresLedger({ pool }, { schema: ledger.schema });
        const error = await rejection(faulty.reserve(request('r1', 100, { orderAmount: 1000 })), LedgerUnavailableError);
        expect(error.maybeCommitted).toBe(true);
        expect(error.message).toMatch(/may or may not be recorded: make the same call again with the same refund id/);
        await faulty.close(); // a caller's pool is the caller's to end
        expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      } finally {
        await end();
      }
      // The same reservation again, from a healthy connection: never a second refund.
      const again = await ledger.reserve(request('r1', 100, { orderAmount: 1000, holder: 'retry' }));
      expect(again.outcome).toBe(when === 'after' ? 'in_flight' : 'new');
      expect(await ledger.refundsOf(order())).toHaveLength(1);
    });

    it('no server: LedgerUnavailableError on open, without the password', async () => {
      const url = withPassword(pgUrl!, 'hunter2-never-shown');
      const closed = new URL(url);
      closed.port = '1'; // nothing listens on port 1
      const error = await rejection(openPostgresLedger({ connectionString: closed.toString() }, { connectTimeoutMs: 2000 }), LedgerUnavailableError);
      expect(error.message).toContain('postgres://postgres:***@');
      expect(error.message).not.toContain('hunter2');
      expect(JSON.stringify(error)).not.toContain('hunter2');
    });

    it('a closed ledger refuses calls', async () => {
      const ledger = await openTestPostgresLedger();
      await ledger.close();
      await ledger.close();
      await expect(ledger.get(refundKey('r1'))).rejects.toThrow(/is closed/);
    });
  });
});
