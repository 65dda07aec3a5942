/**
 * Refund truth under database faults (issue 19): 40 `refundkit refund` processes with a
 * PostgreSQL ledger, against the sandbox, while the database misbehaves:
 * 1. 20 refunds while a loop terminates every session of the ledger's database every 0.05–0.4 s;
 * 2. 12 refunds through a TCP proxy in front of PostgreSQL that is dropped (every connection cut,
 *    nothing listening) and restarted on the same port, twice, mid-run ("a server restart");
 * 3. 8 slow refunds (the sandbox answers after 1.2 s) whose ledger row another session locks
 *    (`SELECT … FOR UPDATE`) while the request is in flight: the answer cannot be recorded within
 *    the ledger's statement timeout (1 s, `?statement_timeout=`). Four locks are released 2.5 s
 *    after the answer could have been recorded (the facade's retries then record it); four are
 *    held until the process gives up: sent, not recorded, exit 3.
 *
 * What each process says is checked against the sandbox's books, the provider's truth: an exit 1
 * (or 2) means nothing reached the provider; an exit 0 or 4 means it did. Then the faults stop
 * and the same 40 commands run again, same refund ids: every refund ends in the state the
 * provider holds, each refund number reached the provider once, and no order is refunded beyond
 * its amount. A password in the ledger's URL (the server trusts local connections and ignores
 * it) never appears in anything the processes print.
 *
 * The ledger lives in a database of its own, created here and dropped after, so terminating its
 * sessions touches no other test. Skipped without a PostgreSQL server (REFUNDKIT_TEST_PG_URL,
 * default postgres://postgres@127.0.0.1:5432/test); a failure instead with REFUNDKIT_REQUIRE_PG=1.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migratePostgresLedger, redactConnectionString } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { idFor, OPTIONS, PROVIDERS, providerConfigs, type Provider } from '../reliability/support.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'refundkit.js');
const baseUrl = process.env['REFUNDKIT_TEST_PG_URL'] || 'postgres://postgres@127.0.0.1:5432/test';
/** In the ledger's URL only: trust authentication ignores it; it must never be printed. */
const PASSWORD = `rkfault${randomBytes(6).toString('hex')}`;
/** The ledger's statement timeout, lock waits included: a lock held longer fails the statement. */
const STATEMENT_TIMEOUT_MS = 1000;
/** Each exchange with the provider (above the slow answer); the lease is 2 × 2 s + 5 s. */
const CLI_TIMEOUT = '2s';
const SLOW_ANSWER_MS = 1200;

interface PgClient {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  release(): void;
}
interface PgPool {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: 'error', listener: () => void): unknown;
}
const { default: pg } = (await import('pg' as string)) as { default: { Pool: new (c: { connectionString: string; max?: number; connectionTimeoutMillis?: number }) => PgPool } };

/** The server's URL with another database (and port, user, password). */
function urlWith(change: { database?: string; port?: number; password?: string; params?: Record<string, string> }): string {
  const url = new URL(baseUrl);
  url.username ||= 'postgres';
  if (change.database) url.pathname = `/${change.database}`;
  if (change.port) url.port = String(change.port);
  if (change.password) url.password = change.password;
  for (const [key, value] of Object.entries(change.params ?? {})) url.searchParams.set(key, value);
  return url.toString();
}

async function reachable(): Promise<PgPool | null> {
  const pool = new pg.Pool({ connectionString: baseUrl, max: 4, connectionTimeoutMillis: 3000 });
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (error) {
    await pool.end().catch(() => {});
    if (process.env['REFUNDKIT_REQUIRE_PG'] === '1') throw new Error(`REFUNDKIT_REQUIRE_PG=1 but PostgreSQL at ${redactConnectionString(baseUrl)} is unreachable: ${(error as Error).message}`);
    return null;
  }
}
const admin = await reachable();

const database = `refundkit_faults_${randomBytes(4).toString('hex')}`;
let sandbox: Sandbox;
let dir: string;
let config: string;
/** A pool on the ledger's own database: blockers and the final look at the ledger. */
let ledgerDb: PgPool;

beforeAll(async () => {
  if (!admin) return;
  await admin.query(`CREATE DATABASE ${database}`);
  await migratePostgresLedger({ connectionString: urlWith({ database }) });
  ledgerDb = new pg.Pool({ connectionString: urlWith({ database }), max: 10 });
  ledgerDb.on('error', () => {});
  sandbox = await startSandbox({ delayMs: 0 });
  dir = await mkdtemp(join(tmpdir(), 'refundkit-db-faults-'));
  config = join(dir, 'refundkit.config.json');
  await writeFile(config, JSON.stringify({ providers: providerConfigs(sandbox) }));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await sandbox?.close();
  await ledgerDb?.end().catch(() => {});
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The refunds and the processes
// ---------------------------------------------------------------------------------------------

interface Job {
  readonly phase: 'terminations' | 'restart' | 'row-lock';
  readonly provider: Provider;
  readonly orderId: string;
  readonly refundId: string;
}

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

const children = new Set<ReturnType<typeof spawn>>();

/** `refundkit refund … --json` for `job`, through the ledger at `ledgerUrl`, as a process of its own. */
function refundkit(job: Job, ledgerUrl: string, extra: readonly string[] = []): Promise<Run> {
  const options = Object.entries(OPTIONS[job.provider]).flatMap(([k, v]) => ['--option', `${k}=${v}`]);
  const args = [BIN, 'refund', '--provider', job.provider, '--order', job.orderId, '--refund-id', job.refundId, '--amount', '25.00', '--order-amount', '100.00', ...options, '--config', config, '--ledger', ledgerUrl, '--timeout', CLI_TIMEOUT, '--json', ...extra];
  const child = spawn(process.execPath, args, { cwd: dir, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  // Far above any run here (the longest retry a write for 10 s, or wait out a lease, 9 s): a hung process fails the test, never hangs it.
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(guard);
      children.delete(child);
      resolve({ code, out, err });
    }),
  );
}

/** Runs `work` over `items`, at most `width` at a time, keeping the order of `items`. */
async function pooled<T, R>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

/**
 * `count` refunds of 25.00, `perOrder` on each order of 100.00 (4: the order's lock contended and
 * its amount exactly used), the providers in turn.
 */
function jobsFor(phase: Job['phase'], tag: string, count: number, perOrder = 4): Job[] {
  const jobs: Job[] = [];
  for (let i = 0; i < count; i++) {
    const provider = PROVIDERS[Math.floor(i / perOrder) % PROVIDERS.length]!;
    // 14 characters: yima wants at least 13, eftpay at most 28.
    const orderId = idFor(provider, `${tag}ORD`, Math.floor(i / perOrder));
    if (i % perOrder === 0) sandbox.addOrder(provider, { orderId, amount: 10_000 });
    jobs.push({ phase, provider, orderId, refundId: idFor(provider, `${tag}REF`, i) });
  }
  return jobs;
}

/** A seeded generator (mulberry32): the same intervals on every run, whatever the timing does with them. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The faults
// ---------------------------------------------------------------------------------------------

/** Terminates every session of the ledger's database every 0.05–0.4 s until stopped; counts what it ended. */
function startTerminator(): { stop: () => Promise<number> } {
  let running = true;
  let terminated = 0;
  const random = seeded(19);
  const loop = (async () => {
    while (running) {
      await sleep(50 + Math.floor(random() * 350));
      const { rows } = await admin!.query<{ ended: string }>(`SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS ended FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
      terminated += Number(rows[0]?.ended ?? 0);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return terminated;
    },
  };
}

/** A TCP proxy on 127.0.0.1 in front of PostgreSQL that can be dropped (every connection cut, the port closed) and restarted on the same port. */
async function startProxy(): Promise<{ port: number; live: () => number; drop: () => Promise<number>; restart: () => Promise<void>; close: () => Promise<void> }> {
  const target = new URL(baseUrl);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = async (port: number): Promise<number> => {
    const created = createServer((client) => {
      const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => created.once('error', reject).listen(port, '127.0.0.1', resolve));
    server = created;
    return (created.address() as AddressInfo).port;
  };
  const port = await listen(0);
  const drop = async (): Promise<number> => {
    const cut = sockets.size / 2;
    const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const socket of sockets) socket.destroy();
    await closing;
    server = undefined;
    return cut;
  };
  return { port, live: () => sockets.size / 2, drop, restart: async () => void (await listen(port)), close: async () => void (await drop()) };
}

/**
 * Waits until `job`'s reservation is in the ledger, then locks its row in a transaction of its
 * own; returns whether the answer was still unrecorded when the lock was taken (the lease still
 * held: the process's update must then wait for the lock), and the release. Gives up when the
 * process ended first (`ended()`).
 */
async function lockReservedRow(job: Job, ended: () => boolean): Promise<{ beforeAnswer: boolean; release: () => Promise<void> }> {
  const client = await ledgerDb.connect();
  try {
    while (!ended()) {
      await client.query('BEGIN');
      const { rows } = await client.query<{ held: boolean }>(`SELECT lease_holder IS NOT NULL AS held FROM refundkit.refunds WHERE provider = $1 AND refund_id = $2 FOR UPDATE`, [job.provider, job.refundId]);
      if (rows[0]) {
        let released = false;
        return {
          beforeAnswer: rows[0].held,
          // Once, whoever calls it first (a timer, or the process's end).
          release: async () => {
            if (released) return;
            released = true;
            await client.query('ROLLBACK');
            client.release();
          },
        };
      }
      await client.query('ROLLBACK');
      await sleep(10);
    }
    client.release();
    return { beforeAnswer: false, release: async () => {} };
  } catch (error) {
    client.release();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The judge
// ---------------------------------------------------------------------------------------------

interface Outcome {
  readonly job: Job;
  readonly run: Run;
  /** The refund requests with this number the provider accepted. */
  readonly atProvider: number;
}

/** What the CLI printed as the refund (stdout, --json), if it printed one. */
const printed = (run: Run): { status: string } | undefined => (run.out.trim() ? (JSON.parse(run.out.trim().split('\n').at(-1)!) as { status: string }) : undefined);

/** Each process's word against the provider's books, right after it exited. */
function judge(outcome: Outcome): void {
  const { job, run, atProvider } = outcome;
  const where = `${job.phase} ${job.provider} ${job.refundId}: exit ${run.code}\n${run.err}`;
  expect([0, 1, 3, 4], where).toContain(run.code);
  expect(run.out + run.err, where).not.toContain(PASSWORD);
  if (run.code === 1) {
    // "Nothing sent" must be true: the provider never saw this refund number.
    expect(atProvider, where).toBe(0);
    expect(sandbox.refund(job.provider, job.refundId), where).toBeUndefined();
    expect(run.err, where).toMatch(/nothing was sent/);
  }
  if (run.code === 0 || run.code === 4) {
    expect(atProvider, where).toBe(1);
    expect(printed(run)?.status, where).toBe(run.code === 0 ? 'succeeded' : 'pending');
  }
  if (run.code === 3 && !printed(run)) {
    // Thrown, not printed: a request was sent and its answer not recorded; the command that resolves it is named.
    expect(run.err, where).toMatch(/may have refunded .* the ledger holds the refund as unknown/);
    expect(run.err, where).toContain(`--refund-id ${job.refundId}`);
  }
}

/** What a run ended with, for the figures: the status it printed, or the kind of error. */
function kindOf(run: Run): string {
  const refund = printed(run);
  if (refund) return `exit ${run.code}, ${refund.status}`;
  if (/may have refunded/.test(run.err)) return `exit ${run.code}, sent but not recorded`;
  if (/may or may not be recorded/.test(run.err)) return `exit ${run.code}, ledger lost while committing the reservation, nothing sent`;
  if (/nothing was sent/.test(run.err)) return `exit ${run.code}, ledger error before sending`;
  return `exit ${run.code}, ${run.err.split('\n').at(-2) ?? ''}`;
}

function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { run } of outcomes) counts[kindOf(run)] = (counts[kindOf(run)] ?? 0) + 1;
  return counts;
}

const runOnce = async (job: Job, url: string): Promise<Outcome> => {
  const run = await refundkit(job, url);
  return { job, run, atProvider: sandbox.requestsReceived(job.provider, job.refundId) };
};

describe.skipIf(!admin)('refund truth under database faults: 40 CLI refunds, a PostgreSQL ledger', () => {
  const all: Outcome[] = [];
  const figures: Record<string, unknown> = {};
  const direct = (): string => urlWith({ database, password: PASSWORD, params: { statement_timeout: String(STATEMENT_TIMEOUT_MS) } });

  it('1. sessions terminated at random every 0.05–0.4 s: every "nothing sent" is true', async () => {
    const jobs = jobsFor('terminations', 'T', 20);
    const terminator = startTerminator();
    let outcomes: Outcome[];
    try {
      outcomes = await pooled(jobs, 4, (job) => runOnce(job, direct()));
    } finally {
      figures['sessions terminated'] = await terminator.stop();
    }
    all.push(...outcomes);
    figures['terminations'] = tally(outcomes);
    expect(figures['sessions terminated']).toBeGreaterThan(0);
    for (const outcome of outcomes) judge(outcome);
  });

  it('2. the server "restarts" (a proxy dropped and restarted, twice) mid-run: every "nothing sent" is true', async () => {
    const jobs = jobsFor('restart', 'P', 12);
    const proxy = await startProxy();
    const url = urlWith({ database, port: proxy.port, password: PASSWORD, params: { statement_timeout: String(STATEMENT_TIMEOUT_MS) } });
    const cuts: number[] = [];
    let started = 0;
    let outcomes: Outcome[];
    try {
      const restarts = (async () => {
        for (const at of [3, 8]) {
          // Dropped once `at` processes have started and some hold a connection (or 3 s passed:
          // then the drop refuses new connections only), while others are in the middle of theirs.
          await vi.waitFor(() => expect(started).toBeGreaterThanOrEqual(at), { timeout: 60_000, interval: 10 });
          const until = Date.now() + 3000;
          while (proxy.live() === 0 && Date.now() < until) await sleep(5);
          cuts.push(await proxy.drop());
          await sleep(800);
          await proxy.restart();
        }
      })();
      outcomes = await pooled(jobs, 4, (job) => (started++, runOnce(job, url)));
      await restarts;
    } finally {
      await proxy.close();
    }
    all.push(...outcomes);
    figures['restart'] = { ...tally(outcomes), 'connections cut at each drop': cuts };
    for (const outcome of outcomes) judge(outcome);
  });

  it('3. a row lock held past the statement timeout while a slow refund is in flight: recorded once it is released, else sent-not-recorded (exit 3)', async () => {
    // One refund per order: a process waiting on the locked row holds its order's lock meanwhile,
    // and a second refund of that order would time out behind it, which is phase 1's business.
    const jobs = jobsFor('row-lock', 'L', 8, 1);
    for (const job of jobs) sandbox.armFault({ provider: job.provider, fault: 'slow', refundNo: job.refundId, ms: SLOW_ANSWER_MS });
    const outcomes = await Promise.all(
      jobs.map(async (job, i) => {
        // Even: released 2.5 s after the answer arrives (past the 1 s statement timeout, within the
        // facade's retries of the write): recorded late. Odd: held until the process gives up.
        const releasedEarly = i % 2 === 0;
        let ended = false;
        const running = refundkit(job, direct()).finally(() => (ended = true));
        const lock = await lockReservedRow(job, () => ended);
        if (releasedEarly) await Promise.race([running, sleep(SLOW_ANSWER_MS + 2500)]).finally(lock.release);
        const run = await running.finally(lock.release);
        return { outcome: { job, run, atProvider: sandbox.requestsReceived(job.provider, job.refundId) }, beforeAnswer: lock.beforeAnswer, releasedEarly };
      }),
    );
    all.push(...outcomes.map((o) => o.outcome));
    figures['row-lock'] = {
      'released after 2.5 s': tally(outcomes.filter((o) => o.releasedEarly).map((o) => o.outcome)),
      'held until the process gave up': tally(outcomes.filter((o) => !o.releasedEarly).map((o) => o.outcome)),
      'locked before the answer': outcomes.filter((o) => o.beforeAnswer).length,
    };
    for (const { outcome, beforeAnswer, releasedEarly } of outcomes) {
      judge(outcome);
      expect(outcome.atProvider).toBe(1);
      if (!beforeAnswer) continue;
      // Locked before the answer was recorded: while the lock holds, the answer cannot be.
      if (releasedEarly) expect([0, 4], outcome.run.err).toContain(outcome.run.code);
      else expect(outcome.run.code, outcome.run.err).toBe(3);
    }
    expect(outcomes.filter((o) => o.beforeAnswer).length).toBeGreaterThan(0);
  });

  it('then, the faults stopped, the same 40 commands again: each refund in the provider’s state, sent once, no order over its amount', async () => {
    expect(all).toHaveLength(40);
    const reruns = await pooled(all, 6, async ({ job }) => ({ job, run: await refundkit(job, direct(), ['--wait']) }));
    const final: Record<string, number> = {};
    for (const { job, run } of reruns) {
      const where = `${job.phase} ${job.provider} ${job.refundId}: exit ${run.code}\n${run.err}`;
      const refund = printed(run);
      const atProvider = sandbox.refund(job.provider, job.refundId);
      expect(run.out + run.err, where).not.toContain(PASSWORD);
      // Every refund reached the provider once: the first run, or this one for those that sent nothing.
      expect(sandbox.requestsReceived(job.provider, job.refundId), where).toBe(1);
      expect(atProvider?.phase, where).toBe('succeeded');
      expect(run.code, where).toBe(0);
      expect(refund?.status, where).toBe(atProvider?.phase);
      final[`${job.phase}: ${refund?.status}`] = (final[`${job.phase}: ${refund?.status}`] ?? 0) + 1;
    }
    figures['after the rerun'] = final;
    // The ledger agrees with what the processes printed, and every order is refunded exactly once over.
    const { rows } = await ledgerDb.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM refundkit.refunds GROUP BY status`);
    expect(rows).toEqual([{ status: 'succeeded', n: '40' }]);
    const perOrder = new Map<string, number>();
    for (const { job } of all) perOrder.set(`${job.provider} ${job.orderId}`, (perOrder.get(`${job.provider} ${job.orderId}`) ?? 0) + 2500);
    for (const [order, total] of perOrder) {
      const [provider, id] = order.split(' ') as [Provider, string];
      expect(total, order).toBeLessThanOrEqual(10_000);
      expect(sandbox.refundedTotal(provider, id), order).toBe(total);
    }
    expect(sandbox.errors()).toEqual([]);
    console.log(`database faults, 40 CLI refunds: ${JSON.stringify(figures, null, 1)}`);
  });
});
