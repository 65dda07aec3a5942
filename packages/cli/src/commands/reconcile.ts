// `refundkit reconcile`: one run of the reconciler, for cron (docs/changes-and-reconciling.md).
import { createRefunds, type ReconcileSummary } from '@refundkit/refunds';
import { isProviderKey } from '@refundkit/registry';
import { parseDuration } from '../amounts.js';
import { loadConfig } from '../config.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { ledgerLocation, openLedger } from '../ledger.js';
import { PROVIDER_KEYS } from '../providers.js';
import { jsonLine } from '../terminal-text.js';

export const RECONCILE_HELP = `refundkit reconcile [--older-than 5m] [--limit 100] [--provider P] [--config FILE]
                    [--ledger FILE|URL] [--timeout 30s] [--json]

Asks the providers about every pending or unknown refund in the ledger (of the accounts in the
config, or of --provider only) created at least --older-than ago (default 5m) whose next check
is due, at most --limit of them (default 100), and records what they say. It only queries: it
never sends a refund request, and a refund a query cannot decide stays as it is. Each refund's
checks back off (1 minute doubling to 1 hour, kept in the ledger), and each refund is claimed in
the ledger before it is queried, so runs from cron on several machines at once never query one
refund together, and a refund whose sender is sending is left alone.

Prints what it did (--json: one JSON object: checked, resolved.succeeded, resolved.failed,
stillPending, stillUnknown, skipped). Exit 0 when it ran, whatever the refunds turned out to be;
1 when it could not run or stopped part-way (a bad flag or configuration, the ledger unreachable):
what it recorded stays recorded, and running it again is safe.
`;

export interface ReconcileArgs {
  readonly provider?: string | undefined;
  readonly olderThan?: string | undefined;
  readonly limit?: string | undefined;
  readonly config?: string | undefined;
  readonly ledger?: string | undefined;
  readonly timeout?: string | undefined;
  readonly json?: boolean | undefined;
}

/** The summary for people, on one line. */
export function describeSummary(s: ReconcileSummary): string {
  return `reconciled: ${s.checked} checked (${s.resolved.succeeded} succeeded, ${s.resolved.failed} failed, ${s.stillPending} still pending, ${s.stillUnknown} still unknown), ${s.skipped} skipped\n`;
}

/** `refundkit reconcile`. */
export async function reconcileCommand(args: ReconcileArgs, io: Io): Promise<number> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  if (args.provider !== undefined && !isProviderKey(args.provider)) throw new UsageError(`--provider must be one of ${PROVIDER_KEYS.join(', ')}`);
  const olderThanMs = args.olderThan === undefined ? undefined : parseDuration('--older-than', args.olderThan);
  const limit = args.limit === undefined ? undefined : Number(args.limit);
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1 && limit <= 10_000)) throw new UsageError('--limit must be a whole number from 1 to 10000');
  const timeoutMs = args.timeout === undefined ? undefined : parseDuration('--timeout', args.timeout);
  if (timeoutMs === 0) throw new UsageError('--timeout must be more than 0');
  const configFile = args.config ?? env['REFUNDKIT_CONFIG'] ?? 'refundkit.config.json';
  const config = loadConfig(configFile, env, cwd, args.provider);
  if (Object.keys(config.providers).length === 0) throw new UsageError(`${configFile} has no configuration${args.provider ? ` for ${args.provider}` : ''}`);
  const ledger = await openLedger(ledgerLocation(args.ledger ?? env['REFUNDKIT_LEDGER'] ?? config.ledger, cwd), io);
  // `never`: settings from the file, which createRefunds checks at run time (one ConfigError naming each problem).
  const refunds = createRefunds({ providers: config.providers as never, ledger, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  try {
    const summary = await refunds.reconcile({ ...(olderThanMs === undefined ? {} : { olderThanMs }), ...(limit === undefined ? {} : { limit }) });
    io.stdout.write(args.json ? jsonLine(summary) : describeSummary(summary));
    return EXIT.ok;
  } finally {
    await refunds.close();
  }
}

