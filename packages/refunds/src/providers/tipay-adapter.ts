import { formatMinorUnits, toMinorUnits } from '@refundkit/runtime';
import { SigningError } from '@refundkit/signing';
import { createTipayClient, type TipayClient } from '@refundkit/tipay';
import type { Refund } from '../model.js';
import { clientFor, echoedAmount, peekJson, renameIssues, sendPrepared, type ProviderAdapter } from './adapter.js';
import { statusOf } from './status-table.js';
import { mapTipayAnswer, TIPAY_STATUS, type TipayConfig, type TipayOptions } from './tipay.js';

/** refundkit fields ← Ti-Pay wire fields, for error messages. */
const FIELDS = { orderId: 'orderId', refundRequestId: 'refundId', refundAmount: 'amount', description: 'reason', notifyUrl: 'notifyUrl' };

export const tipayAdapter: ProviderAdapter<TipayConfig, TipayOptions, TipayClient> = {
  key: 'tipay',
  createClient: (config, shared) => clientFor('tipay', () => createTipayClient({ baseUrl: config.baseUrl, appId: config.appId, appKey: config.appKey, ...(config.previousAppKeys ? { previousAppKeys: config.previousAppKeys } : {}), fetch: shared.fetch, clock: shared.clock, timeoutMs: shared.timeoutMs, maxAnswerBytes: shared.maxAnswerBytes }), SigningError),
  prepareRefund(client, config, request) {
    const notifyUrl = request.notifyUrl ?? config.notifyUrl;
    const input = {
      merchantNo: config.merchantNo,
      orderId: request.orderId,
      refundRequestId: request.refundId,
      refundAmount: formatMinorUnits(request.amount),
      ...(request.reason ? { description: request.reason } : {}),
      ...(notifyUrl ? { notifyUrl } : {}),
    };
    const sent = { merchantNo: config.merchantNo, orderId: request.orderId, refundId: request.refundId, amount: request.amount };
    // Validated and signed once, by the client, before anything is reserved.
    return sendPrepared(
      () => renameIssues(FIELDS, () => client.prepareRefund(input)),
      async (prepared) => mapTipayAnswer(await client.sendRefund(prepared), 'refund', sent),
    );
  },
  async query(client, config, refund: Refund) {
    const sent = { merchantNo: config.merchantNo, orderId: refund.orderId, refundId: refund.refundId, amount: refund.amount };
    return mapTipayAnswer(await client.queryRefund({ merchantNo: config.merchantNo, refundRequestId: refund.refundId, orderId: refund.orderId }), 'query', sent);
  },
  notifications: {
    verify(client, _config, rawBody, headers) {
      const { data, verified, rawBody: raw } = client.verifyNotification(rawBody, headers);
      const status = statusOf(TIPAY_STATUS, data.status);
      return {
        refundId: data.refundRequestId,
        verified,
        answer: { status, providerRefundId: data.uniqueRefundNo, raw },
        echo: [
          { field: 'merchantNo', of: 'merchant', received: data.merchantNo || undefined },
          { field: 'orderId', of: 'orderId', received: data.orderId || undefined },
          { field: 'refundAmount', of: 'amount', received: echoedAmount(data.refundAmount, toMinorUnits) },
        ],
      };
    },
    peek: (rawBody) => peekJson(rawBody, ['refundRequestId']),
    peekMerchant: (rawBody) => peekJson(rawBody, ['merchantNo']),
    ack: { status: 200, contentType: 'text/plain', body: 'SUCCESS' },
    // Anything but HTTP 200 `SUCCESS` is delivered again (seed 003's retry rule).
    reject: { status: 400, contentType: 'text/plain', body: 'FAIL' },
  },
};
