import { REGISTRY } from '@refundkit/registry';
import { ADAPTERS, type RefundInput } from '@refundkit/refunds';
import { parseAmountOption, parseDuration } from '../amounts.js';
import { describeRefund, exitCodeOf, openFacade, refundJson, type FacadeArgs } from '../facade.js';
import { UsageError, type Io } from '../io.js';
import { OPTION_KEYS } from '../providers.js';
import { printable } from '../terminal-text.js';

export const REFUND_HELP = `refundkit refund --provider P --order ID --refund-id RID --amount 12.34
                 [--account NAME] [--currency CNY] [--order-amount 50.00] [--reason TEXT] [--notify-url URL]
                 [--option key=value]... [--config refundkit.config.json] [--base-url URL]
                 [--ledger FILE] [--timeout 30s] [--wait [--wait-timeout 60s]] [--json]

Refunds through one provider. Amounts are decimal major units, converted exactly. Retrying with
the same --refund-id never refunds twice. Exit 0 succeeded, 4 pending, 2 failed, 3 unknown
(also: sent, but the answer not recorded), 1 bad input or a local refusal (nothing sent).
--timeout bounds each exchange with the provider
(default 30s); a refund that times out is unknown (exit 3): ask with status, or retry the same
--refund-id, never a new one. Durations are at most 1 hour; the config file at most 1 MiB.
--account names the merchant account, for a provider configured with "accounts" (without it,
the block's "default"); --base-url then applies to every account of the provider.
`;

export interface RefundArgs extends FacadeArgs {
  readonly order?: string | undefined;
  readonly refundId?: string | undefined;
  readonly amount?: string | undefined;
  readonly currency?: string | undefined;
  readonly orderAmount?: string | undefined;
  readonly reason?: string | undefined;
  readonly notifyUrl?: string | undefined;
  readonly option?: readonly string[] | undefined;
  readonly wait?: boolean | undefined;
  readonly waitTimeout?: string | undefined;
  readonly json?: boolean | undefined;
}

/** `--option key=value` pairs as the provider's options object (values are strings). */
export function parseOptions(pairs: readonly string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--option ${JSON.stringify(pair)}: key=value is expected`);
    options[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return options;
}

/** `refundkit refund`. */
export async function refundCommand(args: RefundArgs, io: Io): Promise<number> {
  if (!args.order) throw new UsageError('--order is required');
  if (!args.refundId) throw new UsageError('--refund-id is required');
  if (!args.amount) throw new UsageError('--amount is required');
  const amount = parseAmountOption('--amount', args.amount);
  const orderAmount = args.orderAmount === undefined ? undefined : parseAmountOption('--order-amount', args.orderAmount);
  const waitTimeoutMs = args.waitTimeout === undefined ? 60_000 : parseDuration('--wait-timeout', args.waitTimeout);
  const options = parseOptions(args.option ?? []);
  if (args.provider && Object.hasOwn(OPTION_KEYS, args.provider)) {
    const known: readonly string[] = OPTION_KEYS[args.provider as keyof typeof OPTION_KEYS];
    const unknown = Object.keys(options).filter((key) => !known.includes(key));
    if (unknown.length > 0) throw new UsageError(`--option ${unknown.join(', ')}: ${args.provider} takes ${known.length > 0 ? `only ${known.join(', ')}` : 'no options'}`);
  }
  const { refunds, provider, providerConfig } = await openFacade(args, io);
  try {
    // The provider config's currency, else the provider's default (its spec's first currency).
    // `never`: the config is the one the user gave for `provider`, which the adapter checks.
    const currency = args.currency ?? ADAPTERS[provider].currencies(providerConfig as never)[0] ?? REGISTRY[provider].currencies[0];
    // Asserted: currency and options are strings from the command line, which the facade checks before anything is sent.
    let refund = await refunds.refund({
      provider,
      ...(args.account === undefined ? {} : { account: args.account }),
      orderId: args.order,
      refundId: args.refundId,
      amount,
      currency,
      ...(orderAmount === undefined ? {} : { orderAmount }),
      ...(args.reason ? { reason: args.reason } : {}),
      ...(args.notifyUrl ? { notifyUrl: args.notifyUrl } : {}),
      options,
    } as RefundInput);
    if (args.wait && (refund.status === 'pending' || refund.status === 'unknown')) {
      try {
        refund = await refunds.waitFor(refund, { timeoutMs: waitTimeoutMs });
      } catch (error) {
        // The refund was sent and its answer recorded: a failure while waiting (the ledger gone,
        // an answer to a query not recorded) must not read as "nothing sent". The refund is
        // printed as the ledger last held it, and exits by that status.
        // The error's own "nothing was sent" speaks of the call that failed (a query, a read), not of the refund.
        const why = (error instanceof Error ? error.message : String(error)).replace(/;\s*nothing was sent\.?$/, '');
        const t = printable;
        io.stderr.write(`refundkit: waiting stopped (${t(why)}); the refund was sent and is ${refund.status}: ask with refundkit status --provider ${t(refund.provider)} --order ${t(refund.orderId)} --refund-id ${t(refund.refundId)}\n`);
      }
    }
    io.stdout.write(args.json ? refundJson(refund) : describeRefund(refund));
    return exitCodeOf(refund);
  } finally {
    await refunds.close();
  }
}
