// What the facade needs of Ti-Pay before a refund is made: settings, the status table and the
// answer mapping. The adapter, which loads @refundkit/tipay, is tipay-adapter.ts (loaded at first use).
import type { ProviderResult } from '@refundkit/runtime';
import type { MaybeSecret } from '@refundkit/signing';
import type { Messages } from '@refundkit/tipay';
import type { ProviderAnswer } from './adapter.js';
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
