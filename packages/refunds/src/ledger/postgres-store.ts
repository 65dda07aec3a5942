// The PostgreSQL ledger itself, loaded (with `pg`) only when a PostgreSQL ledger is opened.
import { RefundkitError, type Clock } from '@refundkit/runtime';
import { NotFoundError } from '../errors.js';
import { OverRefundError } from '../errors.js';
import type { ProviderKey, Refund, RefundEvent } from '../model.js';
import { checkConnectionString, passwordOf, redactConnectionString, withoutSecret } from './connection-string.js';
import type { LedgerHealth, OrderIdentity, RecordedUpdate, RefundIdentity, RefundLedger, RefundTotal, RefundUpdate, Reservation, ReservationRequest } from './ledger.js';
import { totalsOf } from './totals.js';
import { pageOf, type ListQuery, type RefundPage } from './list-query.js';
import { batchesOf, batchLimit, type BatchesQuery, type BatchGroupRow, type BatchSummary } from './batches.js';
import { LedgerConnectionStringError, LedgerRefusedError, LedgerUnavailableError } from './ledger-errors.js';
import { planClaim, planReservation, planUpdate, type OrderState } from './ledger-rules.js';
import type { AccountFilter, ChangeEntry, ChangesQuery, RefundChange } from '../changes/change.js';
import type { Claim, ClaimRequest, DueQuery } from '../reconciler/claim.js';
import type { UnmatchedNotification, UnmatchedNotificationInput } from '../notifications/unmatched-types.js';
import { ChangeListener } from './postgres-listen.js';
import { describeFault, isUnavailable, loadPostgresDriver, refusalOf, type PostgresPool, type PostgresPoolClient, type PostgresQueryable, type PostgresQueryResult } from './postgres-driver.js';
import { assertVersion, migrate, migrateCommand, schemaVersion, type MigrationReport } from './postgres-migrations.js';
import type { PostgresLedgerOptions, PostgresTarget } from './postgres-ledger.js';
import { DEFAULT_POSTGRES_SCHEMA, POSTGRES_LEDGER_SCHEMA_VERSION, quoteSchema, SCHEMA_NAME } from './postgres-schema.js';
import { CHANGE_COLUMNS, changeParams, REFUND_COLUMNS, refundParams, toChange, toEvent, toRefund, toUnmatched, type ChangeRow, type RefundRow, type UnmatchedRow } from './rows.js';

const COLUMNS = REFUND_COLUMNS.join(', ');
const KEY_COLUMNS = new Set(['provider', 'account', 'refund_id']);
const TIMESTAMP_COLUMNS = ['lease_expires_at', 'created_at', 'updated_at', 'next_check_at'] as const;
/** The accounts filter of a read, on parameters $n (providers) and $n+1 (accounts): NULL arrays mean all. */
const inAccounts = (n: number): string => `($${n}::text[] IS NULL OR (provider, account) IN (SELECT * FROM unnest($${n}::text[], $${n + 1}::text[])))`;
const accountParams = (accounts: readonly AccountFilter[] | undefined): [string[] | null, string[] | null] =>
  accounts === undefined ? [null, null] : [accounts.map((a) => a.provider), accounts.map((a) => a.account)];
/** The channel followers LISTEN on; the payload names the schema, so ledgers in one database do not wake each other's followers. */
export const CHANGES_CHANNEL = 'refundkit_changes';

/** The reads: parameterized statements (the extended protocol), one round trip each. */
function reads(s: string) {
  return {
    get: `SELECT ${COLUMNS} FROM ${s}.refunds WHERE provider = $1 AND account = $2 AND refund_id = $3`,
    refundsOf: `SELECT ${COLUMNS} FROM ${s}.refunds WHERE provider = $1 AND account = $2 AND order_id = $3 ORDER BY seq`,
    history: `SELECT event FROM ${s}.refund_events WHERE provider = $1 AND account = $2 AND refund_id = $3 ORDER BY seq`,
    orderAmount: `SELECT amount FROM ${s}.orders WHERE provider = $1 AND account = $2 AND order_id = $3`,
    changes: `SELECT seq, ${CHANGE_COLUMNS.join(', ')} FROM ${s}.refund_changes WHERE seq > $1 AND ${inAccounts(2)} ORDER BY seq LIMIT $4`,
    due: `SELECT provider, account, refund_id FROM ${s}.refunds, (SELECT COALESCE($1::timestamptz, clock_timestamp()) AS now) t
          WHERE status IN ('pending', 'unknown') AND created_at <= t.now - make_interval(secs => $2::double precision / 1000)
            AND COALESCE(next_check_at, created_at) <= t.now AND (lease_expires_at IS NULL OR lease_expires_at <= t.now)
            AND ${inAccounts(3)}
          ORDER BY COALESCE(next_check_at, created_at) LIMIT $5`,
    // The newest runs, then their refunds by status; $1/$2 the accounts filter, $3 one run's id, $4 the limit.
    batches: `WITH runs AS (
            SELECT batch, min(created_at) AS first_at FROM ${s}.refunds
             WHERE batch IS NOT NULL AND ($3::text IS NULL OR batch = $3) AND ${inAccounts(1)}
             GROUP BY batch ORDER BY first_at DESC, batch LIMIT $4)
          SELECT batch, status, count(*) AS count, sum(amount) AS amount, min(created_at) AS first_at, max(updated_at) AS last_at
            FROM ${s}.refunds WHERE batch IN (SELECT batch FROM runs) AND ${inAccounts(1)}
           GROUP BY batch, status`,
    keepUnmatched: `INSERT INTO ${s}.unmatched_notifications AS u (provider, account, digest, refund_id, excerpt, verified, received_at, last_received_at, deliveries)
          VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7::timestamptz, clock_timestamp()), COALESCE($7::timestamptz, clock_timestamp()), 1)
          ON CONFLICT (provider, account, digest) DO UPDATE SET last_received_at = excluded.last_received_at, deliveries = u.deliveries + 1
          RETURNING *`,
    unmatched: `SELECT * FROM ${s}.unmatched_notifications WHERE ${inAccounts(1)} ORDER BY last_received_at DESC, received_at DESC LIMIT $3`,
    // The listing order of list-query.ts: times to the millisecond (what a Refund and a cursor carry), text in "C" (code units).
    list: `SELECT ${COLUMNS} FROM ${s}.refunds
          WHERE ${inAccounts(1)} AND ($3::text IS NULL OR provider = $3) AND ($4::text IS NULL OR account = $4)
            AND ($5::text[] IS NULL OR status = ANY($5::text[])) AND ($6::text IS NULL OR order_id = $6)
            AND ($7::timestamptz IS NULL OR created_at >= $7::timestamptz) AND ($8::timestamptz IS NULL OR created_at < $8::timestamptz)
            AND ($9::timestamptz IS NULL OR (date_trunc('milliseconds', created_at), provider COLLATE "C", account COLLATE "C", refund_id COLLATE "C") < ($9::timestamptz, $10::text COLLATE "C", $11::text COLLATE "C", $12::text COLLATE "C"))
            AND ($14::text IS NULL OR batch = $14)
          ORDER BY date_trunc('milliseconds', created_at) DESC, provider COLLATE "C" DESC, account COLLATE "C" DESC, refund_id COLLATE "C" DESC LIMIT $13`,
  };
}

/** What `lock_order_and_read` returns (migrations/postgres/001_ledger.sql). */
interface LockedRow {
  found_order_id: string | null;
  order_total: string | null;
  held_by_others: string | null;
  db_now: Date;
  refund: (Omit<RefundRow, (typeof TIMESTAMP_COLUMNS)[number]> & Record<(typeof TIMESTAMP_COLUMNS)[number], string | null>) | null;
}

/** What a transaction read, under the order's lock. */
interface Locked {
  readonly existing: Refund | undefined;
  readonly order: OrderState;
  readonly now: Date;
}

/** What a transaction decided: the SQL that ends it (writes then COMMIT, or ROLLBACK), and what the call returns or throws. */
interface Decision<T> {
  /** Statements to run before COMMIT; none: nothing to keep, ROLLBACK. */
  readonly writes: string | undefined;
  readonly result: T;
  /** True when the writes append a change: followers are woken once it committed. */
  readonly notify?: boolean;
}

const noop = (): void => {};

/** PostgreSQL's "too many notifications in the NOTIFY queue" (54000, raised at the notifying transaction's commit). */
const isNotifyQueueFull = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '54000' && /NOTIFY queue/i.test(String((error as Error | null)?.message));

/**
 * PostgreSQL's text and jsonb cannot hold U+0000, which a hostile or broken provider answer may
 * carry: the ledger stores U+FFFD in its place rather than lose the answer.
 */
const storable = (text: string): string => (text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text);
const storableJson = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? storable(v) : v));

/**
 * A ledger in a PostgreSQL database, shared by every process on every machine that opens it.
 * `reserve` and `update` are each one transaction (READ COMMITTED) that first locks the order's
 * row (`SELECT … FOR UPDATE`, the row created on first use), then reads the refund, what the
 * order's other refunds hold and the database's clock, asks `ledger-rules.ts` what to do and
 * writes it: two reservations on one order, from any two machines, take turns, so together they
 * never exceed the order; reservations on different orders never wait for each other. Leases
 * and timestamps are timed by the database's clock, never the caller's.
 *
 * A transaction is two round trips: `BEGIN` with the lock and the reads, then the writes with
 * `COMMIT` (or `ROLLBACK` when nothing changes). Each is one simple-protocol query of several
 * statements, which cannot carry parameters: values are written in as literals quoted by
 * `pg.escapeLiteral` (numbers and booleans checked, the schema name a checked identifier). A
 * new reservation is two round trips and three rows (order, refund, history) where a bare
 * INSERT is one and one, with one commit flush each (figures: bench/README.md, 6.).
 *
 * Failures of the database (refused or lost connection, a terminated session, a statement
 * timeout) are `LedgerUnavailableError`s, after which the ledger is as it was (see
 * `maybeCommitted` for a connection lost while committing); its refusals (no such database or
 * role, a wrong password, a missing privilege, TLS) are `LedgerRefusedError`s, nothing recorded.
 * Create with `openPostgresLedger`.
 */
export class PostgresLedger implements RefundLedger {
  /** Which ledger this is, password redacted (e.g. `postgres://app:***@db/shop, schema refundkit`). */
  readonly description: string;
  readonly schema: string;
  readonly #pool: PostgresPool;
  readonly #ownsPool: boolean;
  readonly #secret: string | undefined;
  readonly #testClock: Clock | undefined;
  readonly #quote: (value: string) => string;
  /** The schema, quoted once. */
  readonly #s: string;
  readonly #reads: ReturnType<typeof reads>;
  readonly #listener: ChangeListener;
  #closed = false;

  /** @internal use `openPostgresLedger` */
  constructor(pool: PostgresPool, ownsPool: boolean, schema: string, description: string, secret: string | undefined, testClock: Clock | undefined, escapeLiteral: (value: string) => string) {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.schema = schema;
    this.description = description;
    this.#secret = secret;
    this.#testClock = testClock;
    this.#quote = escapeLiteral;
    this.#s = quoteSchema(schema);
    this.#reads = reads(this.#s);
    this.#listener = new ChangeListener(pool, CHANGES_CHANNEL, schema);
  }

  async reserve(request: ReservationRequest): Promise<Reservation> {
    const result = await this.#transaction(this.#lockSql(request.key, request.key.orderId), (locked) => this.#decideReservation(request, locked));
    // Thrown after the commit: the order total the request brought stays recorded, as in memory.
    if (result instanceof OverRefundError) throw result;
    return result;
  }

  /**
   * `reserve`, inside a transaction the caller runs on its own connection (`BEGIN` … `COMMIT`, READ
   * COMMITTED, the default): e.g. a mass refund that enqueues the job which will send this refund
   * in the same transaction as its reservation, so that either both exist or neither. The order
   * stays locked until the caller commits or rolls back. An `OverRefundError` is thrown after the
   * order's total it brought was written in the caller's transaction (commit to keep it, or not).
   *
   * @example
   * const client = await pool.connect();
   * await client.query('BEGIN');
   * const reservation = await ledger.reserveWith(client, request);
   * if (reservation.outcome === 'new') await client.query('INSERT INTO jobs (refund_id) VALUES ($1)', [request.key.refundId]);
   * await client.query('COMMIT');
   */
  async reserveWith(client: PostgresQueryable, request: ReservationRequest): Promise<Reservation> {
    this.#open();
    let result: Reservation | OverRefundError;
    try {
      const locked = this.#locked(await client.query(this.#lockSql(request.key, request.key.orderId)));
      const decision = this.#decideReservation(request, locked);
      // In the caller's transaction the NOTIFY goes with the writes: it is delivered at their commit.
      if (decision.writes !== undefined) await client.query(decision.notify ? `${decision.writes};\n${this.#notifySql()}` : decision.writes);
      result = decision.result;
    } catch (error) {
      throw this.#failure(error, false);
    }
    if (result instanceof OverRefundError) throw result;
    return result;
  }

  async update(key: RefundIdentity, update: RefundUpdate): Promise<Refund> {
    return (await this.record(key, update)).refund;
  }

  async record(key: RefundIdentity, update: RefundUpdate): Promise<RecordedUpdate> {
    let change: ChangeEntry | undefined;
    const refund = await this.#transaction(this.#lockSql(key, undefined), (locked) => {
      if (!locked.existing) throw new NotFoundError(`ledger: no refund ${key.provider}/${key.refundId}`);
      const plan = planUpdate(locked.existing, update, locked.order, locked.now);
      change = plan.change;
      return { writes: this.#writeSql(false, plan.refund, plan.events, plan.orderTotal, locked.now, plan.change), result: plan.refund, notify: plan.change !== undefined };
    }, (seq) => (change = change && ({ ...change, seq } as RefundChange)));
    // Without its number only when the NOTIFY after the commit failed: read it back.
    if (change !== undefined && !('seq' in change)) {
      const rows = await this.#query<{ seq: string }>(`SELECT max(seq) AS seq FROM ${this.#s}.refund_changes WHERE provider = $1 AND account = $2 AND refund_id = $3`, [key.provider, key.account, key.refundId]);
      change = { ...change, seq: Number(rows[0]?.seq) } as RefundChange;
    }
    return { refund, change: change as RefundChange | undefined };
  }

  async changes(query: ChangesQuery): Promise<RefundChange[]> {
    return (await this.#query<ChangeRow>(this.#reads.changes, [query.after, ...accountParams(query.accounts), query.limit])).map(toChange);
  }

  /**
   * Wakes `listener` when any process, on any machine, commits a change to this ledger: one
   * connection of the pool LISTENs while anyone watches (taken at the first watcher, given back
   * after the last). A lost connection is reopened, and the listeners are woken then too, since
   * a notification may have been missed meanwhile.
   */
  watchChanges(listener: () => void): () => void {
    this.#open();
    return this.#listener.add(listener);
  }

  async due(query: DueQuery): Promise<RefundIdentity[]> {
    const rows = await this.#query<{ provider: ProviderKey; account: string; refund_id: string }>(this.#reads.due, [this.#testNow(), query.olderThanMs, ...accountParams(query.accounts), query.limit]);
    return rows.map((row) => ({ provider: row.provider, account: row.account, refundId: row.refund_id }));
  }

  async claim(request: ClaimRequest): Promise<Claim> {
    return this.#transaction(this.#lockSql(request.key, undefined), (locked) => {
      const plan = planClaim(locked.existing, request, locked.now);
      if (plan.kind === 'skip') return { writes: undefined, result: plan.claim };
      return { writes: this.#writeSql(false, plan.refund, [plan.event], undefined, locked.now), result: plan.claim };
    });
  }

  async keepUnmatched(input: UnmatchedNotificationInput): Promise<UnmatchedNotification> {
    const values = [input.provider, input.account, input.digest, input.refundId, storable(input.excerpt), input.verified, this.#testNow()];
    const rows = await this.#query<UnmatchedRow>(this.#reads.keepUnmatched, values);
    return toUnmatched(rows[0]!);
  }

  async unmatched(query: { readonly limit: number; readonly accounts?: readonly AccountFilter[] | undefined }): Promise<UnmatchedNotification[]> {
    return (await this.#query<UnmatchedRow>(this.#reads.unmatched, [...accountParams(query.accounts), query.limit])).map(toUnmatched);
  }

  async get(key: RefundIdentity): Promise<Refund | undefined> {
    const rows = await this.#query<RefundRow>(this.#reads.get, [key.provider, key.account, key.refundId]);
    return rows[0] ? toRefund(rows[0]) : undefined;
  }

  async history(key: RefundIdentity): Promise<RefundEvent[]> {
    const rows = await this.#query<{ event: RefundEvent }>(this.#reads.history, [key.provider, key.account, key.refundId]);
    return rows.map((row) => toEvent(row.event));
  }

  async refundsOf(order: OrderIdentity): Promise<Refund[]> {
    return (await this.#query<RefundRow>(this.#reads.refundsOf, [order.provider, order.account, order.orderId])).map(toRefund);
  }

  async orderAmount(order: OrderIdentity): Promise<number | undefined> {
    const rows = await this.#query<{ amount: string | null }>(this.#reads.orderAmount, [order.provider, order.account, order.orderId]);
    return rows[0]?.amount == null ? undefined : Number(rows[0].amount);
  }

  async list(query: ListQuery): Promise<RefundPage> {
    const after = query.after;
    const rows = await this.#query<RefundRow>(this.#reads.list, [
      ...accountParams(query.accounts),
      query.provider ?? null,
      query.account ?? null,
      query.statuses === undefined ? null : [...query.statuses],
      query.orderId ?? null,
      query.createdFrom ?? null,
      query.createdBefore ?? null,
      after?.createdAt ?? null,
      after?.provider ?? null,
      after?.account ?? null,
      after?.refundId ?? null,
      query.limit + 1,
      query.batch ?? null,
    ]);
    return pageOf(rows.map(toRefund), query.limit);
  }

  async totals(): Promise<RefundTotal[]> {
    return totalsOf(await this.#query(`SELECT provider, account, status, count(*) AS count, sum(amount) AS amount FROM ${this.#s}.refunds GROUP BY provider, account, status`, []));
  }

  async batches(query: BatchesQuery = {}): Promise<BatchSummary[]> {
    const limit = batchLimit(query);
    return batchesOf(await this.#query<BatchGroupRow>(this.#reads.batches, [...accountParams(query.accounts), query.id ?? null, limit]), query);
  }

  async health(): Promise<LedgerHealth> {
    if (this.#closed) return { ok: false, detail: `ledger ${this.description} is closed` };
    try {
      const found = await schemaVersion(this.#pool, this.schema);
      return found === POSTGRES_LEDGER_SCHEMA_VERSION
        ? { ok: true, detail: `ledger ${this.description}: schema ${found}` }
        : { ok: false, detail: `ledger ${this.description}: schema ${found}, this refundkit writes ${POSTGRES_LEDGER_SCHEMA_VERSION}` };
    } catch (error) {
      return { ok: false, detail: this.#failure(error, false).message };
    }
  }

  /** Closes the pool this ledger opened (a pool the caller gave stays the caller's to end); later calls fail. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#listener.close();
    if (this.#ownsPool) await this.#pool.end();
  }

  /** Applies missing migrations (see `migratePostgresLedger`). */
  async migrate(): Promise<MigrationReport> {
    this.#open();
    try {
      return await migrate(this.#pool, this.schema, this.description);
    } catch (error) {
      throw this.#failure(error, false);
    }
  }

  /** Refuses a schema this code does not write (`LedgerSchemaError`, naming the command to run). */
  async checkSchema(redactedLedger: string): Promise<void> {
    let found: number;
    try {
      found = await schemaVersion(this.#pool, this.schema);
    } catch (error) {
      throw this.#failure(error, false);
    }
    assertVersion(found, this.description, migrateCommand(redactedLedger, this.schema, DEFAULT_POSTGRES_SCHEMA));
  }

  #decideReservation(request: ReservationRequest, locked: Locked): Decision<Reservation | OverRefundError> {
    const plan = planReservation(locked.existing, request, locked.order, locked.now);
    if (plan.kind === 'keep') return { writes: undefined, result: plan.reservation };
    if (plan.kind === 'refuse') {
      return { writes: plan.orderTotal === undefined ? undefined : this.#orderTotalSql(request.key, plan.orderTotal, locked.now), result: plan.error };
    }
    return { writes: this.#writeSql(plan.insert, plan.refund, [plan.event], plan.orderTotal, locked.now, plan.change), result: plan.reservation, notify: plan.change !== undefined };
  }

  /** The test clock's time, or NULL: the database's clock. */
  #testNow(): string | null {
    return this.#testClock ? new Date(this.#testClock()).toISOString() : null;
  }

  /** Wakes this ledger's followers on every machine (LISTEN refundkit_changes, payload the schema). */
  #notifySql(): string {
    return `SELECT pg_notify(${this.#literal(CHANGES_CHANNEL)}, ${this.#literal(this.schema)})`;
  }

  /** The lock and the reads (`lock_order_and_read`); `orderId` undefined: the refund's own order. */
  #lockSql(key: RefundIdentity, orderId: string | undefined): string {
    const args = [key.provider, key.account, key.refundId, orderId ?? null, (this.#testClock ? new Date(this.#testClock()).toISOString() : null)].map((v) => this.#literal(v));
    return `SELECT found_order_id, order_total, held_by_others, db_now, refund FROM ${this.#s}.lock_order_and_read(${args.join(', ')})`;
  }

  /** The lock's answer (the last result of a multi-statement query). */
  #locked(results: PostgresQueryResult<LockedRow> | PostgresQueryResult<LockedRow>[]): Locked {
    const row = (Array.isArray(results) ? results.at(-1)! : results).rows[0]!;
    const refund = row.refund;
    let existing: Refund | undefined;
    if (refund) {
      // jsonb renders times in the session's time zone; the ledger reports them as ISO UTC.
      const times = Object.fromEntries(TIMESTAMP_COLUMNS.map((c) => [c, refund[c] === null ? null : new Date(refund[c]!).toISOString()]));
      existing = toRefund({ ...refund, ...times } as RefundRow);
    }
    return {
      existing,
      order: { total: row.order_total === null ? undefined : Number(row.order_total), heldByOthers: Number(row.held_by_others ?? 0) },
      now: row.db_now,
    };
  }

  /**
   * Everything a plan writes: the refund (a new row, or its row updated), its new history
   * entries in order, and the order's total when it changes. A new refund is a plain INSERT:
   * were the order's lock ever bypassed, a second insert of one refund fails on the key, never
   * overwrites.
   */
  #writeSql(insert: boolean, refund: Refund, events: readonly RefundEvent[], orderTotal: number | undefined, now: Date, change?: ChangeEntry): string {
    const values = refundParams(refund, (v) => v).map((v, i) => this.#literal(REFUND_COLUMNS[i] === 'meta' && refund.meta ? storableJson(refund.meta) : v));
    const [provider, account, refundId] = values;
    const refundSql = insert
      ? `INSERT INTO ${this.#s}.refunds (${COLUMNS}) VALUES (${values.join(', ')})`
      : `UPDATE ${this.#s}.refunds SET ${REFUND_COLUMNS.map((c, i) => (KEY_COLUMNS.has(c) ? '' : `${c} = ${values[i]}`)).filter(Boolean).join(', ')}
          WHERE provider = ${provider} AND account = ${account} AND refund_id = ${refundId}`;
    const eventRows = events.map((e) => `(${[refund.provider, refund.account, refund.refundId, e.at, e.kind, storableJson(e)].map((v) => this.#literal(v)).join(', ')})`);
    return [
      refundSql,
      `INSERT INTO ${this.#s}.refund_events (provider, account, refund_id, at, kind, event) VALUES ${eventRows.join(', ')}`,
      ...(orderTotal !== undefined ? [this.#orderTotalSql(refund, orderTotal, now)] : []),
      // Last, so the counter's row lock is held for as little as possible: this statement and the commit.
      ...(change !== undefined ? [this.#changeSql(change)] : []),
    ].join(';\n');
  }

  /**
   * Appends `change` with the next number of `change_counter`, whose row lock this transaction
   * then holds until it commits: appends take turns, so `seq` follows commit order
   * (migrations/postgres/002_changes_reconciler_unmatched.sql says why).
   */
  #changeSql(change: ChangeEntry): string {
    const values = changeParams(change).map((v) => this.#literal(v));
    return `WITH counter AS (UPDATE ${this.#s}.change_counter SET last_seq = last_seq + 1 RETURNING last_seq)
      INSERT INTO ${this.#s}.refund_changes (seq, ${CHANGE_COLUMNS.join(', ')}) SELECT last_seq, ${values.join(', ')} FROM counter RETURNING seq`;
  }

  #orderTotalSql(order: OrderIdentity, total: number, now: Date): string {
    const [provider, account, orderId, amount, at] = [order.provider, order.account, order.orderId, total, now.toISOString()].map((v) => this.#literal(v));
    return `UPDATE ${this.#s}.orders SET amount = ${amount}, updated_at = ${at} WHERE provider = ${provider} AND account = ${account} AND order_id = ${orderId}`;
  }

  /** A value as an SQL literal: strings quoted by `pg.escapeLiteral`, numbers checked finite, booleans and NULL as keywords. */
  #literal(value: unknown): string {
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new TypeError(`ledger: ${value} is not a number the ledger can store`);
      return String(value);
    }
    if (typeof value === 'string') return this.#quote(storable(value));
    throw new TypeError(`ledger: cannot write a ${typeof value} as SQL`);
  }

  /**
   * One transaction on a connection of its own, in two round trips: `BEGIN` and `lock` (the lock
   * and the reads), then what `decide` returns: its writes and `COMMIT`, or `ROLLBACK` when
   * nothing is to be kept (the lock is released sooner, no commit is flushed). A connection that
   * failed is closed, not returned to the pool.
   */
  async #transaction<T>(lock: string, decide: (locked: Locked) => Decision<T>, onSeq?: (seq: number) => void): Promise<T> {
    this.#open();
    let client: PostgresPoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.#failure(error, false);
    }
    // A connection lost between two statements is reported by the client as an event: without
    // a listener Node would crash the process. The next statement then fails, and says so.
    let broken: Error | undefined;
    const onError = (error: Error): void => void (broken ??= error);
    client.on('error', onError);
    let committing = false;
    let decision: Decision<T> | undefined;
    try {
      decision = decide(this.#locked(await client.query<LockedRow>(`BEGIN;\n${lock}`)));
      committing = decision.writes !== undefined;
      // The NOTIFY follows the COMMIT in the same round trip, as a statement of its own: not
      // inside the transaction, where it would take a database-wide lock through the commit's
      // flush and serialise every notifying writer's commit; not a round trip of its own, which
      // costs more than either (figures: docs/changes-and-reconciling.md).
      const results = await client.query<{ seq?: string }>(committing ? `${decision.writes};\nCOMMIT${decision.notify ? `;\n${this.#notifySql()}` : ''}` : 'ROLLBACK');
      if (decision.notify) {
        // The change appender's RETURNING seq comes before COMMIT's and the NOTIFY's results.
        const all = results as unknown;
        const seq = Array.isArray(all) ? (all.at(-3) as PostgresQueryResult<{ seq?: string }> | undefined)?.rows[0]?.seq : undefined;
        if (seq !== undefined) onSeq?.(Number(seq));
      }
      return decision.result;
    } catch (error) {
      // Only the NOTIFY after the COMMIT failed (the notification queue is full: a listener has
      // not read for a very long time): the write committed; followers find it by polling.
      if (committing && decision?.notify && isNotifyQueueFull(error)) return decision.result;
      if (isUnavailable(error)) broken ??= error as Error;
      // A failed write leaves the transaction aborted (the COMMIT after it never ran): end it.
      await client.query('ROLLBACK').catch((rollback: Error) => void (broken ??= rollback));
      throw this.#failure(error, committing);
    } finally {
      client.off('error', onError);
      client.release(broken ?? false);
    }
  }


  async #query<Row>(text: string, values: unknown[]): Promise<Row[]> {
    this.#open();
    try {
      return (await this.#pool.query<Row>(text, values)).rows;
    } catch (error) {
      throw this.#failure(error, false);
    }
  }

  /**
   * The error to throw for `error`: refundkit's own as they are; the database's faults as
   * `LedgerUnavailableError` (retry), its refusals (a missing database or role, a wrong password,
   * a missing privilege, TLS, any error it reported for a statement) as `LedgerRefusedError`. Each
   * message names the ledger, password redacted, and ends with what was recorded.
   */
  #failure(error: unknown, whileCommitting: boolean): Error {
    if (error instanceof RefundkitError) return error;
    const fault = withoutSecret(describeFault(error), this.#secret);
    if (isUnavailable(error)) {
      const outcome = whileCommitting
        ? 'the connection failed while writing or committing, so this call may or may not be recorded: make the same call again with the same refund id'
        : 'nothing was recorded';
      return new LedgerUnavailableError(`ledger ${this.description}: ${fault}; ${outcome}`, whileCommitting, { cause: error });
    }
    const refusal = refusalOf(error);
    // An error the server reports aborts the whole transaction (writes and COMMIT are one query): nothing of it is kept.
    if (refusal) return new LedgerRefusedError(`ledger ${this.description}: ${fault}: ${refusal.hint}; nothing was recorded`, refusal.reason, refusal.code, { cause: error });
    if (error instanceof Error && this.#secret && error.message.includes(this.#secret)) error.message = withoutSecret(error.message, this.#secret);
    return error instanceof Error ? error : new Error(String(error));
  }

  #open(): void {
    if (this.#closed) throw new Error(`ledger ${this.description} is closed`);
  }
}

/** Opens a ledger: the pool (created or the caller's), then the schema check (after migrating, when asked). */
export async function openLedger(target: PostgresTarget, options: PostgresLedgerOptions, check = true): Promise<PostgresLedger> {
  const schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
  // Bad input, refused before connecting with a typed error (quoteSchema's TypeError guards the SQL itself).
  if (!SCHEMA_NAME.test(schema)) {
    throw new LedgerConnectionStringError(`schema ${JSON.stringify(schema)}: use lowercase letters, digits and _ (at most 63, not starting with a digit); nothing was recorded`, 'schema');
  }
  // With a caller's pool too: the ledger quotes its literals with pg's own escapeLiteral.
  const { Pool, escapeLiteral } = await loadPostgresDriver();
  let pool: PostgresPool;
  let redacted: string;
  let secret: string | undefined;
  if ('pool' in target) {
    pool = target.pool;
    redacted = 'postgres (a pool given by the caller)';
  } else {
    // Refused before anything connects: an unparseable URL would reach the user as pg's bare "Invalid URL".
    const connectionString = checkConnectionString(target.connectionString);
    redacted = redactConnectionString(target.connectionString);
    secret = passwordOf(target.connectionString);
    pool = new Pool({
      connectionString,
      max: options.poolSize ?? 10,
      statement_timeout: options.statementTimeoutMs ?? 10_000,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: options.applicationName ?? 'refundkit',
    });
    // An idle connection the server closed is dropped by the pool; without a listener Node would crash.
    pool.on('error', noop);
    // A new connection is handed out without a listener: a session ended by the server in the
    // same read as its "ready" (pg_terminate_backend, a restart) is then an 'error' event before
    // the caller's code runs a line, and Node would crash. This one ignores it; the connection's
    // next statement fails and says so (LedgerUnavailableError), and the pool drops it.
    // (pg.Pool has the event; the PostgresPool shape a caller's pool must fit does not ask for it.)
    (pool as PostgresPool & { on(event: 'connect', listener: (client: PostgresPoolClient) => void): unknown }).on('connect', (client) => void client.on('error', noop));
  }
  const ledger = new PostgresLedger(pool, !('pool' in target), schema, `${redacted}, schema ${schema}`, secret, options.testClock, escapeLiteral);
  try {
    if (options.migrate) await ledger.migrate();
    if (check) await ledger.checkSchema(redacted);
    return ledger;
  } catch (error) {
    await ledger.close().catch(noop);
    throw error;
  }
}

/** Applies the missing migrations to the target's schema, then closes what it opened. */
export async function migrateLedger(target: PostgresTarget, options: Pick<PostgresLedgerOptions, 'schema' | 'connectTimeoutMs' | 'applicationName'>): Promise<MigrationReport> {
  // Migrating is what fixes the schema check; DDL may outlast the per-call statement timeout.
  const ledger = await openLedger(target, { ...options, statementTimeoutMs: 0 }, false);
  try {
    return await ledger.migrate();
  } finally {
    await ledger.close();
  }
}

export type { ProviderKey };
