import { readFileSync } from 'node:fs';
import { compactDate, RefundkitError, ValidationError } from '@refundkit/runtime';
import { createEasypayClient, type EasypayClient, type Messages } from '@refundkit/easypay';
import { SigningError, type EasypayVerificationKey } from '@refundkit/signing';
import type { Refund } from '../model.js';
import { clientFor, invalid, peekJson, renameIssues, sendPrepared, type PreparedRefund, type ProviderAdapter } from './adapter.js';
import { EASYPAY_ACCEPTED, EASYPAY_NOTIFICATION_ACK, EASYPAY_NOTIFICATION_REJECT, mapEasypayAnswer, mapEasypayState, type EasypayConfig, type EasypayOptions, type EasypayPublicKeyEntry } from './easypay.js';

/** refundkit fields ← EasyPay wire fields, for error messages. */
const FIELDS = {
  'reqBody.reqOrderInfo.orgTrace': 'refundId',
  'reqBody.reqOrderInfo.oriOrgTrace': 'orderId',
  'reqBody.reqOrderInfo.refundAmount': 'amount',
  'reqBody.reqOrderInfo.oriTransDate': 'options.oriTransDate',
  'reqBody.reqOrderInfo.backUrl': 'notifyUrl',
  'reqBody.payInfo.payType': 'options.payType',
};

function configError(field: string, message: string): ValidationError {
  return new ValidationError('easypay config', [{ path: field, rule: 'required', message: `${field} ${message}` }]);
}

function keyFrom<K>(inline: K | undefined, file: string | undefined, field: string): K | string {
  if (inline !== undefined && file !== undefined) throw configError(field, `and ${field}File are exclusive: give one`);
  if (inline !== undefined) return inline;
  if (file !== undefined) return readFileSync(file, 'utf8');
  throw configError(field, `or ${field}File is required`);
}

/** EasyPay's keys of a roll, each read once (files) and labelled with its certificate id. */
function publicKeysOf(entries: readonly EasypayPublicKeyEntry[]): EasypayVerificationKey[] {
  return entries.map((entry, i) => ({ certificateId: entry.certificateId, key: keyFrom(entry.key, entry.keyFile, `easypayPublicKeys[${i}].key`) }));
}

function requireOption(options: Partial<EasypayOptions> | undefined, name: keyof EasypayOptions): string {
  const value = options?.[name];
  if (typeof value !== 'string' || value === '') throw invalid(`options.${name}`, 'required', 'is required for easypay');
  return value;
}

function requireMeta(refund: Refund, name: string): string {
  const value = refund.meta?.[name];
  if (!value) throw new RefundkitError('query_unavailable', `easypay refund ${refund.refundId} has no ${name} recorded: it cannot be queried`);
  return value;
}

export const easypayAdapter: ProviderAdapter<EasypayConfig, EasypayOptions, EasypayClient> = {
  key: 'easypay',
  createClient: (config, shared) =>
    clientFor('easypay', () => createEasypayClient({
      baseUrl: config.baseUrl,
      privateKey: keyFrom(config.privateKey, config.privateKeyFile, 'privateKey'),
      privateKeyPassphrase: config.privateKeyPassphrase,
      easypayPublicKey: config.easypayPublicKeys ? publicKeysOf(config.easypayPublicKeys) : keyFrom(config.easypayPublicKey, config.easypayPublicKeyFile, 'easypayPublicKey'),
      ...(config.reqType === undefined ? {} : { reqType: config.reqType }),
      ...(config.certificateId === undefined ? {} : { certificateId: config.certificateId }),
      fetch: shared.fetch,
      timeoutMs: shared.timeoutMs,
      maxAnswerBytes: shared.maxAnswerBytes,
      clock: shared.clock,
    }), SigningError),
  prepareRefund(client, config, request, clock): PreparedRefund {
    const payType = requireOption(request.options, 'payType');
    const oriTransDate = requireOption(request.options, 'oriTransDate');
    const transDate = compactDate(new Date(clock()), 'Asia/Shanghai');
    const backUrl = request.notifyUrl ?? config.notifyUrl;
    const reqBody: Messages['refund.request.unsigned']['reqBody'] = {
      reqInfo: { mchtCode: config.mchtCode },
      reqOrderInfo: {
        orgTrace: request.refundId,
        ...(backUrl ? { backUrl } : {}),
        oriOrgTrace: request.orderId,
        oriTransDate,
        refundAmount: request.amount,
      },
      payInfo: { payType, transDate },
    };
    const sent = { mchtCode: config.mchtCode, orderId: request.orderId, refundId: request.refundId, amount: request.amount };
    // The client completes reqHeader (transTime, reqId), validates the whole message and signs it, once, before anything is reserved.
    const send = sendPrepared(
      () => renameIssues(FIELDS, () => client.prepareRefund({ reqBody })),
      async (prepared) => mapEasypayAnswer(await client.sendRefund(prepared), 'refund', sent),
    );
    return Object.assign(send, { meta: { payType, transDate } });
  },
  async query(client, config, refund, clock) {
    const payType = requireMeta(refund, 'payType');
    // The refund's payInfo.transDate as sent; before meta existed, its creation date (Asia/Shanghai).
    const oriTransDate = refund.meta?.['transDate'] ?? compactDate(new Date(refund.createdAt), 'Asia/Shanghai');
    const reqBody: Messages['queryRefund.request.unsigned']['reqBody'] = {
      reqInfo: { mchtCode: config.mchtCode },
      reqOrderInfo: { oriOrgTrace: refund.refundId, oriTransDate },
      payInfo: { payType, transDate: compactDate(new Date(clock()), 'Asia/Shanghai') },
    };
    const sent = { mchtCode: config.mchtCode, orderId: refund.orderId, refundId: refund.refundId, amount: refund.amount };
    return mapEasypayAnswer(await client.queryRefund({ reqBody }), 'query', sent);
  },
  notifications: {
    verify(client, _config, rawBody, headers) {
      const { data, verified, rawBody: raw } = client.verifyNotification(rawBody, headers);
      const { respStateInfo: state, respOrderInfo: order } = data.reqBody;
      // A notification whose respCode says "not accepted" reports no result: keep it unknown.
      const answer =
        state.respCode !== undefined && state.respCode !== EASYPAY_ACCEPTED
          ? { status: 'unknown' as const, failure: { code: state.respCode, message: state.respDesc ?? '' }, raw }
          : mapEasypayState(state, order, raw);
      return {
        refundId: order.orgTrace,
        verified,
        answer,
        echo: [
          { field: 'reqBody.respOrderInfo.mchtCode', of: 'merchant', received: order.mchtCode || undefined },
          { field: 'reqBody.respOrderInfo.oriOrgTrace', of: 'orderId', received: order.oriOrgTrace || undefined },
          { field: 'reqBody.respOrderInfo.refundAmount', of: 'amount', received: order.refundAmount },
        ],
      };
    },
    peek: (rawBody) => peekJson(rawBody, ['reqBody', 'respOrderInfo', 'orgTrace']),
    peekMerchant: (rawBody) => peekJson(rawBody, ['reqBody', 'respOrderInfo', 'mchtCode']),
    ack: EASYPAY_NOTIFICATION_ACK,
    reject: EASYPAY_NOTIFICATION_REJECT,
  },
};
