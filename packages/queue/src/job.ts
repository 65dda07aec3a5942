// One batch row as a job: what the worker needs to send it through the facade, and the holder
// of the reservation the enqueuer made for it (the worker takes that reservation over).
import type { ProviderKey, RefundInput } from '@refundkit/refunds';

export interface RefundJob {
  /** The file's line, for reports. */
  readonly line: number;
  readonly batch: string;
  readonly input: RefundInput;
  /** The lease holder of the enqueuer's reservation, absent when the job only has to ask (a pending refund). */
  readonly holder?: string | undefined;
}

/** The job key: one live job per row of a run (enqueuing the same run again replaces a waiting job, never adds one). */
export const jobKey = (batch: string, provider: ProviderKey, merchant: string, refundId: string): string => `refundkit:${batch}:${provider}:${merchant}:${refundId}`;

/** What keys of one run start with (`LIKE`, with `%` and `_` escaped). */
export const runKeyPattern = (batch: string): string => `${`refundkit:${batch}:`.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Holders of enqueuers' reservations start so: a worker takes over only from one of these, never from another sender. */
export const ENQUEUER_PREFIX = 'queue:';
