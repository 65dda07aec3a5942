// The ledger's rules, as pure decisions over what a store read in one transaction. Every store
// (memory, SQLite, PostgreSQL) reads the refund and its order, asks these functions what to do,
// and writes what they return: the rules live here once.
import { ConflictError, OverRefundError } from '../errors.js';
import { RAW_EXCERPT_LIMIT, type Lease, type Refund, type RefundEvent, type RefundFailure, type RefundStatus } from '../model.js';
import { toFailure } from '../failure.js';
import type { Reservation, ReservationRequest, RefundUpdate } from './ledger.js';
import type { ChangeEntry, ChangeSource } from '../changes/change.js';
import type { CheckBackoff, Claim, ClaimRequest } from '../reconciler/claim.js';

/** What a store knows of the refund's order inside the transaction. */
export interface OrderState {
  /** The order's recorded total, if any. */
  readonly total: number | undefined;
  /** The sum of the order's refunds that hold money (any status but `failed`), this refund excluded. */
  readonly heldByOthers: number;
}

/** The fields on which a second request with the same refund id must agree with the first. */
export function differences(existing: Refund, request: ReservationRequest): string[] {
  const diff: string[] = [];
  if (existing.orderId !== request.key.orderId) diff.push('order');
  if (existing.amount !== request.amount) diff.push('amount');
  if (existing.currency !== request.currency) diff.push('currency');
  return diff;
}

/** Throws `ConflictError` when `request` reuses `existing`'s refund id for another refund. */
export function assertSameRefund(existing: Refund, request: ReservationRequest): void {
  const diff = differences(existing, request);
  if (diff.length > 0) throw new ConflictError(request.key.provider, request.key.refundId, diff);
}

/** The smaller of two known order totals (a caller's figure never raises a recorded one). */
export function tighter(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** `raw` cut to {@link RAW_EXCERPT_LIMIT} characters, saying how long it was: a ledger never stores a whole hostile body. */
export function excerpt(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.length <= RAW_EXCERPT_LIMIT) return raw;
  return `${raw.slice(0, RAW_EXCERPT_LIMIT)}…[cut: ${raw.length} characters in all]`;
}

/** True when `lease` is still running at `now`. */
export function isLive(lease: Lease | undefined, now: Date): lease is Lease {
  return lease !== undefined && Date.parse(lease.expiresAt) > now.getTime();
}

/** What `reserve` decided. */
export type ReservationPlan =
  /** Nothing to write: the refund is settled, pending, or held by another sender. */
  | { readonly kind: 'keep'; readonly reservation: Reservation }
  /** Write `refund` (insert when `insert`), record `orderTotal` when set, append `event`, and `change` to the feed when set. */
  | { readonly kind: 'write'; readonly reservation: Reservation; readonly refund: Refund; readonly insert: boolean; readonly orderTotal?: number | undefined; readonly event: RefundEvent; readonly change?: ChangeEntry | undefined }
  /** Refuse with `error`, after recording `orderTotal` when set (the total the request brought stays known). */
  | { readonly kind: 'refuse'; readonly error: OverRefundError; readonly orderTotal?: number | undefined };

/**
 * `reserve`, decided: a `ConflictError` is thrown at once (nothing to write); a settled or pending
 * refund is returned as it is; a refund under another sender's live lease is `in_flight`;
 * otherwise the amount must fit in what is left of the order, and the caller takes the lease for
 * the next attempt (a new refund, a failed one resubmitted, an unknown one recovered).
 */
export function planReservation(existing: Refund | undefined, request: ReservationRequest, order: OrderState, now: Date): ReservationPlan {
  if (existing) {
    assertSameRefund(existing, request);
    if (existing.status === 'succeeded' || existing.status === 'pending') return { kind: 'keep', reservation: { outcome: 'existing', refund: existing } };
    if (isLive(existing.lease, now)) return { kind: 'keep', reservation: { outcome: 'in_flight', refund: existing, lease: existing.lease } };
  }
  const total = tighter(request.orderAmount, order.total);
  const orderTotal = request.orderAmount !== undefined && total !== order.total ? total : undefined;
  // An unknown refund already holds its amount; a failed one (or a new one) takes it again.
  if (total !== undefined && existing?.status !== 'unknown') {
    const remaining = Math.max(0, total - order.heldByOthers);
    if (request.amount > remaining) return { kind: 'refuse', error: new OverRefundError(request.key.provider, request.key.orderId, request.amount, remaining), orderTotal };
  }
  const at = now.toISOString();
  const attempt = (existing?.attempts ?? 0) + 1;
  const lease: Lease = { holder: request.lease.holder, attempt, expiresAt: new Date(now.getTime() + request.lease.ttlMs).toISOString() };
  // An attempt that ended without an answer (its lease was never released) may have reached the provider.
  const providerMayKnow = existing !== undefined && (existing.providerMayKnow || existing.lease !== undefined);
  const meta = request.meta ?? existing?.meta;
  const { provider, account, orderId, refundId } = request.key;
  // A new attempt starts the reconciler's schedule afresh; the batch a refund was first reserved under stays.
  const refund: Refund = existing
    ? { ...withoutLease(existing), status: 'unknown', ...(meta ? { meta } : {}), attempts: attempt, providerMayKnow, lease, updatedAt: at }
    : { provider, account, orderId, refundId, amount: request.amount, currency: request.currency, status: 'unknown', ...(meta ? { meta } : {}), ...(request.batch !== undefined ? { batch: request.batch } : {}), attempts: attempt, providerMayKnow, lease, createdAt: at, updatedAt: at };
  const outcome = !existing ? 'new' : existing.status === 'failed' ? 'resubmit' : 'recover';
  const kind = outcome === 'new' ? 'reserved' : outcome === 'resubmit' ? 'resubmitted' : 'recovered';
  return {
    kind: 'write',
    reservation: { outcome, refund, lease, providerMayKnow },
    refund,
    insert: !existing,
    orderTotal,
    event: { at, kind, attempt, holder: lease.holder },
    // A recovered refund stays `unknown`: no transition. A new one appears; a failed one reopens.
    change: existing?.status === refund.status ? undefined : changeOf(refund, existing?.status ?? null, 'reservation', at),
  };
}

function withoutLease(refund: Refund): Refund {
  const { lease: _lease, reconcile: _schedule, ...rest } = refund;
  return rest;
}

/** The feed's entry for `refund`, which just moved from `from`. */
function changeOf(refund: Refund, from: RefundStatus | null, source: ChangeSource, at: string): ChangeEntry {
  const { provider, account, orderId, refundId, amount, currency, status } = refund;
  return { at, provider, account, orderId, refundId, amount, currency, from, to: status, source };
}

/** What `update` decided: the refund to write, an order total to record, the history entries to append, and the feed's change when the status moved. */
export interface UpdatePlan {
  readonly refund: Refund;
  readonly orderTotal?: number | undefined;
  readonly events: readonly RefundEvent[];
  readonly change?: ChangeEntry | undefined;
}

/**
 * Whether `update` is heard in its turn. An answer tied to an attempt (`update.lease`) is current
 * while that attempt is the refund's latest and no other sender holds the lease: a sender that
 * stalled past its lease and woke after another took over (a GC pause, a frozen VM, a slow
 * network) is not. An answer about the refund rather than an attempt (a query by `get`, a
 * notification) is current unless another sender's attempt is live: that attempt's own answer
 * decides, and an older word (a failure notification about an earlier attempt) must not.
 */
export function isCurrent(existing: Refund, update: RefundUpdate, now: Date): boolean {
  if (update.lease === undefined) return !isLive(existing.lease, now);
  return update.lease.attempt === existing.attempts && (existing.lease === undefined || existing.lease.holder === update.lease.holder);
}

/**
 * A refusal of a number that some attempt may have sent: the provider may be refusing a duplicate
 * of a request it holds (in flight, or already refunded), so it is `unknown` and a query decides.
 * A request that never left keeps its own failure; the provider's refusal is named
 * `refused_resubmission` with the provider's code beside it.
 */
function refusalOfKnownNumber(update: RefundUpdate, failure: RefundFailure | undefined): { status: RefundStatus; failure: RefundFailure | undefined } {
  if (failure === undefined || failure.source !== 'provider') return { status: 'unknown', failure };
  return {
    status: 'unknown',
    failure: toFailure({
      code: 'refused_resubmission',
      providerCode: failure.code,
      message: `the provider refused (${failure.code}: ${failure.message}) a refund number an earlier request may have reached it with: a duplicate, not a failure; a query decides`,
    }),
  };
}

/**
 * `update`, decided.
 * - A refused notification (`verdict: 'refused'`) is kept in the history and changes nothing;
 *   an inconclusive answer (`inconclusive`) likewise, but ends its holder's lease.
 * - A late answer (see {@link isCurrent}) moves nothing, except a verified `succeeded` (the
 *   provider is the truth); it is kept with `verdict: 'late'`, and marks that the provider may
 *   know the number unless it says the request never left.
 * - A current answer moves the status unless the refund is settled: `succeeded` never changes,
 *   and `failed` changes only to a verified `succeeded` (the earlier answer stays in the history;
 *   a success that takes the order past its total is noted as an anomaly). A refusal
 *   (`failed`, `providerMayKnow: false`) of a number the provider may already know is `unknown`.
 * The failure is the update's own: a refund that moves on forgets an earlier cause. The lease is
 * released when a current update ends the holder's attempt. An order total below what the order
 * already holds is an anomaly: kept in the history, never the cap.
 */
export function planUpdate(existing: Refund, update: RefundUpdate, order: OrderState, now: Date): UpdatePlan {
  const at = now.toISOString();
  const raw = excerpt(update.raw);
  const refused = update.verdict === 'refused';
  const inconclusive = !refused && update.inconclusive === true;
  const current = !refused && isCurrent(existing, update, now);
  const verdict = refused ? 'refused' : current ? undefined : 'late';
  let status = update.status;
  let failure = update.failure === undefined ? undefined : toFailure(update.failure);
  const refusal = update.status === 'failed' && update.providerMayKnow === false;
  if (current && refusal && existing.providerMayKnow) ({ status, failure } = refusalOfKnownNumber(update, failure));
  const settled = existing.status === 'succeeded' ? false : existing.status === 'failed' ? status === 'succeeded' : true;
  const moves = refused || inconclusive ? false : current ? settled : status === 'succeeded' && existing.status !== 'succeeded';
  const releases = current && update.lease !== undefined && existing.lease?.holder === update.lease.holder;
  const saysMayKnow = refused
    ? false
    : current
      ? (update.providerMayKnow ?? (update.source === 'refund' || status !== 'unknown'))
      : // A late answer shows a request of this number went out; only one that never left says nothing.
        !(refusal && failure?.source !== 'provider');
  const mayKnow = existing.providerMayKnow || saysMayKnow;
  const { failure: _previous, lease: _lease, ...rest } = existing;
  const base: Refund = { ...rest, ...(existing.failure && !moves ? { failure: existing.failure } : {}), ...(existing.lease && !releases ? { lease: existing.lease } : {}) };
  const refund: Refund = moves
    ? {
        ...base,
        status,
        ...(update.providerRefundId !== undefined ? { providerRefundId: update.providerRefundId } : {}),
        ...(raw !== undefined ? { raw } : {}),
        ...(failure !== undefined ? { failure } : {}),
        providerMayKnow: mayKnow,
        updatedAt: at,
      }
    : { ...base, providerMayKnow: mayKnow, ...(releases || mayKnow !== existing.providerMayKnow ? { updatedAt: at } : {}) };
  const events: RefundEvent[] = [
    {
      at,
      kind: 'answer',
      ...(update.lease ? { attempt: update.lease.attempt, holder: update.lease.holder } : {}),
      source: update.source,
      status,
      statusAfter: refund.status,
      ...(failure ? { failure } : {}),
      ...(update.providerRefundId !== undefined ? { providerRefundId: update.providerRefundId } : {}),
      ...(raw !== undefined ? { raw } : {}),
      ...(verdict ? { verdict } : {}),
    },
  ];
  const holdsNow = refund.status !== 'failed' ? refund.amount : 0;
  let orderTotal: number | undefined;
  if (update.orderAmount !== undefined) {
    const held = order.heldByOthers + holdsNow;
    if (update.orderAmount < held) {
      events.push({ at, kind: 'anomaly', note: `the answer gives the order's total as ${update.orderAmount}, below the ${held} its refunds already hold: kept here, not used as the cap` });
    } else if (tighter(update.orderAmount, order.total) !== order.total) {
      orderTotal = update.orderAmount;
    }
  }
  if (existing.status === 'failed' && refund.status === 'succeeded') {
    const total = tighter(orderTotal, order.total);
    const note = `a verified success after the refund was recorded failed (${existing.failure?.code ?? 'no code'}): the provider is the truth`;
    events.push({ at, kind: 'anomaly', note: total !== undefined && order.heldByOthers + refund.amount > total ? `${note}; the order's refunds now exceed its total (${order.heldByOthers + refund.amount} of ${total})` : note });
  }
  const change = refund.status !== existing.status ? changeOf(refund, existing.status, update.source, at) : undefined;
  return { refund, orderTotal, events, change };
}

/** Whether a reconciler may check `refund` now: open, at least `olderThanMs` old, past its next check, and held by no live lease. */
export function isDue(refund: Refund, olderThanMs: number, now: Date): boolean {
  if (refund.status !== 'pending' && refund.status !== 'unknown') return false;
  if (isLive(refund.lease, now)) return false;
  if (Date.parse(refund.createdAt) > now.getTime() - olderThanMs) return false;
  return refund.reconcile === undefined || Date.parse(refund.reconcile.nextCheckAt) <= now.getTime();
}

/** The wait before check `checks + 1`: `firstMs` doubling to `maxMs`, times 1 ± `jitter` (drawn by `random`, in [0, 1)). */
export function checkDelayMs(checks: number, backoff: CheckBackoff, random: number): number {
  const nominal = Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(checks, 52));
  return Math.round(nominal * (1 + backoff.jitter * (2 * random - 1)));
}

/** What `claim` decided: nothing to write (`skip`), or the refund with the claim's lease and schedule and its history entry. */
export type ClaimPlan = { readonly kind: 'skip'; readonly claim: Claim } | { readonly kind: 'write'; readonly claim: Claim; readonly refund: Refund; readonly event: RefundEvent };

/**
 * `claim`, decided. A refund is claimed only when {@link isDue}: never a settled one, never one
 * under a live lease (its sender is sending, or another reconciler is checking), never before its
 * next check. The claim is a lease for the refund's current attempt that starts none, so every
 * answer is fenced as a sender's is (`isCurrent`): a stalled sender's late answer is `late`, and
 * so is the reconciler's own once another holder took over. A lease left behind (a sender that
 * crashed mid-send: its request may have reached the provider) marks that the provider may know
 * the number, as a recovery does, before the claim replaces it. The next check is scheduled now,
 * so a reconciler that crashes mid-query still backs off.
 */
export function planClaim(existing: Refund | undefined, request: ClaimRequest, now: Date): ClaimPlan {
  if (!existing) return { kind: 'skip', claim: { outcome: 'skipped', reason: 'missing' } };
  if (existing.status !== 'pending' && existing.status !== 'unknown') return { kind: 'skip', claim: { outcome: 'skipped', reason: 'settled', refund: existing } };
  if (isLive(existing.lease, now)) return { kind: 'skip', claim: { outcome: 'skipped', reason: 'held', refund: existing } };
  if (!isDue(existing, request.olderThanMs, now)) return { kind: 'skip', claim: { outcome: 'skipped', reason: 'not_due', refund: existing } };
  const at = now.toISOString();
  const checks = (existing.reconcile?.checks ?? 0) + 1;
  const nextCheckAt = new Date(now.getTime() + checkDelayMs(checks - 1, request.backoff, request.random)).toISOString();
  const lease: Lease = { holder: request.lease.holder, attempt: existing.attempts, expiresAt: new Date(now.getTime() + request.lease.ttlMs).toISOString() };
  const refund: Refund = { ...existing, providerMayKnow: existing.providerMayKnow || existing.lease !== undefined, lease, reconcile: { checks, nextCheckAt } };
  return { kind: 'write', claim: { outcome: 'claimed', refund, lease }, refund, event: { at, kind: 'claimed', attempt: lease.attempt, holder: lease.holder } };
}
