import { RefundkitError } from '@refundkit/runtime';

/**
 * The ledger's database could not be reached, or a call did not complete: the connection was
 * refused or lost, the server ended the session, a statement ran past its timeout. The call's
 * transaction was rolled back, so the ledger is as it was before the call, except when
 * `maybeCommitted` is true (the connection was lost while committing): then the reservation or
 * answer may or may not be recorded, and the safe next step is the same call again, with the same
 * refund id (a reservation that did commit is then `in_flight` until its lease ends, never a
 * second refund). Nothing was sent to any provider because of this call.
 */
export class LedgerUnavailableError extends RefundkitError {
  constructor(
    message: string,
    /** True when the failure came while committing: the outcome of the call is unknown. */
    readonly maybeCommitted: boolean = false,
    options?: { cause?: unknown },
  ) {
    super('ledger_unavailable', message, options);
  }
}

/**
 * The ledger's database schema is not the one this refundkit writes: never created, older (run
 * the migrations), or newer (this refundkit is older than the one that migrated it). `command`
 * is what to run.
 */
export class LedgerSchemaError extends RefundkitError {
  constructor(
    message: string,
    /** The database's schema version (0: none), and the one this code writes. */
    readonly found: number,
    readonly expected: number,
    /** What fixes it, e.g. `refundkit ledger migrate --ledger postgres://app@db/shop`. */
    readonly command: string,
  ) {
    super('ledger_schema_mismatch', message);
  }
}
