import { formatMinorUnits, type ProviderResult } from '@refundkit/runtime';
import type { MaybeSecret } from '@refundkit/signing';
import { createTipayClient, validateMessage, type Messages, type TipayClient } from '@refundkit/tipay';
import type { Refund } from '../model.js';
import { renameIssues, type ProviderAdapter, type ProviderAnswer } from './adapter.js';
import { statusOf, type StatusTable } from './status-table.js';

/** Ti-Pay settings (see the spec's securitySchemes and `merchantNo`). */
export interface TipayConfig {
  readonly baseUrl: string;
  readonly appId: string;
  readonly appKey: MaybeSecret<string>;
  readonly merchantNo: string;
  readonly notifyUrl?: string | undefined;
}

/** Ti-Pay takes no per-refund options. */
export type TipayOptions = Record<string, never>;

/** `data.status` of an accepted refund (seed 003: PROCESSING / SUCCESS / FAILED). */
export const TIPAY_STATUS: StatusTable = { PROCESSING: 'pending', SUCCESS: 'succeeded', FAILED: 'failed' };

type Answer = Messages['refund.response'];

/**
 * `code` 200 with `success` true means only "accepted" (seed 003, 使用说明 4); anything else was
 * not accepted and moved no money (`failed`). An accepted answer's `data.status` is the result.
 */
export function mapTipayAnswer(result: ProviderResult<Answer>, phase: 'refund' | 'query'): ProviderAnswer {
  const { data, rawBody: raw } = result;
  if (data.code !== 200 || data.success !== true) {
    const failure = { code: String(data.code), message: data.msg ?? '' };
    // A query the provider refuses says nothing about the refund itself.
    return { status: phase === 'refund' ? 'failed' : 'unknown', failure, raw };
  }
  const status = statusOf(TIPAY_STATUS, data.data?.status);
  return {
    status,
    providerRefundId: data.data?.uniqueRefundNo,
    ...(status === 'failed' || status === 'unknown' ? { failure: { code: String(data.data?.status ?? 'missing'), message: data.msg ?? '' } } : {}),
    raw,
  };
}

/** refundkit fields ← Ti-Pay wire fields, for error messages. */
const FIELDS = { orderId: 'orderId', refundRequestId: 'refundId', refundAmount: 'amount', description: 'reason', notifyUrl: 'notifyUrl' };

export const tipayAdapter: ProviderAdapter<TipayConfig, TipayOptions, TipayClient> = {
  key: 'tipay',
  currencies: () => ['CNY'],
  createClient: (config, shared) => createTipayClient({ baseUrl: config.baseUrl, appId: config.appId, appKey: config.appKey, fetch: shared.fetch, timeoutMs: shared.timeoutMs }),
  prepareRefund(client, config, request) {
    const notifyUrl = request.notifyUrl ?? config.notifyUrl;
    const body = renameIssues(FIELDS, () =>
      validateMessage('refund.request', {
        merchantNo: config.merchantNo,
        orderId: request.orderId,
        refundRequestId: request.refundId,
        refundAmount: formatMinorUnits(request.amount),
        ...(request.reason ? { description: request.reason } : {}),
        ...(notifyUrl ? { notifyUrl } : {}),
      }),
    );
    return async () => mapTipayAnswer(await client.refund(body), 'refund');
  },
  async query(client, config, refund: Refund) {
    return mapTipayAnswer(await client.queryRefund({ merchantNo: config.merchantNo, refundRequestId: refund.refundId, orderId: refund.orderId }), 'query');
  },
  notifications: {
    verify(client, _config, rawBody, headers) {
      const { data, verified, rawBody: raw } = client.verifyNotification(rawBody, headers);
      const status = statusOf(TIPAY_STATUS, data.status);
      return { refundId: data.refundRequestId, verified, answer: { status, providerRefundId: data.uniqueRefundNo, raw } };
    },
    ack: { status: 200, contentType: 'text/plain', body: 'SUCCESS' },
  },
};
