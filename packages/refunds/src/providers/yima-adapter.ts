import { randomInt } from 'node:crypto';
import { compactTimestamp, type Clock } from '@refundkit/runtime';
import { createYimaClient, type Messages, type YimaClient } from '@refundkit/yima';
import type { Refund } from '../model.js';
import { invalid, renameIssues, sendPrepared, type PreparedRefund, type ProviderAdapter } from './adapter.js';
import { mapYimaAnswer, YIMA_MAX_AMOUNT, type YimaConfig, type YimaOptions } from './yima.js';

/** refundkit fields ← yima wire fields (goods included), for error messages. */
function fieldsOf(itemCount: number): Record<string, string> {
  const body = 'barcode_refundbycashfee_request';
  const fields: Record<string, string> = { pos_seq: 'refundId', [`${body}.org_pos_seq`]: 'orderId', [`${body}.tx_amt`]: 'amount', [`${body}.pay_type`]: 'options.payType', [`${body}.goods_detail`]: 'items' };
  for (let i = 0; i < itemCount; i++) {
    for (const [wire, facade] of [['goods_id', 'id'], ['goods_name', 'name'], ['quantity', 'quantity'], ['price', 'price']] as const) {
      fields[`${body}.goods_detail[${i}].${wire}`] = `items[${i}].${facade}`;
    }
  }
  return fields;
}

/** The header every yima request carries. */
function header(config: YimaConfig, posSeq: string) {
  return {
    isspid: config.isspid,
    pos_id: config.posId,
    store_id: config.storeId,
    pos_seq: posSeq,
    ...(config.userId ? { user_id: config.userId } : {}),
    system_id: config.systemId,
  };
}

/** A fresh `pos_seq` for a query: 22 digits (Asia/Shanghai time + 8 random digits), > 12 as the document asks. */
function newQueryPosSeq(clock: Clock): string {
  return `${compactTimestamp(new Date(clock()), 'Asia/Shanghai')}${String(randomInt(100_000_000)).padStart(8, '0')}`;
}

export const yimaAdapter: ProviderAdapter<YimaConfig, YimaOptions, YimaClient> = {
  key: 'yima',
  createClient: (config, shared) => createYimaClient({ baseUrl: config.baseUrl, mac: config.mac, fetch: shared.fetch, timeoutMs: shared.timeoutMs, maxAnswerBytes: shared.maxAnswerBytes }),
  prepareRefund(client, config, request): PreparedRefund {
    if (request.amount > YIMA_MAX_AMOUNT) throw invalid('amount', `maximum ${YIMA_MAX_AMOUNT}`, `must be at most ${YIMA_MAX_AMOUNT} (tx_amt is Number(9) fen)`);
    const items = request.items ?? [];
    const message: Messages['refund.request'] = {
      request_type: 'barcode_refundbycashfee_request',
      ...header(config, request.refundId),
      barcode_refundbycashfee_request: {
        ...(request.options?.payType !== undefined ? { pay_type: request.options.payType } : {}),
        tx_amt: request.amount,
        org_pos_seq: request.orderId,
        ...(items.length > 0 ? { goods_detail: items.map((item) => ({ goods_id: item.id, goods_name: item.name, quantity: item.quantity, price: item.price })) } : {}),
      },
    };
    const sent = { isspid: config.isspid, posId: config.posId, posSeq: request.refundId };
    // Validated and GBK-encoded once, by the client, so text GBK cannot carry is refused before anything is reserved.
    return sendPrepared(
      () => renameIssues(fieldsOf(items.length), () => client.prepareRefund(message)),
      async (prepared) => mapYimaAnswer(await client.sendRefund(prepared), 'refund', sent),
    );
  },
  async query(client, config, refund: Refund, clock) {
    const posSeq = newQueryPosSeq(clock);
    const answer = await client.queryRefund({
      request_type: 'barcode_refundquery_request',
      ...header(config, posSeq),
      barcode_refundquery_request: { org_pos_seq: refund.refundId },
    });
    return mapYimaAnswer(answer, 'query', { isspid: config.isspid, posId: config.posId, posSeq });
  },
};
