/**
 * `refundkit demo`: the main job on the embedded sandbox. For each of the five providers it runs
 * a full refund, two partial refunds, an over-refund (refused locally), a retry with the same
 * refund id (replayed, not duplicated), an asynchronous refund resolved by polling, a
 * timeout after the provider committed, resolved without a second refund, and a refund left
 * unknown that nobody retries, resolved by the reconciler's queries. It prints a table and
 * exits non-zero if any outcome is wrong, checking each against the sandbox's own books.
 */
import { createRefunds, MemoryLedger, OverRefundError, type ProviderConfigs, type Refund, type RefundInput, type Refunds } from '@refundkit/refunds';
import { PROVIDER_KEYS, REGISTRY, type ProviderKey } from '@refundkit/registry';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { EXIT, type Io } from '../io.js';
import { jsonLine, printable } from '../terminal-text.js';

export const DEMO_HELP = `refundkit demo [--json]

Starts the embedded sandbox (127.0.0.1, a free port) and runs the main scenarios against all five
providers. Prints a table (provider, scenario, status, provider refund id, ms); exits 1 if any
outcome is wrong.
`;

type Provider = ProviderKey;
const PROVIDERS = PROVIDER_KEYS;

/** One line of the table. */
export interface DemoRow {
  readonly provider: Provider;
  readonly scenario: string;
  readonly status: string;
  readonly providerRefundId: string;
  readonly ms: number;
  readonly ok: boolean;
  readonly why?: string;
}

/** Provider settings from the sandbox's test credentials, and the options each refund needs. */
function setup(sandbox: Sandbox): { providers: ProviderConfigs; options: Record<Provider, Record<string, string>>; currency: Record<Provider, string> } {
  const c = sandbox.credentials;
  return {
    providers: {
      easypay: { baseUrl: sandbox.urls.easypay, mchtCode: c.easypay.mchtCode, privateKey: c.easypay.merchantPrivateKeyPem, easypayPublicKey: c.easypay.easypayPublicKeyPem },
      eftpay: { baseUrl: sandbox.urls.eftpay, userConfirmKey: c.eftpay.userConfirmKey, secretCode: c.eftpay.secretCode, currency: REGISTRY.eftpay.currencies[0] },
      lianke: { baseUrl: sandbox.urls.lianke, storeNo: c.lianke.storeNo, operator: c.lianke.operator },
      tipay: { baseUrl: sandbox.urls.tipay, appId: c.tipay.appId, appKey: c.tipay.appKey, merchantNo: c.tipay.merchantNo },
      yima: { baseUrl: sandbox.urls.yima, isspid: c.yima.isspid, systemId: c.yima.systemId, posId: c.yima.posId, storeId: c.yima.storeId },
    },
    options: { easypay: { payType: 'AliPayRefund', oriTransDate: '20250101' }, eftpay: { paymentType: 'ALIPAYHK' }, lianke: {}, tipay: {}, yima: {} },
    // Each provider's default currency, as its spec states it (the sandbox's seeded orders are in it).
    currency: Object.fromEntries(PROVIDERS.map((p) => [p, REGISTRY[p].currencies[0]])) as Record<Provider, string>,
  };
}

/** Ids every provider accepts (yima wants 13 to 32 characters, eftpay at most 28). */
const idFor = (provider: Provider, kind: string, n: number): string => `${provider.slice(0, 2).toUpperCase()}${kind}${String(n).padStart(8, '0')}`;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: Math.round(performance.now() - started) };
}

/** Runs every scenario for one provider; each row says whether the outcome was right. */
async function runProvider(provider: Provider, sandbox: Sandbox, refunds: Refunds, impatient: Refunds, config: ReturnType<typeof setup>): Promise<DemoRow[]> {
  const rows: DemoRow[] = [];
  const base = { provider, currency: config.currency[provider], options: config.options[provider] };
  const input = (orderId: string, refundId: string, amount: number, orderAmount: number): RefundInput => ({ ...base, orderId, refundId, amount, orderAmount }) as RefundInput;
  const row = (scenario: string, refund: Refund | undefined, ms: number, checks: [boolean, string][]): void => {
    const failed = checks.find(([ok]) => !ok);
    rows.push({ provider, scenario, status: refund?.status ?? 'refused', providerRefundId: refund?.providerRefundId ?? '', ms, ok: !failed, ...(failed ? { why: failed[1] } : {}) });
  };
  const settle = (refund: Refund): Promise<Refund> => refunds.waitFor(refund, { timeoutMs: 10_000, intervalMs: 100 });

  // full refund of a 25.00 order
  const full = sandbox.addOrder(provider, { orderId: idFor(provider, 'ORDFULL', 1), amount: 2500 });
  const fullRun = await timed(async () => settle(await refunds.refund(input(full.orderId, idFor(provider, 'RFDFULL', 1), 2500, 2500))));
  row('full refund', fullRun.value, fullRun.ms, [
    [fullRun.value.status === 'succeeded', `status ${fullRun.value.status}`],
    [sandbox.refundedTotal(provider, full.orderId) === 2500, 'the sandbox did not refund 25.00'],
  ]);

  // two partial refunds of a 100.00 order
  const order = sandbox.addOrder(provider, { orderId: idFor(provider, 'ORDPART', 1), amount: 10_000 });
  for (const [n, amount] of [[1, 3000], [2, 2000]] as const) {
    const run = await timed(async () => settle(await refunds.refund(input(order.orderId, idFor(provider, 'RFDPART', n), amount, 10_000))));
    row(`partial refund ${n}`, run.value, run.ms, [[run.value.status === 'succeeded', `status ${run.value.status}`]]);
  }
  const afterPartials = sandbox.refundedTotal(provider, order.orderId);

  // over-refund: 60.00 of the 50.00 left, refused before anything is sent
  const overId = idFor(provider, 'RFDOVER', 1);
  const over = await timed(async () => refunds.refund(input(order.orderId, overId, 6000, 10_000)).then(() => undefined, (error: unknown) => error));
  row('over-refund', undefined, over.ms, [
    [over.value instanceof OverRefundError, `expected a local OverRefundError, got ${String(over.value)}`],
    [sandbox.requestsReceived(provider, overId) === 0, 'the over-refund reached the provider'],
  ]);

  // retry of partial refund 1 with the same id: the ledger replays it
  const retry = await timed(async () => refunds.refund(input(order.orderId, idFor(provider, 'RFDPART', 1), 3000, 10_000)));
  row('retry, same refund id', retry.value, retry.ms, [
    [retry.value.status === 'succeeded', `status ${retry.value.status}`],
    [sandbox.requestsReceived(provider, idFor(provider, 'RFDPART', 1)) === 1, 'the provider saw the refund twice'],
    [sandbox.refundedTotal(provider, order.orderId) === afterPartials && afterPartials === 5000, 'the order was refunded more than 50.00'],
  ]);

  // asynchronous refund: answered pending (where the provider works that way), resolved by polling
  const asyncOrder = sandbox.addOrder(provider, { orderId: idFor(provider, 'ORDASYN', 1), amount: 5000 });
  const asyncRun = await timed(async () => {
    const first = await refunds.refund(input(asyncOrder.orderId, idFor(provider, 'RFDASYN', 1), 1000, 5000));
    return { first, final: await settle(first) };
  });
  const realtime = provider === 'easypay' || provider === 'yima';
  row('async, polled', asyncRun.value.final, asyncRun.ms, [
    [realtime || asyncRun.value.first.status === 'pending', `first answer ${asyncRun.value.first.status}, expected pending`],
    [asyncRun.value.final.status === 'succeeded', `final status ${asyncRun.value.final.status}`],
  ]);

  // timeout after the provider committed: unknown, then resolved by a retry with the same id
  const timeoutOrder = sandbox.addOrder(provider, { orderId: idFor(provider, 'ORDTIME', 1), amount: 5000 });
  const timeoutId = idFor(provider, 'RFDTIME', 1);
  sandbox.armFault({ provider, fault: 'timeout-after-commit', refundNo: timeoutId });
  const timeoutRun = await timed(async () => {
    const first = await impatient.refund(input(timeoutOrder.orderId, timeoutId, 1500, 5000));
    const again = await refunds.refund(input(timeoutOrder.orderId, timeoutId, 1500, 5000));
    return { first, final: await settle(again) };
  });
  row('timeout after commit', timeoutRun.value.final, timeoutRun.ms, [
    [timeoutRun.value.first.status === 'unknown' && timeoutRun.value.first.failure?.code === 'timeout', `first answer ${timeoutRun.value.first.status}, expected unknown (timeout)`],
    [timeoutRun.value.final.status === 'succeeded', `final status ${timeoutRun.value.final.status}`],
    [sandbox.refundedTotal(provider, timeoutOrder.orderId) === 1500, 'the order was refunded twice'],
  ]);

  // left unknown (the provider committed, the answer never came), resolved by the reconciler's queries alone
  const leftOrder = sandbox.addOrder(provider, { orderId: idFor(provider, 'ORDRECO', 1), amount: 5000 });
  const leftId = idFor(provider, 'RFDRECO', 1);
  sandbox.armFault({ provider, fault: 'timeout-after-commit', refundNo: leftId });
  const reconciled = await timed(async () => {
    const first = await impatient.refund(input(leftOrder.orderId, leftId, 1200, 5000));
    // Nobody retries it: the reconciler finds it, queries, and records what the provider says
    // (again while the provider still reports it pending).
    const key = { provider, orderId: leftOrder.orderId, refundId: leftId };
    let resolved = 0;
    for (let run = 0; run < 50 && resolved === 0; run++) {
      if (run > 0) await new Promise((resolve) => setTimeout(resolve, 60));
      resolved += (await refunds.reconcile({ olderThanMs: 0, providers: [provider], backoff: { firstMs: 50, maxMs: 50 } })).resolved.succeeded;
    }
    const history = await refunds.history(key);
    // Final now, so `get` reads the ledger and asks nobody.
    return { first, resolved, history, final: resolved > 0 ? await refunds.get(key) : undefined };
  });
  const { first: leftFirst, resolved, history: leftHistory, final: leftFinal } = reconciled.value;
  const resolving = leftHistory.findIndex((e) => e.kind === 'answer' && e.statusAfter === 'succeeded');
  row('unknown, reconciled', leftFinal ?? leftFirst, reconciled.ms, [
    [leftFirst.status === 'unknown', `first answer ${leftFirst.status}, expected unknown`],
    [resolved === 1 && leftFinal?.status === 'succeeded', `final status ${leftFinal?.status ?? leftFirst.status}`],
    [resolving > 0 && leftHistory[resolving - 1]?.kind === 'claimed' && leftHistory[resolving]?.source === 'query', 'not resolved by a reconciler\'s query'],
    [sandbox.requestsReceived(provider, leftId) === 1, 'the reconciler sent the refund again'],
    [sandbox.refundedTotal(provider, leftOrder.orderId) === 1200, 'the order was refunded twice'],
  ]);
  return rows;
}

/** The rows as an aligned text table. */
export function formatTable(rows: readonly DemoRow[]): string {
  const header = ['provider', 'scenario', 'status', 'provider refund id', 'ms', 'ok'];
  const cells = rows.map((r) => [r.provider, r.scenario, r.status, r.providerRefundId || '-', String(r.ms), r.ok ? 'yes' : `NO: ${r.why ?? ''}`].map(printable));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

/** Runs the demo; returns its rows (tests call this directly). */
export async function runDemo(): Promise<DemoRow[]> {
  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1', delayMs: 300 });
  const ledger = new MemoryLedger();
  const config = setup(sandbox);
  const refunds = createRefunds({ providers: config.providers, ledger, timeoutMs: 5_000 });
  const impatient = createRefunds({ providers: config.providers, ledger, timeoutMs: 500 });
  try {
    const rows: DemoRow[] = [];
    for (const provider of PROVIDERS) rows.push(...(await runProvider(provider, sandbox, refunds, impatient, config)));
    return rows;
  } finally {
    await sandbox.close();
  }
}

/** `refundkit demo`. */
export async function demoCommand(args: { json?: boolean | undefined }, io: Io): Promise<number> {
  const rows = await runDemo();
  io.stdout.write(args.json ? jsonLine(rows) : formatTable(rows));
  const wrong = rows.filter((r) => !r.ok);
  if (!args.json) io.stdout.write(wrong.length === 0 ? `\nall ${rows.length} outcomes right\n` : `\n${wrong.length} of ${rows.length} outcomes wrong\n`);
  return wrong.length === 0 ? EXIT.ok : EXIT.input;
}
