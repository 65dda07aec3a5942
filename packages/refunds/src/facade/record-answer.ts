// Writing an answer to the ledger, honestly. Once a request was sent, its answer is the only
// record of what the provider did: a write that fails (connection lost, server restarted,
// statement timeout, lock held) is retried within the call's deadline, and if the ledger stays
// unreachable the caller is told that a request WAS sent — never "nothing sent".
import { OutcomeNotRecordedError } from '../errors.js';
import { LedgerRefusedError, LedgerUnavailableError } from '../ledger/ledger-errors.js';
import type { RefundIdentity, RefundLedger, RefundUpdate } from '../ledger/ledger.js';
import { excerpt } from '../ledger/ledger-rules.js';
import { toFailure } from '../failure.js';
import type { Refund } from '../model.js';
import type { RefundChange } from '../changes/change.js';

/**
 * The change each recorded refund appended to the feed, by the refund object `recordAnswer`
 * returned: the facade passes refunds around, and what a write changed travels beside them
 * without widening every signature. `NotificationHandled.changed` reads it, so it says true
 * exactly when the feed got an entry.
 */
const appended = new WeakMap<Refund, RefundChange>();

/** The change `refund`'s write appended to the feed, when it came from `recordAnswer` and moved the status. */
export function changeRecorded(refund: Refund): RefundChange | undefined {
  return appended.get(refund);
}

/** How long a write after a send is retried when the call sets no deadline of its own. */
export const RECORD_RETRY_MS = 10_000;

/** What the write is about, for the error when it cannot be made. */
export interface RecordContext {
  readonly refund: Refund;
  /** True when this call's request left for the provider. */
  readonly sent: boolean;
  /** Epoch ms (real time) after which no more tries are made. */
  readonly deadline: number;
  /** What to add to a ledger fault when no refund request was sent (default "nothing was sent"; a query's answer says so). */
  readonly unsentNote?: string | undefined;
}

/** A transient fault of the ledger's database: the same write may succeed a moment later. */
function isTransient(error: unknown): boolean {
  return error instanceof LedgerUnavailableError || (error instanceof Error && (error as { code?: unknown }).code === 'ledger_unavailable');
}

/**
 * `ledger.update`, retried on transient faults with backoff (50 ms doubling to 1 s) until
 * `context.deadline`. A write that stays impossible throws `OutcomeNotRecordedError` when a
 * request was sent, or a `LedgerUnavailableError` that says nothing was sent.
 */
export async function recordAnswer(ledger: RefundLedger, key: RefundIdentity, update: RefundUpdate, context: RecordContext): Promise<Refund> {
  let wait = 50;
  for (;;) {
    try {
      const { refund, change } = await ledger.record(key, update);
      if (!change) return refund;
      // A copy: a memory ledger hands out the object it keeps, which `get` returns again later.
      const moved = { ...refund };
      appended.set(moved, change);
      return moved;
    } catch (error) {
      if (!isTransient(error)) throw context.sent ? unrecorded(context, update, error) : error;
      if (Date.now() + wait > context.deadline) throw context.sent ? unrecorded(context, update, error) : nothingSent(error, context.unsentNote);
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, 1_000);
    }
  }
}

function unrecorded({ refund }: RecordContext, update: RefundUpdate, cause: unknown): OutcomeNotRecordedError {
  return new OutcomeNotRecordedError(
    refund.provider,
    refund.orderId,
    refund.refundId,
    {
      status: update.status,
      ...(update.failure ? { failure: toFailure(update.failure) } : {}),
      ...(update.providerRefundId !== undefined ? { providerRefundId: update.providerRefundId } : {}),
      ...(update.raw ? { rawExcerpt: excerpt(update.raw) } : {}),
    },
    cause,
  );
}

/** A ledger fault when no refund request was sent, saying so (`note`: what was, or was not, sent). */
export function nothingSent(error: unknown, note = 'nothing was sent'): unknown {
  if (error instanceof Error && error.message.includes(note)) return error;
  if (error instanceof LedgerUnavailableError) return new LedgerUnavailableError(`${error.message}; ${note}`, error.maybeCommitted, { cause: error });
  if (error instanceof LedgerRefusedError) return new LedgerRefusedError(`${error.message}; ${note}`, error.reason, error.databaseCode, { cause: error });
  return error;
}
