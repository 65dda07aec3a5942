// `refundkit batch FILE --queue`: every row's reservation and its job in one transaction, in
// chunks. The rows were checked first (a dry run of `refunds.batch`: nothing reserved or sent
// for a bad file). Each reservation is made for the job, under a holder id of the enqueuer's
// (`queue:…`) that never sends: the worker that runs the job takes it over (the ledger's
// `takeOver`) for the same attempt and sends at once — no query first, no second attempt.
import type { PlannedRow, PostgresLedger, Refunds, RefundInput, Reservation } from '@refundkit/refunds';
import type { Pool, PoolClient } from 'pg';
import { ENQUEUER_PREFIX, jobKey, type RefundJob } from './job.js';
import { quoted, REFUND_TASK } from './queue-schema.js';

export interface EnqueueOptions {
  readonly pool: Pool;
  /** The PostgreSQL ledger whose `reserveWith` writes each reservation in the chunk's transaction. */
  readonly ledger: PostgresLedger;
  readonly refunds: Refunds;
  readonly schema: string;
  readonly batch: string;
  /**
   * Rows per transaction (default 250). Every new reservation appends to the ledger's change
   * feed, whose counter row the transaction then holds to its commit: a chunk's transaction makes
   * other writers of the ledger (workers recording answers) wait for it, so chunks stay short.
   */
  readonly chunkSize?: number | undefined;
  /**
   * Transactions at once, each on its own connection (default 1: the feed's counter serialises
   * them anyway); the rows of one order always share a chunk.
   */
  readonly connections?: number | undefined;
  /**
   * How long the enqueuer's reservation keeps other senders off while its job waits (default
   * 1 hour). Past it the worker still takes it over if nobody else did; any other sender meets an
   * unknown refund and recovers it by a query first.
   */
  readonly holdMs?: number | undefined;
  /** One job at a time per order, across every worker (default true): a graphile-worker queue per order that has several rows. */
  readonly onePerOrder?: boolean | undefined;
  /** Attempts of a job before graphile-worker gives up on it (default 10). */
  readonly maxAttempts?: number | undefined;
  readonly onChunk?: ((enqueued: number) => void) | undefined;
}

export interface EnqueueResult {
  /** Rows enqueued (a job each). */
  readonly enqueued: number;
  /** Rows that had succeeded already: no job. */
  readonly done: number;
  /** The enqueuer's reservations, by outcome. */
  readonly outcomes: Readonly<Record<Reservation['outcome'], number>>;
}

interface JobSpec {
  identifier: string;
  payload: RefundJob;
  queue_name: string | null;
  max_attempts: number;
  job_key: string;
}

/**
 * Enqueues the planned rows (`refunds.batch(rows, { dryRun: true })`): for each chunk, one
 * transaction holding every reservation (`reserveWith`) and, with them, `add_jobs` for the
 * chunk — both commit or neither. A row that succeeded already gets no job.
 */
export async function enqueueBatch(rows: readonly { readonly input: RefundInput; readonly plan: PlannedRow }[], options: EnqueueOptions): Promise<EnqueueResult> {
  const chunkSize = options.chunkSize ?? 250;
  const holdMs = options.holdMs ?? 60 * 60_000;
  const outcomes: Record<Reservation['outcome'], number> = { new: 0, resubmit: 0, recover: 0, existing: 0, in_flight: 0 };
  const toSend = rows.filter((r) => r.plan.plan !== 'done');
  // Orders with several rows run one job at a time (a queue each); lone orders need none.
  const perOrder = new Map<string, number>();
  const orderOf = (p: PlannedRow): string => `${p.provider}:${p.account}:${p.orderId}`;
  for (const row of toSend) perOrder.set(orderOf(row.plan), (perOrder.get(orderOf(row.plan)) ?? 0) + 1);
  // Chunks by order: the rows of one order share a chunk, so chunks on different connections never wait for each other's order locks.
  const byOrder = new Map<string, typeof toSend>();
  for (const row of toSend) {
    const list = byOrder.get(orderOf(row.plan));
    if (list) list.push(row);
    else byOrder.set(orderOf(row.plan), [row]);
  }
  const chunks: (typeof toSend)[] = [];
  let chunk: typeof toSend = [];
  for (const group of byOrder.values()) {
    if (chunk.length > 0 && chunk.length + group.length > chunkSize) {
      chunks.push(chunk);
      chunk = [];
    }
    chunk.push(...group);
  }
  if (chunk.length > 0) chunks.push(chunk);
  let enqueued = 0;
  let next = 0;
  const s = quoted(options.schema);
  const work = async (): Promise<void> => {
    while (next < chunks.length) {
      const rowsOfChunk = chunks[next++]!;
      const client = await options.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const specs: JobSpec[] = [];
        const counted: Reservation['outcome'][] = [];
        for (const { input, plan } of rowsOfChunk) {
          const holder = `${ENQUEUER_PREFIX}${globalThis.crypto.randomUUID()}`;
          const reservation = await options.ledger.reserveWith(client as never, {
            key: { provider: plan.provider, account: plan.account, orderId: plan.orderId, refundId: plan.refundId },
            amount: plan.amount,
            currency: plan.currency,
            orderAmount: input.orderAmount,
            batch: options.batch,
            lease: { holder, ttlMs: holdMs },
          });
          counted.push(reservation.outcome);
          // Taken over by the worker: the enqueuer's own reservation, or an earlier enqueuer's still waiting.
          const handed = reservation.outcome === 'in_flight' ? (reservation.lease.holder.startsWith(ENQUEUER_PREFIX) ? reservation.lease.holder : undefined) : reservation.outcome === 'existing' ? undefined : holder;
          if (reservation.outcome === 'existing' && reservation.refund.status === 'succeeded') continue;
          specs.push({
            identifier: REFUND_TASK,
            payload: { line: plan.line, batch: options.batch, input, ...(handed !== undefined ? { holder: handed } : {}) },
            queue_name: options.onePerOrder !== false && (perOrder.get(orderOf(plan)) ?? 0) > 1 ? `refundkit:order:${orderOf(plan)}` : null,
            max_attempts: options.maxAttempts ?? 10,
            job_key: jobKey(options.batch, plan.provider, plan.account, plan.refundId),
          });
        }
        if (specs.length > 0) await client.query(`SELECT 1 FROM ${s}.add_jobs(ARRAY(SELECT json_populate_record(null::${s}.job_spec, j) FROM json_array_elements($1::json) j))`, [JSON.stringify(specs)]);
        await client.query('COMMIT');
        for (const outcome of counted) outcomes[outcome]++;
        enqueued += specs.length;
        options.onChunk?.(enqueued);
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: Error) => void (broken = rollback));
        throw error;
      } finally {
        (client as PoolClient).release(broken ?? false);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.connections ?? 1, chunks.length) }, work));
  return { enqueued, done: rows.length - toSend.length, outcomes };
}
