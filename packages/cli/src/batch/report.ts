// The end of a mass refund: a summary table for people, the exit code, and `--report OUT`
// (CSV or JSON Lines by its extension): each row's final status, provider refund id, failure.
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { BatchCounts, BatchResult, BatchRowResult } from '@refundkit/refunds';
import { EXIT, UsageError } from '../io.js';
import { jsonLine, printable } from '../terminal-text.js';

/** The report's columns, in order. */
export const REPORT_COLUMNS = ['line', 'provider', 'account', 'order', 'refund_id', 'amount_minor', 'currency', 'plan', 'status', 'provider_refund_id', 'failure_source', 'failure_code', 'failure_message', 'ms'] as const;

/** The report's format from its file name: `.csv`, or `.jsonl` / `.ndjson`; anything else is a usage error (checked before the run). */
export function reportFormat(file: string): 'csv' | 'jsonl' {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new UsageError(`--report ${JSON.stringify(file)}: name a .csv or .jsonl file`);
}

/** A row as the report and `--json` print it (amounts in minor units; no raw answers). */
export function rowRecord(row: BatchRowResult): Record<(typeof REPORT_COLUMNS)[number], string | number> {
  return {
    line: row.line,
    provider: row.provider,
    account: row.account,
    order: row.orderId,
    refund_id: row.refundId,
    amount_minor: row.amount,
    currency: row.currency,
    plan: row.plan,
    status: row.status,
    provider_refund_id: row.providerRefundId ?? '',
    failure_source: row.failure?.source ?? '',
    failure_code: row.failure?.code ?? '',
    failure_message: row.failure?.message ?? '',
    ms: Math.round(row.ms),
  };
}

export function writeReport(file: string, result: BatchResult): void {
  const records = result.rows.map(rowRecord);
  const text = reportFormat(file) === 'csv' ? stringify(records, { header: true, columns: [...REPORT_COLUMNS] }) : records.map((r) => jsonLine(r)).join('');
  writeFileSync(file, text);
}

/**
 * The exit code: the worst status present — unknown (3) over failed (2) over pending or not
 * started (4: run the same file again) — else 0.
 */
export function batchExitCode(counts: Readonly<BatchCounts>): number {
  if (counts.unknown > 0) return EXIT.unknown;
  if (counts.failed > 0) return EXIT.failed;
  if (counts.pending > 0 || counts.notStarted > 0) return EXIT.pending;
  return EXIT.ok;
}

/** The summary table: one line per provider account and a total, then the first failed and unknown rows. */
export function summaryTable(result: BatchResult): string {
  const header = ['provider', 'account', 'rows', 'succeeded', 'pending', 'failed', 'unknown', 'not started'];
  const line = (c: Pick<BatchCounts, 'total' | 'succeeded' | 'pending' | 'failed' | 'unknown' | 'notStarted'>, provider: string, account: string): string[] => [provider, account, ...[c.total, c.succeeded, c.pending, c.failed, c.unknown, c.notStarted].map(String)];
  const body = [...result.lanes.map((l) => line(l, l.provider, printable(l.account))), line(result.counts, 'all', '')];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const lines = [fmt(header), ...body.map(fmt)];
  const troubled = result.rows.filter((r) => r.status === 'failed' || r.status === 'unknown');
  if (troubled.length > 0) {
    lines.push('', `${troubled.length} row${troubled.length === 1 ? '' : 's'} failed or unknown${troubled.length > 10 ? ' (the first 10; all in --report)' : ''}:`);
    for (const r of troubled.slice(0, 10)) lines.push(`  line ${r.line}: ${r.provider} ${printable(r.refundId)} ${r.status}${r.failure ? ` (${printable(r.failure.code)}: ${printable(r.failure.message)})` : ''}`);
  }
  if (result.dryRun) lines.push('', 'dry run: nothing was reserved or sent');
  else if (result.counts.notStarted > 0) lines.push('', `stopped: ${result.counts.notStarted} rows not started; run the same file again to finish (rows already done send nothing)`);
  else if (result.counts.pending > 0 || result.counts.unknown > 0) lines.push('', 'run the same file again to resolve pending and unknown rows by query (nothing is refunded twice)');
  return `${lines.join('\n')}\n`;
}
