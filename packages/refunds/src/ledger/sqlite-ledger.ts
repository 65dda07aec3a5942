import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { OverRefundError } from '../errors.js';
import type { ProviderKey, Refund, RefundKey } from '../model.js';
import type { RefundLedger, RefundUpdate, Reservation, ReservationRequest } from './ledger.js';
import { applyUpdate, assertFits, assertSameRefund, reservedRefund, tighter } from './ledger-rules.js';
import { loadSqliteDriver, openDatabase, SqliteUnavailableError, type SqliteDatabase, type SqliteStatement } from './sqlite-driver.js';

export { SqliteUnavailableError };

/** The schema this code writes, kept in `PRAGMA user_version`. */
export const LEDGER_SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS refunds (
  provider           TEXT    NOT NULL,
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
  created_at         TEXT    NOT NULL,
  updated_at         TEXT    NOT NULL,
  PRIMARY KEY (provider, refund_id)
);
CREATE INDEX IF NOT EXISTS refunds_by_order ON refunds (provider, order_id);
CREATE TABLE IF NOT EXISTS orders (
  provider   TEXT    NOT NULL,
  order_id   TEXT    NOT NULL,
  amount     INTEGER NOT NULL,
  updated_at TEXT    NOT NULL,
  PRIMARY KEY (provider, order_id)
);
`;

interface RefundRow {
  provider: string;
  refund_id: string;
  order_id: string;
  amount: number;
  currency: string;
  status: string;
  provider_refund_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  raw: string | null;
  meta: string | null;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'provider, refund_id, order_id, amount, currency, status, provider_refund_id, failure_code, failure_message, raw, meta, created_at, updated_at';

/** A row as the ledger reports it: absent optional fields are omitted, exactly as the memory ledger has them. */
function toRefund(row: RefundRow): Refund {
  return {
    provider: row.provider as ProviderKey,
    orderId: row.order_id,
    refundId: row.refund_id,
    amount: row.amount,
    currency: row.currency,
    status: row.status as Refund['status'],
    ...(row.provider_refund_id !== null ? { providerRefundId: row.provider_refund_id } : {}),
    ...(row.failure_code !== null ? { failure: { code: row.failure_code, message: row.failure_message ?? '' } } : {}),
    ...(row.raw !== null ? { raw: row.raw } : {}),
    ...(row.meta !== null ? { meta: JSON.parse(row.meta) as Record<string, string> } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toParams(refund: Refund): unknown[] {
  return [
    refund.provider,
    refund.refundId,
    refund.orderId,
    refund.amount,
    refund.currency,
    refund.status,
    refund.providerRefundId ?? null,
    refund.failure?.code ?? null,
    refund.failure?.message ?? null,
    refund.raw ?? null,
    refund.meta !== undefined ? JSON.stringify(refund.meta) : null,
    refund.createdAt,
    refund.updatedAt,
  ];
}

export interface SqliteLedgerOptions {
  /** How long a call waits for another process's transaction before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** The clock for `createdAt`/`updatedAt` (tests). */
  readonly now?: () => Date;
}

/** Where the CLI keeps its ledger unless told otherwise: `<cwd>/.refundkit/ledger.db`. */
export function defaultLedgerPath(cwd: string = process.cwd()): string {
  return resolve(cwd, '.refundkit', 'ledger.db');
}

const isInMemory = (file: string): boolean => file === ':memory:' || file === '';

/**
 * Opens (creating the file, its folder and the schema when missing) a ledger in a SQLite file.
 * better-sqlite3 is imported here, on first use: it is an optional peer dependency, and a missing
 * or unloadable driver is a `SqliteUnavailableError` saying what to install.
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
  if (!isInMemory(path)) await mkdir(dirname(path), { recursive: true });
  const db = openDatabase(Database, path, options.busyTimeoutMs ?? 5000);
  try {
    return new SqliteLedger(db, path, options.now ?? (() => new Date()));
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A ledger in a SQLite file, shared safely by every process that opens it. Each call is one
 * transaction; `reserve` (and every read-then-write) runs in `BEGIN IMMEDIATE`, so the write lock
 * is held from the over-refund check to the insert and two processes racing on one order can
 * never together reserve more than the order. The journal is WAL (readers never block the
 * writer) and a busy database is waited for (`busyTimeoutMs`), not failed. Calls are synchronous
 * underneath: a call waiting for another process's lock blocks this thread for up to that long.
 *
 * The rules are the memory ledger's, from `ledger-rules.ts`. Create with {@link openSqliteLedger}.
 */
export class SqliteLedger implements RefundLedger {
  /** The database file (absolute), e.g. for the CLI to say which ledger it uses. */
  readonly file: string;
  readonly #db: SqliteDatabase;
  readonly #now: () => Date;
  readonly #sql: {
    getRefund: SqliteStatement;
    refundsOf: SqliteStatement;
    insertRefund: SqliteStatement;
    updateRefund: SqliteStatement;
    getOrder: SqliteStatement;
    putOrder: SqliteStatement;
  };
  readonly #reserve: (request: ReservationRequest) => Reservation | OverRefundError;
  readonly #update: (key: RefundKey, update: RefundUpdate) => Refund;
  readonly #recordOrderAmount: (provider: ProviderKey, orderId: string, amount: number) => void;

  /** @internal use {@link openSqliteLedger} */
  constructor(db: SqliteDatabase, file: string, now: () => Date) {
    this.#db = db;
    this.file = file;
    this.#now = now;
    // Outside any transaction: both pragmas are per connection (WAL is also remembered by the file).
    db.pragma('journal_mode = WAL');
    // A reservation must survive a power cut as well as a crash: it is what stops a second refund.
    db.pragma('synchronous = FULL');
    db.transaction(() => this.#migrate()).immediate();

    this.#sql = {
      getRefund: db.prepare(`SELECT ${COLUMNS} FROM refunds WHERE provider = ? AND refund_id = ?`),
      refundsOf: db.prepare(`SELECT ${COLUMNS} FROM refunds WHERE provider = ? AND order_id = ? ORDER BY rowid`),
      insertRefund: db.prepare(`INSERT INTO refunds (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updateRefund: db.prepare(
        `UPDATE refunds SET status = ?, provider_refund_id = ?, failure_code = ?, failure_message = ?, raw = ?, meta = ?, updated_at = ?
         WHERE provider = ? AND refund_id = ?`,
      ),
      getOrder: db.prepare('SELECT amount FROM orders WHERE provider = ? AND order_id = ?'),
      putOrder: db.prepare(
        `INSERT INTO orders (provider, order_id, amount, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (provider, order_id) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at`,
      ),
    };

    const reserve = db.transaction((request: ReservationRequest) => this.#reserveIn(request));
    this.#reserve = (request) => reserve.immediate(request);
    const update = db.transaction((key: RefundKey, change: RefundUpdate) => this.#updateIn(key, change));
    this.#update = (key, change) => update.immediate(key, change);
    const record = db.transaction((provider: ProviderKey, orderId: string, amount: number) => {
      const recorded = this.#order(provider, orderId);
      const tightest = tighter(amount, recorded)!;
      if (tightest !== recorded) this.#putOrder(provider, orderId, tightest);
    });
    this.#recordOrderAmount = (provider, orderId, amount) => record.immediate(provider, orderId, amount);
  }

  async reserve(request: ReservationRequest): Promise<Reservation> {
    this.#open();
    const result = this.#reserve(request);
    // Thrown after the commit: the order total the request brought stays recorded, as in memory.
    if (result instanceof OverRefundError) throw result;
    return result;
  }

  async update(key: RefundKey, update: RefundUpdate): Promise<Refund> {
    this.#open();
    return this.#update(key, update);
  }

  async get(key: Pick<RefundKey, 'provider' | 'refundId'>): Promise<Refund | undefined> {
    this.#open();
    return this.#refund(key.provider, key.refundId);
  }

  async recordOrderAmount(provider: ProviderKey, orderId: string, amount: number): Promise<void> {
    this.#open();
    this.#recordOrderAmount(provider, orderId, amount);
  }

  async refundsOf(provider: ProviderKey, orderId: string): Promise<Refund[]> {
    this.#open();
    return this.#refundsOf(provider, orderId);
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
      throw new Error(`ledger: ${this.file} has schema version ${version}, newer than this refundkit understands (${LEDGER_SCHEMA_VERSION}); upgrade refundkit`);
    }
    this.#db.exec(SCHEMA);
    if (version < LEDGER_SCHEMA_VERSION) this.#db.pragma(`user_version = ${LEDGER_SCHEMA_VERSION}`);
  }

  /** The memory ledger's `reserve`, step for step, inside one immediate transaction. */
  #reserveIn(request: ReservationRequest): Reservation | OverRefundError {
    const { provider, orderId, refundId } = request.key;
    const existing = this.#refund(provider, refundId);
    if (existing) {
      assertSameRefund(existing, request);
      if (existing.status !== 'failed') return { outcome: 'existing', refund: existing };
    }
    const recorded = this.#order(provider, orderId);
    const orderAmount = tighter(request.orderAmount, recorded);
    if (request.orderAmount !== undefined && orderAmount !== recorded) this.#putOrder(provider, orderId, orderAmount!);
    try {
      assertFits(request, orderAmount, this.#refundsOf(provider, orderId));
    } catch (error) {
      if (error instanceof OverRefundError) return error;
      throw error;
    }
    const refund = reservedRefund(existing, request, this.#now());
    if (existing) this.#write(refund);
    else this.#sql.insertRefund.run(...toParams(refund));
    return { outcome: existing ? 'resubmit' : 'new', refund };
  }

  #updateIn(key: RefundKey, update: RefundUpdate): Refund {
    const existing = this.#refund(key.provider, key.refundId);
    if (!existing) throw new Error(`ledger: no refund ${key.provider}/${key.refundId}`);
    const refund = applyUpdate(existing, update, this.#now());
    if (refund !== existing) this.#write(refund);
    return refund;
  }

  #write(refund: Refund): void {
    this.#sql.updateRefund.run(
      refund.status,
      refund.providerRefundId ?? null,
      refund.failure?.code ?? null,
      refund.failure?.message ?? null,
      refund.raw ?? null,
      refund.meta !== undefined ? JSON.stringify(refund.meta) : null,
      refund.updatedAt,
      refund.provider,
      refund.refundId,
    );
  }

  #refund(provider: ProviderKey, refundId: string): Refund | undefined {
    const row = this.#sql.getRefund.get(provider, refundId) as RefundRow | undefined;
    return row ? toRefund(row) : undefined;
  }

  #refundsOf(provider: ProviderKey, orderId: string): Refund[] {
    return (this.#sql.refundsOf.all(provider, orderId) as RefundRow[]).map(toRefund);
  }

  #order(provider: ProviderKey, orderId: string): number | undefined {
    const row = this.#sql.getOrder.get(provider, orderId) as { amount: number } | undefined;
    return row?.amount;
  }

  #putOrder(provider: ProviderKey, orderId: string, amount: number): void {
    this.#sql.putOrder.run(provider, orderId, amount, this.#now().toISOString());
  }
}
