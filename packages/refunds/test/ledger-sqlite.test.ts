import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSqliteDriver, openDatabase, SqliteUnavailableError, type SqliteDatabaseConstructor } from '../src/ledger/sqlite-driver.js';
import { defaultLedgerPath, LEDGER_SCHEMA_VERSION, openSqliteLedger } from '../src/ledger/sqlite-ledger.js';
import * as index from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'refundkit-ledger-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fresh = (): string => join(dir, `ledger-${files++}.db`);

// The driver itself, to look inside the files the ledger writes.
const Database = createRequire(import.meta.url)('better-sqlite3') as SqliteDatabaseConstructor;
function inspect<T>(file: string, look: (db: ReturnType<typeof openDatabase>) => T): T {
  const db = new Database(file);
  try {
    return look(db);
  } finally {
    db.close();
  }
}

const key = { provider: 'eftpay', account: 'S0003469', orderId: 'o-1', refundId: 'r-1' } as const;
const lease = { holder: 'h', ttlMs: 60_000 };
// fixtures/ledger-v1.db was written by the previous release's openSqliteLedger (commit 6186602): tipay
// refunds refund-v1-a (succeeded) and refund-v1-b (failed, 40101) on order-v1 (total 10000), and an
// eftpay refund-v1-c (unknown, with meta) on order-v1-e.
const fixtures = join(import.meta.dirname, 'fixtures');

describe('SQLite ledger', () => {
  it('keeps every refund, order total and history entry across close and reopen', async () => {
    const file = fresh();
    const first = await openSqliteLedger(file);
    const reserved = await first.reserve({ key, amount: 3000, currency: 'HKD', orderAmount: 5000, lease });
    if (reserved.outcome !== 'new') throw new Error('expected new');
    const failed = await first.update(key, { source: 'refund', status: 'failed', providerRefundId: 'E-1', failure: { code: 'FAIL', message: '余额不足' }, raw: '{"status":"FAIL"}', providerMayKnow: false, lease: reserved.lease });
    await first.reserve({ key: { ...key, refundId: 'r-2' }, amount: 2000, currency: 'HKD', lease });
    const history = await first.history(key);
    await first.close();

    const again = await openSqliteLedger(file);
    try {
      expect(await again.get(key)).toEqual(failed);
      expect(await again.history(key)).toEqual(history);
      expect((await again.refundsOf(key)).map((r) => r.refundId)).toEqual(['r-1', 'r-2']);
      await expect(again.reserve({ key: { ...key, refundId: 'r-3' }, amount: 3001, currency: 'HKD', lease })).rejects.toMatchObject({ code: 'over_refund', remaining: 3000 });
      expect((await again.reserve({ key, amount: 3000, currency: 'HKD', lease })).outcome).toBe('resubmit');
    } finally {
      await again.close();
    }
  });

  it('creates schema 4 on open: WAL, schema version, integer amounts, ISO timestamps, lease, history, change feed and unmatched-notification tables', async () => {
    const file = fresh();
    const ledger = await openSqliteLedger(file, { now: () => Date.parse('2025-03-04T05:06:07.089Z') });
    await ledger.reserve({ key, amount: 1234, currency: 'HKD', orderAmount: 99_999, meta: { paymentType: 'ALIPAYHK' }, lease });
    // A query's answer while the sender's lease lives is fenced: kept in the history, the row unmoved but for "the provider may know".
    await ledger.update(key, { source: 'query', status: 'unknown', failure: { code: 'TIMEOUT', message: 'no answer' }, raw: '<xml/>' });
    await ledger.close();
    inspect(file, (db) => {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(LEDGER_SCHEMA_VERSION);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all()).toEqual([{ name: 'orders' }, { name: 'refund_changes' }, { name: 'refund_events' }, { name: 'refunds' }, { name: 'unmatched_notifications' }]);
      expect(db.prepare('SELECT *, typeof(amount) AS amount_type FROM refunds').get()).toEqual({
        provider: 'eftpay',
        account: 'S0003469',
        refund_id: 'r-1',
        order_id: 'o-1',
        amount: 1234,
        amount_type: 'integer',
        currency: 'HKD',
        status: 'unknown',
        provider_refund_id: null,
        failure_code: null,
        failure_message: null,
        raw: null,
        meta: '{"paymentType":"ALIPAYHK"}',
        attempts: 1,
        provider_may_know: 1,
        lease_holder: 'h',
        lease_attempt: 1,
        lease_expires_at: '2025-03-04T05:07:07.089Z',
        created_at: '2025-03-04T05:06:07.089Z',
        updated_at: '2025-03-04T05:06:07.089Z',
        checks: null,
        next_check_at: null,
        batch: null,
      });
      // The reservation is the feed's first change; the fenced query moved nothing, so it added none.
      expect(db.prepare('SELECT * FROM refund_changes').all()).toEqual([
        { seq: 1, at: '2025-03-04T05:06:07.089Z', provider: 'eftpay', account: 'S0003469', order_id: 'o-1', refund_id: 'r-1', amount: 1234, currency: 'HKD', from_status: null, to_status: 'unknown', source: 'reservation' },
      ]);
      expect(db.prepare('SELECT provider, account, order_id, amount FROM orders').all()).toEqual([{ provider: 'eftpay', account: 'S0003469', order_id: 'o-1', amount: 99_999 }]);
      expect((db.prepare('SELECT event FROM refund_events ORDER BY seq').all() as { event: string }[]).map((r) => JSON.parse(r.event).kind)).toEqual(['reserved', 'answer']);
      // (provider, account, refund_id) is the key: a second row for it is refused by the database itself.
      expect(() =>
        db.prepare("INSERT INTO refunds (provider, account, refund_id, order_id, amount, currency, status, attempts, provider_may_know, created_at, updated_at) VALUES ('eftpay', 'S0003469', 'r-1', 'o-9', 1, 'HKD', 'unknown', 0, 0, 'x', 'x')").run(),
      ).toThrow(/UNIQUE/);
    });
  });

  it('migrates a schema 1 file (written by an earlier release) through schemas 2 and 3 to 4; its rows go to the first account that asks', async () => {
    const file = fresh();
    copyFileSync(join(fixtures, 'ledger-v1.db'), file);
    const ledger = await openSqliteLedger(file);
    try {
      inspect(file, (db) => expect(db.pragma('user_version', { simple: true })).toBe(4));
      const tipay = { provider: 'tipay', account: '10012426723', refundId: 'refund-v1-a' } as const;
      expect(await ledger.get(tipay)).toMatchObject({ account: '10012426723', orderId: 'order-v1', amount: 3000, status: 'succeeded', providerRefundId: 'TP-1', attempts: 1, providerMayKnow: true });
      // The whole order moved with it: its failed refund and its total (10000, 3000 held).
      expect(await ledger.get({ ...tipay, refundId: 'refund-v1-b' })).toMatchObject({ status: 'failed', failure: { code: '40101', message: 'bad sign' } });
      expect(await ledger.orderAmount({ provider: 'tipay', account: '10012426723', orderId: 'order-v1' })).toBe(10_000);
      await expect(ledger.reserve({ key: { ...tipay, orderId: 'order-v1', refundId: 'new' }, amount: 7001, currency: 'CNY', lease })).rejects.toMatchObject({ code: 'over_refund', remaining: 7000 });
      // Claimed once: another account no longer sees them.
      expect(await ledger.get({ ...tipay, account: 'another' })).toBeUndefined();
      // A refund of schema 1 may have reached the provider: resubmitting it is not proof of a first refusal.
      expect(await ledger.reserve({ key: { ...tipay, orderId: 'order-v1', refundId: 'refund-v1-b' }, amount: 2000, currency: 'CNY', lease })).toMatchObject({ outcome: 'resubmit', providerMayKnow: true });
      // An eftpay reservation of schema 1 keeps its meta, and is claimed by reserving on its order.
      const eftpay = await ledger.reserve({ key: { provider: 'eftpay', account: 'S0003469', orderId: 'order-v1-e', refundId: 'refund-v1-c' }, amount: 500, currency: 'HKD', lease });
      expect(eftpay).toMatchObject({ outcome: 'recover', refund: { meta: { paymentType: 'ALIPAYHK', buyerType: 'others' }, attempts: 2 } });
      // The feed's upgrade entries moved with their orders to the account that claimed them.
      const feed = await ledger.changes({ after: 0, limit: 100 });
      expect(feed.filter((c) => c.source === 'upgrade').map((c) => [c.provider, c.account, c.refundId, c.from, c.to])).toEqual([
        ['tipay', '10012426723', 'refund-v1-a', null, 'succeeded'],
        ['tipay', '10012426723', 'refund-v1-b', null, 'failed'],
        ['eftpay', 'S0003469', 'refund-v1-c', null, 'unknown'],
      ]);
      // The resubmission reopened refund-v1-b; the recovery of refund-v1-c moved no status.
      expect(feed.filter((c) => c.source !== 'upgrade').map((c) => [c.refundId, c.from, c.to, c.source])).toEqual([['refund-v1-b', 'failed', 'unknown', 'reservation']]);
    } finally {
      await ledger.close();
    }
  });

  // fixtures/ledger-v2.db was written by openSqliteLedger at commit 684b442 (schema 2): tipay refunds
  // refund-v2-a (succeeded, P-A), refund-v2-b (failed, 40101), refund-v2-c (pending, P-C) on
  // order-v2 (total 10000), and an eftpay refund-v2-d (unknown, its sender's lease left behind).
  it('upgrades a schema 2 file to 4: refunds, history and totals kept; each refund enters the feed once as it stood; new rows follow it', async () => {
    const file = fresh();
    copyFileSync(join(fixtures, 'ledger-v2.db'), file);
    inspect(file, (db) => expect(db.pragma('user_version', { simple: true })).toBe(2));
    const before = inspect(file, (db) => ({
      refunds: db.prepare('SELECT * FROM refunds ORDER BY rowid').all(),
      events: db.prepare('SELECT * FROM refund_events ORDER BY seq').all(),
      orders: db.prepare('SELECT * FROM orders').all(),
    }));
    let now = Date.parse('2025-06-02T00:00:00.000Z');
    const ledger = await openSqliteLedger(file, { now: () => now });
    try {
      inspect(file, (db) => {
        expect(db.pragma('user_version', { simple: true })).toBe(4);
        // Every row of schema 2 is there as it was, with the reconciler's (empty) schedule and no batch beside it.
        expect(db.prepare('SELECT * FROM refunds ORDER BY rowid').all()).toEqual((before.refunds as object[]).map((r) => ({ ...r, checks: null, next_check_at: null, batch: null })));
        expect(db.prepare('SELECT * FROM refund_events ORDER BY seq').all()).toEqual(before.events);
        expect(db.prepare('SELECT * FROM orders').all()).toEqual(before.orders);
      });
      const tipay = { provider: 'tipay', account: '10012426723' } as const;
      expect(await ledger.get({ ...tipay, refundId: 'refund-v2-c' })).toMatchObject({ status: 'pending', providerRefundId: 'P-C' });
      expect((await ledger.history({ ...tipay, refundId: 'refund-v2-a' })).map((e) => e.kind)).toEqual(['reserved', 'answer', 'answer']);
      expect(await ledger.changes({ after: 0, limit: 10 })).toEqual([
        { seq: 1, at: '2025-06-01T00:00:02.000Z', ...tipay, orderId: 'order-v2', refundId: 'refund-v2-a', amount: 3000, currency: 'CNY', from: null, to: 'succeeded', source: 'upgrade' },
        { seq: 2, at: '2025-06-01T00:00:04.000Z', ...tipay, orderId: 'order-v2', refundId: 'refund-v2-b', amount: 2000, currency: 'CNY', from: null, to: 'failed', source: 'upgrade' },
        { seq: 3, at: '2025-06-01T00:00:06.000Z', ...tipay, orderId: 'order-v2', refundId: 'refund-v2-c', amount: 1000, currency: 'CNY', from: null, to: 'pending', source: 'upgrade' },
        { seq: 4, at: '2025-06-01T00:00:07.000Z', provider: 'eftpay', account: 'S0003469', orderId: 'order-v2-e', refundId: 'refund-v2-d', amount: 1500, currency: 'HKD', from: null, to: 'unknown', source: 'upgrade' },
      ]);
      // The order's total still caps it (10000: 4000 held by a and c, nothing by the failed b).
      await expect(ledger.reserve({ key: { ...tipay, orderId: 'order-v2', refundId: 'too-much' }, amount: 6001, currency: 'CNY', lease })).rejects.toMatchObject({ code: 'over_refund', remaining: 6000 });
      // The leftover lease is long expired: the crashed sender's refund is recovered, and the reconciler may claim it.
      expect(await ledger.due({ olderThanMs: 0, limit: 10 })).toEqual([
        { ...tipay, refundId: 'refund-v2-c' },
        { provider: 'eftpay', account: 'S0003469', refundId: 'refund-v2-d' },
      ]);
      now += 1;
      const moved = await ledger.record({ ...tipay, refundId: 'refund-v2-c' }, { source: 'query', status: 'succeeded', providerRefundId: 'P-C' });
      expect(moved.change).toEqual({ seq: 5, at: '2025-06-02T00:00:00.001Z', ...tipay, orderId: 'order-v2', refundId: 'refund-v2-c', amount: 1000, currency: 'CNY', from: 'pending', to: 'succeeded', source: 'query' });
      expect(await ledger.changes({ after: 4, limit: 10 })).toEqual([moved.change]);
    } finally {
      await ledger.close();
    }
  });

  it('upgrades a schema 3 file to 4: rows kept, in no batch run; new reservations carry their batch', async () => {
    const file = fresh();
    const first = await openSqliteLedger(file, { now: () => Date.parse('2025-07-01T00:00:00.000Z') });
    await first.reserve({ key, amount: 100, currency: 'HKD', lease });
    await first.close();
    // Made schema 3 again: the column and index schema 4 added are gone, the version says 3.
    inspect(file, (db) => {
      db.exec('DROP INDEX refunds_by_batch; ALTER TABLE refunds DROP COLUMN batch');
      db.pragma('user_version = 3');
    });
    const before = inspect(file, (db) => ({ refunds: db.prepare('SELECT * FROM refunds').all(), changes: db.prepare('SELECT * FROM refund_changes').all() }));
    const ledger = await openSqliteLedger(file, { now: () => Date.parse('2025-07-01T00:01:00.000Z') });
    try {
      inspect(file, (db) => {
        expect(db.pragma('user_version', { simple: true })).toBe(4);
        expect(db.prepare('SELECT * FROM refunds').all()).toEqual((before.refunds as object[]).map((r) => ({ ...r, batch: null })));
        // Not run again: the feed is as it was (a second 2→3 would add upgrade entries).
        expect(db.prepare('SELECT * FROM refund_changes').all()).toEqual(before.changes);
      });
      expect(await ledger.batches()).toEqual([]);
      await ledger.reserve({ key: { ...key, orderId: 'o-2', refundId: 'r-2' }, amount: 5, currency: 'HKD', batch: 'run-1', lease });
      expect(await ledger.batches()).toMatchObject([{ id: 'run-1', total: 1, statuses: { unknown: { count: 1, amount: 5 } } }]);
    } finally {
      await ledger.close();
    }
  });

  it("waits busyTimeoutMs for another connection's write lock, then fails without writing anything", async () => {
    const ledger = await openSqliteLedger(fresh(), { busyTimeoutMs: 300 });
    const other = new Database(ledger.file);
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      await expect(ledger.reserve({ key, amount: 1, currency: 'HKD', lease })).rejects.toThrow(/locked|busy/i);
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
      other.exec('COMMIT');
      expect(await ledger.get(key)).toBeUndefined();
      expect((await ledger.reserve({ key, amount: 1, currency: 'HKD', lease })).outcome).toBe('new');
    } finally {
      other.close();
      await ledger.close();
    }
  });

  it('refuses a file written by a newer schema, leaving it untouched', async () => {
    const file = fresh();
    inspect(file, (db) => db.pragma(`user_version = ${LEDGER_SCHEMA_VERSION + 1}`));
    await expect(openSqliteLedger(file)).rejects.toThrow(`schema version ${LEDGER_SCHEMA_VERSION + 1}, newer than this refundkit understands`);
    inspect(file, (db) => expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({ n: 0 }));
  });

  it('creates the parent folders of the file', async () => {
    const file = join(dir, 'deep', 'er', 'ledger.db');
    const ledger = await openSqliteLedger(file);
    await ledger.close();
    expect(ledger.file).toBe(file);
    expect(existsSync(file)).toBe(true);
  });

  it('defaultLedgerPath is .refundkit/ledger.db under the given folder, absolute', () => {
    expect(defaultLedgerPath('/srv/shop')).toBe('/srv/shop/.refundkit/ledger.db');
    expect(defaultLedgerPath()).toBe(join(process.cwd(), '.refundkit', 'ledger.db'));
  });

  it('fails clearly after close; closing twice is harmless', async () => {
    const ledger = await openSqliteLedger(fresh());
    await ledger.close();
    await ledger.close();
    await expect(ledger.get(key)).rejects.toThrow(`ledger: ${ledger.file} is closed`);
    await expect(ledger.reserve({ key, amount: 1, currency: 'HKD', lease })).rejects.toThrow('is closed');
  });

  it('is exported from the package entry point', () => {
    expect(index.openSqliteLedger).toBe(openSqliteLedger);
    expect(index.defaultLedgerPath).toBe(defaultLedgerPath);
    expect(index.SqliteUnavailableError).toBe(SqliteUnavailableError);
  });
});

describe('loading better-sqlite3', () => {
  it('loads the driver when asked', async () => {
    expect(await loadSqliteDriver()).toBe(Database);
  });

  it('says to install better-sqlite3 when it is missing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'better-sqlite3' imported from /app/dist/ledger/sqlite-driver.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = await loadSqliteDriver(() => Promise.reject(missing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqliteUnavailableError);
    expect(error).toMatchObject({ code: 'sqlite_unavailable', cause: missing });
    expect((error as Error).message).toMatch(/npm install better-sqlite3/);
  });

  it('reports a native module that does not load, with the remedy', () => {
    const Broken = class {
      constructor() {
        throw new Error('The module was compiled against a different Node.js version using NODE_MODULE_VERSION 127.');
      }
    } as unknown as SqliteDatabaseConstructor;
    expect(() => openDatabase(Broken, fresh(), 5000)).toThrow(SqliteUnavailableError);
    expect(() => openDatabase(Broken, fresh(), 5000)).toThrow(/npm rebuild better-sqlite3/);
  });
});
