import { mkdir } from 'node:fs/promises';
import { NotFoundError } from '../errors.js';
import { dirname, resolve } from 'node:path';
import { RefundkitError, type Clock } from '@refundkit/runtime';
import { LedgerRefusedError, LedgerSchemaError, LedgerUnavailableError, type LedgerRefusal } from './ledger-errors.js';
import type { ProviderKey, Refund, RefundEvent } from '../model.js';
import type { LedgerHealth, OrderIdentity, RefundIdentity, RefundLedger, RefundTotal, RefundUpdate, Reservation, ReservationRequest } from './ledger.js';
import { totalsOf } from './totals.js';
import { planReservation, planUpdate, type OrderState } from './ledger-rules.js';
import { REFUND_COLUMNS, refundParams, toEvent, toRefund, type RefundRow } from './rows.js';
import { loadSqliteDriver, openDatabase, SqliteUnavailableError, type SqliteDatabase, type SqliteStatement } from './sqlite-driver.js';
import { OverRefundError } from '../errors.js';

export { SqliteUnavailableError };

/** The schema this code writes, kept in `PRAGMA user_version`. */
export const LEDGER_SCHEMA_VERSION = 2;

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

/** Schema 2, from nothing. */
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

const COLUMNS = REFUND_COLUMNS.join(', ');

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
    'getRefund' | 'refundsOf' | 'heldByOthers' | 'insertRefund' | 'updateRefund' | 'getOrder' | 'putOrder' | 'appendEvent' | 'history' | 'legacyOrderOf' | 'claimRefunds' | 'claimOrder',
    SqliteStatement
  >;
  /** True while rows of schema 1 (the empty account) are left to claim; checked once at open. */
  #hasLegacy: boolean;
  readonly #reserve: (request: ReservationRequest) => Reservation | OverRefundError;
  readonly #update: (key: RefundIdentity, update: RefundUpdate) => Refund;
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
    db.transaction(() => this.#migrate()).immediate();

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
    };
    this.#hasLegacy = hasLegacyRows(db);

    const reserve = db.transaction((request: ReservationRequest) => this.#reserveIn(request));
    this.#reserve = (request) => reserve.immediate(request);
    const update = db.transaction((key: RefundIdentity, change: RefundUpdate) => this.#updateIn(key, change));
    this.#update = (key, change) => update.immediate(key, change);
  }

  async reserve(request: ReservationRequest): Promise<Reservation> {
    const result = this.#call(() => this.#reserve(request));
    // Thrown after the commit: the order total the request brought stays recorded, as in memory.
    if (result instanceof OverRefundError) throw result;
    return result;
  }

  async update(key: RefundIdentity, update: RefundUpdate): Promise<Refund> {
    return this.#call(() => this.#update(key, update));
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
    this.#db.exec(hasRefunds ? MIGRATE_1_TO_2 : SCHEMA_2);
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
    this.#hasLegacy = hasLegacyRows(this.#db);
  }

  /** The memory ledger's `reserve`, step for step, inside one immediate transaction. */
  #reserveIn(request: ReservationRequest): Reservation | OverRefundError {
    if (this.#hasLegacy) {
      this.#claimLegacyOf(request.key);
      this.#claimLegacy(request.key);
    }
    const existing = this.#refund(request.key);
    const plan = planReservation(existing, request, this.#orderState(request.key, request.key.refundId), new Date(this.#now()));
    if (plan.kind === 'keep') return plan.reservation;
    if (plan.orderTotal !== undefined) this.#putOrder(request.key, plan.orderTotal);
    if (plan.kind === 'refuse') return plan.error;
    if (plan.insert) this.#sql.insertRefund.run(...refundParams(plan.refund));
    else this.#write(plan.refund);
    this.#append(request.key, [plan.event]);
    return plan.reservation;
  }

  #updateIn(key: RefundIdentity, update: RefundUpdate): Refund {
    const existing = this.#refund(key);
    if (!existing) throw new NotFoundError(`ledger: no refund ${key.provider}/${key.refundId}`);
    const plan = planUpdate(existing, update, this.#orderState(existing, key.refundId), new Date(this.#now()));
    if (plan.orderTotal !== undefined) this.#putOrder(existing, plan.orderTotal);
    this.#write(plan.refund);
    this.#append(key, plan.events);
    return plan.refund;
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
