// Every failure code refundkit itself writes, with its source: one table, exported and printed
// in the README ("Failure and error codes"), so `failure.source` can be derived from the code
// when a ledger row is read (rows written before `source` existed read the same way).
import type { FailureSource, RefundFailure } from './model.js';

/** A code refundkit writes into `failure.code`: where it comes from, and what it means. */
export interface FailureCodeInfo {
  readonly source: Exclude<FailureSource, 'provider'>;
  readonly meaning: string;
}

/**
 * refundkit's own failure codes. Any other `failure.code` is the provider's own (`source:
 * 'provider'`). A test checks that every code the packages raise is listed here.
 */
export const FAILURE_CODES: Readonly<Record<string, FailureCodeInfo>> = {
  timeout: { source: 'transport', meaning: 'no answer within the deadline (the instance’s `timeoutMs` or the call’s): the request may have been acted on; status unknown' },
  connection_failed: { source: 'transport', meaning: 'the connection failed; refused or unresolvable before sending → failed (nothing sent), otherwise unknown' },
  http_status: { source: 'transport', meaning: 'the provider answered with a non-2xx HTTP status: unknown' },
  aborted: { source: 'transport', meaning: 'the caller’s `signal` aborted the call after the request may have left: unknown (before it left, nothing is reserved)' },
  answer_too_large: { source: 'transport', meaning: 'the answer (after decompression) is larger than `maxAnswerBytes` (1 MiB by default): cut off, an excerpt kept; unknown' },
  answer_too_deep: { source: 'local', meaning: 'the answer nests deeper than the decoders allow (64 levels): unknown' },
  answer_duplicate_key: { source: 'local', meaning: 'a JSON answer gives one key twice: unknown (never the last one wins)' },
  answer_repeated_element: { source: 'local', meaning: 'a yima answer repeats an element its schema declares once: unknown' },
  answer_encoding: { source: 'local', meaning: 'a yima answer declares an encoding other than GBK (or its subset GB2312), or carries bytes invalid in it: unknown' },
  answer_truncated: { source: 'local', meaning: 'a yima answer ends before its root element closes: unknown' },
  response_invalid: { source: 'local', meaning: 'the answer breaks the provider’s contract (malformed, missing fields, too large): unknown' },
  signature_invalid: { source: 'local', meaning: 'the answer’s signature does not verify: unknown' },
  answer_mismatch: { source: 'local', meaning: 'the answer echoes another refund’s identifiers (the echo rule): unknown' },
  refused_resubmission: { source: 'local', meaning: 'the provider refused a resubmitted refund number it may already know (its code in `providerCode`): unknown, a query decides' },
  in_flight: { source: 'local', meaning: 'another sender holds this refund’s lease; nothing was sent: ask again with get/waitFor' },
  validation_failed: { source: 'local', meaning: 'the request broke the provider’s contract when built: failed, nothing sent' },
  query_unavailable: { source: 'local', meaning: 'the refund lacks what its provider needs to query it (easypay payType/transDate)' },
  lease_too_short: { source: 'local', meaning: 'the sender’s lease had too little time left to send safely (it stalled, or the ledger was slow): nothing was sent; the refund is reserved again' },
  notification_refused: { source: 'local', meaning: 'a notification failed verification or the echo rule (another amount, order or merchant): kept in the history, changed nothing' },
  notification_unsigned: { source: 'local', meaning: 'an unsigned notification, only a hint: a query decides' },
  internal_error: { source: 'local', meaning: 'refundkit failed after the request may have left: unknown' },
};

/** The source of a code: refundkit's own codes from {@link FAILURE_CODES}, anything else the provider's. */
export function failureSourceOf(code: string): FailureSource {
  return Object.hasOwn(FAILURE_CODES, code) ? FAILURE_CODES[code]!.source : 'provider';
}

/** A failure as adapters and mappings produce it: the source is derived from the code when not given. */
export type FailureInput = Omit<RefundFailure, 'source'> & { readonly source?: FailureSource | undefined };

export function toFailure(input: FailureInput): RefundFailure {
  return {
    source: input.source ?? failureSourceOf(input.code),
    code: input.code,
    message: input.message,
    ...(input.providerCode !== undefined ? { providerCode: input.providerCode } : {}),
  };
}

/**
 * How a failure is kept in the SQL ledgers' `failure_code` column (SQLite and PostgreSQL share
 * `ledger/rows.ts`): the code, and for a local failure carrying the provider's code,
 * `<code>:<providerCode>` (only refundkit's own codes are ever split on read, so a provider code
 * containing `:` reads back unchanged). `source` is derived from the code, so no column or
 * migration is needed and rows written before `source` existed read with theirs.
 */
export function encodeFailureCode(failure: RefundFailure): string {
  return failure.providerCode !== undefined && Object.hasOwn(FAILURE_CODES, failure.code) ? `${failure.code}:${failure.providerCode}` : failure.code;
}

export function decodeFailure(column: string, message: string): RefundFailure {
  const colon = column.indexOf(':');
  if (colon > 0 && Object.hasOwn(FAILURE_CODES, column.slice(0, colon))) {
    const code = column.slice(0, colon);
    return { source: failureSourceOf(code), code, message, providerCode: column.slice(colon + 1) };
  }
  return { source: failureSourceOf(column), code: column, message };
}
