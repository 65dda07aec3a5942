/**
 * `--account` and provider blocks with `accounts` in the config file (issue 21): two sandboxes
 * are two Ti-Pay merchants with their own keys; each refund goes to the account named, `status`
 * reads only that account's refund, and a missing or unknown account is refused before anything
 * is sent. Key files inside accounts and key lists resolve against the config file's folder.
 */
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { cli, newId, onlyJson, tempDir, writeConfig, type CliResult } from './support.js';

const KEYS = { SHOP_A_TIPAY_KEY: 'shop-a-tipay-key-0000', SHOP_B_TIPAY_KEY: 'shop-b-tipay-key-1111' };

let shopA: Sandbox;
let shopB: Sandbox;
let tmp: { dir: string; remove: () => void };
let ledger: string;

beforeAll(async () => {
  [shopA, shopB] = await Promise.all([
    startSandbox({ delayMs: 0, credentials: { tipay: { merchantNo: '10000000001', appKey: KEYS.SHOP_A_TIPAY_KEY }, eftpay: { userConfirmKey: 'SBXA00000001' } } }),
    startSandbox({ delayMs: 0, credentials: { tipay: { merchantNo: '10000000002', appKey: KEYS.SHOP_B_TIPAY_KEY }, eftpay: { userConfirmKey: 'SBXB00000002' } } }),
  ]);
  tmp = tempDir();
  ledger = join(tmp.dir, 'ledger.db');
  const tipay = (sandbox: Sandbox, keyVar: string) => ({ baseUrl: sandbox.urls.tipay, appId: sandbox.credentials.tipay.appId, appKey: { env: keyVar }, merchantNo: sandbox.credentials.tipay.merchantNo });
  const eftpay = (sandbox: Sandbox, currency: string) => ({ baseUrl: sandbox.urls.eftpay, userConfirmKey: sandbox.credentials.eftpay.userConfirmKey, secretCode: sandbox.credentials.eftpay.secretCode, currency });
  writeConfig(tmp.dir, 'refundkit.config.json', {
    providers: {
      tipay: { accounts: { shopA: tipay(shopA, 'SHOP_A_TIPAY_KEY'), shopB: tipay(shopB, 'SHOP_B_TIPAY_KEY') } },
      eftpay: { accounts: { hk: eftpay(shopA, 'HKD'), cn: eftpay(shopB, 'CNY') }, default: 'hk' },
    },
  });
});

afterAll(async () => {
  await Promise.all([shopA?.close(), shopB?.close()]);
  tmp?.remove();
});

const inTmp = (argv: readonly string[]): Promise<CliResult> => cli(argv, { cwd: tmp.dir, env: KEYS });

function refundArgs(orderId: string, refundId: string, extra: readonly string[]): string[] {
  return ['refund', '--provider', 'tipay', '--order', orderId, '--refund-id', refundId, '--amount', '1.00', '--ledger', ledger, '--wait', '--json', ...extra];
}

describe('refundkit refund and status --account', () => {
  it('refunds through the account named, with its keys; status reads only that account\'s refund', async () => {
    const refundId = newId('tipay', 'acc');
    const result = await inTmp(refundArgs('TP-PAID-0001', refundId, ['--account', 'shopB']));
    expect(result.code, result.err).toBe(0);
    expect(onlyJson(result.out)).toMatchObject({ refundId, status: 'succeeded', account: '10000000002' });
    expect(shopB.requestsReceived('tipay', refundId)).toBe(1);
    expect(shopA.requestsReceived('tipay', refundId)).toBe(0);

    const status = await inTmp(['status', '--provider', 'tipay', '--account', 'shopB', '--order', 'TP-PAID-0001', '--refund-id', refundId, '--ledger', ledger, '--json']);
    expect(status.code, status.err).toBe(0);
    expect(onlyJson(status.out)).toMatchObject({ refundId, account: '10000000002', status: 'succeeded' });
    const elsewhere = await inTmp(['status', '--provider', 'tipay', '--account', 'shopA', '--order', 'TP-PAID-0001', '--refund-id', refundId, '--ledger', ledger]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.err).toMatch(/no tipay refund .* in the ledger/);
  });

  it('without --account, a provider with several accounts and no default is refused naming them; nothing is sent', async () => {
    const refundId = newId('tipay', 'acc');
    const before = shopA.requests().length + shopB.requests().length;
    const result = await inTmp(refundArgs('TP-PAID-0001', refundId, []));
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^refundkit: .*account is required: tipay has 2 accounts \(shopA, shopB\) and no default/m);
    expect(shopA.requests().length + shopB.requests().length).toBe(before);
  });

  it('an unknown --account is refused naming the accounts; nothing is sent', async () => {
    const before = shopA.requests().length + shopB.requests().length;
    const result = await inTmp(refundArgs('TP-PAID-0001', newId('tipay', 'acc'), ['--account', 'shopC']));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/tipay account "shopC" is not configured here \(known: shopA, shopB\)/);
    expect(shopA.requests().length + shopB.requests().length).toBe(before);
  });

  it('the account\'s own settings give the defaults: eftpay\'s currency is the named account\'s, else the default account\'s', async () => {
    const order = shopB.addOrder('eftpay', { orderId: newId('eftpay', 'ord'), amount: 10_000, paymentType: 'ALIPAYCN', currency: 'CNY' }).orderId;
    const cn = await inTmp(['refund', '--provider', 'eftpay', '--account', 'cn', '--order', order, '--refund-id', newId('eftpay', 'acc'), '--amount', '1.00', '--option', 'paymentType=ALIPAYCN', '--ledger', ledger, '--wait', '--json']);
    expect(cn.code, cn.err).toBe(0);
    expect(onlyJson(cn.out)).toMatchObject({ currency: 'CNY', account: 'SBXB00000002', status: 'succeeded' });
    const hk = await inTmp(['refund', '--provider', 'eftpay', '--order', 'EFT-PAID-0002', '--refund-id', newId('eftpay', 'acc'), '--amount', '1.00', '--option', 'paymentType=ALIPAYHK', '--ledger', ledger, '--wait', '--json']);
    expect(hk.code, hk.err).toBe(0);
    expect(onlyJson(hk.out)).toMatchObject({ currency: 'HKD', account: 'SBXA00000001', status: 'succeeded' });
  });

  it('--base-url applies to every account of the provider', async () => {
    // Both accounts pointed at shopA's sandbox: shopB's merchant is unknown there, so its refund is refused by the provider.
    const refundId = newId('tipay', 'acc');
    const result = await inTmp([...refundArgs('TP-PAID-0002', refundId, ['--account', 'shopB']), '--base-url', shopA.urls.tipay]);
    expect(result.code).toBe(2);
    expect(onlyJson(result.out)).toMatchObject({ status: 'failed' });
    expect(shopA.requests().at(-1)).toMatchObject({ provider: 'tipay', outcome: 'rejected' });
    expect(shopB.requestsReceived('tipay', refundId)).toBe(0);
  });
});

describe('config files with accounts', () => {
  it('resolves key files inside accounts and in key lists against the config file\'s folder', () => {
    writeConfig(tmp.dir, 'files.json', {
      providers: {
        easypay: {
          accounts: {
            a: { baseUrl: 'https://easypay.example.com', mchtCode: '1', privateKeyFile: 'keys/a.pem', easypayPublicKeys: [{ certificateId: '2', keyFile: 'keys/easypay-new.pem' }, { keyFile: '/etc/easypay-old.pem' }] },
          },
        },
      },
    });
    const config = loadConfig('files.json', {}, tmp.dir);
    const account = (config.providers['easypay'] as { accounts: { a: { privateKeyFile: string; easypayPublicKeys: { keyFile: string; certificateId?: string }[] } } }).accounts.a;
    expect(account.privateKeyFile).toBe(join(tmp.dir, 'keys', 'a.pem'));
    expect(account.easypayPublicKeys).toEqual([{ certificateId: '2', keyFile: join(tmp.dir, 'keys', 'easypay-new.pem') }, { keyFile: '/etc/easypay-old.pem' }]);
  });
});
