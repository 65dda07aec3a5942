// 6. PostgreSQL ledger: reservations per second, against a bare `pg` INSERT of the same row in
// the same run, and how reservations scale over 1, 2 and 4 processes.
//
//   node bench/ledger-postgres.bench.mjs      (PostgreSQL at REFUNDKIT_BENCH_PG_URL, else
//                                              REFUNDKIT_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/test)
//
// A reservation = `ledger.reserve` of a new refund on a new order (no order total), awaited one
// at a time, as `refunds.refund` does before sending anything: BEGIN; lock_order_and_read (the
// order's row created and locked, then the refund, what the order holds and the clock read);
// one INSERT of the refund, its history entry (and the order's total when given); COMMIT.
// - bare: `pool.query('INSERT INTO bare.refunds (…) VALUES (…)')` of the same row (same columns,
//   types, keys and indexes: `LIKE refunds INCLUDING ALL`), one autocommit statement; the
//   honest minimum a merchant would write, with no over-refund check at all.
// Both commit durably (synchronous_commit as the server has it), so each pays one WAL flush.
// Rounds alternate sides; figures are medians, the ratio the median of back-to-back round ratios.
//
// Scaling: 1, 2 and 4 processes (each with its own pool of one connection), released together,
// each making SCALE_N reservations; total reservations per second over the wall time, on one
// order (every reservation waits for the order's row lock: they take turns by design) and on
// distinct orders (nothing shared but the server). Reported against 1 process; no target.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migratePostgresLedger, openPostgresLedger } from '@refundkit/refunds';
import { log, median, row, suite } from './lib/common.mjs';

const ROUNDS = Number(process.env.BENCH_PG_ROUNDS ?? 5);
const N = Number(process.env.BENCH_PG_N ?? 400);
const SCALE_N = Number(process.env.BENCH_PG_SCALE_N ?? 300);
const URL_ = process.env.REFUNDKIT_BENCH_PG_URL || process.env.REFUNDKIT_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const WORKER = fileURLToPath(new URL('./lib/pg-reserve-worker.mjs', import.meta.url));

/** The refunds table's columns but `seq` (packages/refunds/src/ledger/rows.ts). */
const COLUMNS = ['provider', 'account', 'refund_id', 'order_id', 'amount', 'currency', 'status', 'provider_refund_id', 'failure_code', 'failure_message', 'raw', 'meta', 'attempts', 'provider_may_know', 'lease_holder', 'lease_attempt', 'lease_expires_at', 'created_at', 'updated_at'];

let serial = 0;
const nextIds = () => {
  serial++;
  return { refundId: `R${serial}`, orderId: `O${serial}` };
};

async function timed(n, one) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await one();
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function singleProcess(schema, bare) {
  const ledger = await openPostgresLedger({ connectionString: URL_ }, { schema, poolSize: 1 });
  const insert = `INSERT INTO ${bare}.refunds (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;
  const pool = new pg.Pool({ connectionString: URL_, max: 1 });
  try {
    const ours = () => {
      const { refundId, orderId } = nextIds();
      return ledger.reserve({ key: { provider: 'tipay', account: 'bench', orderId, refundId }, amount: 1, currency: 'CNY', lease: { holder: refundId, ttlMs: 60_000 } });
    };
    const theirs = () => {
      const { refundId, orderId } = nextIds();
      const now = new Date();
      const expires = new Date(now.getTime() + 60_000).toISOString();
      // The row a reservation writes: unknown, attempt 1, leased.
      return pool.query(insert, ['tipay', 'bench', refundId, orderId, 1, 'CNY', 'unknown', null, null, null, null, null, 1, false, refundId, 1, expires, now.toISOString(), now.toISOString()]);
    };
    await timed(50, ours); // warm-up: connections, plans
    await timed(50, theirs);
    const a = [];
    const b = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) {
        a.push(await timed(N, ours));
        b.push(await timed(N, theirs));
      } else {
        b.push(await timed(N, theirs));
        a.push(await timed(N, ours));
      }
    }
    const ratio = median(a.map((x, i) => x / b[i]));
    log(`reservations, 1 process: ledger ${median(a).toFixed(0)}/s   bare INSERT ${median(b).toFixed(0)}/s   ratio ${ratio.toFixed(3)}`);
    return row({ name: `ledger PostgreSQL: reservations/s (1 connection, new refund on a new order, rounds of ${N})`, unit: 'reservations/s', refundkit: median(a), bare: median(b), ratio, target: 0.8, targetText: 'ratio ≥ 0.8 (issue #16)' });
  } finally {
    await ledger.close();
    await pool.end();
  }
}

/** `count` worker processes released together; total reservations per second over the slowest one's time. */
async function workers(schema, count, orders) {
  const procs = Array.from({ length: count }, (_, i) => spawn(process.execPath, [WORKER, URL_, schema, `${orders}${count}-${i}`, String(SCALE_N), orders], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const outputs = procs.map((proc) => {
    let out = '';
    proc.stdout.setEncoding('utf8');
    const ready = new Promise((resolve, reject) => {
      proc.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.startsWith('ready\n')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`worker exited ${code} before ready`)));
    });
    const done = new Promise((resolve, reject) =>
      proc.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1))) : reject(new Error(`worker exited ${code}`)))),
    );
    return { ready, done };
  });
  await Promise.all(outputs.map((o) => o.ready));
  for (const proc of procs) proc.stdin.end('go\n');
  const results = await Promise.all(outputs.map((o) => o.done));
  const wall = Math.max(...results.map((r) => r.ms));
  return (count * SCALE_N) / (wall / 1000);
}

async function scaling(schema) {
  const rows = [];
  for (const orders of ['one', 'distinct']) {
    const rates = {};
    for (const count of [1, 2, 4]) {
      const runs = [];
      for (let r = 0; r < 3; r++) runs.push(await workers(schema, count, orders));
      rates[count] = median(runs);
    }
    log(`${orders === 'one' ? 'one order     ' : 'distinct orders'}: 1 process ${rates[1].toFixed(0)}/s   2 processes ${rates[2].toFixed(0)}/s (x${(rates[2] / rates[1]).toFixed(2)})   4 processes ${rates[4].toFixed(0)}/s (x${(rates[4] / rates[1]).toFixed(2)})`);
    for (const count of [2, 4]) {
      rows.push(
        row({
          name: `ledger PostgreSQL: ${count} processes on ${orders === 'one' ? 'one order' : 'distinct orders'}, reservations/s in all (bare: 1 process; ratio = scaling)`,
          unit: 'reservations/s',
          refundkit: rates[count],
          bare: rates[1],
          higherIsBetter: true,
          target: null,
        }),
      );
    }
  }
  return rows;
}

await suite(async () => {
  const schema = `refundkit_bench_${randomBytes(4).toString('hex')}`;
  const bare = `${schema}_bare`;
  const admin = new pg.Pool({ connectionString: URL_, max: 1 });
  try {
    await admin.query('SELECT 1');
  } catch (error) {
    log(`PostgreSQL unreachable at ${URL_.replace(/:[^:@/]*@/, ':***@')} (${error.message}): skipped; set REFUNDKIT_BENCH_PG_URL`);
    await admin.end();
    return [];
  }
  try {
    await migratePostgresLedger({ connectionString: URL_ }, { schema });
    await admin.query(`CREATE SCHEMA ${bare}; CREATE TABLE ${bare}.refunds (LIKE ${schema}.refunds INCLUDING ALL)`);
    return [await singleProcess(schema, bare), ...(await scaling(schema))];
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${bare} CASCADE`);
    await admin.end();
  }
});
