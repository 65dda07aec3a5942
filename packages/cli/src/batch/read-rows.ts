// A mass refund's file as rows: CSV with a header row, or JSON Lines, one refund per row, in
// UTF-8 (a BOM is fine). Columns: provider, order, refund_id, amount (decimal major units, as on
// the command line), and optionally account, currency, order_amount, reason, notify_url and
// option.<key>. Every row is read before anything is checked further; a row that is not a refund
// (an unknown column, a missing or bad amount) is a problem with its line number.
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { BatchProblem, BatchRow, RefundInput } from '@refundkit/refunds';
import { parseAmountOption } from '../amounts.js';
import { readBoundedFile, UnreadableFileError } from '../bounded-file.js';
import { UsageError } from '../io.js';

/** The largest batch file: about 400,000 rows of a typical width. */
export const MAX_BATCH_FILE_BYTES = 64 * 1024 * 1024;

/** The columns a row must have. */
export const REQUIRED_COLUMNS = ['provider', 'order', 'refund_id', 'amount'] as const;
/** The columns a row may have, besides `option.<key>`. */
export const OPTIONAL_COLUMNS = ['account', 'currency', 'order_amount', 'reason', 'notify_url'] as const;
const KNOWN = new Set<string>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);
const OPTION_PREFIX = 'option.';

/** What a row may default from the command line and the configuration. */
export interface RowDefaults {
  /** `--account`: the account of rows that name none. */
  readonly account?: string | undefined;
  /** The currency of a row that names none: its provider account's configured or default currency. */
  currencyOf(provider: string, account: string | undefined): string | undefined;
}

/** The file's rows and the problems found reading them. */
export interface ReadRows {
  readonly rows: BatchRow[];
  readonly problems: BatchProblem[];
  /** The file's bytes, for a default batch label that is the same for the same file. */
  readonly bytes: Buffer;
}

/** The file's text: a regular file, at most {@link MAX_BATCH_FILE_BYTES}. */
function readText(path: string, shown: string): Buffer {
  try {
    const size = statSync(path).size;
    // Read with room for the size seen, not the ceiling: the buffer is as large as the limit.
    return readBoundedFile(path, Math.min(MAX_BATCH_FILE_BYTES, size));
  } catch (error) {
    const why = error instanceof UnreadableFileError ? error.message : (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot read ${shown}: ${why}${statSafe(path) > MAX_BATCH_FILE_BYTES ? ` (at most ${MAX_BATCH_FILE_BYTES} bytes)` : ''}`);
  }
}

const statSafe = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/** CSV unless the name ends in `.jsonl` or `.ndjson`. */
export function isJsonLines(file: string): boolean {
  return ['.jsonl', '.ndjson'].includes(extname(file).toLowerCase());
}

/** One row's fields (all text) as a refund input, or the problem with it. */
function toRow(line: number, fields: Readonly<Record<string, unknown>>, defaults: RowDefaults): BatchRow | BatchProblem {
  const unknown = Object.keys(fields).filter((k) => !KNOWN.has(k) && !(k.startsWith(OPTION_PREFIX) && k.length > OPTION_PREFIX.length) && k !== 'options');
  if (unknown.length > 0) return { line, rule: 'unknown_column', field: unknown[0], message: `unknown column ${unknown.map((k) => JSON.stringify(k)).join(', ')}: the columns are ${[...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS].join(', ')} and option.<key>` };
  const text = (key: string): string | undefined => {
    const value = fields[key];
    if (value === undefined || value === null || value === '') return undefined;
    return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  };
  for (const key of REQUIRED_COLUMNS) if (text(key) === undefined) return { line, rule: 'required', field: key, message: `${key} is required` };
  let amount: number;
  let orderAmount: number | undefined;
  try {
    amount = parseAmountOption('amount', text('amount')!);
    const order = text('order_amount');
    orderAmount = order === undefined ? undefined : parseAmountOption('order_amount', order);
  } catch (error) {
    const field = /^order_amount/.test((error as Error).message) ? 'order_amount' : 'amount';
    return { line, rule: 'amount_invalid', field, message: (error as Error).message };
  }
  const options: Record<string, string> = {};
  const nested = fields['options'];
  if (nested !== undefined && nested !== null && typeof nested === 'object' && !Array.isArray(nested)) for (const [k, v] of Object.entries(nested)) options[k] = String(v);
  for (const [k, v] of Object.entries(fields)) if (k.startsWith(OPTION_PREFIX) && v !== '' && v !== undefined && v !== null) options[k.slice(OPTION_PREFIX.length)] = String(v);
  const provider = text('provider')!;
  const account = text('account') ?? defaults.account;
  const currency = text('currency') ?? defaults.currencyOf(provider, account);
  const input = {
    provider,
    ...(account !== undefined ? { account } : {}),
    orderId: text('order')!,
    refundId: text('refund_id')!,
    amount,
    ...(currency !== undefined ? { currency } : {}),
    ...(orderAmount !== undefined ? { orderAmount } : {}),
    ...(text('reason') !== undefined ? { reason: text('reason') } : {}),
    ...(text('notify_url') !== undefined ? { notifyUrl: text('notify_url') } : {}),
    options,
  };
  // Checked by the facade, row by row, before anything is sent: the provider, the account, the currency, the options.
  return { line, input: input as unknown as RefundInput };
}

/** Rows of a CSV text with a header row; the header is line 1. */
function csvRows(text: string, defaults: RowDefaults, rows: BatchRow[], problems: BatchProblem[]): void {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(text, { columns: true, bom: true, skip_empty_lines: true, info: true, relax_column_count: false }) as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    problems.push({ line, rule: 'csv_invalid', message: (error as Error).message });
    return;
  }
  for (const { record, info } of records) {
    const row = toRow(info.lines, record, defaults);
    if ('input' in row) rows.push(row);
    else problems.push(row);
  }
}

/** Rows of a JSON Lines text: one object per non-blank line. */
function jsonLinesRows(text: string, defaults: RowDefaults, rows: BatchRow[], problems: BatchProblem[]): void {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((content, i) => {
    if (content.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      problems.push({ line: i + 1, rule: 'json_invalid', message: (error as Error).message });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ line: i + 1, rule: 'json_invalid', message: 'a line must be one JSON object' });
      return;
    }
    const row = toRow(i + 1, value as Record<string, unknown>, defaults);
    if ('input' in row) rows.push(row);
    else problems.push(row);
  });
}

/** Reads the batch file `file` (resolved `path`): its rows, and the problems of rows that are not refunds. */
export function readRows(path: string, file: string, defaults: RowDefaults): ReadRows {
  const bytes = readText(path, file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${file} is not UTF-8 text`);
  }
  const rows: BatchRow[] = [];
  const problems: BatchProblem[] = [];
  if (isJsonLines(file)) jsonLinesRows(text, defaults, rows, problems);
  else csvRows(text, defaults, rows, problems);
  if (rows.length === 0 && problems.length === 0) throw new UsageError(`${file} holds no rows`);
  return { rows, problems, bytes };
}
