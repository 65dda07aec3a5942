// The one error a mass refund throws for its rows: every bad row, by line and rule, and the
// promise that nothing was reserved or sent.
import { RefundkitError } from '@refundkit/runtime';

/** One bad row: its line, the rule it breaks (an error code or a contract rule), and why. */
export interface BatchProblem {
  readonly line: number;
  /**
   * The rule: `duplicate_refund_id`, `over_refund`, `refund_id_conflict`, `validation_failed`,
   * `account_unknown`, `amount_invalid`, `row_invalid` (a file row that is not a refund), …
   */
  readonly rule: string;
  /** The field at fault, when one is (`amount`, `options.payType`, `refund_id`). */
  readonly field?: string | undefined;
  readonly message: string;
}

/** How many problems the message lists; `problems` holds them all. */
const LISTED = 20;

/**
 * Rows of a mass refund broke a rule: the run stopped before anything was reserved or sent.
 * `problems` lists every bad row found (line, rule, field, message), in line order.
 *
 * @example
 * try { await refunds.batch(rows) } catch (e) { if (e instanceof BatchInvalidError) for (const p of e.problems) console.log(p.line, p.rule, p.message) }
 */
export class BatchInvalidError extends RefundkitError {
  readonly problems: readonly BatchProblem[];

  constructor(problems: readonly BatchProblem[], source = 'the batch') {
    const sorted = [...problems].sort((a, b) => a.line - b.line);
    const listed = sorted.slice(0, LISTED).map((p) => `line ${p.line}: ${p.rule}${p.field ? ` (${p.field})` : ''}: ${p.message}`);
    const more = sorted.length > LISTED ? [`… and ${sorted.length - LISTED} more`] : [];
    const rows = new Set(sorted.map((p) => p.line)).size;
    super('batch_invalid', `${source}: ${rows} bad row${rows === 1 ? '' : 's'}; nothing was sent\n${[...listed, ...more].join('\n')}`);
    this.problems = sorted;
  }
}
