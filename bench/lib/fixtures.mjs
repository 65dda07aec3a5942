// Test credentials and keys shared by the benchmarks, the stub server and the bare clients.
//
// They are the sandbox's fixed test credentials (packages/sandbox/README.md, "Test credentials"),
// so the bare request builders can be checked against the real sandbox (see facade.bench.mjs,
// `checkBareAgainstSandbox`). Made up for the sandbox: useless anywhere else.
import { readFileSync } from 'node:fs';

const KEYS = new URL('../../packages/sandbox/keys/', import.meta.url);
const key = (name) => readFileSync(new URL(name, KEYS), 'utf8');

export const PROVIDERS = ['tipay', 'eftpay', 'lianke', 'yima', 'easypay'];

export const CREDENTIALS = {
  easypay: {
    mchtCode: '531000000000001',
    merchantPrivateKeyPem: key('test-merchant-private.pem'),
    easypayPrivateKeyPem: key('test-easypay-private.pem'), // the stub signs answers with it
    easypayPublicKeyPem: key('test-easypay-public.pem'),
  },
  eftpay: { userConfirmKey: 'SBX000000001', secretCode: 'sandbox-eftpay-secret-0001' },
  lianke: { storeNo: 'SBX-STORE-01', operator: 'sandbox' },
  tipay: { appId: 'tichain-sandbox', appKey: 'sandbox-tipay-appkey-0001', merchantNo: '10000000001' },
  yima: { isspid: 'SBX00001', systemId: '9999', posId: 'SBXPOS0001', storeId: 'SBXSTORE01' },
};

/** Per-refund options and currency each provider needs (as the sandbox's seeded orders have them). */
export const REFUND_EXTRAS = {
  easypay: { currency: 'CNY', options: { payType: 'AliPayRefund', oriTransDate: '20250101' } },
  eftpay: { currency: 'HKD', options: { paymentType: 'ALIPAYHK' } },
  lianke: { currency: 'CNY', options: undefined },
  tipay: { currency: 'CNY', options: undefined },
  yima: { currency: 'CNY', options: undefined },
};

/** The paths each provider's refund is POSTed to (the sandbox's; yima's endpoint is the full URL). */
export const REFUND_PATHS = {
  easypay: '/yqt/trade/refund/speedRefund',
  eftpay: '/VMP/Servlet/JSAPIService.do',
  lianke: '/QuickPay/Refund',
  tipay: '/api/v1/yb/trade/refund',
  yima: '/ipos',
};

/** Unique ids, 20 characters (every provider's refund and order number fields take 13..28). */
export function idSource(prefix) {
  const tag = `${prefix}${process.pid.toString(36)}${Date.now().toString(36)}`.slice(0, 10).padEnd(10, '0');
  let n = 0;
  return () => `${tag}${String(++n).padStart(10, '0')}`;
}
