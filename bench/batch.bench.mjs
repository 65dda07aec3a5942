// 11. Mass refunds (issue 22): rows per second of a batch against the stub provider, against a
// bare loop sending the same requests (no ledger, no queue) in the same run.
//
//   npx turbo run build --output-logs=errors-only && node bench/batch.bench.mjs
//
// N rows (BENCH_BATCH_ROWS, default 10 000) spread over the five providers, each on its own order,
// refunding 0.01 (what the bare clients send). The stub (lib/stub-server.mjs, a process of its
// own) answers every refund with its provider's canned answer.
// - bare: the bare clients (lib/bare-clients.mjs), CONCURRENCY requests in flight.
// - one process: `refunds.batch(rows)` with the PostgreSQL ledger (a fresh schema), run
//   concurrency CONCURRENCY, each lane CONCURRENCY in flight, no rate cap: every row checked
//   (the contract, prepared and signed; the ledger read), then reserved, sent and recorded.
// - queue, 1, 2 and 4 workers: `refundkit worker` processes (CONCURRENCY in flight in all, shared
//   among them: --concurrency CONCURRENCY / workers each, as the bare loop has CONCURRENCY),
//   started first; then `enqueueBatch` (the rows checked by a dry run, then reservations and jobs
//   in chunks of 250 per transaction) and the run followed until no job is left. The figure is
//   N over the time from the check to the last row recorded.
// The per-row cost of the queue is the enqueue alone (check excluded), µs per row. No rounds:
// one run of each (the whole is slow on a loaded machine); the ratio is refundkit / bare.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createRefunds, migratePostgresLedger, openPostgresLedger } from '@refundkit/refunds';
import { enqueueBatch, followRun, migrateQueue } from '@refundkit/queue';
import { Secret } from '@refundkit/signing';
import { createBareClient } from './lib/bare-clients.mjs';
import { CREDENTIALS, idSource, PROVIDERS, REFUND_EXTRAS } from './lib/fixtures.mjs';
import { log, row, suite } from './lib/common.mjs';
import { startStub } from './lib/stub.mjs';

const N = Number(process.env.BENCH_BATCH_ROWS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PG_URL = process.env.REFUNDKIT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIN = fileURLToPath(new URL('../packages/cli/bin/refundkit.js', import.meta.url));

function providerConfig(provider, baseUrl, secret = true) {
  const c = CREDENTIALS[provider];
  const s = (v) => (secret ? new Secret(v) : v);
  switch (provider) {
    case 'tipay':
      return { baseUrl, appId: c.appId, appKey: s(c.appKey), merchantNo: c.merchantNo };
    case 'eftpay':
      return { baseUrl, userConfirmKey: c.userConfirmKey, secretCode: s(c.secretCode), currency: 'HKD' };
    case 'lianke':
      return { baseUrl, storeNo: c.storeNo, operator: c.operator };
    case 'yima':
      return { baseUrl: `${baseUrl}/ipos`, isspid: c.isspid, systemId: c.systemId, posId: c.posId, storeId: c.storeId };
    case 'easypay':
      return { baseUrl, mchtCode: c.mchtCode, privateKey: s(c.merchantPrivateKeyPem), easypayPublicKey: c.easypayPublicKeyPem };
  }
}

function makeRows(prefix) {
  const refundId = idSource(`${prefix}R`);
  const orderId = idSource(`${prefix}O`);
  return Array.from({ length: N }, (_, i) => {
    const provider = PROVIDERS[i % PROVIDERS.length];
    const extras = REFUND_EXTRAS[provider];
    return { provider, orderId: orderId(), refundId: refundId(), amount: 1, currency: extras.currency, ...(extras.options ? { options: extras.options } : {}) };
  });
}

async function pooled(items, work) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
  return items.length / ((performance.now() - t0) / 1000);
}

async function freshSchema(admin) {
  const schema = `bench_batch_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await migratePostgresLedger({ connectionString: PG_URL }, { schema });
  return { schema, drop: () => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`) };
}

function startWorker(dir, config, url, concurrency) {
  const child = spawn(process.execPath, [BIN, 'worker', '--config', config, '--ledger', url, '--concurrency', String(concurrency)], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ready = new Promise((resolve, reject) => {
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
      if (err.includes('worker started')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${err}`)));
  });
  return { ready, stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))) };
}

await suite(async () => {
  const stub = await startStub();
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'refundkit-bench-batch-'));
  const providers = Object.fromEntries(PROVIDERS.map((p) => [p, providerConfig(p, stub.baseUrl)]));
  const fast = Object.fromEntries(PROVIDERS.map((p) => [p, { concurrency: CONCURRENCY, perSecond: 100_000, onePerOrder: false }]));
  const configFile = join(dir, 'refundkit.config.json');
  writeFileSync(configFile, JSON.stringify({ providers: Object.fromEntries(PROVIDERS.map((p) => [p, providerConfig(p, stub.baseUrl, false)])), batch: { limits: fast } }));
  const rows = [];
  try {
    // bare
    const clients = Object.fromEntries(PROVIDERS.map((p) => [p, createBareClient(p, p === 'yima' ? `${stub.baseUrl}/ipos` : stub.baseUrl)]));
    const bare = await pooled(makeRows('bb'), (r) => clients[r.provider](r.refundId, r.orderId));
    log(`bare loop: ${bare.toFixed(0)} rows/s (${N} rows, ${CONCURRENCY} in flight)`);

    // one process, PostgreSQL ledger
    {
      const { schema, drop } = await freshSchema(admin);
      const ledger = await openPostgresLedger({ connectionString: PG_URL }, { schema, poolSize: CONCURRENCY + 2 });
      const refunds = createRefunds({ providers, ledger });
      const input = makeRows('bp');
      const t0 = performance.now();
      const result = await refunds.batch(input, { concurrency: CONCURRENCY, limits: fast });
      const rate = N / ((performance.now() - t0) / 1000);
      if (result.counts.succeeded + result.counts.pending !== N) throw new Error(`one process: ${JSON.stringify(result.counts)}`);
      log(`one process: ${rate.toFixed(0)} rows/s`);
      rows.push(row({ name: `batch: one process, PostgreSQL ledger, ${N} rows`, unit: 'rows/s', refundkit: rate, bare, higherIsBetter: true, target: 0.7 }));
      await refunds.close();
      await drop();
    }

    // the queue, 1, 2 and 4 workers
    for (const workers of [1, 2, 4]) {
      const { schema, drop } = await freshSchema(admin);
      const url = `${PG_URL}?schema=${schema}`;
      const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
      pool.on('error', () => undefined);
      pool.on('connect', (client) => client.on('error', () => undefined));
      await migrateQueue(pool, `${schema}_queue`);
      const started = Array.from({ length: workers }, () => startWorker(dir, configFile, url, Math.max(1, Math.round(CONCURRENCY / workers))));
      await Promise.all(started.map((w) => w.ready));
      const ledger = await openPostgresLedger({ connectionString: PG_URL }, { schema, poolSize: 4 });
      const refunds = createRefunds({ providers, ledger });
      const input = makeRows(`q${workers}`);
      const t0 = performance.now();
      const plan = await refunds.batch(input, { dryRun: true, batch: `bench-${workers}` });
      const t1 = performance.now();
      await enqueueBatch(plan.rows.map((p, i) => ({ input: input[i], plan: p })), { pool, ledger, refunds, schema: `${schema}_queue`, batch: `bench-${workers}` });
      const t2 = performance.now();
      const state = await followRun({ pool, schema: `${schema}_queue`, ledger, batch: `bench-${workers}`, everyMs: 100 });
      const t3 = performance.now();
      const done = (state.summary?.statuses.succeeded.count ?? 0) + (state.summary?.statuses.pending.count ?? 0);
      if (done !== N) throw new Error(`${workers} workers: ${JSON.stringify(state)}`);
      const rate = N / ((t3 - t0) / 1000);
      log(`${workers} worker(s): ${rate.toFixed(0)} rows/s end to end (check ${((t1 - t0) / 1000).toFixed(1)} s, enqueue ${((t2 - t1) / 1000).toFixed(1)} s, ${(((t2 - t1) * 1000) / N).toFixed(0)} µs/row)`);
      rows.push(row({ name: `batch: queue, ${workers} worker${workers > 1 ? 's' : ''}, ${N} rows, end to end`, unit: 'rows/s', refundkit: rate, bare, higherIsBetter: true, target: 0.7 }));
      if (workers === 4) rows.push(row({ name: `batch: queue, enqueue (reservation + job, 250 per transaction)`, unit: 'µs/row', refundkit: ((t2 - t1) * 1000) / N, bare: (1e6 / bare), higherIsBetter: false }));
      await Promise.all(started.map((w) => w.stop()));
      await refunds.close();
      await pool.end();
      await drop();
    }
  } finally {
    await stub.close();
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
});
