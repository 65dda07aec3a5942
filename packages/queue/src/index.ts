/**
 * `@refundkit/queue`: a mass refund spread over worker processes by a PostgreSQL job queue
 * (graphile-worker). `enqueueBatch` writes each row's ledger reservation and its job in one
 * transaction, in chunks; `startQueueWorker` runs the jobs, each through the facade's `refund`,
 * taking over the reservation its enqueuer made; `followRun` watches a run until it ends. The
 * CLI loads this package only for `refundkit batch --queue` and `refundkit worker`.
 */
export { migrateQueue, sweepDeadWorkers, DEFAULT_QUEUE_SCHEMA, REFUND_TASK } from './queue-schema.js';
export { enqueueBatch, type EnqueueOptions, type EnqueueResult } from './enqueue.js';
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions } from './worker.js';
export { followRun, runState, type RunState } from './follow.js';
export { jobKey, ENQUEUER_PREFIX, type RefundJob } from './job.js';
export { takeStart } from './lane-slots.js';
