import { compactTimestamp, formatMinorUnits, RefundkitError, type Clock } from '@refundkit/runtime';
import { createEftpayClient, type EftpayClient } from '@refundkit/eftpay';
import { SigningError } from '@refundkit/signing';
import type { Refund } from '../model.js';
import { clientFor, invalid, renameIssues, sendPrepared, type PreparedRefund, type ProviderAdapter } from './adapter.js';
import {
  EFTPAY_BUYER_TYPES,
  EFTPAY_MAX_AMOUNT,
  EFTPAY_PAYMENT_TYPES,
  EFTPAY_WALLETS,
  mapEftpayAnswer,
  type EftpayBuyerType,
  type EftpayConfig,
  type EftpayOptions,
  type EftpayPaymentType,
} from './eftpay.js';

/** refundkit fields ← eftPay wire fields, for error messages. */
const FIELDS = {
  out_trade_no: 'orderId',
  refund_no: 'refundId',
  transaction_amount: 'amount',
  payment_type: 'options.paymentType',
  buyertype: 'options.buyerType',
};

function walletOf(paymentType: unknown): (typeof EFTPAY_WALLETS)[EftpayPaymentType] | undefined {
  return typeof paymentType === 'string' && Object.hasOwn(EFTPAY_WALLETS, paymentType) ? EFTPAY_WALLETS[paymentType as EftpayPaymentType] : undefined;
}

const now14 = (clock: Clock): string => compactTimestamp(new Date(clock()), 'Asia/Hong_Kong');

export const eftpayAdapter: ProviderAdapter<EftpayConfig, EftpayOptions, EftpayClient> = {
  key: 'eftpay',
  createClient: (config, shared) => clientFor('eftpay', () => createEftpayClient({ baseUrl: config.baseUrl, secretCode: config.secretCode, ...(config.previousSecretCodes ? { previousSecretCodes: config.previousSecretCodes } : {}), fetch: shared.fetch, timeoutMs: shared.timeoutMs, maxAnswerBytes: shared.maxAnswerBytes }), SigningError),
  prepareRefund(client, config, request, clock): PreparedRefund {
    const paymentType = request.options?.paymentType;
    if (paymentType === undefined) throw invalid('options.paymentType', 'required', 'is required for eftpay');
    const wallet = walletOf(paymentType);
    if (!wallet) throw invalid('options.paymentType', `enum [${EFTPAY_PAYMENT_TYPES.join(', ')}]`, `must be one of ${EFTPAY_PAYMENT_TYPES.join(', ')}`);
    const buyerType = request.options?.buyerType ?? 'others';
    if (!EFTPAY_BUYER_TYPES.includes(buyerType)) throw invalid('options.buyerType', `enum [${EFTPAY_BUYER_TYPES.join(', ')}]`, `must be one of ${EFTPAY_BUYER_TYPES.join(', ')}`);
    if (request.amount > EFTPAY_MAX_AMOUNT) throw invalid('amount', `maximum ${EFTPAY_MAX_AMOUNT}`, `must be at most ${EFTPAY_MAX_AMOUNT} (${formatMinorUnits(EFTPAY_MAX_AMOUNT)}: transaction_amount is String(8))`);
    const input = {
      service: wallet.service,
      user_confirm_key: config.userConfirmKey,
      transaction_amount: formatMinorUnits(request.amount),
      out_trade_no: request.orderId,
      paytype: wallet.paytype,
      buyertype: buyerType,
      payment_type: paymentType,
      refund_no: request.refundId,
    };
    const sent = { userConfirmKey: config.userConfirmKey, orderId: request.orderId, refundId: request.refundId, amount: request.amount, currency: request.currency };
    // Completed (`time`), validated and signed once, by the client, before anything is reserved.
    const send = sendPrepared(
      () => renameIssues(FIELDS, () => client.prepareRefund({ ...input, time: now14(clock) })),
      async (prepared) => mapEftpayAnswer(await client.sendRefund(prepared), 'refund', sent),
    );
    return Object.assign(send, { meta: { paymentType, buyerType } });
  },
  async query(client, config, refund: Refund, clock) {
    const paymentType = refund.meta?.['paymentType'];
    const wallet = walletOf(paymentType);
    if (!wallet) throw new RefundkitError('query_unavailable', `eftpay refund ${refund.refundId} has no paymentType recorded: its query service cannot be chosen`);
    const buyerType = (refund.meta?.['buyerType'] ?? 'others') as EftpayBuyerType;
    const answer = await client.queryRefund({
      service: wallet.queryService,
      querytype: 'OUT_TRADE',
      out_trade_no: refund.orderId,
      refund_no: refund.refundId,
      user_confirm_key: config.userConfirmKey,
      paytype: wallet.paytype,
      buyertype: buyerType,
      payment_type: paymentType as EftpayPaymentType,
      time: now14(clock),
    });
    const sent = { userConfirmKey: config.userConfirmKey, orderId: refund.orderId, refundId: refund.refundId, amount: refund.amount, currency: refund.currency };
    return mapEftpayAnswer(answer, 'query', sent);
  },
};
