/**
 * The text `refundkit sandbox` prints: where each provider is, the test credentials and the
 * seeded orders. Printing credentials is the point here, and they are labelled for what they
 * are: made-up sandbox test credentials that work nowhere else.
 */
import { formatMinorUnits } from '@refundkit/runtime';
import { FAULT_NAMES } from './faults.js';
import { NOTIFICATION_FAULT_NAMES } from './notification-faults.js';
import { PROVIDERS } from './provider.js';
import type { Sandbox } from './sandbox.js';

export function describeSandbox(sandbox: Sandbox): string {
  const c = sandbox.credentials;
  const lines: string[] = [];
  lines.push(`refundkit sandbox listening on ${sandbox.baseUrl}`, '');
  lines.push('Endpoints:');
  for (const provider of PROVIDERS) {
    const e = sandbox.endpoints[provider];
    lines.push(`  ${provider.padEnd(8)} refund ${e.refund}`);
    if (e.queryRefund !== e.refund) lines.push(`  ${''.padEnd(8)} query  ${e.queryRefund}`);
  }
  lines.push(`  control  ${sandbox.controlUrl}/faults (POST {provider, fault, refundNo?, times?}), /orders, /refunds?provider=, /requests, /notifications`);
  lines.push('', 'SANDBOX TEST CREDENTIALS (made up for this sandbox; they work nowhere else):');
  lines.push(`  easypay  mchtCode=${c.easypay.mchtCode}`);
  lines.push(`           merchant private key (signs reqSign): ${c.easypay.merchantPrivateKeyPath ?? '(generated; use --json to see it)'}`);
  lines.push(`           EasyPay public key (verifies rspSign): ${c.easypay.easypayPublicKeyPath ?? '(generated; use --json to see it)'}`);
  lines.push(`  eftpay   user_confirm_key=${c.eftpay.userConfirmKey} secretCode=${c.eftpay.secretCode}`);
  lines.push(`  lianke   store_no=${c.lianke.storeNo} operator=${c.lianke.operator}`);
  lines.push(`  tipay    ti-appid=${c.tipay.appId} appKey=${c.tipay.appKey} merchantNo=${c.tipay.merchantNo}`);
  lines.push(`  yima     isspid=${c.yima.isspid} system_id=${c.yima.systemId} pos_id=${c.yima.posId} store_id=${c.yima.storeId}`);
  lines.push('', 'Orders:');
  for (const provider of PROVIDERS) {
    const orders = sandbox.orders(provider).map((o) => `${o.orderId} ${formatMinorUnits(o.amount)}${o.status === 'paid' ? '' : ` (${o.status})`}`);
    lines.push(`  ${provider.padEnd(8)} ${orders.length === 0 ? '(none)' : orders.join(', ')}`);
  }
  lines.push('', `Faults (x-sandbox-fault header or POST /__sandbox/faults): ${FAULT_NAMES.join(', ')}`);
  const armed = sandbox.armedNotificationFaults();
  lines.push(
    `Notification faults (--notification-fault or POST /__sandbox/notification-faults): ${NOTIFICATION_FAULT_NAMES.join(', ')}` +
      (armed.length === 0 ? '' : `; armed for every notification: ${armed.map((f) => f.fault + (f.ms === undefined ? '' : ` (${f.ms} ms)`) + (f.count === undefined ? '' : ` (×${f.count})`)).join(', ')}`),
  );
  return lines.join('\n') + '\n';
}
