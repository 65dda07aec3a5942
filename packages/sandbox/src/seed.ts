/**
 * The orders every sandbox starts with (unless `seed: false` or a seed of its own), so a refund
 * can be sent by hand right after `refundkit sandbox`. Each provider gets the same three: a paid
 * order of 100.00, a paid order of 25.00 and an unpaid one of 50.00 (amounts in minor units).
 * Ids are what that provider's refund request names the original payment by.
 */
import type { Provider } from './provider.js';
import type { OrderInput } from './store.js';

export type SeedOrders = Partial<Record<Provider, readonly OrderInput[]>>;

export const DEFAULT_SEED: Readonly<Record<Provider, readonly OrderInput[]>> = {
  // reqBody.reqOrderInfo.oriOrgTrace; oriTransDate must be the order's date, 20250101.
  easypay: [
    { orderId: 'EP-PAID-0001', amount: 10000, date: '20250101' },
    { orderId: 'EP-PAID-0002', amount: 2500, date: '20250101' },
    { orderId: 'EP-UNPAID-0001', amount: 5000, date: '20250101', status: 'unpaid' },
  ],
  // out_trade_no; payment_type must be the order's wallet, ALIPAYHK (service.alipay.qrcode.Refund, paytype Alipay).
  eftpay: [
    { orderId: 'EFT-PAID-0001', amount: 10000, paymentType: 'ALIPAYHK', currency: 'HKD' },
    { orderId: 'EFT-PAID-0002', amount: 2500, paymentType: 'ALIPAYHK', currency: 'HKD' },
    { orderId: 'EFT-UNPAID-0001', amount: 5000, paymentType: 'ALIPAYHK', currency: 'HKD', status: 'unpaid' },
  ],
  // order_no
  lianke: [
    { orderId: 'LK-PAID-0001', amount: 10000 },
    { orderId: 'LK-PAID-0002', amount: 2500 },
    { orderId: 'LK-UNPAID-0001', amount: 5000, status: 'unpaid' },
  ],
  // orderId (an order in status SUCCESS is "paid")
  tipay: [
    { orderId: 'TP-PAID-0001', amount: 10000 },
    { orderId: 'TP-PAID-0002', amount: 2500 },
    { orderId: 'TP-UNPAID-0001', amount: 5000, status: 'unpaid' },
  ],
  // org_pos_seq: 13 to 32 characters, like every pos_seq
  yima: [
    { orderId: 'YM-PAID-000000001', amount: 10000 },
    { orderId: 'YM-PAID-000000002', amount: 2500 },
    { orderId: 'YM-UNPAID-00000001', amount: 5000, status: 'unpaid' },
  ],
};
