// Every row of a mass refund checked before anything is reserved or sent: each row alone (the
// facade's own input checks and the provider's contract), the file as a whole (a refund id twice),
// and the file against the ledger (a refund id reused for another refund; more refunded on an
// order than it holds, counting what the ledger holds and what the file adds).
import { RefundkitError, type Clock } from '@refundkit/runtime';
import { ValidationError } from '@refundkit/runtime';
import type { ConfigRules } from '../config/config-rules.js';
import { checkCommonInput, checkOptions } from '../facade/input-checks.js';
import type { OrderIdentity, RefundLedger } from '../ledger/ledger.js';
import { differences } from '../ledger/ledger-rules.js';
import type { ProviderKey, Refund } from '../model.js';
import type { ConfiguredProvider } from '../providers/index.js';
import { requestOf, type RefundInput } from '../refund-input.js';
import { BatchInvalidError, type BatchProblem } from './batch-invalid-error.js';
import type { BatchRow, PlannedRow, RowPlan } from './batch-types.js';

/**
 * What the checks need of the facade: an account opened as `refund` opens it (its merchant, its
 * entry's rules, its adapter and client). Method shapes, so the facade's generic opener fits.
 */
export interface CheckContext {
  readonly ledger: RefundLedger;
  readonly clock: Clock;
  open(provider: ConfiguredProvider, account: unknown, operation: string): Promise<OpenedForCheck>;
}

/** An opened account, as far as the checks read it. */
export interface OpenedForCheck {
  readonly account: string;
  readonly config: unknown;
  readonly client: unknown;
  readonly entry: { readonly options: unknown; currencies(config: never): readonly string[] };
  readonly adapter: { prepareRefund(client: never, config: never, request: never, clock: Clock): unknown };
}

/** A row that passed its own checks: numbered, with its merchant account. */
export interface CheckedRow extends Omit<PlannedRow, 'plan'> {
  readonly input: RefundInput;
  /** The account's name as the row gave it (the facade's `account`), undefined for the default. */
  readonly accountName: string | undefined;
}

/** How many ledger reads run at once while checking (a PostgreSQL pool serves them side by side). */
const READS_AT_ONCE = 8;

/** The rows, numbered: a `BatchRow` keeps its line, a bare input is numbered by its place. */
export function numbered(rows: readonly (BatchRow | RefundInput)[]): { line: number; input: RefundInput }[] {
  return rows.map((row, i) => ('input' in row && typeof row.input === 'object' && row.input !== null ? { line: row.line ?? i + 1, input: row.input } : { line: i + 1, input: row as RefundInput }));
}

/** `error` as the problem of the row at `line`. */
export function problemOf(line: number, error: unknown): BatchProblem {
  if (error instanceof ValidationError) {
    const issue = error.issues[0];
    return { line, rule: error.code, field: issue?.path, message: error.issues.map((i) => i.message).join('; ') };
  }
  if (error instanceof RefundkitError) return { line, rule: error.code, message: error.message };
  throw error;
}

/** Runs `work` over `items`, at most `limit` at once. */
export async function eachAtMost<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Each row alone: its provider and account, options, amounts, ids, currency, and the provider's contract (prepared, never sent). */
async function checkEach(rows: readonly { line: number; input: RefundInput }[], context: CheckContext, problems: BatchProblem[]): Promise<CheckedRow[]> {
  const checked: CheckedRow[] = [];
  for (const { line, input } of rows) {
    try {
      if (input === null || typeof input !== 'object') throw new ValidationError('refund', [{ path: '', rule: 'type object', message: 'a row must be a refund' }]);
      const opened = await context.open(input.provider, input.account, 'refund');
      checkOptions(input.provider, opened.entry.options as ConfigRules<unknown>, input);
      checkCommonInput(input, opened.entry.currencies(opened.config as never));
      // The provider's contract, as the facade checks it before reserving: prepared (signed where the provider signs), never sent.
      opened.adapter.prepareRefund(opened.client as never, opened.config as never, requestOf(input) as never, context.clock);
      const { provider, orderId, refundId, amount, currency } = input;
      checked.push({ line, input, accountName: input.account, provider, account: opened.account, orderId, refundId, amount, currency });
    } catch (error) {
      problems.push(problemOf(line, error));
    }
  }
  return checked;
}

const refundKey = (provider: ProviderKey, account: string, refundId: string): string => `${provider}\u0000${account}\u0000${refundId}`;
const orderKey = (order: OrderIdentity): string => `${order.provider}\u0000${order.account}\u0000${order.orderId}`;

/** A refund id twice in the file (per provider and merchant account, as the ledger keys refunds). */
function checkDuplicates(rows: readonly CheckedRow[], problems: BatchProblem[]): void {
  const first = new Map<string, number>();
  for (const row of rows) {
    const key = refundKey(row.provider, row.account, row.refundId);
    const seen = first.get(key);
    if (seen === undefined) first.set(key, row.line);
    else problems.push({ line: row.line, rule: 'duplicate_refund_id', field: 'refund_id', message: `${row.provider} refund ${row.refundId} is already on line ${seen}: one row per refund` });
  }
}

const PLAN_OF: Record<Refund['status'], RowPlan> = { succeeded: 'done', pending: 'pending', unknown: 'unknown', failed: 'failed' };

/**
 * The file against the ledger: a refund id the ledger holds for another refund (another amount,
 * order or currency), and per order, whether the file's refunds fit in what is left of it. An
 * order's total is the smallest known (the ledger's, each row's `orderAmount`); what it holds is
 * every refund of the ledger on it that is not `failed` and not in the file, plus every row of
 * the file on it (a failed one is resubmitted, so takes its amount again). The row that crosses
 * the total is the one named.
 */
async function checkAgainstLedger(rows: readonly CheckedRow[], ledger: RefundLedger, problems: BatchProblem[]): Promise<Map<number, RowPlan>> {
  const plans = new Map<number, RowPlan>();
  await eachAtMost(rows, READS_AT_ONCE, async (row) => {
    const existing = await ledger.get({ provider: row.provider, account: row.account, refundId: row.refundId });
    if (existing === undefined) return void plans.set(row.line, 'new');
    const diff = differences(existing, { key: { provider: row.provider, account: row.account, refundId: row.refundId, orderId: row.orderId }, amount: row.amount, currency: row.currency, lease: { holder: '', ttlMs: 0 } });
    if (diff.length > 0) problems.push({ line: row.line, rule: 'refund_id_conflict', field: 'refund_id', message: `${row.provider} refund ${row.refundId} is already in the ledger with a different ${diff.join(', ')}: a new refund needs a new refund id` });
    plans.set(row.line, PLAN_OF[existing.status]);
  });

  const byOrder = new Map<string, CheckedRow[]>();
  for (const row of rows) {
    const key = orderKey({ provider: row.provider, account: row.account, orderId: row.orderId });
    const list = byOrder.get(key);
    if (list) list.push(row);
    else byOrder.set(key, [row]);
  }
  await eachAtMost([...byOrder.values()], READS_AT_ONCE, async (onOrder) => {
    const { provider, account, orderId } = onOrder[0]!;
    const order = { provider, account, orderId };
    let total = await ledger.orderAmount(order);
    for (const row of onOrder) if (row.input.orderAmount !== undefined) total = total === undefined ? row.input.orderAmount : Math.min(total, row.input.orderAmount);
    if (total === undefined) return;
    const inFile = new Set(onOrder.map((r) => r.refundId));
    let held = 0;
    for (const refund of await ledger.refundsOf(order)) if (refund.status !== 'failed' && !inFile.has(refund.refundId)) held += refund.amount;
    for (const row of [...onOrder].sort((a, b) => a.line - b.line)) {
      held += row.amount;
      if (held > total) {
        const left = Math.max(0, total - (held - row.amount));
        problems.push({ line: row.line, rule: 'over_refund', field: 'amount', message: `${provider} order ${orderId}: refunding ${row.amount} would exceed the order (${total}; ${left} left after the ledger's refunds and the file's rows before this one)` });
        held -= row.amount;
      }
    }
  });
  return plans;
}

/**
 * Checks every row; throws a `BatchInvalidError` listing every bad row (nothing reserved or sent),
 * else returns the rows in file order with what the ledger says of each (their plan).
 */
export async function checkRows(rows: readonly (BatchRow | RefundInput)[], context: CheckContext): Promise<(CheckedRow & { plan: RowPlan })[]> {
  const problems: BatchProblem[] = [];
  const checked = await checkEach(numbered(rows), context, problems);
  checkDuplicates(checked, problems);
  if (problems.length > 0) throw new BatchInvalidError(problems);
  const plans = await checkAgainstLedger(checked, context.ledger, problems);
  if (problems.length > 0) throw new BatchInvalidError(problems);
  return checked.map((row) => ({ ...row, plan: plans.get(row.line)! }));
}
