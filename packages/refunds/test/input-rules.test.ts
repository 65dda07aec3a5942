/**
 * Every per-provider input rule: a `ValidationError` naming the facade's field and the rule,
 * thrown before anything is reserved or sent (the injected fetch is never called, the ledger
 * holds nothing).
 */
import { ValidationError } from '@refundkit/runtime';
import { describe, expect, it } from 'vitest';
import { ConfigError, MemoryLedger, OverRefundError } from '../src/index.js';
import type { ConfiguredProvider } from '../src/providers/index.js';
import { accountOf, facade, input, INPUTS, PROVIDER_KEYS, refundAnswer, scripted } from './support.js';

/** Runs a refund that must be refused locally; returns the error's issues. */
async function refused(provider: ConfiguredProvider, changes: Record<string, unknown>, config: Record<string, unknown> = {}) {
  const script = scripted();
  const ledger = new MemoryLedger();
  const refundInput = input(provider, changes);
  const error = await facade(provider, script, { ledger, config }).refund(refundInput).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect(script.calls).toHaveLength(0);
  expect(await ledger.get({ provider, account: accountOf(provider), refundId: refundInput.refundId })).toBeUndefined();
  return (error as ValidationError).issues;
}

/** A refund that passes the rules: sent once. */
async function accepted(provider: ConfiguredProvider, changes: Record<string, unknown>, config: Record<string, unknown> = {}) {
  const script = scripted(refundAnswer(provider, 'succeeded')!);
  const refund = await facade(provider, script, { config }).refund(input(provider, changes));
  expect(script.calls).toHaveLength(1);
  return { refund, call: script.calls[0]! };
}

describe('rules every provider shares', () => {
  it.each(PROVIDER_KEYS)('%s: amount must be a positive integer of minor units', async (provider) => {
    for (const amount of [0, -5, 1.5, Number.NaN]) {
      expect(await refused(provider, { amount })).toEqual([expect.objectContaining({ path: 'amount', rule: 'minimum 1' })]);
    }
  });

  it.each(PROVIDER_KEYS)('%s: orderAmount, when given, must be a positive integer', async (provider) => {
    expect(await refused(provider, { orderAmount: 0 })).toEqual([expect.objectContaining({ path: 'orderAmount', rule: 'minimum 1' })]);
  });

  it.each(PROVIDER_KEYS)('%s: refundId and orderId are required', async (provider) => {
    expect(await refused(provider, { refundId: '' })).toEqual([expect.objectContaining({ path: 'refundId', rule: 'required' })]);
    expect(await refused(provider, { orderId: '' })).toEqual([expect.objectContaining({ path: 'orderId', rule: 'required' })]);
  });

  it.each([
    ['easypay', 'USD', 'enum [CNY]'],
    ['lianke', 'HKD', 'enum [CNY]'],
    ['tipay', 'HKD', 'enum [CNY]'],
    ['yima', 'HKD', 'enum [CNY]'],
    ['eftpay', 'CNY', 'enum [HKD]'],
  ] as const)('%s refuses currency %s (%s)', async (provider, currency, rule) => {
    expect(await refused(provider, { currency })).toEqual([expect.objectContaining({ path: 'currency', rule })]);
  });
});

describe('easypay rules', () => {
  it('options.payType and options.oriTransDate are required', async () => {
    expect(await refused('easypay', { options: undefined })).toEqual([expect.objectContaining({ path: 'options.payType', rule: 'required' })]);
    expect(await refused('easypay', { options: { payType: '', oriTransDate: '20241104' } })).toEqual([expect.objectContaining({ path: 'options.payType', rule: 'required' })]);
    expect(await refused('easypay', { options: { payType: 'AliPayRefund' } })).toEqual([expect.objectContaining({ path: 'options.oriTransDate', rule: 'required' })]);
  });

  it('options.oriTransDate must be yyyyMMdd (the contract\'s pattern, named by the facade field)', async () => {
    const issues = await refused('easypay', { options: { payType: 'AliPayRefund', oriTransDate: '2024-11-04' } });
    expect(issues).toEqual([expect.objectContaining({ path: 'options.oriTransDate', rule: 'pattern ^\\d{8}$' })]);
    expect(issues[0]!.message).toContain('reqBody.reqOrderInfo.oriTransDate on the wire');
  });

  it('a private key is required, inline or as a file, and not both (refused by createRefunds, with the path)', () => {
    const issuesOf = (config: Record<string, unknown>) => {
      try {
        facade('easypay', scripted(), { config });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).issues;
      }
      throw new Error('createRefunds accepted the configuration');
    };
    expect(issuesOf({ privateKey: 'x', privateKeyFile: 'y' })).toContainEqual({ path: 'providers.easypay.privateKeyFile', message: 'give only one of privateKey, privateKeyFile' });
    expect(issuesOf({ privateKeyFile: undefined })).toEqual([{ path: 'providers.easypay.privateKey', message: 'required (or providers.easypay.privateKeyFile)' }]);
    expect(issuesOf({ easypayPublicKeyFile: undefined })).toEqual([{ path: 'providers.easypay.easypayPublicKey', message: 'required (or providers.easypay.easypayPublicKeyFile, providers.easypay.easypayPublicKeys)' }]);
  });
});

describe('eftpay rules', () => {
  it('refundId (refund_no) has at most 28 characters', async () => {
    const issues = await refused('eftpay', { refundId: 'R'.repeat(29) });
    expect(issues).toEqual([expect.objectContaining({ path: 'refundId', rule: 'maxLength 28' })]);
    expect(issues[0]!.message).toContain('refund_no on the wire');
    await accepted('eftpay', { refundId: 'R'.repeat(28) });
  });

  it('orderId (out_trade_no) has at most 28 characters', async () => {
    expect(await refused('eftpay', { orderId: 'O'.repeat(29) })).toEqual([expect.objectContaining({ path: 'orderId', rule: 'maxLength 28' })]);
  });

  it('amount fits transaction_amount String(8): at most 99999.99', async () => {
    expect(await refused('eftpay', { amount: 10_000_000 })).toEqual([expect.objectContaining({ path: 'amount', rule: 'maximum 9999999' })]);
    const { call } = await accepted('eftpay', { amount: 9_999_999 });
    expect(JSON.parse(call.text).transaction_amount).toBe('99999.99');
  });

  it('options.paymentType is required and one of the seed\'s wallets', async () => {
    expect(await refused('eftpay', { options: undefined })).toEqual([expect.objectContaining({ path: 'options.paymentType', rule: 'required' })]);
    expect(await refused('eftpay', { options: { paymentType: 'VISA' } })).toEqual([expect.objectContaining({ path: 'options.paymentType', rule: expect.stringMatching(/^enum \[ALIPAYCN, .*PAYME\]$/) })]);
  });

  it('options.buyerType, when given, is ios, android or others', async () => {
    expect(await refused('eftpay', { options: { paymentType: 'WECHATHK', buyerType: 'web' } })).toEqual([expect.objectContaining({ path: 'options.buyerType', rule: 'enum [ios, android, others]' })]);
  });

  it('the currency is the configured one (CNY accounts refuse HKD)', async () => {
    expect(await refused('eftpay', { currency: 'HKD' }, { currency: 'CNY' })).toEqual([expect.objectContaining({ path: 'currency', rule: 'enum [CNY]' })]);
    const { refund } = await accepted('eftpay', { currency: 'CNY' }, { currency: 'CNY' });
    expect(refund.currency).toBe('CNY');
  });

  it('a user_confirm_key longer than String(12) is refused by the contract', async () => {
    expect(await refused('eftpay', {}, { userConfirmKey: '1234567890000' })).toEqual([expect.objectContaining({ path: 'user_confirm_key', rule: 'maxLength 12' })]);
  });
});

describe('lianke rules', () => {
  it('amount (refund_amount) has at most 10 digits', async () => {
    expect(await refused('lianke', { amount: 10_000_000_000 })).toEqual([expect.objectContaining({ path: 'amount', rule: 'maximum 9999999999' })]);
    await accepted('lianke', { amount: 9_999_999_999 });
  });

  it('orderAmount (amount) has at most 10 digits', async () => {
    expect(await refused('lianke', { orderAmount: 10_000_000_000 })).toEqual([expect.objectContaining({ path: 'orderAmount', rule: 'maximum 9999999999' })]);
  });

  it('items must be whole quantities and prices (named as the facade\'s items)', async () => {
    const issues = await refused('lianke', { items: [{ id: 'sku-1', name: '苹果', quantity: 1.5, price: 100 }] });
    expect(issues).toEqual([expect.objectContaining({ path: 'items[0].quantity', rule: 'type integer' })]);
  });

  it('store_no (config) has at most 32 characters', async () => {
    expect(await refused('lianke', {}, { storeNo: 'S'.repeat(33) })).toEqual([expect.objectContaining({ path: 'store_no', rule: 'maxLength 32' })]);
  });

  it('refund_amount may not exceed amount: an over-refund, refused before sending', async () => {
    const script = scripted();
    await expect(facade('lianke', script).refund(input('lianke', { amount: 301, orderAmount: 300 }))).rejects.toBeInstanceOf(OverRefundError);
    expect(script.calls).toHaveLength(0);
  });
});

describe('yima rules', () => {
  it('refundId (pos_seq) has 13 to 32 characters', async () => {
    const short = await refused('yima', { refundId: '151130000004' });
    expect(short).toEqual([expect.objectContaining({ path: 'refundId', rule: 'minLength 13' })]);
    expect(short[0]!.message).toContain('pos_seq on the wire');
    expect(await refused('yima', { refundId: '1'.repeat(33) })).toEqual([expect.objectContaining({ path: 'refundId', rule: 'maxBytes' })]);
    await accepted('yima', { refundId: '1'.repeat(32) });
  });

  it('orderId (org_pos_seq) has 13 to 32 characters', async () => {
    expect(await refused('yima', { orderId: '151130000001' })).toEqual([expect.objectContaining({ path: 'orderId', rule: 'minLength 13' })]);
  });

  it('amount (tx_amt) is Number(9) fen', async () => {
    expect(await refused('yima', { amount: 1_000_000_000 })).toEqual([expect.objectContaining({ path: 'amount', rule: 'maximum 999999999' })]);
    await accepted('yima', { amount: 999_999_999 });
  });

  it('options.payType is 503, the only value the document lists', async () => {
    expect(await refused('yima', { options: { payType: '502' } })).toEqual([expect.objectContaining({ path: 'options.payType', rule: 'enum ["503"]' })]);
  });

  it('item prices are Number(8) fen, and item text must survive GBK', async () => {
    expect(await refused('yima', { items: [{ id: 'apple-01', name: 'ipad', quantity: 1, price: 100_000_000 }] })).toEqual([
      expect.objectContaining({ path: 'items[0].price', rule: 'maximum 99999999' }),
    ]);
    expect(await refused('yima', { items: [{ id: 'apple-01', name: 'ipad 🍎', quantity: 1, price: 100 }] })).toEqual([
      expect.objectContaining({ path: 'items[0].name', rule: 'encoding' }),
    ]);
  });

  it('isspid (config) is String(8)', async () => {
    expect(await refused('yima', {}, { isspid: '394930021' })).toEqual([expect.objectContaining({ path: 'isspid', rule: 'maxBytes' })]);
  });
});

describe('the provider is configured', () => {
  it('a refund through a provider not configured is refused before anything is sent', async () => {
    const script = scripted();
    const refunds = facade('tipay', script);
    await expect(refunds.refund({ ...INPUTS.yima })).rejects.toThrow(/yima is not configured/);
    expect(script.calls).toHaveLength(0);
  });
});

describe('refund and order ids are printable, bounded text (issue 13: hostile input)', () => {
  /** What each id must refuse: line breaks, a C0 control, a bidi override, and an id far too long. */
  const HOSTILE_IDS: readonly (readonly [string, string, RegExp])[] = [
    ['a line feed', 'REFUND-0000001\nX', /^pattern /],
    ['a carriage return', 'REFUND-0000001\rX', /^pattern /],
    ['U+0001', 'REFUND-0000001\u0001X', /^pattern /],
    ['U+202E (right-to-left override)', 'REFUND-0000001\u202eX', /^pattern /],
    ['U+0085 (C1 next line)', 'REFUND-0000001\u0085X', /^pattern /],
    ['1,000 characters', 'R'.repeat(1000), /^maxLength \d+$/],
  ];
  const FIELD_LIMITS = { tipay: 64, eftpay: 28, easypay: 64, lianke: 64 } as const;

  describe.each(Object.keys(FIELD_LIMITS) as (keyof typeof FIELD_LIMITS)[])('%s', (provider) => {
    it.each(HOSTILE_IDS)('refundId with %s is refused before anything is sent or reserved', async (_what, refundId, rule) => {
      const issues = await refused(provider, { refundId });
      expect(issues).toEqual([expect.objectContaining({ path: 'refundId', rule: expect.stringMatching(rule) })]);
    });

    it.each(HOSTILE_IDS)('orderId with %s is refused before anything is sent or reserved', async (_what, orderId, rule) => {
      const issues = await refused(provider, { orderId });
      expect(issues).toEqual([expect.objectContaining({ path: 'orderId', rule: expect.stringMatching(rule) })]);
    });

    it(`ids of ${FIELD_LIMITS[provider]} printable characters, CJK and spaces included, are sent`, async () => {
      const limit = FIELD_LIMITS[provider];
      await accepted(provider, { refundId: 'R'.repeat(limit) });
      await accepted(provider, { refundId: '退款 0001-á' });
      expect(await refused(provider, { refundId: 'R'.repeat(limit + 1) })).toEqual([expect.objectContaining({ path: 'refundId', rule: `maxLength ${limit}` })]);
    });
  });

  describe('yima (pos_seq, org_pos_seq: 13 to 32 characters of GBK text)', () => {
    it.each(HOSTILE_IDS)('refundId with %s is refused before anything is sent or reserved', async (_what, refundId) => {
      const issues = await refused('yima', { refundId });
      expect(issues).toEqual([expect.objectContaining({ path: 'refundId' })]);
    });

    it.each(HOSTILE_IDS)('orderId with %s is refused before anything is sent or reserved', async (_what, orderId) => {
      const issues = await refused('yima', { orderId });
      expect(issues).toEqual([expect.objectContaining({ path: 'orderId' })]);
    });
  });
});
