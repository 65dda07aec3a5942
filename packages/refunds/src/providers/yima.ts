// What the facade needs of yima before a refund is made: settings, options, the status table and
// the answer mapping. The adapter, which loads @refundkit/yima, is yima-adapter.ts (loaded at first use).
import { YIMA_MAX_AMOUNT } from '@refundkit/registry';
import type { ProviderResult } from '@refundkit/runtime';
import type { BodyMacHook } from '@refundkit/signing';
import type { Messages } from '@refundkit/yima';
import type { RefundStatus } from '../model.js';
import { checkEcho, type ProviderAnswer } from './adapter.js';
import type { StatusTable } from './status-table.js';

/** 翼码 ImageCo ipos settings. */
export interface YimaConfig {
  /** The full URL of the XML endpoint the merchant was given (the document names no path). */
  readonly baseUrl: string;
  /** `isspid`: the institution number yima assigned (String(8)). */
  readonly isspid: string;
  /** `system_id`: the system platform number (String(4)). */
  readonly systemId: string;
  /** `pos_id`: the terminal (String(20)). */
  readonly posId: string;
  /** `store_id`: the store (String(20)). */
  readonly storeId: string;
  /** `user_id`: the operator (String(20)); left out when not set. */
  readonly userId?: string | undefined;
  /** Headers carrying a MAC over the raw GBK body, when the merchant's contract has one. Default: none. */
  readonly mac?: BodyMacHook | undefined;
}

/** Per-refund options. */
export interface YimaOptions {
  /** `pay_type`: 503 (WeChat Pay), the only value the document lists; left out by default (yima finds the payment by `org_pos_seq`). */
  readonly payType?: '503' | undefined;
}

/**
 * `result/id` of a refund's answer (the document: 0000 成功, 其它失败): 0000 succeeded, 9998
 * (timeout) unknown, and the other codes yima's public pages name failed. Unlike the other
 * tables, a code this table does not name is **failed** in a refund's answer, as the document
 * says ({@link YIMA_UNLISTED_STATUS}). A query is another operation: see {@link yimaStatusOf}.
 */
export const YIMA_STATUS: StatusTable = {
  '0000': 'succeeded',
  '9998': 'unknown',
  '0809': 'failed',
  '6100': 'failed',
  '6103': 'failed',
};

/** What a `result/id` not in {@link YIMA_STATUS} means in a refund's answer: the document says 其它失败 (any other fails). */
export const YIMA_UNLISTED_STATUS: RefundStatus = 'failed';

/**
 * Codes that refuse the request itself (6100 MAC check failed, 6103 IP not authorised): a refund
 * so refused moved no money (`failed`), a query so refused says nothing about the refund (`unknown`).
 */
export const YIMA_REFUSED_CODES: readonly string[] = ['6100', '6103'];

/** `tx_amt`: Number(9) fen, from the spec. */
export { YIMA_MAX_AMOUNT };

type Answer = Messages['refund.response'] | Messages['queryRefund.response'];

/** `result/id` 0809: the original transaction is not found. */
export const YIMA_NOT_FOUND = '0809';

/**
 * The unified status of a `result/id`, in a refund's answer or a query's. A query's answer says
 * `succeeded` on 0000 and nothing else for sure: 0809 (not found: a refund still in flight may
 * not be visible yet), a refusal (6100, 6103) and any other code are `unknown` — the refund's
 * 其它失败 rule is the refund's, not the query's, and calling a refund failed on a query's word
 * would free its amount while it can still commit.
 */
export function yimaStatusOf(id: string, phase: 'refund' | 'query'): RefundStatus {
  if (phase === 'query') return id === '0000' ? 'succeeded' : 'unknown';
  return Object.hasOwn(YIMA_STATUS, id) ? YIMA_STATUS[id]! : YIMA_UNLISTED_STATUS;
}

/** What a refund request or query sent, for the echo rule: the terminal and the exchange's `pos_seq`. */
export interface YimaSent {
  readonly isspid: string;
  readonly posId: string;
  /** The `pos_seq` of this exchange: the refund's id for a refund, the query's own for a query. */
  readonly posSeq: string;
}

/**
 * `result/id` is the result (see {@link yimaStatusOf}), once the answer echoes the `isspid`,
 * `pos_id` and `pos_seq` that were sent (otherwise `AnswerMismatchError`); `sys_seq` is yima's
 * number of the exchange. A refund's failure is a refusal: the provider keeps no refund for it.
 */
export function mapYimaAnswer(result: ProviderResult<Answer>, phase: 'refund' | 'query', sent: YimaSent): ProviderAnswer {
  const { data, rawBody: raw } = result;
  const status = yimaStatusOf(data.result.id, phase);
  checkEcho(
    'yima',
    status,
    [
      { field: 'isspid', sent: sent.isspid, received: data.isspid || undefined },
      { field: 'pos_id', sent: sent.posId, received: data.pos_id || undefined },
      { field: 'pos_seq', sent: sent.posSeq, received: data.pos_seq || undefined, requiredForSuccess: true },
    ],
    raw,
  );
  return {
    status,
    providerRefundId: data.sys_seq || undefined,
    ...(status === 'succeeded' ? {} : { failure: { code: data.result.id, message: data.result.comment } }),
    ...(status === 'failed' ? { providerMayKnow: false } : {}),
    raw,
  };
}
