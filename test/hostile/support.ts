/**
 * Shared by the hostile-provider suites: provider settings from the sandbox's credentials with
 * the base URL pointed at one hostile case, the limits each suite asserts, and order/refund ids.
 */
import type { Sandbox } from '@refundkit/sandbox';
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
