/**
 * Shared by the hostile-provider suites: provider settings from the sandbox's credentials with
 * the base URL pointed at one hostile case, the limits each suite asserts, and order/refund ids.
 */
import { createEasypayClient } from '@refundkit/easypay';
import { createEftpayClient } from '@refundkit/eftpay';
import { createLiankeClient } from '@refundkit/lianke';
import { compactDate, type FetchLike } from '@refundkit/runtime';
import type { Sandbox } from '@refundkit/sandbox';
import { createTipayClient } from '@refundkit/tipay';
import { createYimaClient } from '@refundkit/yima';
import type { FakeProvider, Provider } from './fake-provider.js';

/**
 * The most a hostile answer may grow the process's resident memory by, over one refund: 64 MiB.
 * The answer cap is 1 MiB; the rest is allowance for the runtime's own churn. Before the cap, the
 * gzip bomb alone took the CLI to 3.19 GB (issue #13).
 */
export const MEMORY_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The most of an answer the ledger may keep in `raw`: the lead's ledger change stores an excerpt
 * of at most 16 KiB, plus a marker saying it was cut.
 */
export const RAW_LIMIT_CHARS = 16 * 1024 + 100;

export const CURRENCY: Readonly<Record<Provider, string>> = { easypay: 'CNY', eftpay: 'HKD', lianke: 'CNY', tipay: 'CNY', yima: 'CNY' };
export const OPTIONS: Readonly<Record<Provider, Readonly<Record<string, string>>>> = {
  easypay: { payType: 'AliPayRefund', oriTransDate: '20250101' },
  eftpay: { paymentType: 'ALIPAYHK' },
  lianke: {},
  tipay: {},
  yima: {},
};

/** Provider settings (the facade's and the CLI's shape) with every base URL sent through `caseName`. */
export function hostileConfigs(sandbox: Sandbox, fake: FakeProvider, caseName: string): Record<Provider, Record<string, string>> {
  const c = sandbox.credentials;
  const url = (provider: Provider): string => fake.baseUrl(caseName, provider);
  return {
    easypay: { baseUrl: url('easypay'), mchtCode: c.easypay.mchtCode, privateKey: c.easypay.merchantPrivateKeyPem, easypayPublicKey: c.easypay.easypayPublicKeyPem },
    eftpay: { baseUrl: url('eftpay'), userConfirmKey: c.eftpay.userConfirmKey, secretCode: c.eftpay.secretCode, currency: 'HKD' },
    lianke: { baseUrl: url('lianke'), storeNo: c.lianke.storeNo, operator: c.lianke.operator },
    tipay: { baseUrl: url('tipay'), appId: c.tipay.appId, appKey: c.tipay.appKey, merchantNo: c.tipay.merchantNo },
    yima: { baseUrl: url('yima'), isspid: c.yima.isspid, systemId: c.yima.systemId, posId: c.yima.posId, storeId: c.yima.storeId },
  };
}

/** An id every provider accepts (13 to 28 characters): provider, kind, number. */
export function idFor(provider: Provider, kind: string, n: number): string {
  return `${provider.slice(0, 2).toUpperCase()}${kind}${String(n).padStart(8, '0')}`;
}

/** The refund every client sends: 12.00 of an order of 100.00. */
export const AMOUNT = 1_200;
export const ORDER_AMOUNT = 10_000;

/** What the clients take beside the provider's own settings. */
export interface ClientLimits {
  readonly fetch?: FetchLike;
  readonly timeoutMs?: number;
  readonly maxAnswerBytes?: number;
}

/**
 * Sends one refund of {@link AMOUNT} through `provider`'s generated client (no facade), built
 * from `config` (the facade's config shape, as {@link hostileConfigs} gives it) and `limits`;
 * resolves with the client's result or rejects with what it threw.
 */
export function sendRefund(provider: Provider, config: Readonly<Record<string, string>>, limits: ClientLimits, orderId: string, refundId: string): Promise<unknown> {
  const base = { baseUrl: config['baseUrl']!, ...limits };
  switch (provider) {
    case 'easypay':
      return createEasypayClient({ ...base, privateKey: config['privateKey']!, easypayPublicKey: config['easypayPublicKey']! }).refund({
        reqBody: {
          reqInfo: { mchtCode: config['mchtCode']! },
          reqOrderInfo: { orgTrace: refundId, oriOrgTrace: orderId, oriTransDate: '20250101', refundAmount: AMOUNT },
          payInfo: { payType: 'AliPayRefund', transDate: compactDate(new Date(), 'Asia/Shanghai') },
        },
      });
    case 'eftpay':
      return createEftpayClient({ ...base, secretCode: config['secretCode']! }).refund({
        service: 'service.alipay.qrcode.Refund',
        user_confirm_key: config['userConfirmKey']!,
        transaction_amount: '12.00',
        out_trade_no: orderId,
        paytype: 'Alipay',
        buyertype: 'others',
        payment_type: 'ALIPAYHK',
        refund_no: refundId,
        time: new Date().toISOString().replace(/\D/g, '').slice(0, 14),
      });
    case 'lianke':
      return createLiankeClient(base).refund({ store_no: config['storeNo']!, operator: config['operator']!, amount: ORDER_AMOUNT, refund_amount: AMOUNT, order_no: orderId, refund_no: refundId });
    case 'tipay':
      return createTipayClient({ ...base, appId: config['appId']!, appKey: config['appKey']! }).refund({ merchantNo: config['merchantNo']!, orderId, refundRequestId: refundId, refundAmount: '12.00' });
    case 'yima':
      return createYimaClient(base).refund({
        request_type: 'barcode_refundbycashfee_request',
        isspid: config['isspid']!,
        pos_id: config['posId']!,
        store_id: config['storeId']!,
        pos_seq: refundId,
        system_id: config['systemId']!,
        barcode_refundbycashfee_request: { tx_amt: AMOUNT, org_pos_seq: orderId },
      });
  }
}
