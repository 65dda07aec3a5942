import { mkdir } from 'node:fs/promises';
import { NotFoundError } from '../errors.js';
import { dirname, resolve } from 'node:path';
import { RefundkitError, type Clock } from '@refundkit/runtime';
import { LedgerRefusedError, LedgerSchemaError, LedgerUnavailableError, type LedgerRefusal } from './ledger-errors.js';
import type { ProviderKey, Refund, RefundEvent } from '../model.js';
import type { LedgerHealth, OrderIdentity, RecordedUpdate, RefundIdentity, RefundLedger, RefundTotal, RefundUpdate, Reservation, ReservationRequest } from './ledger.js';
import { totalsOf } from './totals.js';
import { pageOf, type ListQuery, type RefundPage } from './list-query.js';
import { batchesOf, batchLimit, type BatchesQuery, type BatchGroupRow, type BatchSummary } from './batches.js';
import { planClaim, planReservation, planUpdate, type OrderState } from './ledger-rules.js';
import { CHANGE_COLUMNS, changeParams, REFUND_COLUMNS, refundParams, toChange, toEvent, toRefund, toUnmatched, type ChangeRow, type RefundRow, type UnmatchedRow } from './rows.js';
import type { AccountFilter, ChangeEntry, ChangesQuery, RefundChange } from '../changes/change.js';
import { ChangeWakers } from '../changes/wakers.js';
import type { Claim, ClaimRequest, DueQuery } from '../reconciler/claim.js';
import type { UnmatchedNotification, UnmatchedNotificationInput } from '../notifications/unmatched-types.js';
import { loadSqliteDriver, openDatabase, SqliteUnavailableError, type SqliteDatabase, type SqliteStatement } from './sqlite-driver.js';
import { OverRefundError } from '../errors.js';

export { SqliteUnavailableError };

/** The schema this code writes, kept in `PRAGMA user_version`. */
export const LEDGER_SCHEMA_VERSION = 4;

const REFUNDS_TABLE = `
CREATE TABLE refunds (
  provider           TEXT    NOT NULL,
  account            TEXT    NOT NULL,
  refund_id          TEXT    NOT NULL,
  order_id           TEXT    NOT NULL,
  amount             INTEGER NOT NULL,
  currency           TEXT    NOT NULL,
  status             TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'unknown')),
  provider_refund_id TEXT,
  failure_code       TEXT,
  failure_message    TEXT,
  raw                TEXT,
  meta               TEXT,   -- JSON object of strings (Refund.meta), NULL when none
  attempts           INTEGER NOT NULL,
  provider_may_know  INTEGER NOT NULL,
  lease_holder       TEXT,
  lease_attempt      INTEGER,
  lease_expires_at   TEXT,
  created_at         TEXT    NOT NULL,
  updated_at         TEXT    NOT NULL,
  PRIMARY KEY (provider, account, refund_id)
)`;

/** Schema 2, from nothing (then {@link MIGRATE_2_TO_3}). */
const SCHEMA_2 = `
${REFUNDS_TABLE};
CREATE INDEX refunds_by_order ON refunds (provider, account, order_id);
CREATE TABLE orders (
  provider   TEXT    NOT NULL,
  account    TEXT    NOT NULL,
  order_id   TEXT    NOT NULL,
  amount     INTEGER NOT NULL,
  updated_at TEXT    NOT NULL,
  PRIMARY KEY (provider, account, order_id)
);
CREATE TABLE refund_events (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  provider  TEXT NOT NULL,
  account   TEXT NOT NULL,
  refund_id TEXT NOT NULL,
  event     TEXT NOT NULL   -- JSON (RefundEvent)
);
CREATE INDEX refund_events_by_refund ON refund_events (provider, account, refund_id, seq);
`;

/**
 * Schema 1 → 2: refunds gain their merchant account, attempts, lease and history. Schema 1 knew
 * no accounts: its rows get the empty account, which the first configuration that asks for one
 * of their orders claims (see `claimLegacy`). Their past is unknown, so each counts one attempt
 * that the provider may know of (a refusal of a resubmission is then `unknown`, never `failed`).
 */
const MIGRATE_1_TO_2 = `
ALTER TABLE refunds RENAME TO refunds_v1;
ALTER TABLE orders RENAME TO orders_v1;
DROP INDEX IF EXISTS refunds_by_order;
${SCHEMA_2}
INSERT INTO refunds (provider, account, refund_id, order_id, amount, currency, status, provider_refund_id, failure_code, failure_message, raw, meta, attempts, provider_may_know, created_at, updated_at)
  SELECT provider, '', refund_id, order_id, amount, currency, status, provider_refund_id, failure_code, failure_message, raw, meta, 1, 1, created_at, updated_at FROM refunds_v1 ORDER BY rowid;
INSERT INTO orders (provider, account, order_id, amount, updated_at) SELECT provider, '', order_id, amount, updated_at FROM orders_v1;
DROP TABLE refunds_v1;
DROP TABLE orders_v1;
`;

/**
 * Schema 2 → 3: the change feed, the reconciler's schedule per refund, unmatched notifications.
 * `refund_changes.seq` is numbered in commit order for free: every write runs in `BEGIN
 * IMMEDIATE`, so SQLite's writers take turns and a seq is never committed after a larger one.
 * Each refund already there gets one `upgrade` entry (its status then), so a follower starting
 * at 0 learns every refund.
 */
const MIGRATE_2_TO_3 = `
ALTER TABLE refunds ADD COLUMN checks INTEGER;
ALTER TABLE refunds ADD COLUMN next_check_at TEXT;
CREATE INDEX refunds_open ON refunds (status, next_check_at) WHERE status IN ('pending', 'unknown');
CREATE TABLE refund_changes (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  at          TEXT    NOT NULL,
  provider    TEXT    NOT NULL,
  account     TEXT    NOT NULL,
  order_id    TEXT    NOT NULL,
  refund_id   TEXT    NOT NULL,
  amount      INTEGER NOT NULL,
  currency    TEXT    NOT NULL,
  from_status TEXT,
  to_status   TEXT    NOT NULL,
  source      TEXT    NOT NULL
);
INSERT INTO refund_changes (at, provider, account, order_id, refund_id, amount, currency, from_status, to_status, source)
  SELECT updated_at, provider, account, order_id, refund_id, amount, currency, NULL, status, 'upgrade' FROM refunds ORDER BY rowid;
CREATE TABLE unmatched_notifications (
  provider         TEXT    NOT NULL,
  account          TEXT    NOT NULL,
  digest           TEXT    NOT NULL,
  refund_id        TEXT    NOT NULL,
  excerpt          TEXT    NOT NULL,
  verified         INTEGER NOT NULL,
  received_at      TEXT    NOT NULL,
  last_received_at TEXT    NOT NULL,
  deliveries       INTEGER NOT NULL,
  PRIMARY KEY (provider, account, digest)
);
CREATE INDEX unmatched_by_time ON unmatched_notifications (last_received_at);
`;

/**
 * Schema 3 → 4: the batch run a refund was first reserved under (`Refund.batch`), and an index
 * for summing a run (`batches`). Rows already there belong to no run.
 */
const MIGRATE_3_TO_4 = `
ALTER TABLE refunds ADD COLUMN batch TEXT;
CREATE INDEX refunds_by_batch ON refunds (batch, created_at) WHERE batch IS NOT NULL;
`;

const COLUMNS = REFUND_COLUMNS.join(', ');
/** The accounts filter of a read: NULL for all, else a JSON list of [provider, account] pairs. */
const IN_ACCOUNTS = `(@accounts IS NULL OR EXISTS (SELECT 1 FROM json_each(@accounts) j WHERE json_extract(j.value, '$[0]') = provider AND json_extract(j.value, '$[1]') = account))`;
/**
 * `batches`: the newest runs (by first reservation), then their refunds grouped by status. The
 * accounts filter applies to both, so a run is summed over this instance's accounts only.
 */
const BATCHES = `
WITH runs AS (
  SELECT batch, MIN(created_at) AS first_at FROM refunds
   WHERE batch IS NOT NULL AND (@id IS NULL OR batch = @id) AND ${IN_ACCOUNTS}
   GROUP BY batch ORDER BY first_at DESC, batch LIMIT @limit)
SELECT batch, status, COUNT(*) AS count, SUM(amount) AS amount, MIN(created_at) AS first_at, MAX(updated_at) AS last_at
  FROM refunds WHERE batch IN (SELECT batch FROM runs) AND ${IN_ACCOUNTS}
 GROUP BY batch, status`;
const accountsParam = (accounts: readonly AccountFilter[] | undefined): string | null => (accounts === undefined ? null : JSON.stringify(accounts.map((a) => [a.provider, a.account])));

/** True while rows of schema 1 (the empty account) are left to claim. */
const hasLegacyRows = (db: SqliteDatabase): boolean =>
  db.prepare(`SELECT 1 FROM refunds WHERE account = '' UNION ALL SELECT 1 FROM orders WHERE account = '' LIMIT 1`).get() !== undefined;

export interface SqliteLedgerOptions {
  /** How long a call waits for another process's transaction before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** The clock for timestamps and leases (tests). */
  readonly now?: Clock;
}

/** Where the CLI keeps its ledger unless told otherwise: `<cwd>/.refundkit/ledger.db`. */
export function defaultLedgerPath(cwd: string = process.cwd()): string {
  return resolve(cwd, '.refundkit', 'ledger.db');
}

const isInMemory = (file: string): boolean => file === ':memory:' || file === '';

/**
 * Opens (creating the file, its folder and the schema when missing, migrating an older schema) a
 * ledger in a SQLite file. better-sqlite3 is imported here, on first use: it is an optional peer
 * dependency, and a missing or unloadable driver is a `SqliteUnavailableError` saying what to install.
 *
 * @example
 * const ledger = await openSqliteLedger(defaultLedgerPath());
 * const refunds = createRefunds({ providers, ledger });
 * // ...
 * await ledger.close();
 */
export async function openSqliteLedger(file: string, options: SqliteLedgerOptions = {}): Promise<SqliteLedger> {
  const Database = await loadSqliteDriver();
  const path = isInMemory(file) ? file : resolve(file);
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  try {
    if (!isInMemory(path)) await mkdir(dirname(path), { recursive: true });
    const db = openDatabase(Database, path, busyTimeoutMs);
    try {
      return new SqliteLedger(db, path, options.now ?? Date.now, busyTimeoutMs);
    } catch (error) {
      db.close();
      throw error;
    }
  } catch (error) {
    throw sqliteFailure(path, busyTimeoutMs, error);
  }
}

/** SQLite's codes (better-sqlite3's `SqliteError.code`, extended codes included) and Node's file errors, by what they mean for the caller. */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|PROTOCOL|INTERRUPT)/;
const SQLITE_REFUSALS: ReadonlyArray<readonly [RegExp, LedgerRefusal, string]> = [
  [/^SQLITE_(NOTADB|CORRUPT|FORMAT|SCHEMA)/, 'not_a_ledger', 'it is not a SQLite database, or it is damaged: point the ledger at the right file'],
  [/^(SQLITE_(READONLY|PERM|CANTOPEN|AUTH)|EACCES$|EPERM$|EROFS$|ENOTDIR$|EISDIR$|EEXIST$)/, 'permission_denied', 'this process cannot create or write the file or its folder: fix its permissions, or choose another path'],
];

/**
 * The error to throw for `error`, a failure of the SQLite ledger in `file`: refundkit's own (and
 * programming errors) as they are; a busy, full or failing file as `LedgerUnavailableError`
 * (retry); a file that cannot be used as `LedgerRefusedError`. Each names the file and ends with
 * what was recorded: each call is one transaction, rolled back on error, so nothing.
 */
function sqliteFailure(file: string, busyTimeoutMs: number, error: unknown): unknown {
  if (error instanceof RefundkitError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  const fault = `${String((error as Error).message ?? error)} (${code})`;
  if (SQLITE_UNAVAILABLE.test(code)) {
    const why = /^SQLITE_(BUSY|LOCKED)/.test(code) ? `: another connection held the database past the busy timeout (${busyTimeoutMs} ms)` : '';
    return new LedgerUnavailableError(`ledger ${file}: ${fault}${why}; nothing was recorded`, false, { cause: error });
  }
  for (const [pattern, reason, hint] of SQLITE_REFUSALS) {
    if (pattern.test(code)) return new LedgerRefusedError(`ledger ${file}: ${fault}: ${hint}; nothing was recorded`, reason, code, { cause: error });
  }
  if (code.startsWith('SQLITE_')) return new LedgerRefusedError(`ledger ${file}: ${fault}: SQLite refused the ledger's statement; nothing was recorded`, 'statement_refused', code, { cause: error });
  return error;
}

/**
 * A ledger in a SQLite file, shared safely by every process that opens it. Each call is one
 * transaction; `reserve` and `update` run in `BEGIN IMMEDIATE`, so the write lock is held from
 * reading the refund and its order to writing them, and two processes racing on one order (or
 * one refund) can never together reserve more than the order or both hold a lease. The journal
 * is WAL (readers never block the writer) and a busy database is waited for (`busyTimeoutMs`),
 * not failed. Calls are synchronous underneath: a call waiting for another process's lock
 * blocks this thread for up to that long. Leases are timed by this process's clock (the
 * processes share one machine, hence one clock).
 *
 * The rules are the memory ledger's, from `ledger-rules.ts`. Create with {@link openSqliteLedger}.
 */
export class SqliteLedger implements RefundLedger {
  /** The database file (absolute), e.g. for the CLI to say which ledger it uses. */
  readonly file: string;
  readonly #db: SqliteDatabase;
  readonly #now: Clock;
  readonly #sql: Record<
    | 'getRefund'
    | 'refundsOf'
    | 'heldByOthers'
    | 'insertRefund'
    | 'updateRefund'
    | 'getOrder'
    | 'putOrder'
    | 'appendEvent'
    | 'history'
    | 'legacyOrderOf'
    | 'claimRefunds'
    | 'claimOrder'
    | 'claimChanges'
    | 'appendChange'
    | 'changes'
    | 'due'
    | 'keepUnmatched'
    | 'unmatched'
    | 'list',
    SqliteStatement
  >;
  /** True while rows of schema 1 (the empty account) are left to claim; checked once at open. */
  #hasLegacy: boolean;
  readonly #wakers = new ChangeWakers();
  readonly #reserve: (request: ReservationRequest) => { result: Reservation | OverRefundError; changed: boolean };
  readonly #record: (key: RefundIdentity, update: RefundUpdate) => RecordedUpdate;
  readonly #claim: (request: ClaimRequest) => Claim;
  readonly #busyTimeoutMs: number;

  /** @internal use {@link openSqliteLedger} */
  constructor(db: SqliteDatabase, file: string, now: Clock, busyTimeoutMs = 5000) {
    this.#db = db;
    this.file = file;
    this.#now = now;
    this.#busyTimeoutMs = busyTimeoutMs;
    // Outside any transaction: both pragmas are per connection (WAL is also remembered by the file).
    db.pragma('journal_mode = WAL');
    // A reservation must survive a power cut as well as a crash: it is what stops a second refund.
    db.pragma('synchronous = FULL');
    // A file already at this schema is opened without the write lock (a follower or a reader
    // must not queue behind busy writers); an older one is migrated under it, checked again there.
    if (db.pragma('user_version', { simple: true }) !== LEDGER_SCHEMA_VERSION) db.transaction(() => this.#migrate()).immediate();

    const setters = REFUND_COLUMNS.filter((c) => !['provider', 'account', 'refund_id'].includes(c))
      .map((c) => `${c} = ?`)
      .join(', ');
    this.#sql = {
      getRefund: db.prepare(`SELECT ${COLUMNS} FROM refunds WHERE provider = ? AND account = ? AND refund_id = ?`),
      refundsOf: db.prepare(`SELECT ${COLUMNS} FROM refunds WHERE provider = ? AND account = ? AND order_id = ? ORDER BY rowid`),
      heldByOthers: db.prepare(`SELECT COALESCE(SUM(amount), 0) AS held FROM refunds WHERE provider = ? AND account = ? AND order_id = ? AND refund_id <> ? AND status <> 'failed'`),
      insertRefund: db.prepare(`INSERT INTO refunds (${COLUMNS}) VALUES (${REFUND_COLUMNS.map(() => '?').join(', ')})`),
      updateRefund: db.prepare(`UPDATE refunds SET ${setters} WHERE provider = ? AND account = ? AND refund_id = ?`),
      getOrder: db.prepare('SELECT amount FROM orders WHERE provider = ? AND account = ? AND order_id = ?'),
      putOrder: db.prepare(
        `INSERT INTO orders (provider, account, order_id, amount, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (provider, account, order_id) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at`,
      ),
      appendEvent: db.prepare('INSERT INTO refund_events (provider, account, refund_id, event) VALUES (?, ?, ?, ?)'),
      history: db.prepare('SELECT event FROM refund_events WHERE provider = ? AND account = ? AND refund_id = ? ORDER BY seq'),
      legacyOrderOf: db.prepare(`SELECT order_id FROM refunds WHERE provider = ? AND account = '' AND refund_id = ?`),
      claimRefunds: db.prepare(`UPDATE refunds SET account = ? WHERE provider = ? AND account = '' AND order_id = ?`),
      claimOrder: db.prepare(`UPDATE orders SET account = ? WHERE provider = ? AND account = '' AND order_id = ?`),
      claimChanges: db.prepare(`UPDATE refund_changes SET account = ? WHERE provider = ? AND account = '' AND order_id = ?`),
      appendChange: db.prepare(`INSERT INTO refund_changes (${CHANGE_COLUMNS.join(', ')}) VALUES (${CHANGE_COLUMNS.map(() => '?').join(', ')}) RETURNING seq`),
      changes: db.prepare(`SELECT seq, ${CHANGE_COLUMNS.join(', ')} FROM refund_changes WHERE seq > @after AND ${IN_ACCOUNTS} ORDER BY seq LIMIT @limit`),
      due: db.prepare(
        `SELECT provider, account, refund_id FROM refunds
          WHERE status IN ('pending', 'unknown') AND created_at <= @cutoff AND (next_check_at IS NULL OR next_check_at <= @now)
            AND (lease_expires_at IS NULL OR lease_expires_at <= @now) AND ${IN_ACCOUNTS}
          ORDER BY COALESCE(next_check_at, created_at) LIMIT @limit`,
      ),
      keepUnmatched: db.prepare(
        `INSERT INTO unmatched_notifications (provider, account, digest, refund_id, excerpt, verified, received_at, last_received_at, deliveries)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
         ON CONFLICT (provider, account, digest) DO UPDATE SET last_received_at = excluded.last_received_at, deliveries = deliveries + 1
         RETURNING *`,
      ),
      unmatched: db.prepare(`SELECT * FROM unmatched_notifications WHERE ${IN_ACCOUNTS} ORDER BY last_received_at DESC, rowid DESC LIMIT @limit`),
      // The listing order of list-query.ts; each filter is NULL when absent. Text compares in BINARY (code units), as the memory store does.
      list: db.prepare(
        `SELECT ${COLUMNS} FROM refunds
          WHERE ${IN_ACCOUNTS} AND (@provider IS NULL OR provider = @provider) AND (@account IS NULL OR account = @account)
            AND (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses))) AND (@orderId IS NULL OR order_id = @orderId)
            AND (@batch IS NULL OR batch = @batch) AND (@createdFrom IS NULL OR created_at >= @createdFrom) AND (@createdBefore IS NULL OR created_at < @createdBefore)
            AND (@afterAt IS NULL OR (created_at, provider, account, refund_id) < (@afterAt, @afterProvider, @afterAccount, @afterRefundId))
          ORDER BY created_at DESC, provider DESC, account DESC, refund_id DESC LIMIT @limit`,
      ),
    };
    this.#hasLegacy = hasLegacyRows(db);

    const reserve = db.transaction((request: ReservationRequest) => this.#reserveIn(request));
    this.#reserve = (request) => reserve.immediate(request);
    const record = db.transaction((key: RefundIdentity, change: RefundUpdate) => this.#recordIn(key, change));
    this.#record = (key, change) => record.immediate(key, change);
    const claim = db.transaction((request: ClaimRequest) => this.#claimIn(request));
    this.#claim = (request) => claim.immediate(request);
  }

  async reserve(request: ReservationRequest): Promise<Reservation> {
    const { result, changed } = this.#call(() => this.#reserve(request));
    // Woken after the commit, never inside the transaction.
    if (changed) this.#wakers.wake();
    // Thrown after the commit: the order total the request brought stays recorded, as in memory.
    if (result instanceof OverRefundError) throw result;
    return result;
  }

  async update(key: RefundIdentity, update: RefundUpdate): Promise<Refund> {
    return (await this.record(key, update)).refund;
  }

  async record(key: RefundIdentity, update: RefundUpdate): Promise<RecordedUpdate> {
    const recorded = this.#call(() => this.#record(key, update));
    if (recorded.change) this.#wakers.wake();
    return recorded;
  }

  async changes(query: ChangesQuery): Promise<RefundChange[]> {
    return this.#call(() => (this.#sql.changes.all({ accounts: accountsParam(query.accounts), after: query.after, limit: query.limit }) as ChangeRow[]).map(toChange));
  }

  /** Wakes on this instance's own writes; other processes' changes are found by polling. */
  watchChanges(listener: () => void): () => void {
    return this.#wakers.add(listener);
  }

  async due(query: DueQuery): Promise<RefundIdentity[]> {
    this.#open();
    const now = this.#now();
    const rows = this.#sql.due.all({ accounts: accountsParam(query.accounts), cutoff: new Date(now - query.olderThanMs).toISOString(), now: new Date(now).toISOString(), limit: query.limit }) as { provider: ProviderKey; account: string; refund_id: string }[];
    return rows.map((row) => ({ provider: row.provider, account: row.account, refundId: row.refund_id }));
  }

  async claim(request: ClaimRequest): Promise<Claim> {
    return this.#call(() => this.#claim(request));
  }

  async keepUnmatched(input: UnmatchedNotificationInput): Promise<UnmatchedNotification> {
    this.#open();
    const at = new Date(this.#now()).toISOString();
    const row = this.#sql.keepUnmatched.get(input.provider, input.account, input.digest, input.refundId, input.excerpt, input.verified ? 1 : 0, at, at) as UnmatchedRow;
    return toUnmatched(row);
  }

  async unmatched(query: { readonly limit: number; readonly accounts?: readonly AccountFilter[] | undefined }): Promise<UnmatchedNotification[]> {
    this.#open();
    return (this.#sql.unmatched.all({ accounts: accountsParam(query.accounts), limit: query.limit }) as UnmatchedRow[]).map(toUnmatched);
  }

  async get(key: RefundIdentity): Promise<Refund | undefined> {
    return this.#call(() => {
      if (this.#hasLegacy) this.#db.transaction(() => this.#claimLegacyOf(key)).immediate();
      return this.#refund(key);
    });
  }

  async history(key: RefundIdentity): Promise<RefundEvent[]> {
    return this.#call(() => (this.#sql.history.all(key.provider, key.account, key.refundId) as { event: string }[]).map((row) => toEvent(row.event)));
  }

  async refundsOf(order: OrderIdentity): Promise<Refund[]> {
    return this.#call(() => (this.#sql.refundsOf.all(order.provider, order.account, order.orderId) as RefundRow[]).map(toRefund));
  }

  async orderAmount(order: OrderIdentity): Promise<number | undefined> {
    return this.#call(() => this.#order(order));
  }

  async list(query: ListQuery): Promise<RefundPage> {
    const rows = this.#call(
      () =>
        this.#sql.list.all({
          accounts: accountsParam(query.accounts),
          provider: query.provider ?? null,
          account: query.account ?? null,
          statuses: query.statuses === undefined ? null : JSON.stringify(query.statuses),
          orderId: query.orderId ?? null,
          batch: query.batch ?? null,
          createdFrom: query.createdFrom ?? null,
          createdBefore: query.createdBefore ?? null,
          afterAt: query.after?.createdAt ?? null,
          afterProvider: query.after?.provider ?? null,
          afterAccount: query.after?.account ?? null,
          afterRefundId: query.after?.refundId ?? null,
          limit: query.limit + 1,
        }) as RefundRow[],
    );
    return pageOf(rows.map(toRefund), query.limit);
  }

  /** One call on an open database; SQLite's errors as the typed ledger errors (see `sqliteFailure`). */
  #call<T>(work: () => T): T {
    this.#open();
    try {
      return work();
    } catch (error) {
      throw sqliteFailure(this.file, this.#busyTimeoutMs, error);
    }
  }

  async totals(): Promise<RefundTotal[]> {
    this.#open();
    return totalsOf(this.#db.prepare('SELECT provider, account, status, COUNT(*) AS count, SUM(amount) AS amount FROM refunds GROUP BY provider, account, status').all() as Parameters<typeof totalsOf>[0]);
  }

  async batches(query: BatchesQuery = {}): Promise<BatchSummary[]> {
    const limit = batchLimit(query);
    return this.#call(() => batchesOf(this.#db.prepare(BATCHES).all({ accounts: accountsParam(query.accounts), id: query.id ?? null, limit }) as BatchGroupRow[], query));
  }

  async health(): Promise<LedgerHealth> {
    if (!this.#db.open) return { ok: false, detail: `${this.file} is closed` };
    try {
      const version = this.#db.pragma('user_version', { simple: true }) as number;
      return version === LEDGER_SCHEMA_VERSION ? { ok: true, detail: `${this.file}: schema ${version}` } : { ok: false, detail: `${this.file}: schema ${version}, this refundkit writes ${LEDGER_SCHEMA_VERSION}` };
    } catch (error) {
      return { ok: false, detail: `${this.file}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /** Closes the database; later calls fail. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #open(): void {
    if (!this.#db.open) throw new Error(`ledger: ${this.file} is closed`);
  }

  #migrate(): void {
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    if (version > LEDGER_SCHEMA_VERSION) {
      const command = 'npm install @refundkit/refunds@latest';
      throw new LedgerSchemaError(`ledger ${this.file} has schema version ${version}, newer than this refundkit understands (${LEDGER_SCHEMA_VERSION}): upgrade refundkit (${command}); nothing was recorded`, version, LEDGER_SCHEMA_VERSION, command);
    }
    if (version === LEDGER_SCHEMA_VERSION) return;
    const hasRefunds = this.#db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refunds'`).get() !== undefined;
    // Step by step, each step as it was written: a file of any older version takes the same path.
    if (!hasRefunds) this.#db.exec(SCHEMA_2);
    else if (version < 2) this.#db.exec(MIGRATE_1_TO_2);
    if (!hasRefunds || version < 3) this.#db.exec(MIGRATE_2_TO_3);
    this.#db.exec(MIGRATE_3_TO_4);
    this.#db.pragma(`user_version = ${LEDGER_SCHEMA_VERSION}`);
  }

  /** The refund's order, claimed from schema 1 by `account` when it was recorded before accounts existed. */
  #claimLegacyOf(key: RefundIdentity): void {
    const row = this.#sql.legacyOrderOf.get(key.provider, key.refundId) as { order_id: string } | undefined;
    if (row && this.#refund(key) === undefined) this.#claimLegacy({ provider: key.provider, account: key.account, orderId: row.order_id });
  }

  /**
   * Schema 1 rows of `order` (recorded before accounts) become `order.account`'s: one ledger then
   * served one configuration per provider, so the first account that asks is the one that wrote them.
   */
  #claimLegacy(order: OrderIdentity): void {
    this.#sql.claimRefunds.run(order.account, order.provider, order.orderId);
    this.#sql.claimOrder.run(order.account, order.provider, order.orderId);
    this.#sql.claimChanges.run(order.account, order.provider, order.orderId);
    this.#hasLegacy = hasLegacyRows(this.#db);
  }

  /** The memory ledger's `reserve`, step for step, inside one immediate transaction. */
  #reserveIn(request: ReservationRequest): { result: Reservation | OverRefundError; changed: boolean } {
    if (this.#hasLegacy) {
      this.#claimLegacyOf(request.key);
      this.#claimLegacy(request.key);
    }
    const existing = this.#refund(request.key);
    const plan = planReservation(existing, request, this.#orderState(request.key, request.key.refundId), new Date(this.#now()));
    if (plan.kind === 'keep') return { result: plan.reservation, changed: false };
    if (plan.orderTotal !== undefined) this.#putOrder(request.key, plan.orderTotal);
    if (plan.kind === 'refuse') return { result: plan.error, changed: false };
    if (plan.insert) this.#sql.insertRefund.run(...refundParams(plan.refund));
    else this.#write(plan.refund);
    this.#append(request.key, [plan.event]);
    return { result: plan.reservation, changed: this.#appendChange(plan.change) !== undefined };
  }

  #recordIn(key: RefundIdentity, update: RefundUpdate): RecordedUpdate {
    const existing = this.#refund(key);
    if (!existing) throw new NotFoundError(`ledger: no refund ${key.provider}/${key.refundId}`);
    const plan = planUpdate(existing, update, this.#orderState(existing, key.refundId), new Date(this.#now()));
    if (plan.orderTotal !== undefined) this.#putOrder(existing, plan.orderTotal);
    this.#write(plan.refund);
    this.#append(key, plan.events);
    return { refund: plan.refund, change: this.#appendChange(plan.change) };
  }

  #claimIn(request: ClaimRequest): Claim {
    if (this.#hasLegacy) this.#claimLegacyOf(request.key);
    const plan = planClaim(this.#refund(request.key), request, new Date(this.#now()));
    if (plan.kind === 'skip') return plan.claim;
    this.#write(plan.refund);
    this.#append(request.key, [plan.event]);
    return plan.claim;
  }

  #appendChange(entry: ChangeEntry | undefined): RefundChange | undefined {
    if (entry === undefined) return undefined;
    const { seq } = this.#sql.appendChange.get(...changeParams(entry)) as { seq: number };
    return { seq, ...entry };
  }

  #write(refund: Refund): void {
    const [provider, account, refundId, ...rest] = refundParams(refund);
    this.#sql.updateRefund.run(...rest, provider, account, refundId);
  }

  #append(key: RefundIdentity, events: readonly RefundEvent[]): void {
    for (const event of events) this.#sql.appendEvent.run(key.provider, key.account, key.refundId, JSON.stringify(event));
  }

  #refund(key: RefundIdentity): Refund | undefined {
    const row = this.#sql.getRefund.get(key.provider, key.account, key.refundId) as RefundRow | undefined;
    return row ? toRefund(row) : undefined;
  }

  #orderState(order: OrderIdentity, refundId: string): OrderState {
    const { held } = this.#sql.heldByOthers.get(order.provider, order.account, order.orderId, refundId) as { held: number };
    return { total: this.#order(order), heldByOthers: held };
  }

  #order(order: OrderIdentity): number | undefined {
    const row = this.#sql.getOrder.get(order.provider, order.account, order.orderId) as { amount: number } | undefined;
    return row?.amount;
  }

  #putOrder(order: OrderIdentity, amount: number): void {
    this.#sql.putOrder.run(order.provider, order.account, order.orderId, amount, new Date(this.#now()).toISOString());
  }
}

export type { ProviderKey };
