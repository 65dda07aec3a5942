/**
 * `refundkit refund` and `refundkit status` end to end: in process (`run(argv, io)`), against a
 * sandbox started here, with a config file and the SQLite ledger in a temp dir. Every refusal
 * is checked against the sandbox's request log: nothing may reach it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, newId, onlyJson, providerConfigs, PROVIDERS, REQUIRED_OPTIONS, tempDir, writeConfig, type CliResult, type Provider } from './support.js';

let sandbox: Sandbox;
let tmp: { dir: string; remove: () => void };
let ledger: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, delayMs: 0 });
  tmp = tempDir();
  ledger = join(tmp.dir, 'ledger.db');
  writeConfig(tmp.dir, 'refundkit.config.json', { providers: providerConfigs(sandbox) });
});

afterAll(async () => {
  await sandbox?.close();
  tmp?.remove();
});

afterEach(() => {
  expect(sandbox.errors()).toEqual([]);
});

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs the CLI in the temp dir (its refundkit.config.json is the default config). */
const inTmp = (argv: readonly string[], env?: Record<string, string | undefined>): Promise<CliResult> => cli(argv, { cwd: tmp.dir, ...(env ? { env } : {}) });

/** A new paid order at the sandbox (100.00 unless told). */
function newOrder(provider: Provider, amount = 10_000, extra: { paymentType?: string; currency?: string } = {}): string {
  return sandbox.addOrder(provider, { orderId: newId(provider, 'ord'), amount, ...extra }).orderId;
}

/** `refund` argv with the provider's required options and the temp ledger. */
function refundArgs(provider: Provider, orderId: string, refundId: string, amount: string, extra: readonly string[] = []): string[] {
  return ['refund', '--provider', provider, '--order', orderId, '--refund-id', refundId, `--amount=${amount}`, ...REQUIRED_OPTIONS[provider], '--ledger', ledger, ...extra];
}

const statusArgs = (provider: Provider, orderId: string, refundId: string, extra: readonly string[] = []): string[] => [
  'status',
  '--provider',
  provider,
  '--order',
  orderId,
  '--refund-id',
  refundId,
  '--ledger',
  ledger,
  ...extra,
];

/** Runs argv and asserts a local refusal: exit 1, a `refundkit:` reason on stderr, nothing on stdout, nothing sent. */
async function expectRefusedLocally(provider: Provider, refundId: string, argv: readonly string[], reason: RegExp, env?: Record<string, string | undefined>): Promise<CliResult> {
  const before = sandbox.requests().length;
  const received = sandbox.requestsReceived(provider, refundId);
  const result = await inTmp(argv, env);
  expect(result.code, result.err).toBe(1);
  expect(result.out).toBe('');
  expect(result.err).toMatch(/^refundkit: /m);
  expect(result.err).toMatch(reason);
  expect(sandbox.requestsReceived(provider, refundId)).toBe(received);
  expect(sandbox.requests().length).toBe(before);
  return result;
}

/**
 * One amount per provider, each a float trap (0.29 * 100 = 28.999999999999996), and the first
 * answer the sandbox gives: easypay (realtime) and yima answer at once, the others pending.
 */
const FIRST_REFUND: Record<Provider, { amount: string; minor: number; status: string; code: number; currency: string }> = {
  easypay: { amount: '19.99', minor: 1999, status: 'succeeded', code: 0, currency: 'CNY' },
  eftpay: { amount: '0.29', minor: 29, status: 'pending', code: 4, currency: 'HKD' },
  lianke: { amount: '1.15', minor: 115, status: 'pending', code: 4, currency: 'CNY' },
  tipay: { amount: '12.34', minor: 1234, status: 'pending', code: 4, currency: 'CNY' },
  yima: { amount: '4.35', minor: 435, status: 'succeeded', code: 0, currency: 'CNY' },
};

describe('refund --json, every provider', () => {
  it.each(PROVIDERS)('%s: one JSON object on stdout, exact minor units, exit code by status, the ledger named on stderr', async (provider) => {
    const expected = FIRST_REFUND[provider];
    const orderId = newOrder(provider);
    const refundId = newId(provider, 'rfd');
    const result = await inTmp(refundArgs(provider, orderId, refundId, expected.amount, ['--json']));
    expect(result.code, result.err).toBe(expected.code);
    const refund = onlyJson(result.out);
    expect(refund).toMatchObject({ provider, orderId, refundId, amount: expected.minor, currency: expected.currency, status: expected.status });
    expect(refund.failure).toBeUndefined();
    expect(result.err).toBe(`refundkit: ledger ${ledger}\n`);
    // The sandbox's own books: exactly the amount, from exactly one request.
    expect(sandbox.refundedTotal(provider, orderId)).toBe(expected.minor);
    expect(sandbox.requestsReceived(provider, refundId)).toBe(1);
    expect(sandbox.refund(provider, refundId)?.amount).toBe(expected.minor);
  });

  it('converts --amount 12.34 to exactly 1234 minor units at the sandbox', async () => {
    const orderId = newOrder('tipay');
    const refundId = newId('tipay', 'amt');
    const result = await inTmp(['refund', '--provider', 'tipay', '--order', orderId, '--refund-id', refundId, '--amount', '12.34', '--ledger', ledger, '--json']);
    expect(result.code).toBe(4);
    expect(onlyJson(result.out).amount).toBe(1234);
    expect(sandbox.refundedTotal('tipay', orderId)).toBe(1234);
  });

  it('prints the refund for people without --json (minor units, no JSON)', async () => {
    const orderId = newOrder('tipay');
    const refundId = newId('tipay', 'hum');
    const result = await inTmp(refundArgs('tipay', orderId, refundId, '12.34'));
    expect(result.code).toBe(4);
    expect(result.out).toContain(`tipay refund ${refundId} on order ${orderId}: pending\n`);
    expect(result.out).toContain('  amount: 1234 (minor units) CNY\n');
    expect(result.out).toMatch(/ {2}provider refund id: \S+\n/);
    expect(result.out.trimStart().startsWith('{')).toBe(false);
  });

  it.each(['eftpay', 'lianke', 'tipay'] as const)('%s: --wait turns the pending answer into succeeded (exit 0), one refund request', async (provider) => {
    const orderId = newOrder(provider);
    const refundId = newId(provider, 'wai');
    const result = await inTmp(refundArgs(provider, orderId, refundId, '3.00', ['--wait', '--wait-timeout', '10s', '--json']));
    expect(result.code, result.err).toBe(0);
    expect(onlyJson(result.out)).toMatchObject({ refundId, status: 'succeeded', amount: 300 });
    expect(sandbox.requestsReceived(provider, refundId)).toBe(1);
    expect(sandbox.refundedTotal(provider, orderId)).toBe(300);
  });

  it('--wait gives up after --wait-timeout with the last-known status (pending, exit 4)', async () => {
    const slow = await startSandbox({ port: 0, delayMs: 600_000 });
    try {
      writeConfig(tmp.dir, 'slow.json', { providers: { tipay: providerConfigs(slow).tipay } });
      const orderId = slow.addOrder('tipay', { orderId: newId('tipay', 'slo'), amount: 5000 }).orderId;
      const refundId = newId('tipay', 'slo');
      const started = Date.now();
      const result = await inTmp(['refund', '--config', 'slow.json', '--provider', 'tipay', '--order', orderId, '--refund-id', refundId, '--amount', '1', '--ledger', ledger, '--wait', '--wait-timeout', '0s', '--json']);
      expect(result.code, result.err).toBe(4);
      expect(onlyJson(result.out).status).toBe('pending');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(slow.requestsReceived('tipay', refundId)).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('a refund the provider refuses is failed: exit 2, the refund printed with its failure', async () => {
    const refundId = newId('tipay', 'unp');
    const result = await inTmp(refundArgs('tipay', 'TP-UNPAID-0001', refundId, '1.00', ['--json']));
    expect(result.code).toBe(2);
    const refund = onlyJson(result.out);
    expect(refund).toMatchObject({ status: 'failed', failure: { code: '42201' } });
    expect(sandbox.refundedTotal('tipay', 'TP-UNPAID-0001')).toBe(0);
  });
});

describe('refund --option and --currency', () => {
  it('eftpay --option paymentType reaches the wire: the wrong wallet is refused (exit 2), the right one refunds', async () => {
    const orderId = newOrder('eftpay', 1000, { paymentType: 'WECHATHK' });
    const wrongId = newId('eftpay', 'wal');
    const wrong = await inTmp(['refund', '--provider', 'eftpay', '--order', orderId, '--refund-id', wrongId, '--amount', '1', '--option', 'paymentType=ALIPAYHK', '--ledger', ledger, '--json']);
    expect(wrong.code).toBe(2);
    expect(onlyJson(wrong.out).failure?.code).toBe('05');
    const rightId = newId('eftpay', 'wal');
    const right = await inTmp(['refund', '--provider', 'eftpay', '--order', orderId, '--refund-id', rightId, '--amount', '1', '--option', 'paymentType=WECHATHK', '--option', 'buyerType=ios', '--ledger', ledger, '--wait', '--json']);
    expect(right.code, right.err).toBe(0);
    expect(sandbox.refundedTotal('eftpay', orderId)).toBe(100);
    expect(sandbox.refund('eftpay', rightId)?.amount).toBe(100);
  });

  it('easypay --option payType and oriTransDate reach the wire: another date finds no payment (exit 2)', async () => {
    const orderId = newOrder('easypay');
    const wrongId = newId('easypay', 'dat');
    const wrong = await inTmp(['refund', '--provider', 'easypay', '--order', orderId, '--refund-id', wrongId, '--amount', '1', '--option', 'payType=AliPayRefund', '--option', 'oriTransDate=20250102', '--ledger', ledger, '--json']);
    expect(wrong.code).toBe(2);
    expect(onlyJson(wrong.out).failure?.code).toBe('QT0010');
    const rightId = newId('easypay', 'dat');
    const right = await inTmp(['refund', '--provider', 'easypay', '--order', orderId, '--refund-id', rightId, '--amount', '1', '--option', 'payType=AliPayRefund', '--option', 'oriTransDate=20250101', '--ledger', ledger, '--json']);
    expect(right.code).toBe(0);
    expect(sandbox.refundedTotal('easypay', orderId)).toBe(100);
  });

  it('--timeout bounds the exchange: a slow provider gives unknown (exit 3), and status then finds the refund', async () => {
    const orderId = newOrder('lianke');
    const refundId = newId('lianke', 'tmo');
    sandbox.armFault({ provider: 'lianke', fault: 'slow', refundNo: refundId, ms: 3_000 });
    const started = Date.now();
    const slow = await inTmp(refundArgs('lianke', orderId, refundId, '1.00', ['--timeout', '300ms', '--json']));
    expect(Date.now() - started).toBeLessThan(2_500); // gave up long before the answer
    expect(slow.code, slow.err).toBe(3);
    expect(onlyJson(slow.out)).toMatchObject({ status: 'unknown', failure: { code: 'timeout' } });
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // the slow answer commits the refund
    const later = await inTmp(statusArgs('lianke', orderId, refundId, ['--timeout', '10s', '--json']));
    expect(onlyJson(later.out).status).not.toBe('unknown');
    expect(sandbox.refundedTotal('lianke', orderId)).toBe(100);
    expect(sandbox.requestsReceived('lianke', refundId)).toBe(1); // status asked; it never refunded twice
  });

  it.each(['0', '0s', 'soon', '-1s'])('--timeout %s is a usage error and sends nothing', async (value) => {
    const orderId = newOrder('tipay');
    const refundId = newId('tipay', 'tmo');
    await expectRefusedLocally('tipay', refundId, refundArgs('tipay', orderId, refundId, '1.00', [`--timeout=${value}`]), /--timeout/);
  });

  it('--currency defaults to the provider config currency (eftpay CNY when configured so)', async () => {
    writeConfig(tmp.dir, 'eftpay-cny.json', { providers: { eftpay: { ...providerConfigs(sandbox).eftpay, currency: 'CNY' } } });
    const orderId = newOrder('eftpay', 1000, { currency: 'CNY' });
    const refundId = newId('eftpay', 'cny');
    const result = await inTmp(['refund', '--config', 'eftpay-cny.json', ...refundArgs('eftpay', orderId, refundId, '1.00', ['--json']).slice(1)]);
    expect(result.code, result.err).toBe(4);
    expect(onlyJson(result.out).currency).toBe('CNY');
  });

  it('--currency defaults to HKD for an eftpay config that names no currency (the provider default)', async () => {
    const { currency: _currency, ...eftpay } = providerConfigs(sandbox).eftpay;
    writeConfig(tmp.dir, 'eftpay-default.json', { providers: { eftpay } });
    const orderId = newOrder('eftpay');
    const refundId = newId('eftpay', 'hkd');
    const result = await inTmp(['refund', '--config', 'eftpay-default.json', ...refundArgs('eftpay', orderId, refundId, '1.00', ['--json']).slice(1)]);
    expect(result.code, result.err).toBe(4);
    expect(onlyJson(result.out).currency).toBe('HKD');
    expect(sandbox.requestsReceived('eftpay', refundId)).toBe(1);
  });

  it.each(['lianke', 'tipay', 'yima', 'easypay'] as const)('%s: --currency defaults to CNY', async (provider) => {
    const orderId = newOrder(provider);
    const refundId = newId(provider, 'cur');
    const result = await inTmp(refundArgs(provider, orderId, refundId, '0.01', ['--json']));
    expect([0, 4]).toContain(result.code);
    expect(onlyJson(result.out).currency).toBe('CNY');
  });

  it('an explicit --currency the provider does not take is a local refusal', async () => {
    const refundId = newId('tipay', 'usd');
    await expectRefusedLocally('tipay', refundId, refundArgs('tipay', newOrder('tipay'), refundId, '1.00', ['--currency', 'USD']), /currency must be one of CNY/);
    const eftId = newId('eftpay', 'usd');
    await expectRefusedLocally('eftpay', eftId, refundArgs('eftpay', newOrder('eftpay'), eftId, '1.00', ['--currency', 'CNY']), /currency must be one of HKD/);
  });

  it('an --option key the provider does not take is refused, naming the keys it takes', async () => {
    const tipayId = newId('tipay', 'opt');
    await expectRefusedLocally('tipay', tipayId, refundArgs('tipay', newOrder('tipay'), tipayId, '1.00', ['--option', 'foo=bar']), /--option foo: tipay takes no options/);
    const yimaId = newId('yima', 'opt');
    await expectRefusedLocally('yima', yimaId, refundArgs('yima', newOrder('yima'), yimaId, '1.00', ['--option', 'pay_type=503']), /--option pay_type: yima takes only payType/);
    const eftId = newId('eftpay', 'opt');
    await expectRefusedLocally('eftpay', eftId, refundArgs('eftpay', newOrder('eftpay'), eftId, '1.00', ['--option', 'paytype=Alipay']), /--option paytype: eftpay takes only paymentType, buyerType/);
  });

  it('an --option value the provider does not take is refused (yima payType 999, eftpay paymentType VISA)', async () => {
    const yimaId = newId('yima', 'val');
    await expectRefusedLocally('yima', yimaId, refundArgs('yima', newOrder('yima'), yimaId, '1.00', ['--option', 'payType=999']), /options\.payType/);
    const eftId = newId('eftpay', 'val');
    await expectRefusedLocally('eftpay', eftId, ['refund', '--provider', 'eftpay', '--order', newOrder('eftpay'), '--refund-id', eftId, '--amount', '1', '--option', 'paymentType=VISA', '--ledger', ledger], /options\.paymentType/);
  });

  it('an --option without key=value is refused', async () => {
    const refundId = newId('yima', 'kv');
    await expectRefusedLocally('yima', refundId, refundArgs('yima', newOrder('yima'), refundId, '1.00', ['--option', 'payType']), /--option "payType": key=value is expected/);
  });
});

describe('local refusals: exit 1, nothing sent', () => {
  it.each(['1.001', '0', '-1', 'abc', '1,00', '0.00', ''])('--amount=%j', async (amount) => {
    const refundId = newId('tipay', 'bad');
    await expectRefusedLocally('tipay', refundId, refundArgs('tipay', newOrder('tipay'), refundId, amount), amount === '' ? /--amount is required/ : /--amount /);
  });

  it('--amount -1 (a dash value without =) is refused as a usage error', async () => {
    const refundId = newId('tipay', 'das');
    await expectRefusedLocally('tipay', refundId, ['refund', '--provider', 'tipay', '--order', newOrder('tipay'), '--refund-id', refundId, '--amount', '-1', '--ledger', ledger], /--amount/);
  });

  it('a bad --order-amount is refused', async () => {
    const refundId = newId('tipay', 'boa');
    await expectRefusedLocally('tipay', refundId, refundArgs('tipay', newOrder('tipay'), refundId, '1.00', ['--order-amount', '50.001']), /--order-amount "50.001"/);
  });

  it('over-refund: a second refund beyond --order-amount is refused before anything is sent', async () => {
    const orderId = newOrder('tipay', 5000);
    const first = await inTmp(refundArgs('tipay', orderId, newId('tipay', 'ov1'), '30.00', ['--order-amount', '50.00']));
    expect(first.code).toBe(4);
    const secondId = newId('tipay', 'ov2');
    const second = await expectRefusedLocally('tipay', secondId, refundArgs('tipay', orderId, secondId, '30.00', ['--order-amount', '50.00']), /would exceed the order \(2000 left\); nothing was sent/);
    expect(second.err).toContain(`refundkit: ledger ${ledger}\n`);
    expect(sandbox.refundedTotal('tipay', orderId)).toBe(3000);
    // What is left still goes through.
    const rest = await inTmp(refundArgs('tipay', orderId, newId('tipay', 'ov3'), '20.00', ['--order-amount', '50.00']));
    expect(rest.code).toBe(4);
    expect(sandbox.refundedTotal('tipay', orderId)).toBe(5000);
  });

  it('over-refund: a single refund above --order-amount is refused', async () => {
    const refundId = newId('yima', 'ovs');
    await expectRefusedLocally('yima', refundId, refundArgs('yima', newOrder('yima'), refundId, '60.00', ['--order-amount', '50.00']), /would exceed the order/);
  });

  it('over-refund without --order-amount: the order total eftpay answered (original_amount) caps later refunds', async () => {
    const orderId = newOrder('eftpay', 1000);
    const first = await inTmp(refundArgs('eftpay', orderId, newId('eftpay', 'cap'), '6.00'));
    expect(first.code).toBe(4);
    const secondId = newId('eftpay', 'cap');
    await expectRefusedLocally('eftpay', secondId, refundArgs('eftpay', orderId, secondId, '6.00'), /would exceed the order \(400 left\)/);
    expect(sandbox.refundedTotal('eftpay', orderId)).toBe(600);
  });

  it('conflict: the same refund id with another amount or order is refused; the provider saw it once', async () => {
    const orderId = newOrder('lianke');
    const refundId = newId('lianke', 'con');
    expect((await inTmp(refundArgs('lianke', orderId, refundId, '5.00'))).code).toBe(4);
    expect(sandbox.requestsReceived('lianke', refundId)).toBe(1);
    await expectRefusedLocally('lianke', refundId, refundArgs('lianke', orderId, refundId, '5.01'), /lianke refund \S+ already exists with a different amount/);
    await expectRefusedLocally('lianke', refundId, refundArgs('lianke', newOrder('lianke'), refundId, '5.00'), /already exists with a different order/);
    expect(sandbox.requestsReceived('lianke', refundId)).toBe(1);
    expect(sandbox.refundedTotal('lianke', orderId)).toBe(500);
  });

  it('a missing required option: easypay oriTransDate, eftpay paymentType', async () => {
    const easypayId = newId('easypay', 'req');
    await expectRefusedLocally(
      'easypay',
      easypayId,
      ['refund', '--provider', 'easypay', '--order', newOrder('easypay'), '--refund-id', easypayId, '--amount', '1', '--option', 'payType=AliPayRefund', '--ledger', ledger],
      /options\.oriTransDate is required for easypay/,
    );
    const eftpayId = newId('eftpay', 'req');
    await expectRefusedLocally('eftpay', eftpayId, ['refund', '--provider', 'eftpay', '--order', newOrder('eftpay'), '--refund-id', eftpayId, '--amount', '1', '--ledger', ledger], /options\.paymentType is required for eftpay/);
  });

  it("a refund id breaking the provider's rule: yima pos_seq shorter than 13, eftpay refund_no over 28", async () => {
    await expectRefusedLocally('yima', 'YM-SHORT-012', refundArgs('yima', newOrder('yima'), 'YM-SHORT-012', '1.00'), /refundId \(pos_seq on the wire\).*minLength 13/);
    const long = 'EF'.padEnd(29, '9');
    await expectRefusedLocally('eftpay', long, refundArgs('eftpay', newOrder('eftpay'), long, '1.00'), /refundId \(refund_no on the wire\).*maxLength 28/);
  });

  it('an unknown provider', async () => {
    await expectRefusedLocally('tipay', 'R-PROVIDER-1', ['refund', '--provider', 'paypal', '--order', 'o', '--refund-id', 'R-PROVIDER-1', '--amount', '1', '--ledger', ledger], /--provider must be one of easypay, eftpay, lianke, tipay, yima/);
  });

  it('an unknown flag', async () => {
    await expectRefusedLocally('tipay', 'R-FLAG-1', ['refund', '--provider', 'tipay', '--order', 'TP-PAID-0001', '--refund-id', 'R-FLAG-1', '--amount', '1', '--bogus'], /Unknown option '--bogus'/);
  });

  it('missing --order, --refund-id, --amount', async () => {
    await expectRefusedLocally('tipay', 'R-MISS-1', ['refund', '--provider', 'tipay', '--refund-id', 'R-MISS-1', '--amount', '1'], /--order is required/);
    await expectRefusedLocally('tipay', 'R-MISS-1', ['refund', '--provider', 'tipay', '--order', 'TP-PAID-0001', '--amount', '1'], /--refund-id is required/);
    await expectRefusedLocally('tipay', 'R-MISS-1', ['refund', '--provider', 'tipay', '--order', 'TP-PAID-0001', '--refund-id', 'R-MISS-1'], /--amount is required/);
  });

  it('a bad --wait-timeout', async () => {
    await expectRefusedLocally('tipay', 'R-WAIT-1', [...refundArgs('tipay', 'TP-PAID-0001', 'R-WAIT-1', '1.00'), '--wait', '--wait-timeout', 'soon'], /--wait-timeout "soon"/);
  });

  it('missing config: no refundkit.config.json in the working directory, or a --config that does not exist', async () => {
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty, { recursive: true });
    const before = sandbox.requests().length;
    const result = await cli(['refund', '--provider', 'tipay', '--order', 'TP-PAID-0001', '--refund-id', 'R-NOCONF-1', '--amount', '1'], { cwd: empty, env: {} });
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^refundkit: cannot read config refundkit\.config\.json: ENOENT/);
    expect(existsSync(join(empty, '.refundkit'))).toBe(false);
    expect(sandbox.requests().length).toBe(before);
    await expectRefusedLocally('tipay', 'R-NOCONF-2', refundArgs('tipay', 'TP-PAID-0001', 'R-NOCONF-2', '1', ['--config', 'nowhere.json']), /cannot read config nowhere\.json/);
  });

  it('a config without the provider, and a config that is not {"providers": {...}}', async () => {
    writeConfig(tmp.dir, 'lianke-only.json', { providers: { lianke: providerConfigs(sandbox).lianke } });
    await expectRefusedLocally('tipay', 'R-NOPROV-1', refundArgs('tipay', 'TP-PAID-0001', 'R-NOPROV-1', '1', ['--config', 'lianke-only.json']), /lianke-only\.json has no configuration for tipay/);
    writeConfig(tmp.dir, 'not-providers.json', { tipay: providerConfigs(sandbox).tipay } as never);
    await expectRefusedLocally('tipay', 'R-NOPROV-2', refundArgs('tipay', 'TP-PAID-0001', 'R-NOPROV-2', '1', ['--config', 'not-providers.json']), /must be \{"providers": \{\.\.\.\}\}/);
  });
});

describe('config: {"env": "VAR"} secrets through io.env', () => {
  it('reads a secret from io.env; a missing variable is a refusal naming it', async () => {
    const { appKey, ...tipay } = providerConfigs(sandbox).tipay;
    writeConfig(tmp.dir, 'env.json', { providers: { tipay: { ...tipay, appKey: { env: 'RK_TEST_TIPAY_APP_KEY' } } } });
    const orderId = newOrder('tipay');
    const refundId = newId('tipay', 'env');
    const args = ['refund', '--config', 'env.json', '--provider', 'tipay', '--order', orderId, '--refund-id', refundId, '--amount', '2.50', '--ledger', ledger, '--json'];
    await expectRefusedLocally('tipay', refundId, args, /providers\.tipay\.appKey: environment variable RK_TEST_TIPAY_APP_KEY is not set/);
    await expectRefusedLocally('tipay', refundId, args, /providers\.tipay\.appKey: environment variable RK_TEST_TIPAY_APP_KEY is set but empty/, { RK_TEST_TIPAY_APP_KEY: '' });
    const result = await inTmp(args, { RK_TEST_TIPAY_APP_KEY: appKey as string });
    expect(result.code, result.err).toBe(4);
    expect(onlyJson(result.out).amount).toBe(250);
    expect(sandbox.refundedTotal('tipay', orderId)).toBe(250);
  });

  it("another provider's unset variable does not stop a refund (only the chosen provider's entry is read)", async () => {
    const configs = providerConfigs(sandbox);
    writeConfig(tmp.dir, 'mixed.json', { providers: { tipay: { ...configs.tipay, appKey: { env: 'RK_TEST_UNSET_TIPAY_KEY' } }, lianke: configs.lianke } });
    const orderId = newOrder('lianke');
    const refundId = newId('lianke', 'mix');
    const result = await inTmp(['refund', '--config', 'mixed.json', '--provider', 'lianke', '--order', orderId, '--refund-id', refundId, '--amount', '1', '--ledger', ledger, '--json']);
    expect(result.code, result.err).toBe(4);
    expect(sandbox.requestsReceived('lianke', refundId)).toBe(1);
  });

  it('--base-url overrides the config (a closed port: the request never left, failed, exit 2)', async () => {
    const refundId = newId('lianke', 'url');
    const orderId = newOrder('lianke');
    const result = await inTmp(refundArgs('lianke', orderId, refundId, '1.00', ['--base-url', `http://127.0.0.1:${await closedPort()}`, '--json']));
    expect(result.code).toBe(2);
    expect(onlyJson(result.out).failure?.code).toBe('connection_failed');
    expect(sandbox.requestsReceived('lianke', refundId)).toBe(0);
  });
});

describe('the ledger file', () => {
  it('--ledger, then REFUNDKIT_LEDGER, then the config ledger (REFUNDKIT_CONFIG), then ./.refundkit/ledger.db; stderr names it', async () => {
    const here = tempDir('refundkit-cli-ledger-');
    try {
      mkdirSync(join(here.dir, 'conf'));
      writeConfig(join(here.dir, 'conf'), 'refundkit.config.json', { providers: { lianke: providerConfigs(sandbox).lianke }, ledger: 'from-config.db' });
      writeConfig(here.dir, 'refundkit.config.json', { providers: { lianke: providerConfigs(sandbox).lianke } });
      const env = { REFUNDKIT_LEDGER: 'from-env.db', REFUNDKIT_CONFIG: 'conf/refundkit.config.json' };
      const refund = async (extra: string[], runEnv: Record<string, string>): Promise<{ result: CliResult; orderId: string; refundId: string }> => {
        const orderId = newOrder('lianke');
        const refundId = newId('lianke', 'led');
        const result = await cli(['refund', '--provider', 'lianke', '--order', orderId, '--refund-id', refundId, '--amount', '1', ...extra], { cwd: here.dir, env: runEnv });
        expect(result.code, result.err).toBe(4);
        return { result, orderId, refundId };
      };
      const flag = await refund(['--ledger', 'from-flag.db'], env);
      expect(flag.result.err).toBe(`refundkit: ledger ${join(here.dir, 'from-flag.db')}\n`);
      const fromEnv = await refund([], env);
      expect(fromEnv.result.err).toBe(`refundkit: ledger ${join(here.dir, 'from-env.db')}\n`);
      const fromConfig = await refund([], { REFUNDKIT_CONFIG: env.REFUNDKIT_CONFIG });
      expect(fromConfig.result.err).toBe(`refundkit: ledger ${join(here.dir, 'conf', 'from-config.db')}\n`);
      const byDefault = await refund([], {});
      expect(byDefault.result.err).toBe(`refundkit: ledger ${join(here.dir, '.refundkit', 'ledger.db')}\n`);
      for (const file of ['from-flag.db', 'from-env.db', 'conf/from-config.db', '.refundkit/ledger.db']) expect(existsSync(join(here.dir, file)), file).toBe(true);

      // Each refund is in the file named, and only there.
      const status = (r: { orderId: string; refundId: string }, file: string): Promise<CliResult> =>
        cli(['status', '--provider', 'lianke', '--order', r.orderId, '--refund-id', r.refundId, '--ledger', file], { cwd: here.dir, env: {} });
      expect((await status(fromEnv, 'from-env.db')).code).toBe(0);
      const elsewhere = await status(fromEnv, 'from-flag.db');
      expect(elsewhere.code).toBe(1);
      expect(elsewhere.err).toContain(`no lianke refund ${fromEnv.refundId} on order ${fromEnv.orderId} in the ledger`);
      expect((await status(fromConfig, 'conf/from-config.db')).code).toBe(0);
      expect((await status(byDefault, '.refundkit/ledger.db')).code).toBe(0);
      expect((await status(flag, 'from-flag.db')).code).toBe(0);
    } finally {
      here.remove();
    }
  });
});

describe('retry with the same refund id (a new run sharing the SQLite file)', () => {
  it('a pending refund: the second run resolves it by a query, no second refund request (exit 0)', async () => {
    const orderId = newOrder('tipay');
    const refundId = newId('tipay', 'rtp');
    const args = refundArgs('tipay', orderId, refundId, '7.77', ['--json']);
    const first = await inTmp(args);
    expect(first.code).toBe(4);
    const second = await inTmp(args);
    expect(second.code, second.err).toBe(0);
    const refund = onlyJson(second.out);
    expect(refund).toMatchObject({ status: 'succeeded', amount: 777, createdAt: onlyJson(first.out).createdAt, providerRefundId: onlyJson(first.out).providerRefundId });
    expect(sandbox.requestsReceived('tipay', refundId)).toBe(1);
    expect(sandbox.refundedTotal('tipay', orderId)).toBe(777);
  });

  it('a succeeded refund: the second run is answered from the ledger, nothing reaches the sandbox', async () => {
    const orderId = newOrder('easypay');
    const refundId = newId('easypay', 'rts');
    const args = refundArgs('easypay', orderId, refundId, '8.00', ['--json']);
    const first = await inTmp(args);
    expect(first.code).toBe(0);
    const before = sandbox.requests().length;
    const second = await inTmp(args);
    expect(second.code).toBe(0);
    expect(onlyJson(second.out)).toEqual(onlyJson(first.out));
    expect(sandbox.requests().length).toBe(before);
    expect(sandbox.refundedTotal('easypay', orderId)).toBe(800);
  });

  it('a failed refund is resubmitted under the same number and can then succeed', async () => {
    const orderId = newOrder('tipay');
    const refundId = newId('tipay', 'rtf');
    sandbox.armFault({ provider: 'tipay', fault: 'fail-refund', refundNo: refundId });
    const args = refundArgs('tipay', orderId, refundId, '4.00', ['--wait', '--json']);
    const first = await inTmp(args);
    expect(first.code, first.err).toBe(2);
    expect(onlyJson(first.out).status).toBe('failed');
    expect(sandbox.refundedTotal('tipay', orderId)).toBe(0);
    const second = await inTmp(args);
    expect(second.code, second.err).toBe(0);
    expect(onlyJson(second.out).status).toBe('succeeded');
    expect(sandbox.requestsReceived('tipay', refundId)).toBe(2);
    expect(sandbox.refundedTotal('tipay', orderId)).toBe(400);

    // status --json shows why the refund is where it is: both attempts and their answers.
    const status = await inTmp(statusArgs('tipay', orderId, refundId, ['--json']));
    expect(status.code, status.err).toBe(0);
    const shown = onlyJson(status.out) as unknown as { status: string; history: { kind: string; attempt?: number; source?: string; status?: string; failure?: { code: string }; raw?: string }[] };
    expect(shown.status).toBe('succeeded');
    const entries = shown.history.map((e) => [e.kind, e.attempt, e.source, e.status]);
    // The first attempt (accepted, then found failed by --wait's query), the resubmission, and its success.
    expect(entries.slice(0, 4)).toEqual([
      ['reserved', 1, undefined, undefined],
      ['answer', 1, 'refund', 'pending'],
      ['answer', undefined, 'query', 'failed'],
      ['resubmitted', 2, undefined, undefined],
    ]);
    expect(entries[4]).toEqual(['answer', 2, 'refund', 'pending']);
    expect(entries.at(-1)).toEqual(['answer', undefined, 'query', 'succeeded']);
    expect(shown.history[2]!.failure?.code).toBeTruthy();
    expect(shown.history.some((e) => 'raw' in e)).toBe(false);
    // And for people: one line per entry.
    const human = await inTmp(statusArgs('tipay', orderId, refundId));
    expect(human.out).toMatch(/history:\n.* reserved \(attempt 1\)\n.* answer to refund \(attempt 1\): pending -> pending\n.* answer to query: failed -> failed, /);
  });
});

describe('unknown outcomes (faults after the sandbox committed)', () => {
  // timeout-after-commit is not used: the CLI has no timeout flag and the facade waits 30 s.
  const FAULTS: { provider: Provider; fault: 'http-502' | 'malformed-body' | 'bad-signature' | 'reset-after-commit'; failure: string }[] = [
    { provider: 'tipay', fault: 'http-502', failure: 'http_status' },
    { provider: 'easypay', fault: 'malformed-body', failure: '' },
    { provider: 'eftpay', fault: 'bad-signature', failure: 'signature_invalid' },
    { provider: 'lianke', fault: 'reset-after-commit', failure: 'connection_failed' },
    { provider: 'yima', fault: 'http-502', failure: 'http_status' },
  ];

  it.each(FAULTS)('$provider $fault: exit 3 unknown with the failure; then status resolves it (exit 0), refunded once', async ({ provider, fault, failure }) => {
    const orderId = newOrder(provider);
    const refundId = newId(provider, 'flt');
    sandbox.armFault({ provider, fault, refundNo: refundId });
    const result = await inTmp(refundArgs(provider, orderId, refundId, '15.00', ['--json']));
    expect(result.code, result.err).toBe(3);
    const refund = onlyJson(result.out);
    expect(refund.status).toBe('unknown');
    expect(refund.failure?.code).toBeTypeOf('string');
    if (failure) expect(refund.failure?.code).toBe(failure);
    expect(sandbox.refundedTotal(provider, orderId)).toBe(1500);

    const status = await inTmp(statusArgs(provider, orderId, refundId, ['--json']));
    expect(status.code, status.err).toBe(0);
    expect(onlyJson(status.out)).toMatchObject({ refundId, status: 'succeeded', amount: 1500 });
    expect(sandbox.requestsReceived(provider, refundId)).toBe(1);
    expect(sandbox.refundedTotal(provider, orderId)).toBe(1500);
  });

  it('an unknown refund retried with the same id and --wait is resolved without a second refund request', async () => {
    const orderId = newOrder('lianke');
    const refundId = newId('lianke', 'rtu');
    sandbox.armFault({ provider: 'lianke', fault: 'reset-after-commit', refundNo: refundId });
    const args = refundArgs('lianke', orderId, refundId, '2.00', ['--json']);
    expect((await inTmp(args)).code).toBe(3);
    const retry = await inTmp([...args, '--wait']);
    expect(retry.code, retry.err).toBe(0);
    expect(onlyJson(retry.out).status).toBe('succeeded');
    expect(sandbox.requestsReceived('lianke', refundId)).toBe(1);
    expect(sandbox.refundedTotal('lianke', orderId)).toBe(200);
  });
});

describe('status', () => {
  it('a refund the ledger does not know: exit 1 with a clear message, nothing sent', async () => {
    const before = sandbox.requests().length;
    const result = await inTmp(statusArgs('tipay', 'TP-PAID-0001', 'NO-SUCH-REFUND-1'));
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toContain('refundkit: no tipay refund NO-SUCH-REFUND-1 on order TP-PAID-0001 in the ledger\n');
    expect(sandbox.requests().length).toBe(before);
  });

  it('a known refund under another order is not found', async () => {
    const orderId = newOrder('yima');
    const refundId = newId('yima', 'sto');
    expect((await inTmp(refundArgs('yima', orderId, refundId, '1.00'))).code).toBe(0);
    const result = await inTmp(statusArgs('yima', newOrder('yima'), refundId));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/no yima refund \S+ on order \S+ in the ledger/);
  });

  it('a final refund is answered from the ledger without a request; a pending one is queried (exit by status)', async () => {
    const orderId = newOrder('tipay');
    const refundId = newId('tipay', 'sts');
    const refunded = await inTmp(refundArgs('tipay', orderId, refundId, '9.00', ['--json']));
    expect(refunded.code).toBe(4);
    const queried = await inTmp(statusArgs('tipay', orderId, refundId, ['--json']));
    expect(queried.code).toBe(0);
    const final = onlyJson(queried.out);
    expect(final).toMatchObject({ status: 'succeeded', amount: 900 });
    const before = sandbox.requests().length;
    const again = await inTmp(statusArgs('tipay', orderId, refundId));
    expect(again.code).toBe(0);
    expect(again.out).toContain(`tipay refund ${refundId} on order ${orderId}: succeeded\n`);
    expect(again.out).toContain(`  provider refund id: ${final.providerRefundId}\n`);
    expect(again.err).toBe(`refundkit: ledger ${ledger}\n`);
    expect(sandbox.requests().length).toBe(before);
  });

  it('status without --order or --refund-id, or with an unknown flag, is a usage error', async () => {
    for (const [argv, reason] of [
      [['status', '--provider', 'tipay', '--refund-id', 'R1', '--ledger', ledger], /--order is required/],
      [['status', '--provider', 'tipay', '--order', 'TP-PAID-0001', '--ledger', ledger], /--refund-id is required/],
      [['status', '--provider', 'tipay', '--order', 'TP-PAID-0001', '--refund-id', 'R1', '--amount', '1'], /Unknown option '--amount'/],
    ] as const) {
      const result = await inTmp(argv);
      expect(result.code).toBe(1);
      expect(result.out).toBe('');
      expect(result.err).toMatch(reason);
    }
  });
});
