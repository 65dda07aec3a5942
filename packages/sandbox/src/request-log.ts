/**
 * Every provider request the sandbox received, in order, with what became of it: the evidence a
 * reliability test reads ("the client retried with the same refund number", "no second refund").
 */
import type { FaultName } from './faults.js';
import type { Operation, Provider } from './provider.js';

export interface RequestRecord {
  /** 1-based, in arrival order. */
  readonly seq: number;
  readonly at: number;
  readonly provider: Provider;
  /** Unknown when the request could not be read far enough to tell. */
  readonly operation: Operation | undefined;
  /** The refund it is about, when it was authenticated and well-formed. */
  readonly refundNo: string | undefined;
  /**
   * `rejected`: refused before any business rule (signature, schema, merchant), in the provider's
   * error shape; `answered`: served normally (accepted or refused by a rule); `faulted`: a fault
   * struck; `error`: the sandbox failed (a self-check failure or a bug), answered HTTP 500.
   */
  readonly outcome: 'rejected' | 'answered' | 'faulted' | 'error';
  readonly fault?: FaultName | undefined;
  /** Whether the refund was committed (the ledger consulted) before answering or faulting. */
  readonly committed: boolean;
  readonly reason?: string | undefined;
}

export class RequestLog {
  readonly #records: RequestRecord[] = [];

  /** Records a request; returns its `seq`. */
  add(record: Omit<RequestRecord, 'seq'>): number {
    const seq = this.#records.length + 1;
    this.#records.push({ seq, ...record });
    return seq;
  }

  /** A `slow-commit` request committed after it was logged: says so on its record. */
  markCommitted(seq: number): void {
    const record = this.#records[seq - 1];
    if (record !== undefined) this.#records[seq - 1] = { ...record, committed: true };
  }

  list(): RequestRecord[] {
    return [...this.#records];
  }
}
