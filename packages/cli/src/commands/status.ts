import { describeRefund, exitCodeOf, openFacade, refundJson, type FacadeArgs } from '../facade.js';
import { UsageError, type Io } from '../io.js';

export const STATUS_HELP = `refundkit status --provider P --order ID --refund-id RID [--account NAME] [--config FILE]
                 [--ledger FILE] [--timeout 30s] [--json]

The refund as the ledger knows it, asking the provider when it is not final yet, and its
history: every reservation, attempt and answer, oldest first (with --json, as "history"). Exit
codes as for refund. --timeout is at most 1 hour. --account names the merchant account, for a
provider configured with "accounts" (without it, the block's "default").
`;

/** `refundkit status`. */
export async function statusCommand(args: FacadeArgs & { order?: string | undefined; refundId?: string | undefined; json?: boolean | undefined }, io: Io): Promise<number> {
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
