/**
 * `refundkit batch FILE`: a mass refund from a CSV or JSON Lines file. Every row is checked
 * before anything is sent (a bad row: exit 1, nothing sent); then the rows are refunded under
 * each provider account's limits, with progress on stderr and a summary (or, with --json, one
 * JSON object per row and a summary) on stdout. The ledger is the run's state: the same file
 * again sends nothing for rows that succeeded, resolves pending and unknown ones by query, and
 * resubmits failed ones under the same refund number. With --queue the rows become jobs in
 * PostgreSQL for `refundkit worker` processes (@refundkit/queue, loaded only then).
 */
import { createHash } from 'node:crypto';
import { basename, extname, resolve } from 'node:path';
import { ADAPTERS, BatchInvalidError, createRefunds, type BatchOptions, type BatchResult, type LaneLimit, type RefundLedger, type Refunds } from '@refundkit/refunds';
import { isProviderKey, REGISTRY } from '@refundkit/registry';
import { parseDuration } from '../amounts.js';
import { loadConfig, type CliConfig } from '../config.js';
import { ConfigFileError } from '../config-error.js';
import { accountSettings } from '../facade.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { ledgerLocation, openLedger, type LedgerLocation } from '../ledger.js';
import { PROVIDER_KEYS } from '../providers.js';
import { jsonLine } from '../terminal-text.js';
import { progressView, type ProgressStream } from '../batch/progress-view.js';
import { readRows } from '../batch/read-rows.js';
import { batchExitCode, reportFormat, rowRecord, summaryTable, writeReport } from '../batch/report.js';

export const BATCH_HELP = `refundkit batch FILE [--dry-run] [--report OUT] [--concurrency N] [--config C] [--ledger L]
                [--account A] [--batch LABEL] [--timeout 30s] [--json]
refundkit batch FILE --queue --ledger postgres://… [--config C] [--batch LABEL] [--json]

Refunds every row of FILE: CSV with a header row, or JSON Lines (.jsonl), UTF-8 (a BOM is fine).
Columns: provider, order, refund_id, amount (decimal major units, e.g. 12.34); optional account,
currency, order_amount, reason, notify_url, and option.<key> (e.g. option.payType).

Every row is checked before anything is sent (the contract, amounts, options, a refund id twice,
a refund id the ledger holds for another refund, more on an order than it holds, counting the
ledger and the file together): a bad row stops the run with its line and rule, nothing sent
(exit 1). --dry-run checks and prints the plan only.

The ledger is the run's state: running the same file again sends nothing for rows that
succeeded, resolves pending and unknown rows by query, and resubmits failed rows under the same
refund number. Ctrl-C stops starting rows (those in flight finish); a second Ctrl-C quits at
once. Either way, run the same file again to finish: nothing is refunded twice.

Limits per provider account come from the config's "batch" block (defaults: 4 in flight,
10 requests per second, one refund per order in flight); --concurrency caps the whole run.
  "batch": { "concurrency": 16, "limits": { "tipay": { "concurrency": 8, "perSecond": 20 } } }

Progress goes to stderr (a live line per provider account on a terminal, plain lines every 2s
otherwise); a summary table to stdout; --json prints one JSON object per row and a summary.
--report OUT writes each row's final status, provider refund id and failure (.csv or .jsonl).

--queue (PostgreSQL ledger): enqueues each row as a job in the same transaction as its
reservation, then follows the run until every row is final; refundkit worker processes send.
Ctrl-C stops following; the jobs stay with the workers.

Exit: 0 all succeeded, 4 some pending (or not started), 2 some failed, 3 some unknown (the worst
present: unknown > failed > pending), 1 a bad file or flag (nothing sent).
`;

export interface BatchArgs {
  readonly file?: string | undefined;
  readonly dryRun?: boolean | undefined;
  readonly report?: string | undefined;
  readonly concurrency?: string | undefined;
  readonly config?: string | undefined;
  readonly ledger?: string | undefined;
  readonly account?: string | undefined;
  readonly batch?: string | undefined;
  readonly timeout?: string | undefined;
  readonly json?: boolean | undefined;
  readonly queue?: boolean | undefined;
}

export interface BatchControl {
  /** Stops starting rows (tests); by default the first SIGINT or SIGTERM. */
  readonly signal?: AbortSignal | undefined;
}

/** A whole number flag from 1 to `max`. */
export function countFlag(flag: string, text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new UsageError(`${flag} ${JSON.stringify(text)}: a whole number from 1 to ${max} is expected`);
  return n;
}

/** The config's `batch` block, checked: `concurrency` and per-provider `limits`. */
export function batchSettings(config: CliConfig): { concurrency?: number; limits: Partial<Record<string, LaneLimit>> } {
  const block = config.batch;
  if (block === undefined) return { limits: {} };
  if (block === null || typeof block !== 'object' || Array.isArray(block)) throw new ConfigFileError('batch', 'must be an object: { "concurrency"?, "limits"? }');
  const { concurrency, limits, ...rest } = block as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new ConfigFileError(`batch.${extra[0]}`, 'unknown setting (batch takes concurrency and limits)');
  const whole = (path: string, value: unknown): number | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > 1_000) throw new ConfigFileError(path, 'must be a whole number from 1 to 1000');
    return value;
  };
  const out: Partial<Record<string, LaneLimit>> = {};
  if (limits !== undefined) {
    if (limits === null || typeof limits !== 'object' || Array.isArray(limits)) throw new ConfigFileError('batch.limits', 'must be an object by provider');
    for (const [provider, limit] of Object.entries(limits)) {
      const path = `batch.limits.${provider}`;
      if (!isProviderKey(provider)) throw new ConfigFileError(path, `unknown provider (one of ${PROVIDER_KEYS.join(', ')})`);
      if (limit === null || typeof limit !== 'object' || Array.isArray(limit)) throw new ConfigFileError(path, 'must be { "concurrency"?, "perSecond"?, "onePerOrder"? }');
      const { concurrency: c, perSecond, onePerOrder, ...more } = limit as Record<string, unknown>;
      if (Object.keys(more).length > 0) throw new ConfigFileError(`${path}.${Object.keys(more)[0]}`, 'unknown setting (concurrency, perSecond, onePerOrder)');
      if (perSecond !== undefined && !(typeof perSecond === 'number' && perSecond > 0 && perSecond <= 100_000)) throw new ConfigFileError(`${path}.perSecond`, 'must be a number of requests per second, more than 0');
      if (onePerOrder !== undefined && typeof onePerOrder !== 'boolean') throw new ConfigFileError(`${path}.onePerOrder`, 'must be true or false');
      out[provider] = { concurrency: whole(`${path}.concurrency`, c), perSecond: perSecond as number | undefined, onePerOrder: onePerOrder as boolean | undefined };
    }
  }
  const total = whole('batch.concurrency', concurrency);
  return { ...(total !== undefined ? { concurrency: total } : {}), limits: out };
}

/** The label of a run when none is given: the file's name and a digest of its bytes, so the same file resumes the same run. */
export function defaultLabel(file: string, bytes: Buffer): string {
  const stem = basename(file, extname(file)).replace(/[^A-Za-z0-9._:-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 60) || 'batch';
  return `${stem}-${createHash('sha256').update(bytes).digest('hex').slice(0, 10)}`;
}

/** What a batch command opens: the config, the rows, the ledger and the facade. */
export interface OpenedBatch {
  readonly refunds: Refunds;
  /** The ledger the facade writes (a `PostgresLedger` for a postgres:// location). */
  readonly ledger: RefundLedger;
  readonly rows: ReturnType<typeof readRows>['rows'];
  readonly label: string;
  readonly location: LedgerLocation;
  readonly settings: ReturnType<typeof batchSettings>;
  readonly config: CliConfig;
}

/** Reads the config and the file (a bad row: `BatchInvalidError`, nothing opened or sent), then opens the ledger and the facade. */
export async function openBatch(args: Pick<BatchArgs, 'file' | 'config' | 'ledger' | 'account' | 'batch' | 'timeout'>, io: Io): Promise<OpenedBatch> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  if (!args.file) throw new UsageError('give the batch FILE (CSV or .jsonl)');
  const timeoutMs = args.timeout === undefined ? undefined : parseDuration('--timeout', args.timeout);
  if (timeoutMs === 0) throw new UsageError('--timeout must be more than 0');
  const configFile = args.config ?? env['REFUNDKIT_CONFIG'] ?? 'refundkit.config.json';
  const config = loadConfig(configFile, env, cwd);
  const settings = batchSettings(config);
  const currencyOf = (provider: string, account: string | undefined): string | undefined => {
    if (!isProviderKey(provider) || !config.providers[provider]) return undefined;
    const settingsOf = accountSettings({ ...config.providers[provider] }, account);
    return ADAPTERS[provider].currencies(settingsOf as never)[0] ?? REGISTRY[provider].currencies[0];
  };
  const read = readRows(resolve(cwd, args.file), args.file, { account: args.account, currencyOf });
  if (read.problems.length > 0) throw new BatchInvalidError(read.problems, args.file);
  const label = args.batch ?? defaultLabel(args.file, read.bytes);
  const ledgerSource = args.ledger !== undefined ? '--ledger' : env['REFUNDKIT_LEDGER'] !== undefined ? 'REFUNDKIT_LEDGER' : `"ledger" in ${configFile}`;
  const location = ledgerLocation(args.ledger ?? env['REFUNDKIT_LEDGER'] ?? config.ledger, cwd, ledgerSource);
  const ledger = await openLedger(location, io);
  try {
    // `never`: the blocks are unchecked JSON from the file; createRefunds checks them (one ConfigError naming each problem).
    const refunds = createRefunds({ providers: config.providers as never, ledger, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    return { refunds, ledger, rows: read.rows, label, location, settings, config };
  } catch (error) {
    await ledger.close();
    throw error;
  }
}

/** Stops on the first SIGINT/SIGTERM (saying so), quits on the second; returns the signal and the way to stop listening. */
export function interruptions(io: Io, what: string): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) {
      io.stderr.write('refundkit: stopped at once; run the same file again to finish (nothing is refunded twice)\n');
      process.exit(130);
    }
    io.stderr.write(`refundkit: stopping: ${what}; Ctrl-C again to quit at once\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: controller.signal, dispose: () => (process.off('SIGINT', onSignal), process.off('SIGTERM', onSignal)) };
}

/** `refundkit batch`. */
export async function batchCommand(args: BatchArgs, io: Io, control: BatchControl = {}): Promise<number> {
  if (args.report !== undefined) reportFormat(args.report);
  const concurrency = countFlag('--concurrency', args.concurrency, 1_000);
  if (args.queue) {
    if (args.dryRun) throw new UsageError('--dry-run checks the file in this process: leave out --queue');
    const { queueBatchCommand } = await import('./batch-queue.js');
    return queueBatchCommand(args, io, control);
  }
  const opened = await openBatch(args, io);
  const { refunds, rows, label, settings } = opened;
  const stream = io.stderr as ProgressStream;
  const view = progressView(stream, { json: args.json === true });
  const stop = control.signal === undefined ? interruptions(io, 'no new rows start; those in flight finish') : undefined;
  let result: BatchResult;
  try {
    const options: BatchOptions = {
      batch: label,
      concurrency: concurrency ?? settings.concurrency,
      limits: settings.limits,
      signal: control.signal ?? stop?.signal,
      dryRun: args.dryRun === true,
      onProgress: (progress) => {
        if (args.json) io.stdout.write(jsonLine({ type: 'row', ...rowRecord(progress.row) }));
        view.update(progress);
      },
    };
    result = await refunds.batch(rows, options);
  } finally {
    view.done();
    stop?.dispose();
    await refunds.close();
  }
  if (args.report !== undefined) writeReport(resolve(io.cwd ?? process.cwd(), args.report), result);
  const exit = result.dryRun ? EXIT.ok : batchExitCode(result.counts);
  if (args.json) {
    if (result.dryRun) for (const row of result.rows) io.stdout.write(jsonLine({ type: 'plan', ...rowRecord(row) }));
    io.stdout.write(jsonLine({ type: 'summary', batch: result.batch, dryRun: result.dryRun, counts: result.counts, lanes: result.lanes.map(({ ratePerSecond: _r, etaSeconds: _e, ...lane }) => lane), stopped: result.stopped, ms: Math.round(result.ms), exit }));
  } else {
    io.stdout.write(`batch ${result.batch}${result.dryRun ? ' (dry run)' : ''}: ${result.counts.total} rows in ${(result.ms / 1000).toFixed(1)}s\n`);
    if (result.dryRun) io.stdout.write(planTable(result));
    io.stdout.write(summaryTable(result));
  }
  return exit;
}

/** A dry run's plan, per provider account: how many rows are new, done, pending, unknown, failed. */
function planTable(result: BatchResult): string {
  const plans = ['new', 'done', 'pending', 'unknown', 'failed'] as const;
  const counts = new Map<string, Record<string, number>>();
  for (const row of result.rows) {
    const key = `${row.provider} ${row.account}`;
    const c = counts.get(key) ?? Object.fromEntries(plans.map((p) => [p, 0]));
    c[row.plan]! += 1;
    counts.set(key, c);
  }
  const lines = [`plan: ${plans.map((p) => `${p}`).join(', ')} (new: to send; done: succeeded, nothing to send; pending/unknown: a query first; failed: resubmitted under the same number)`];
  for (const [key, c] of counts) lines.push(`  ${key}: ${plans.map((p) => `${p} ${c[p]}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
