import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { UnmatchedNotification } from '@refundkit/refunds';
import { loadConfig } from '../config.js';
import { describeRefund, exitCodeOf, openFacade, refundJson, type FacadeArgs } from '../facade.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { jsonLine, printable } from '../terminal-text.js';

export const STATUS_HELP = `refundkit status --provider P --order ID --refund-id RID [--account NAME] [--config FILE]
                 [--ledger FILE] [--timeout 30s] [--json]
refundkit status --unmatched [--provider P] [--limit 20] [--ledger FILE] [--json]

The refund as the ledger knows it, asking the provider when it is not final yet, and its
history: every reservation, attempt and answer, oldest first (with --json, as "history"). Exit
codes as for refund. --timeout is at most 1 hour. --account names the merchant account, for a
provider configured with "accounts" (without it, the block's "default").

With --unmatched: the notifications that named a refund this ledger never saw (kept before they
were acknowledged), the latest first: provider, account, refund id named, deliveries, when, and
an excerpt of the body (--json: one JSON array). With --provider, that provider's configured
account only. Exit 0.
`;

/** `refundkit status`. */
export async function statusCommand(
  args: FacadeArgs & { order?: string | undefined; refundId?: string | undefined; json?: boolean | undefined; unmatched?: boolean | undefined; limit?: string | undefined },
  io: Io,
): Promise<number> {
  if (args.unmatched) return unmatchedCommand(args, io);
  if (!args.order) throw new UsageError('--order is required');
  if (!args.refundId) throw new UsageError('--refund-id is required');
  const { refunds, provider } = await openFacade(args, io);
  try {
    const key = { provider, ...(args.account === undefined ? {} : { account: args.account }), orderId: args.order, refundId: args.refundId };
    const refund = await refunds.get(key);
    const history = await refunds.history(key);
    io.stdout.write(args.json ? refundJson(refund, history) : describeRefund(refund, history));
    return exitCodeOf(refund);
  } finally {
    await refunds.close();
  }
}

/** How much of an excerpt the text listing shows (the JSON has the ledger's whole excerpt). */
const SHOWN_EXCERPT = 160;

/** `refundkit status --unmatched`: through the facade with --provider (its account only), else the whole ledger. */
async function unmatchedCommand(args: FacadeArgs & { json?: boolean | undefined; limit?: string | undefined; order?: string | undefined; refundId?: string | undefined }, io: Io): Promise<number> {
  if (args.order || args.refundId) throw new UsageError('--unmatched lists notifications of no known refund: leave out --order and --refund-id');
  const limit = args.limit === undefined ? 20 : Number(args.limit);
  if (!(Number.isSafeInteger(limit) && limit >= 1 && limit <= 10_000)) throw new UsageError('--limit must be a whole number from 1 to 10000');
  let found: UnmatchedNotification[];
  if (args.provider !== undefined) {
    const { refunds } = await openFacade(args, io);
    try {
      found = await refunds.unmatchedNotifications({ limit });
    } finally {
      await refunds.close();
    }
  } else {
    const { ledgerLocation, openLedger } = await import('../ledger.js');
    const env = io.env ?? process.env;
    const cwd = io.cwd ?? process.cwd();
    // The config's `ledger` counts too, when there is a config (no provider of it is read: none is selected).
    const configFile = args.config ?? env['REFUNDKIT_CONFIG'] ?? (existsSync(resolve(cwd, 'refundkit.config.json')) ? 'refundkit.config.json' : undefined);
    const configured = args.ledger ?? env['REFUNDKIT_LEDGER'] ?? (configFile === undefined ? undefined : loadConfig(configFile, env, cwd, '\u0000').ledger);
    const ledger = await openLedger(ledgerLocation(configured, cwd), io);
    try {
      found = await ledger.unmatched({ limit });
    } finally {
      await ledger.close();
    }
  }
  if (args.json) {
    io.stdout.write(jsonLine(found));
    return EXIT.ok;
  }
  if (found.length === 0) {
    io.stdout.write('no unmatched notifications\n');
    return EXIT.ok;
  }
  // Everything here came from whoever POSTed the notification: printed through `printable`.
  const t = printable;
  for (const n of found) {
    const excerpt = n.excerpt.length > SHOWN_EXCERPT ? `${n.excerpt.slice(0, SHOWN_EXCERPT)}…` : n.excerpt;
    io.stdout.write(
      `${t(n.provider)} (account ${t(n.account)}) refund ${t(n.refundId)}: ${n.deliveries} ${n.deliveries === 1 ? 'delivery' : 'deliveries'}, ${n.verified ? 'signed' : 'unsigned'}, first ${t(n.receivedAt)}, last ${t(n.lastReceivedAt)}\n  ${t(excerpt)}\n`,
    );
  }
  return EXIT.ok;
}
