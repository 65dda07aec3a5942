import { createLiankeClient, type LiankeClient } from '@refundkit/lianke';
import type { Refund } from '../model.js';
import { invalid, renameIssues, sendPrepared, type PreparedRefund, type ProviderAdapter } from './adapter.js';
import { LIANKE_MAX_AMOUNT, mapLiankeAnswer, type LiankeConfig, type LiankeOptions } from './lianke.js';

/** refundkit fields ← Lianke wire fields (items included), for error messages. */
function fieldsOf(itemCount: number): Record<string, string> {
  const fields: Record<string, string> = { order_no: 'orderId', refund_no: 'refundId', refund_amount: 'amount', amount: 'orderAmount', refund_desc: 'reason' };
  for (let i = 0; i < itemCount; i++) {
    for (const [wire, facade] of [['item_id', 'id'], ['item_name', 'name'], ['quantity', 'quantity'], ['price', 'price']] as const) {
      fields[`itemlist[${i}].${wire}`] = `items[${i}].${facade}`;
    }
  }
  return fields;
}

export const liankeAdapter: ProviderAdapter<LiankeConfig, LiankeOptions, LiankeClient> = {
  key: 'lianke',
  createClient: (config, shared) => createLiankeClient({ baseUrl: config.baseUrl, auth: config.auth, fetch: shared.fetch, timeoutMs: shared.timeoutMs, maxAnswerBytes: shared.maxAnswerBytes }),
  prepareRefund(client, config, request): PreparedRefund {
    if (request.amount > LIANKE_MAX_AMOUNT) throw invalid('amount', `maximum ${LIANKE_MAX_AMOUNT}`, `must be at most ${LIANKE_MAX_AMOUNT} (refund_amount has at most 10 digits)`);
    if (request.orderAmount !== undefined && request.orderAmount > LIANKE_MAX_AMOUNT) {
      throw invalid('orderAmount', `maximum ${LIANKE_MAX_AMOUNT}`, `must be at most ${LIANKE_MAX_AMOUNT} (amount has at most 10 digits)`);
    }
    const items = request.items ?? [];
    const input = {
      store_no: config.storeNo,
      operator: config.operator,
      ...(request.orderAmount !== undefined ? { amount: request.orderAmount } : {}),
      refund_amount: request.amount,
      order_no: request.orderId,
      refund_no: request.refundId,
      ...(request.reason ? { refund_desc: request.reason } : {}),
      ...(items.length > 0 ? { itemlist: items.map((item) => ({ item_id: item.id, item_name: item.name, quantity: item.quantity, price: item.price })) } : {}),
    };
    const sent = { storeNo: config.storeNo, orderId: request.orderId, refundId: request.refundId, amount: request.amount };
    // Validated and serialised once, by the client, before anything is reserved.
    return sendPrepared(
      () => renameIssues(fieldsOf(items.length), () => client.prepareRefund(input)),
      async (prepared) => mapLiankeAnswer(await client.sendRefund(prepared), 'refund', sent),
    );
  },
  async query(client, config, refund: Refund) {
    const sent = { storeNo: config.storeNo, orderId: refund.orderId, refundId: refund.refundId, amount: refund.amount };
    return mapLiankeAnswer(await client.queryRefund({ store_no: config.storeNo, order_no: refund.orderId, refund_order_no: refund.refundId }), 'query', sent);
  },
};
