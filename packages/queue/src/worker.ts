// `refundkit worker`: runs batch jobs until told to stop. Each job is one row, sent through the
// facade's own `refund` (every ledger rule holds), taking over the reservation its enqueuer made
// (`takeOver`). Correctness never rests on the queue: a job delivered twice, or again after a
// worker died mid-send, meets the ledger's lease (in flight: waited for) or its same-number rule
// (an unknown refund is recovered by a query first), so no refund is sent twice.
import { EventEmitter } from 'node:events';
import { run, type Runner, type Task, type WorkerEvents } from 'graphile-worker';
import { DEFAULT_LANE_LIMIT, type LaneLimit, type ProviderKey, type Refund, type Refunds } from '@refundkit/refunds';
import type { Pool, PoolClient } from 'pg';
import type { RefundJob } from './job.js';
import { takeStart } from './lane-slots.js';
import { quietLogger, quoted, REFUND_TASK, sweepDeadWorkers } from './queue-schema.js';

export interface QueueWorkerOptions {
  readonly pool: Pool;
  readonly schema: string;
  /** The facade the rows are sent through; its ledger must be the PostgreSQL ledger the enqueuer wrote. */
  readonly refunds: Refunds;
  /** Jobs at once in this process (default 8). */
  readonly concurrency?: number | undefined;
  /**
   * Per provider: `perSecond` holds across every worker (a start instant per account in
   * PostgreSQL); `concurrency` is per worker process and per account. Defaults: `DEFAULT_LANE_LIMIT`.
   */
  readonly limits?: Readonly<Partial<Record<ProviderKey, LaneLimit>>> | undefined;
  /** How often to look for jobs scheduled later and for killed workers' jobs (default 1000 ms). */
  readonly pollMs?: number | undefined;
  /** Each row's end, as this worker recorded it. */
  readonly onRow?: ((job: RefundJob, refund: Refund) => void) | undefined;
}

export interface QueueWorker {
  /** Stops taking jobs, finishes those it holds, then releases its connections. */
  stop(): Promise<void>;
  /** Settles when the worker has stopped. */
  readonly done: Promise<void>;
}

/** A tiny counting semaphore per lane (this process's share of an account's concurrency). */
class LaneSlots {
  readonly #free = new Map<string, number>();
  readonly #waiting = new Map<string, (() => void)[]>();
  async acquire(lane: string, size: number): Promise<void> {
    const free = this.#free.get(lane) ?? size;
    if (free > 0) return void this.#free.set(lane, free - 1);
    this.#free.set(lane, 0);
    await new Promise<void>((resolve) => (this.#waiting.get(lane) ?? this.#waiting.set(lane, []).get(lane)!).push(resolve));
  }
  release(lane: string): void {
    const next = this.#waiting.get(lane)?.shift();
    if (next) next();
    else this.#free.set(lane, (this.#free.get(lane) ?? 0) + 1);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a worker: registers it (so a killed one is swept), then runs jobs until `stop`. */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { pool, schema } = options;
  const s = quoted(schema);
  // Held for the worker's life: its backend pid is how others know this process is alive.
  const presence: PoolClient = await pool.connect();
  const ids: string[] = [];
  const register = async (id: string): Promise<void> => {
    ids.push(id);
    await presence.query(`INSERT INTO ${s}.refundkit_workers (worker_id, backend_pid) VALUES ($1, pg_backend_pid()) ON CONFLICT (worker_id) DO UPDATE SET backend_pid = excluded.backend_pid`, [id]);
  };
  const lanes = new LaneSlots();
  const task: Task = async (payload) => {
    const job = payload as RefundJob;
    const provider = job.input.provider;
    const limit = { ...DEFAULT_LANE_LIMIT, ...Object.fromEntries(Object.entries(options.limits?.[provider] ?? {}).filter(([, v]) => v !== undefined)) };
    const lane = `${provider}\u0000${job.input.account ?? ''}`;
    await lanes.acquire(lane, limit.concurrency);
    try {
      const waitMs = await takeStart(pool, schema, provider, job.input.account ?? '', limit.perSecond);
      if (waitMs > 0) await sleep(waitMs);
      const refund = await options.refunds.refund(job.input, { batch: job.batch, ...(job.holder !== undefined ? { takeOver: job.holder } : {}) });
      // Held by another live sender even after waiting for it: the job is tried again later (the ledger decides then).
      if (refund.failure?.code === 'in_flight' && refund.status === 'unknown') throw new Error(`${provider} refund ${job.input.refundId} is in flight elsewhere; the job will be tried again`);
      options.onRow?.(job, refund);
    } finally {
      lanes.release(lane);
    }
  };
  let runner: Runner;
  const sweepEvery = options.pollMs ?? 1_000;
  try {
    await sweepDeadWorkers(pool, schema);
    // Listened to before `run`: its workers are created while it starts. The pool and each worker are registered as they are
    // created (a kill between its creation and its registration leaves its job to graphile-worker's own lock timeout).
    const events = new EventEmitter() as WorkerEvents;
    events.on('pool:create', ({ workerPool }) => void register(workerPool.id).catch(() => undefined));
    events.on('worker:create', ({ worker }) => void register(worker.workerId).catch(() => undefined));
    runner = await run({ pgPool: pool, schema, concurrency: options.concurrency ?? 8, noHandleSignals: true, pollInterval: sweepEvery, logger: quietLogger, events, taskList: { [REFUND_TASK]: task } });
  } catch (error) {
    presence.release(true);
    throw error;
  }
  // Killed workers' jobs are released by whoever notices first: every worker looks now and then.
  const sweeper = setInterval(() => void sweepDeadWorkers(pool, schema).catch(() => undefined), sweepEvery);
  sweeper.unref();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(sweeper);
      await runner.stop();
      await presence.query(`DELETE FROM ${s}.refundkit_workers WHERE worker_id = ANY($1::text[])`, [ids]).catch(() => undefined);
      presence.release();
    })());
  return { stop, done: runner.promise.then(() => stop()) };
}
