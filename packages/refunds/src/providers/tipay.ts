// What the facade needs of Ti-Pay before a refund is made: settings, the status table and the
// answer mapping. The adapter, which loads @refundkit/tipay, is tipay-adapter.ts (loaded at first use).
import { toMinorUnits, type ProviderResult } from '@refundkit/runtime';
import type { MaybeSecret } from '@refundkit/signing';
import type { Messages } from '@refundkit/tipay';
import { checkEcho, echoedAmount, type ProviderAnswer } from './adapter.js';
import { statusOf, type StatusTable } from './status-table.js';

/** Ti-Pay settings (see the spec's securitySchemes and `merchantNo`). */
export interface TipayConfig {
  readonly baseUrl: string;
  readonly appId: string;
  readonly appKey: MaybeSecret<string>;
  /**
   * During a key roll, the AppKeys being retired: a notification (or signed answer) under one of
   * them still verifies; requests are signed with `appKey` only. Remove them once the roll is over.
   */
  readonly previousAppKeys?: readonly MaybeSecret<string>[] | undefined;
  readonly merchantNo: string;
  readonly notifyUrl?: string | undefined;
}

/** Ti-Pay takes no per-refund options. */
export type TipayOptions = Record<string, never>;

/** `data.status` of an accepted refund (seed 003: PROCESSING / SUCCESS / FAILED). */
export const TIPAY_STATUS: StatusTable = { PROCESSING: 'pending', SUCCESS: 'succeeded', FAILED: 'failed' };

type Answer = Messages['refund.response'];

/** What a refund request or query sent, for the echo rule. */
export interface TipaySent {
  readonly merchantNo: string;
  readonly orderId: string;
  readonly refundId: string;
  readonly amount: number;
}

/**
 * `code` 200 with `success` true means only "accepted" (seed 003, 使用说明 4); anything else was
 * not accepted and moved no money (`failed`; for a query, which says nothing about the refund,
 * `unknown`). An accepted answer's `data.status` is the result, once `data` echoes the merchant,
 * order, refund number and amount that were sent (the echo rule: otherwise `AnswerMismatchError`).
 */
export function mapTipayAnswer(result: ProviderResult<Answer>, phase: 'refund' | 'query', sent: TipaySent): ProviderAnswer {
  const { data, rawBody: raw } = result;
  if (data.code !== 200 || data.success !== true) {
    const failure = { code: String(data.code), message: data.msg ?? '' };
    // A query the provider refuses says nothing about the refund itself.
    return phase === 'refund' ? { status: 'failed', failure, raw, providerMayKnow: false } : { status: 'unknown', failure, raw };
  }
  const status = statusOf(TIPAY_STATUS, data.data?.status);
  const echoed = data.data;
  checkEcho(
    'tipay',
    status,
    [
      { field: 'data.merchantNo', sent: sent.merchantNo, received: echoed?.merchantNo || undefined },
      { field: 'data.orderId', sent: sent.orderId, received: echoed?.orderId || undefined },
      { field: 'data.refundRequestId', sent: sent.refundId, received: echoed?.refundRequestId || undefined, requiredForSuccess: true },
      { field: 'data.refundAmount', sent: sent.amount, received: echoedAmount(echoed?.refundAmount, toMinorUnits) },
    ],
    raw,
  );
  return {
    status,
    providerRefundId: data.data?.uniqueRefundNo,
    ...(status === 'failed' || status === 'unknown' ? { failure: { code: String(data.data?.status ?? 'missing'), message: data.msg ?? '' } } : {}),
    raw,
  };
}
