// Diagnostic, not run by `npm run bench`: what numbering the change feed in commit order costs on
// PostgreSQL, and where NOTIFY belongs (issue 20, "change feed"; the choice is explained in
// docs/changes-and-reconciling.md).
//
//   node bench/changes-postgres.diag.mjs     (PostgreSQL at REFUNDKIT_BENCH_PG_URL, else REFUNDKIT_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/test)
//
// Each transaction has the shape of the ledger's status-changing write, on a new order, in two
// round trips like PostgresLedger's: (1) BEGIN; the order's row created and locked; (2) the
// refund's row, its history entry, then the variant's change append, then COMMIT. W writers (each
// its own connection) run back to back for a few seconds; transactions per second in all, the
// median of ROUNDS rounds that cycle through every cell.
// Variants of the append:
// - none: no feed at all (the floor);
// - sequence: `INSERT … seq DEFAULT nextval(…)` — numbers handed out when asked, NOT in commit
//   order (what a reader could skip; shown for its cost only);
// - counter lock (chosen): the next number from a one-row table (UPDATE … RETURNING), its row
//   lock held to COMMIT: appends take turns, seq follows commit order;
// - counter lock + NOTIFY inside the transaction (queued, sent at commit);
// - counter lock + NOTIFY after COMMIT (a statement of its own after the transaction, one more round trip);
// - counter lock + NOTIFY after COMMIT in the same round trip (`…; COMMIT; SELECT pg_notify(…)`);
// - sequence + NOTIFY inside: what NOTIFY alone serialises.
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import pg from 'pg';

const URL_ = process.env.REFUNDKIT_BENCH_PG_URL || process.env.REFUNDKIT_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WRITERS = (process.env.BENCH_WRITERS ?? '1,4,8').split(',').map(Number);
const schema = `rk_diag_${randomBytes(4).toString('hex')}`;
const s = `"${schema}"`;

const ALL_VARIANTS = {
  none: { append: () => '', notify: '' },
  sequence: { append: (id) => `INSERT INTO ${s}.changes_seq (order_id) VALUES (${id})`, notify: '' },
  'counter lock (chosen)': { append: (id) => `WITH c AS (UPDATE ${s}.counter SET last = last + 1 RETURNING last) INSERT INTO ${s}.changes (seq, order_id) SELECT last, ${id} FROM c`, notify: 'after' },
  'counter lock + NOTIFY inside': { append: (id) => `WITH c AS (UPDATE ${s}.counter SET last = last + 1 RETURNING last) INSERT INTO ${s}.changes (seq, order_id) SELECT last, ${id} FROM c; SELECT pg_notify('rk_diag', '${schema}')`, notify: '' },
  'counter lock + NOTIFY after COMMIT': { append: (id) => `WITH c AS (UPDATE ${s}.counter SET last = last + 1 RETURNING last) INSERT INTO ${s}.changes (seq, order_id) SELECT last, ${id} FROM c`, notify: 'separate' },
  'counter lock + NOTIFY after COMMIT (same round trip)': { append: (id) => `WITH c AS (UPDATE ${s}.counter SET last = last + 1 RETURNING last) INSERT INTO ${s}.changes (seq, order_id) SELECT last, ${id} FROM c`, notify: 'same' },
  'sequence + NOTIFY inside': { append: (id) => `INSERT INTO ${s}.changes_seq (order_id) VALUES (${id}); SELECT pg_notify('rk_diag', '${schema}')`, notify: '' },
};
// `BENCH_VARIANTS=none,sequence` measures only those (names as in the table, comma-separated).
const ONLY = process.env.BENCH_VARIANTS?.split(',').filter(Boolean);
const VARIANTS = Object.fromEntries(Object.entries(ALL_VARIANTS).filter(([name]) => !ONLY || ONLY.includes(name)));

async function setup(admin) {
  await admin.query(`CREATE SCHEMA ${s}`);
  await admin.query(`CREATE TABLE ${s}.orders (id bigint PRIMARY KEY, amount bigint)`);
  await admin.query(`CREATE TABLE ${s}.refunds (id bigint PRIMARY KEY, order_id bigint NOT NULL, status text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
  await admin.query(`CREATE TABLE ${s}.events (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, refund_id bigint NOT NULL, event jsonb NOT NULL)`);
  await admin.query(`CREATE TABLE ${s}.changes_seq (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
  await admin.query(`CREATE TABLE ${s}.changes (seq bigint PRIMARY KEY, order_id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
  await admin.query(`CREATE TABLE ${s}.counter (only_row boolean PRIMARY KEY DEFAULT true, last bigint NOT NULL)`);
  await admin.query(`INSERT INTO ${s}.counter (last) VALUES (0)`);
}

let nextId = 0;
async function writer(client, variant, until) {
  let n = 0;
  while (Date.now() < until) {
    const id = ++nextId;
    await client.query(`BEGIN; INSERT INTO ${s}.orders (id) VALUES (${id}) ON CONFLICT DO NOTHING; SELECT 1 FROM ${s}.orders WHERE id = ${id} FOR UPDATE`);
    const append = variant.append(id);
    await client.query(
      `INSERT INTO ${s}.refunds (id, order_id, status) VALUES (${id}, ${id}, 'unknown'); INSERT INTO ${s}.events (refund_id, event) VALUES (${id}, '{"kind":"reserved"}')${append ? `; ${append}` : ''}; COMMIT${variant.notify === 'same' ? `; SELECT pg_notify('rk_diag', '${schema}')` : ''}`,
    );
    if (variant.notify === 'separate') await client.query(`SELECT pg_notify('rk_diag', '${schema}')`);
    n++;
  }
  return n;
}

async function measure(variant, writers) {
  const clients = await Promise.all(Array.from({ length: writers }, async () => {
    const c = new pg.Client({ connectionString: URL_ });
    await c.connect();
    return c;
  }));
  try {
    const t0 = Date.now();
    const until = t0 + SECONDS * 1000;
    const counts = await Promise.all(clients.map((c) => writer(c, variant, until)));
    return counts.reduce((a, b) => a + b, 0) / ((Date.now() - t0) / 1000);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

const admin = new pg.Client({ connectionString: URL_ });
await admin.connect();
// A listener, so NOTIFY has someone to deliver to (as with a follower).
const listener = new pg.Client({ connectionString: URL_ });
await listener.connect();
await listener.query('LISTEN rk_diag');
try {
  await setup(admin);
  const { rows } = await admin.query('SHOW synchronous_commit');
  console.log(`node ${process.version}, ${availableParallelism()} cores, load ${loadavg()[0].toFixed(2)}, synchronous_commit=${rows[0].synchronous_commit}, ${SECONDS} s per cell`);
  // Rounds cycle through every cell, so a loaded machine's swings fall on all variants alike; medians.
  const samples = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, variant] of Object.entries(VARIANTS)) {
      for (const w of WRITERS) {
        const key = `${name}\u0000${w}`;
        samples.set(key, [...(samples.get(key) ?? []), await measure(variant, w)]);
      }
    }
    console.log(`round ${round + 1} of ${ROUNDS} done, load ${loadavg()[0].toFixed(2)}`);
  }
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const table = Object.keys(VARIANTS).map((name) => Object.fromEntries([['variant', name], ...WRITERS.map((w) => [`${w} writer${w > 1 ? 's' : ''}, tx/s (median)`, Math.round(median(samples.get(`${name}\u0000${w}`)))])]));
  console.table(table);
  console.log(`load at end ${loadavg()[0].toFixed(2)}`);
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => {});
  await admin.end();
  await listener.end();
}
