import type { Disagreement } from './agreement.js';

/**
 * Disagreements between a provider document and its contract that the contract already explains
 * in an `x-refundkit-assumption` / `x-refundkit-correction` note (XSD: `refundkit:assumption` /
 * `refundkit:correction`). Each entry says where the note is and quotes it; the test fails if the
 * quote is no longer in that note, or if the disagreement has gone (so the list stays narrow).
 * A disagreement no note explains is not listed here: the spec must change, or explain itself.
 */
export interface AllowedDisagreement {
  readonly provider: string;
  readonly message: string;
  /** Inventory paths (`data.status`); headers as `header:<name>`. */
  readonly fields: readonly string[];
  readonly aspect: Disagreement['aspect'];
  /** `field`: a note on the field itself; otherwise the schema or XSD type whose note explains it. */
  readonly noteOn: 'field' | string;
  /** Words of that note, which must stay in it. */
  readonly quote: string;
}

export const ALLOWED_DISAGREEMENTS: readonly AllowedDisagreement[] = [
  {
    provider: 'eftpay',
    message: 'refund.request',
    fields: ['paytype'],
    aspect: 'maxLength',
    noteOn: 'RefundRequest',
    quote: "the table is the contract, so paytype's maxLength is 8",
  },
  {
    provider: 'eftpay',
    message: 'refund.response',
    fields: ['eftpay_trade_no', 'refund_trade_no'],
    aspect: 'maxLength',
    noteOn: 'RefundResponse',
    quote: 'eftpay_trade_no and refund_trade_no keep their documented String(28) in the description but no maxLength',
  },
  {
    provider: 'eftpay',
    message: 'refund.response',
    fields: ['trade_type'],
    aspect: 'maxLength',
    noteOn: 'field',
    quote: 'a closed enum (or a length limit) would make an answer with any other value fail validation',
  },
  {
    provider: 'lianke',
    message: 'refund.response',
    fields: ['code'],
    aspect: 'required',
    noteOn: 'ResultInfoOfRefundResultInfo',
    quote: 'Only `code`, which the status mapping needs, is required',
  },
  {
    provider: 'tipay',
    message: 'refund.response',
    fields: ['data', 'data.merchantNo', 'data.orderId', 'data.refundRequestId', 'data.uniqueRefundNo', 'data.status', 'data.refundAmount', 'data.refundRequestDate', 'data.refundAccountDetail'],
    aspect: 'required',
    noteOn: 'RefundResponse',
    quote: '`data` is required, with every field the table marks 必需, only when the refund was accepted',
  },
  {
    provider: 'tipay',
    message: 'refund.response',
    fields: ['msg'],
    aspect: 'required',
    noteOn: 'RefundResponse',
    quote: '`msg` is not required since nothing depends on it',
  },
  {
    provider: 'yima',
    message: 'refund.response',
    fields: ['sys_seq', 'trans_time', 'pay_type'],
    aspect: 'required',
    noteOn: 'field',
    quote: 'refundkit reads responses tolerantly and requires only what the status mapping needs (result)',
  },
];
