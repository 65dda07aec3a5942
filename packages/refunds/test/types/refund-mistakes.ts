/**
 * Mistakes the types refuse (issue 14). Each `@ts-expect-error` must fail to compile (the package
 * typecheck says so when one compiles), and `diagnostics.test.ts` compiles this file without the
 * directives and checks that each error names the provider's type and the field: the words in
 * [brackets] after each directive anywhere in its message, the words in {braces} in the message's
 * first line (the provider's name belongs there: `TipayCurrency`, `RefundInputOf<"easypay">`).
 * `paypal` names no provider, so its first line names only the key.
 */
import { Secret } from '@refundkit/signing';
import { createRefunds } from '../../src/index.js';

const refunds = createRefunds({
  providers: {
    tipay: { baseUrl: 'https://api.tipay.tianhecloud.com', appId: 'tichain000000', appKey: new Secret('key'), merchantNo: '10012426723' },
    easypay: { baseUrl: 'https://easypay.example.com', mchtCode: '531000023045074', privateKeyFile: 'merchant.pem', easypayPublicKeyFile: 'easypay.pem' },
    eftpay: { baseUrl: 'https://vmp.eftpay.com.cn', userConfirmKey: 'S0003469', secretCode: new Secret('code') },
    yima: { baseUrl: 'https://ipos.example.com/trans', isspid: '39493002', systemId: '8888', posId: '1511300001', storeId: '1511300001' },
  },
});
const common = { orderId: 'order-1', refundId: 'refund-1', amount: 100 } as const;

export async function mistakes(): Promise<void> {
  // The right calls compile.
  await refunds.refund({ provider: 'tipay', ...common, currency: 'CNY' });
  await refunds.refund({ provider: 'easypay', ...common, currency: 'CNY', options: { payType: 'AliPayRefund', oriTransDate: '20250101' } });
  await refunds.refund({ provider: 'eftpay', ...common, currency: 'CNY', options: { paymentType: 'ALIPAYCN' } });
  await refunds.refund({ provider: 'yima', ...common, currency: 'CNY' });
  await refunds.handleNotification('tipay', { headers: {}, rawBody: '' });

  // @ts-expect-error {TipayCurrency} {"USD"} [currency] ["CNY"]
  await refunds.refund({ provider: 'tipay', ...common, currency: 'USD' });
  // @ts-expect-error {EftpayCurrency} {"hkd"} {"HKD"} [currency]
  await refunds.refund({ provider: 'eftpay', ...common, currency: 'hkd', options: { paymentType: 'ALIPAYHK' } });
  // @ts-expect-error {RefundInputOf<"easypay">} [EasypayRefundInput] [options]
  await refunds.refund({ provider: 'easypay', ...common, currency: 'CNY' });
  // @ts-expect-error {EasypayOptions} {oriTransDate}
  await refunds.refund({ provider: 'easypay', ...common, currency: 'CNY', options: { payType: 'AliPayRefund' } });
  // @ts-expect-error {RefundInputOf<"eftpay">} [EftpayRefundInput] [options]
  await refunds.refund({ provider: 'eftpay', ...common, currency: 'HKD' });
  // @ts-expect-error {EftpayPaymentType} {"ALIPAY"} [EftpayOptions] [paymentType]
  await refunds.refund({ provider: 'eftpay', ...common, currency: 'HKD', options: { paymentType: 'ALIPAY' } });
  // @ts-expect-error {YimaOptions} {oriTransDate}
  await refunds.refund({ provider: 'yima', ...common, currency: 'CNY', options: { oriTransDate: '20250101' } });
  // @ts-expect-error {TipayTakesNoOptions} {payType}
  await refunds.refund({ provider: 'tipay', ...common, currency: 'CNY', options: { payType: 'AliPayRefund' } });
  // @ts-expect-error {"lianke"} {"easypay" | "eftpay" | "tipay" | "yima"}
  await refunds.refund({ provider: 'lianke', ...common, currency: 'CNY' });
  // @ts-expect-error {"eftpay"} {"easypay" | "tipay"}
  await refunds.handleNotification('eftpay', { headers: {}, rawBody: '' });

  // Configuration mistakes, refused by the types as createRefunds refuses them at run time.
  // A block is one account or several (`ProviderBlock`, a union): the compiler's first line names
  // the block's type (`ProviderBlock<TipayConfig>`), the next the missing setting and `TipayConfig`.
  // @ts-expect-error [merchantNo] {TipayConfig}
  createRefunds({ providers: { tipay: { baseUrl: 'https://api.tipay.tianhecloud.com', appId: 'tichain000000', appKey: new Secret('key') } } });
  // @ts-expect-error {EftpayCurrency} {"USD"} [currency] [EftpayConfig]
  createRefunds({ providers: { eftpay: { baseUrl: 'https://vmp.eftpay.com.cn', userConfirmKey: 'S0003469', secretCode: 'code', currency: 'USD' } } });
  // @ts-expect-error {merchantNO} {TipayConfig}
  createRefunds({ providers: { tipay: { baseUrl: 'https://api.tipay.tianhecloud.com', appId: 'tichain000000', appKey: 'key', merchantNO: '10012426723' } } });
  // @ts-expect-error {paypal} [EasypayConfig]
  createRefunds({ providers: { paypal: { baseUrl: 'https://paypal.example.com' } } });

  // Several merchant accounts of one provider, and key rolls (issue 21). A block with `accounts`
  // holds nothing else, and a single account's block has no `accounts`: each is refused.
  const tipayAccount = { baseUrl: 'https://api.tipay.tianhecloud.com', appId: 'tichain000000', appKey: new Secret('key') } as const;
  const platform = createRefunds({
    providers: {
      tipay: {
        accounts: {
          shopA: { ...tipayAccount, merchantNo: '10012426723' },
          shopB: { ...tipayAccount, appKey: new Secret('new key'), previousAppKeys: [new Secret('old key')], merchantNo: '10012426724' },
        },
        default: 'shopA',
      },
      easypay: { baseUrl: 'https://easypay.example.com', mchtCode: '531000023045074', privateKeyFile: 'merchant.pem', easypayPublicKeys: [{ certificateId: '00000002', keyFile: 'easypay-2026.pem' }, { keyFile: 'easypay-2024.pem' }] },
      eftpay: { baseUrl: 'https://vmp.eftpay.com.cn', userConfirmKey: 'S0003469', secretCode: new Secret('new code'), previousSecretCodes: ['old code'] },
    },
  });
  await platform.refund({ provider: 'tipay', account: 'shopB', ...common, currency: 'CNY' });
  await platform.refund({ provider: 'tipay', ...common, currency: 'CNY' });
  const refunded = await platform.get({ provider: 'tipay', account: 'shopB', orderId: 'order-1', refundId: 'refund-1' });
  await platform.waitFor(refunded);
  await platform.history({ ...refunded, account: 'shopB' });
  await platform.handleNotification('tipay', { headers: {}, rawBody: '' }, { account: 'shopB' });

  // @ts-expect-error {ProviderBlock<TipayConfig>} [accounts] [undefined]
  createRefunds({ providers: { tipay: { ...tipayAccount, merchantNo: '10012426723', accounts: { shopA: { ...tipayAccount, merchantNo: '10012426723' } } } } });
  // @ts-expect-error {merchantNo} {TipayConfig}
  createRefunds({ providers: { tipay: { accounts: { shopA: tipayAccount } } } });
  // @ts-expect-error {merchantNO} {TipayConfig}
  createRefunds({ providers: { tipay: { accounts: { shopA: { ...tipayAccount, merchantNO: '10012426723' } } } } });
  // @ts-expect-error {ProviderBlock<TipayConfig>} {baseUrl} [accounts] [undefined]
  createRefunds({ providers: { tipay: { baseUrl: 'https://api.tipay.tianhecloud.com', accounts: { shopA: { ...tipayAccount, merchantNo: '10012426723' } } } } });
  // @ts-expect-error {number} {string} [account]
  await platform.refund({ provider: 'tipay', account: 7, ...common, currency: 'CNY' });
  // @ts-expect-error {number} {MaybeSecret<string>}
  createRefunds({ providers: { tipay: { ...tipayAccount, merchantNo: '10012426723', previousAppKeys: [7] } } });
  // @ts-expect-error {ProviderBlock<EasypayConfig>} {easypayPublicKeys} [undefined]
  createRefunds({ providers: { easypay: { baseUrl: 'https://easypay.example.com', mchtCode: '531000023045074', privateKeyFile: 'merchant.pem', easypayPublicKeyFile: 'easypay.pem', easypayPublicKeys: [{ keyFile: 'easypay-2024.pem' }] } } });
}
