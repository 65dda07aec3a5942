import type { Clock } from '@refundkit/runtime';
import { NotFoundError } from '../errors.js';
import type { Refund, RefundEvent } from '../model.js';
import type { ChangeEntry, ChangesQuery, RefundChange, AccountFilter } from '../changes/change.js';
import type { Claim, ClaimRequest, DueQuery } from '../reconciler/claim.js';
import type { UnmatchedNotification, UnmatchedNotificationInput } from '../notifications/unmatched-types.js';
import type { LedgerHealth, OrderIdentity, RecordedUpdate, RefundIdentity, RefundLedger, RefundTotal, RefundUpdate, Reservation, ReservationRequest } from './ledger.js';
import { sumTotals } from './totals.js';
import { compareListed, matchesList, pageOf, type ListQuery, type RefundPage } from './list-query.js';
import { sumBatches, type BatchesQuery, type BatchSummary } from './batches.js';
import { isDue, planClaim, planReservation, planUpdate, type OrderState } from './ledger-rules.js';
import { ChangeWakers } from '../changes/wakers.js';

const refundKey = (key: RefundIdentity): string => `${key.provider}\u0000${key.account}\u0000${key.refundId}`;
const orderKey = (key: OrderIdentity): string => `${key.provider}\u0000${key.account}\u0000${key.orderId}`;

/** True when `accounts` is absent or lists the (provider, account) of `item`. */
export function inAccounts(item: AccountFilter, accounts: readonly AccountFilter[] | undefined): boolean {
  return accounts === undefined || accounts.some((a) => a.provider === item.provider && a.account === item.account);
}

/**
 * A ledger in process memory. Every method runs to completion without awaiting, so each is
 * atomic within the process. Lost when the process exits: use the SQLite ledger to survive
 * restarts or to share one ledger between processes, PostgreSQL to share it between machines.
 */
export class MemoryLedger implements RefundLedger {
  readonly #refunds = new Map<string, Refund>();
  readonly #history = new Map<string, RefundEvent[]>();
  readonly #orders = new Map<string, number>();
  /** Refund keys per order, in reservation order: the over-refund check reads one order, not the ledger. */
  readonly #byOrder = new Map<string, string[]>();
  /** The change feed; `seq` is the index + 1. */
  readonly #changes: RefundChange[] = [];
  readonly #unmatched = new Map<string, UnmatchedNotification>();
  readonly #wakers = new ChangeWakers();
  readonly #now: Clock;
  #closed = false;

  constructor(options: { now?: Clock } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async reserve(request: ReservationRequest): Promise<Reservation> {
    const key = refundKey(request.key);
    const existing = this.#refunds.get(key);
    const order = orderKey(request.key);
    const plan = planReservation(existing, request, this.#orderState(order, key), new Date(this.#now()));
    if (plan.kind === 'keep') return plan.reservation;
    if (plan.orderTotal !== undefined) this.#orders.set(order, plan.orderTotal);
    if (plan.kind === 'refuse') throw plan.error;
    if (plan.insert) {
      const keys = this.#byOrder.get(order);
      if (keys) keys.push(key);
      else this.#byOrder.set(order, [key]);
    }
    this.#refunds.set(key, plan.refund);
    this.#append(key, [plan.event]);
    this.#appendChange(plan.change);
    return plan.reservation;
  }

  async update(identity: RefundIdentity, update: RefundUpdate): Promise<Refund> {
    return (await this.record(identity, update)).refund;
  }

  async record(identity: RefundIdentity, update: RefundUpdate): Promise<RecordedUpdate> {
    const key = refundKey(identity);
    const existing = this.#refunds.get(key);
    if (!existing) throw new NotFoundError(`ledger: no refund ${identity.provider}/${identity.refundId}`);
    const order = orderKey(existing);
    const plan = planUpdate(existing, update, this.#orderState(order, key), new Date(this.#now()));
    if (plan.orderTotal !== undefined) this.#orders.set(order, plan.orderTotal);
    this.#refunds.set(key, plan.refund);
    this.#append(key, plan.events);
    return { refund: plan.refund, change: this.#appendChange(plan.change) };
  }

  async get(key: RefundIdentity): Promise<Refund | undefined> {
    return this.#refunds.get(refundKey(key));
  }

  async history(key: RefundIdentity): Promise<RefundEvent[]> {
    return [...(this.#history.get(refundKey(key)) ?? [])];
  }

  async refundsOf(order: OrderIdentity): Promise<Refund[]> {
    return (this.#byOrder.get(orderKey(order)) ?? []).map((key) => this.#refunds.get(key)!);
  }

  async orderAmount(order: OrderIdentity): Promise<number | undefined> {
    return this.#orders.get(orderKey(order));
  }

  async list(query: ListQuery): Promise<RefundPage> {
    const found = [...this.#refunds.values()].filter((r) => matchesList(r, query)).sort(compareListed);
    return pageOf(found.slice(0, query.limit + 1), query.limit);
  }

  async changes(query: ChangesQuery): Promise<RefundChange[]> {
    const found: RefundChange[] = [];
    // seq n sits at index n - 1.
    for (let i = Math.max(0, query.after); i < this.#changes.length && found.length < query.limit; i++) {
      const change = this.#changes[i]!;
      if (inAccounts(change, query.accounts)) found.push(change);
    }
    return found;
  }

  watchChanges(listener: () => void): () => void {
    return this.#wakers.add(listener);
  }

  async due(query: DueQuery): Promise<RefundIdentity[]> {
    const now = new Date(this.#now());
    const due = [...this.#refunds.values()].filter((r) => inAccounts(r, query.accounts) && isDue(r, query.olderThanMs, now));
    const waitingSince = (r: Refund): number => Date.parse(r.reconcile?.nextCheckAt ?? r.createdAt);
    return due
      .sort((a, b) => waitingSince(a) - waitingSince(b))
      .slice(0, query.limit)
      .map(({ provider, account, refundId }) => ({ provider, account, refundId }));
  }

  async claim(request: ClaimRequest): Promise<Claim> {
    const key = refundKey(request.key);
    const plan = planClaim(this.#refunds.get(key), request, new Date(this.#now()));
    if (plan.kind === 'skip') return plan.claim;
    this.#refunds.set(key, plan.refund);
    this.#append(key, [plan.event]);
    return plan.claim;
  }

  async keepUnmatched(input: UnmatchedNotificationInput): Promise<UnmatchedNotification> {
    const key = `${input.provider}\u0000${input.account}\u0000${input.digest}`;
    const at = new Date(this.#now()).toISOString();
    const known = this.#unmatched.get(key);
    const kept: UnmatchedNotification = known ? { ...known, lastReceivedAt: at, deliveries: known.deliveries + 1 } : { ...input, receivedAt: at, lastReceivedAt: at, deliveries: 1 };
    this.#unmatched.set(key, kept);
    return kept;
  }

  async unmatched(query: { readonly limit: number; readonly accounts?: readonly AccountFilter[] | undefined }): Promise<UnmatchedNotification[]> {
    return [...this.#unmatched.values()]
      .filter((n) => inAccounts(n, query.accounts))
      .reverse()
      .sort((a, b) => Date.parse(b.lastReceivedAt) - Date.parse(a.lastReceivedAt))
      .slice(0, query.limit);
  }


  async totals(): Promise<RefundTotal[]> {
    return sumTotals(this.#refunds.values());
  }

  async batches(query: BatchesQuery = {}): Promise<BatchSummary[]> {
    return sumBatches(this.#refunds.values(), query, (refund) => inAccounts(refund, query.accounts));
  }

  async health(): Promise<LedgerHealth> {
    return this.#closed ? { ok: false, detail: 'in memory, closed' } : { ok: true, detail: 'in memory' };
  }

  /** Marks the ledger closed for `health`; what it holds stays readable (it is only memory). */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #orderState(order: string, except: string): OrderState {
    let heldByOthers = 0;
    for (const key of this.#byOrder.get(order) ?? []) {
      const refund = this.#refunds.get(key)!;
      if (key !== except && refund.status !== 'failed') heldByOthers += refund.amount;
    }
    return { total: this.#orders.get(order), heldByOthers };
  }

  #append(key: string, events: readonly RefundEvent[]): void {
    const list = this.#history.get(key);
    if (list) list.push(...events);
    else this.#history.set(key, [...events]);
  }

  #appendChange(entry: ChangeEntry | undefined): RefundChange | undefined {
    if (entry === undefined) return undefined;
    const change: RefundChange = { seq: this.#changes.length + 1, ...entry };
    this.#changes.push(change);
    this.#wakers.wake();
    return change;
  }
}
