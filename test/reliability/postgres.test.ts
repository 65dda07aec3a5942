/**
 * Many app instances, one PostgreSQL ledger, one provider (issue #16, "Done when"): processes,
 * each its own facade over the same PostgreSQL schema, refund through the real server against
 * one sandbox, whose books are the judge:
 * - 8 processes × 25 refunds of 10.00 on one order of 100.00: exactly 10 reach the provider,
 *   the rest are refused locally (`OverRefundError`, nothing sent);
 * - 8 processes with one refund id: one refund request reaches the provider;
 * - a process killed (SIGKILL) mid-send: another recovers its refund once the lease expires
 *   (a query, no second request), never under a new number, never refunded twice.
 * Skipped without a PostgreSQL server (REFUNDKIT_TEST_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/test); a failure instead with REFUNDKIT_REQUIRE_PG=1 (CI).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { migratePostgresLedger, openPostgresLedger, redactConnectionString } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accountFor, idFor, providerConfigs, refundInput } from './support.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const WORKER = fileURLToPath(new URL('./pg-refund-worker.mjs', import.meta.url));
const url = process.env['REFUNDKIT_TEST_PG_URL'] || 'postgres://postgres@127.0.0.1:5432/test';

interface PgClient {
  connect(): Promise<void>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
}
async function adminQuery(text: string): Promise<void> {
  const { default: pg } = (await import('pg' as string)) as { default: { Client: new (c: { connectionString: string }) => PgClient } };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Whether the server is there (a migration of a throwaway schema); with REFUNDKIT_REQUIRE_PG=1 its absence fails the suite. */
async function reachable(): Promise<boolean> {
  const probe = `refundkit_probe_${randomBytes(4).toString('hex')}`;
  try {
    await migratePostgresLedger({ connectionString: url }, { schema: probe, connectTimeoutMs: 3000 });
    await adminQuery(`DROP SCHEMA ${probe} CASCADE`);
    return true;
  } catch (error) {
    if (process.env['REFUNDKIT_REQUIRE_PG'] === '1') throw new Error(`REFUNDKIT_REQUIRE_PG=1 but PostgreSQL at ${redactConnectionString(url)} is unreachable: ${(error as Error).message}`);
    return false;
  }
}
const available = await reachable();

let sandbox: Sandbox;
const schemas: string[] = [];
beforeAll(async () => {
  if (available) sandbox = await startSandbox({ delayMs: 0 });
});
afterAll(async () => {
  await sandbox?.close();
  for (const schema of schemas) await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});

async function freshLedger(): Promise<string> {
  const schema = `refundkit_e2e_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  await migratePostgresLedger({ connectionString: url }, { schema });
  return schema;
}

interface WorkerResult {
  readonly refundId: string;
  readonly ok: boolean;
  readonly status?: string;
  readonly failureCode?: string;
  readonly code?: string;
  readonly typed?: boolean;
  readonly message?: string;
}

interface Worker {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly done: Promise<WorkerResult[]>;
}

function startWorker(schema: string, jobs: unknown[], options: Record<string, number> = {}): Worker {
  const env = { ...process.env, REFUNDKIT_PG_WORKER: JSON.stringify({ connectionString: url, schema, providers: { tipay: providerConfigs(sandbox).tipay }, options: { timeoutMs: 15_000, ...options }, jobs }) };
  const proc = spawn(process.execPath, [WORKER], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.startsWith('ready\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`worker exited (${code}) before ready: ${stderr}`)));
  });
  const done = exited.then((code) => {
    if (code !== 0) throw new Error(`worker exited with ${code}: ${stderr}`);
    return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { results: WorkerResult[] }).results;
  });
  done.catch(() => {});
  return { proc, ready, done };
}

async function runTogether(workers: Worker[]): Promise<WorkerResult[][]> {
  try {
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.proc.stdin.end('go\n');
    return await Promise.all(workers.map((w) => w.done));
  } finally {
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
  }
}

/** The refund requests (not queries) the sandbox received about `refundNo`, or about any refund of `prefix`. */
const refundRequests = (match: (refundNo: string) => boolean) => sandbox.requests().filter((r) => r.provider === 'tipay' && r.operation === 'refund' && r.refundNo !== undefined && match(r.refundNo));

describe.skipIf(!available)('PostgreSQL ledger, several processes, one sandbox', () => {
  it('8 processes × 25 refunds of 10.00 on one order of 100.00: exactly 10 reach the provider, the rest refused locally', async () => {
    const schema = await freshLedger();
    const orderId = idFor('tipay', 'PGORD', 1);
    sandbox.addOrder('tipay', { orderId, amount: 10_000 });
    const workers = Array.from({ length: 8 }, (_, w) =>
      startWorker(schema, Array.from({ length: 25 }, (_, i) => refundInput('tipay', orderId, idFor('tipay', `PGW${w}N`, i), 1000, 10_000))),
    );
    const results = (await runTogether(workers)).flat();
    expect(results).toHaveLength(200);
    const accepted = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(accepted).toHaveLength(10);
    expect(accepted.every((r) => r.status === 'pending' || r.status === 'succeeded')).toBe(true);
    expect(refused.every((r) => r.typed && r.code === 'over_refund')).toBe(true);
    // The sandbox's books: 10 refund requests, 10 refunds, the order exactly refunded.
    const prefix = idFor('tipay', 'PGW', 0).slice(0, 5);
    expect(refundRequests((no) => no.startsWith(prefix))).toHaveLength(10);
    expect(sandbox.refunds('tipay', orderId).map((r) => r.refundNo).sort()).toEqual(accepted.map((r) => r.refundId).sort());
    expect(sandbox.refundedTotal('tipay', orderId)).toBe(10_000);
  });

  it('8 processes with one refund id: one request reaches the provider, every process reports that refund', async () => {
    const schema = await freshLedger();
    const orderId = idFor('tipay', 'PGONE', 1);
    sandbox.addOrder('tipay', { orderId, amount: 5000 });
    const refundId = idFor('tipay', 'PGONER', 1);
    const results = (await runTogether(Array.from({ length: 8 }, () => startWorker(schema, [refundInput('tipay', orderId, refundId, 3000, 5000)])))).flat();
    expect(results).toHaveLength(8);
    expect(results.every((r) => r.ok && (r.status === 'pending' || r.status === 'succeeded'))).toBe(true);
    expect(refundRequests((no) => no === refundId)).toHaveLength(1);
    expect(sandbox.refundedTotal('tipay', orderId)).toBe(3000);
  });

  it('a process killed (SIGKILL) mid-send: recovered by another after the lease, by a query, never sent again nor under a new number', async () => {
    const schema = await freshLedger();
    const orderId = idFor('tipay', 'PGKILL', 1);
    sandbox.addOrder('tipay', { orderId, amount: 5000 });
    const refundId = idFor('tipay', 'PGKILLR', 1);
    // The provider records the refund and never answers: the sender is mid-send when it dies.
    sandbox.armFault({ provider: 'tipay', fault: 'timeout-after-commit', refundNo: refundId });
    const lease = { leaseMs: 3_000, inFlightWaitMs: 20_000 };
    const victim = startWorker(schema, [refundInput('tipay', orderId, refundId, 2000, 5000)], lease);
    try {
      await victim.ready;
      victim.proc.stdin.end('go\n');
      await vi.waitFor(() => expect(refundRequests((no) => no === refundId)).toHaveLength(1), { timeout: 30_000, interval: 50 });
      victim.proc.kill('SIGKILL');
      await new Promise((resolve) => victim.proc.once('exit', resolve));
    } finally {
      if (victim.proc.exitCode === null) victim.proc.kill('SIGKILL');
    }

    const survivor = (await runTogether([startWorker(schema, [refundInput('tipay', orderId, refundId, 2000, 5000)], lease)]))[0]![0]!;
    expect(survivor).toMatchObject({ refundId, ok: true });
    expect(['pending', 'succeeded']).toContain(survivor.status);
    // One refund request (the victim's), recovered by a query; one refund on the order.
    expect(refundRequests((no) => no === refundId)).toHaveLength(1);
    expect(sandbox.requests().some((r) => r.operation === 'queryRefund' && r.refundNo === refundId)).toBe(true);
    expect(sandbox.refunds('tipay', orderId).map((r) => r.refundNo)).toEqual([refundId]);
    expect(sandbox.refundedTotal('tipay', orderId)).toBe(2000);
    // The ledger's history: the victim's attempt, then the survivor's recovery of the same refund (attempt 2), never a new one.
    const ledger = await openPostgresLedger({ connectionString: url }, { schema });
    try {
      const key = { provider: 'tipay' as const, account: accountFor(sandbox, 'tipay'), refundId };
      expect((await ledger.history(key)).map((e) => [e.kind, e.attempt, e.source ?? null])).toEqual([
        ['reserved', 1, null],
        ['recovered', 2, null],
        ['answer', 2, 'query'],
      ]);
      expect(await ledger.get(key)).toMatchObject({ attempts: 2, providerMayKnow: true });
    } finally {
      await ledger.close();
    }
  });
});
