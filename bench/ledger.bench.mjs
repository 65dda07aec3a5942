// 5. Ledger: reservations per second, MemoryLedger and the SQLite ledger (`openSqliteLedger` on a
// temp file), against a plain Map insert and a plain better-sqlite3 INSERT in a transaction.
//
//   node bench/ledger.bench.mjs
//
// A reservation = `ledger.reserve` of a new refund (fresh refund id, fresh order id, no
// orderAmount), awaited one at a time, as `refunds.refund` does before sending anything.
// - memory, bare: `map.set(key, record)` of the same record (ids, amount, currency, status,
//   ISO timestamps), no checks. Measured twice: on an empty ledger (each round a fresh ledger
//   and map, MEMORY_N reservations) and on one already holding MEMORY_PREFILL refunds (rounds of
//   MEMORY_N on top): a reservation must not slow down as the ledger grows (it did, ~35x at
//   10,000 held, until MemoryLedger indexed its refunds by order).
// - SQLite, bare: better-sqlite3 on its own file, the ledger's table and pragmas (WAL,
//   synchronous = FULL: each commit is made durable, so the disk's flush time counts on both
//   sides), one `INSERT` per transaction. refundkit: BEGIN IMMEDIATE, the existing-refund check,
//   the order lookup, the order's refunds, the INSERT, COMMIT.
// Rounds alternate sides; figures are medians, ratios the median of back-to-back round ratios.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryLedger, openSqliteLedger } from '@refundkit/refunds';
import { log, median, row, suite } from './lib/common.mjs';
import { idSource } from './lib/fixtures.mjs';

const ROUNDS = Number(process.env.BENCH_LEDGER_ROUNDS ?? 5);
const MEMORY_N = 1000;
const MEMORY_PREFILL = 10_000;
const SQLITE_N = Number(process.env.BENCH_SQLITE_N ?? 1000);

const nextRefund = idSource('R');
const nextOrder = idSource('O');
// As refunds.refund reserves: the merchant account in the key and a lease held while it sends.
const LEASE = { holder: 'bench-sender', ttlMs: 60_000 };
const request = () => ({ key: { provider: 'tipay', account: '10000000001', orderId: nextOrder(), refundId: nextRefund() }, amount: 1, currency: 'CNY', lease: LEASE });

async function timed(n, one) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await one();
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function bareMapInsert(map) {
  const { key, amount, currency } = request();
  const now = new Date().toISOString();
  map.set(`${key.provider}\u0000${key.refundId}`, { ...key, amount, currency, status: 'unknown', createdAt: now, updatedAt: now });
}

async function rounds(refundkitRound, bareRound) {
  const ours = [];
  const theirs = [];
  await refundkitRound(); // warm-up
  await bareRound();
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      ours.push(await refundkitRound());
      theirs.push(await bareRound());
    } else {
      theirs.push(await bareRound());
      ours.push(await refundkitRound());
    }
  }
  return { refundkit: median(ours), bare: median(theirs), ratio: median(ours.map((o, i) => o / theirs[i])) };
}

async function memoryEmpty() {
  const r = await rounds(
    () => {
      const ledger = new MemoryLedger();
      return timed(MEMORY_N, () => ledger.reserve(request()));
    },
    () => {
      const map = new Map();
      return timed(MEMORY_N, () => bareMapInsert(map));
    },
  );
  log(`memory, empty ledger: MemoryLedger ${r.refundkit.toFixed(0)}/s   Map ${r.bare.toFixed(0)}/s   ratio ${r.ratio.toFixed(4)}`);
  return row({ name: `ledger memory: reservations/s (empty ledger, rounds of ${MEMORY_N})`, unit: 'reservations/s', ...r, target: null });
}

async function memoryPrefilled() {
  const ledger = new MemoryLedger();
  const map = new Map();
  for (let i = 0; i < MEMORY_PREFILL; i++) {
    await ledger.reserve(request());
    bareMapInsert(map);
  }
  const r = await rounds(
    () => timed(MEMORY_N / 2, () => ledger.reserve(request())),
    () => timed(MEMORY_N / 2, () => bareMapInsert(map)),
  );
  log(`memory, ${MEMORY_PREFILL} held: MemoryLedger ${r.refundkit.toFixed(0)}/s   Map ${r.bare.toFixed(0)}/s   ratio ${r.ratio.toFixed(4)}`);
  return row({ name: `ledger memory: reservations/s (ledger holding ${MEMORY_PREFILL.toLocaleString('en')})`, unit: 'reservations/s', ...r, target: null });
}

const COLUMNS = 'provider, refund_id, order_id, amount, currency, status, provider_refund_id, failure_code, failure_message, raw, meta, created_at, updated_at';

async function sqlite(dir) {
  const ledger = await openSqliteLedger(join(dir, 'ledger.db'));
  const db = new Database(join(dir, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE refunds (
    provider TEXT NOT NULL, refund_id TEXT NOT NULL, order_id TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL,
    status TEXT NOT NULL, provider_refund_id TEXT, failure_code TEXT, failure_message TEXT, raw TEXT, meta TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (provider, refund_id));
    CREATE INDEX refunds_by_order ON refunds (provider, order_id);`);
  const insert = db.prepare(`INSERT INTO refunds (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, ?, ?)`);
  const insertOne = db.transaction((req, now) => insert.run(req.key.provider, req.key.refundId, req.key.orderId, req.amount, req.currency, 'unknown', now, now));
  try {
    const r = await rounds(
      () => timed(SQLITE_N, () => ledger.reserve(request())),
      () =>
        timed(SQLITE_N, () => {
          const now = new Date().toISOString();
          insertOne(request(), now);
        }),
    );
    log(`sqlite (WAL, synchronous FULL): ledger ${r.refundkit.toFixed(0)}/s   better-sqlite3 ${r.bare.toFixed(0)}/s   ratio ${r.ratio.toFixed(3)}`);
    return row({ name: 'ledger SQLite: reservations/s (temp file, WAL, synchronous FULL)', unit: 'reservations/s', ...r, target: null });
  } finally {
    await ledger.close();
    db.close();
  }
}

await suite(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'refundkit-bench-ledger-'));
  try {
    return [await memoryEmpty(), await memoryPrefilled(), await sqlite(dir)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
