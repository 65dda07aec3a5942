/**
 * The queue in one process against the sandbox and a real PostgreSQL: rows enqueued in the
 * transaction of their reservations, a worker that takes each reservation over (one refund request
 * a row, `taken_over` in its history), a second enqueue of the same run that adds no job for rows
 * already done, and a job whose reservation another sender holds waiting for it instead of sending.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { createRefunds, migratePostgresLedger, openPostgresLedger, type PostgresLedger, type ProviderConfigs, type RefundInput, type Refunds } from '@refundkit/refunds';
import { enqueueBatch, followRun, migrateQueue, startQueueWorker } from '../src/index.js';

const PG_URL = process.env['REFUNDKIT_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `queue_test_${randomBytes(5).toString('hex')}`;
const queueSchema = `${schema}_queue`;
let sandbox: Sandbox;
let pool: pg.Pool;
let ledger: PostgresLedger;
let refunds: Refunds;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: false });
  pool = new pg.Pool({ connectionString: PG_URL, max: 8 });
  pool.on('error', () => undefined);
  await migratePostgresLedger({ connectionString: PG_URL }, { schema });
  await migrateQueue(pool, queueSchema);
  ledger = await openPostgresLedger({ connectionString: PG_URL }, { schema, poolSize: 8 });
  const c = sandbox.credentials;
  refunds = createRefunds({ providers: { tipay: { baseUrl: sandbox.urls.tipay, appId: c.tipay.appId, appKey: c.tipay.appKey, merchantNo: c.tipay.merchantNo } } as ProviderConfigs, ledger, timeoutMs: 2_000 });
});
afterAll(async () => {
  await refunds?.close();
  await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${queueSchema}" CASCADE`);
  await pool?.end();
  await sandbox?.close();
});

function rows(n: number): RefundInput[] {
  const tag = randomBytes(3).toString('hex').toUpperCase();
  return Array.from({ length: n }, (_, i) => {
    const orderId = `TPQ${tag}${String(i).padStart(8, '0')}`;
    sandbox.addOrder('tipay', { orderId, amount: 1_000 });
    return { provider: 'tipay', orderId, refundId: `TPR${tag}${String(i).padStart(8, '0')}`, amount: 100, currency: 'CNY', orderAmount: 1_000 } as RefundInput;
  });
}

const enqueue = async (input: RefundInput[], batch: string) => {
  const plan = await refunds.batch(input, { dryRun: true, batch });
  return enqueueBatch(plan.rows.map((p, i) => ({ input: input[i]!, plan: p })), { pool, ledger, refunds, schema: queueSchema, batch, chunkSize: 7 });
};

describe('@refundkit/queue', () => {
  it('enqueues with the reservations, in chunks; a worker takes each over and sends it once; enqueuing again adds nothing for done rows', async () => {
    const input = rows(20);
    const first = await enqueue(input, 'q-run-1');
    expect(first).toMatchObject({ enqueued: 20, done: 0, outcomes: { new: 20 } });
    // Reserved (unknown, held by the enqueuer) and queued, nothing sent yet.
    const held = await ledger.get({ provider: 'tipay', account: sandbox.credentials.tipay.merchantNo, refundId: input[0]!.refundId });
    expect(held).toMatchObject({ status: 'unknown', batch: 'q-run-1', lease: { holder: expect.stringMatching(/^queue:/) } });
    expect(sandbox.requestsReceived('tipay', input[0]!.refundId)).toBe(0);

    const worker = await startQueueWorker({ pool, schema: queueSchema, refunds, concurrency: 4, limits: { tipay: { perSecond: 200, concurrency: 4 } }, pollMs: 200 });
    try {
      const state = await followRun({ pool, schema: queueSchema, ledger, batch: 'q-run-1', everyMs: 100 });
      expect(state.jobsLeft).toBe(0);
      expect(state.summary?.total).toBe(20);
      for (const row of input) expect(sandbox.requestsReceived('tipay', row.refundId)).toBe(1);
      const history = await ledger.history({ provider: 'tipay', account: sandbox.credentials.tipay.merchantNo, refundId: input[3]!.refundId });
      expect(history.map((e) => e.kind).slice(0, 3)).toEqual(['reserved', 'taken_over', 'answer']);
      // Settle the pending ones, then enqueue the run again: no job for a succeeded row.
      for (const row of input) await refunds.waitFor(row, { timeoutMs: 5_000, intervalMs: 20 });
      const again = await enqueue(input, 'q-run-1');
      expect(again).toMatchObject({ enqueued: 0, done: 20 });
    } finally {
      await worker.stop();
    }
  }, 60_000);

  it('a job whose refund another sender holds does not send it: it waits for that sender', async () => {
    const [row] = rows(1);
    await enqueue([row!], 'q-run-2');
    // Another sender took the refund first (e.g. the job was delivered twice): the enqueuer's holder no longer holds it.
    const other = await ledger.reserve({ key: { provider: 'tipay', account: sandbox.credentials.tipay.merchantNo, orderId: row!.orderId, refundId: row!.refundId }, amount: 100, currency: 'CNY', takeOver: (await ledger.get({ provider: 'tipay', account: sandbox.credentials.tipay.merchantNo, refundId: row!.refundId }))!.lease!.holder, lease: { holder: 'someone-else', ttlMs: 60_000 } });
    expect(other.outcome).toBe('new');
    const worker = await startQueueWorker({ pool, schema: queueSchema, refunds, concurrency: 1, pollMs: 200 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(sandbox.requestsReceived('tipay', row!.refundId)).toBe(0);
      const refund = await ledger.get({ provider: 'tipay', account: sandbox.credentials.tipay.merchantNo, refundId: row!.refundId });
      expect(refund?.lease?.holder).toBe('someone-else');
    } finally {
      await worker.stop();
    }
  }, 30_000);
});
