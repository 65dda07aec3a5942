import type { RefundStatus } from '../model.js';

/**
 * A provider's result codes and what each means in the unified model. Tables are exhaustive
 * over what the documents and docs/providers/README.md ("Status mapping") name; a code no row names
 * is `unknown`, never a success.
 */
export type StatusTable = Readonly<Record<string, RefundStatus>>;

/** The unified status of `code` in `table`; `unknown` for anything the table does not name. */
export function statusOf(table: StatusTable, code: unknown): RefundStatus {
  return typeof code === 'string' && Object.hasOwn(table, code) ? table[code]! : 'unknown';
}
