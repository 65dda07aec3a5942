// The bare alternative to `refunds.refund`: what a merchant writes without refundkit. Each
// builder makes the same refund request refundkit sends (same fields, same signature scheme,
// same wire format), signs it with node:crypto and sends it with the global `fetch`, then reads
// the status code out of the answer. No validation of the request or the answer, no
// verification of the answer's signature, no ledger, no deadline, no typed errors.
//
// `checkBareAgainstSandbox` in facade.bench.mjs sends one request of each through the real
// sandbox (which checks signatures and schemas), so these are known to be correct requests.
import { createHash, createPrivateKey, randomUUID, sign } from 'node:crypto';
import iconv from 'iconv-lite';
import xmljs from 'xml-js';
import { CREDENTIALS, REFUND_EXTRAS } from './fixtures.mjs';

const sha256hex = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/** yyyyMMddHHmmss in UTC+8 (Asia/Shanghai and Asia/Hong_Kong keep no daylight saving). */
function utc8Compact(ms = Date.now()) {
  const iso = new Date(ms + 8 * 3_600_000).toISOString(); // 2025-01-01T12:00:00.000Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
}

/** A bare canonical JSON (keys sorted, compact): what EasyPay's signature needs. */
function canonical(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
    .join(',')}}`;
}

const xmlEscape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One bare client per provider: `send(refundId, orderId)` resolves to the provider's result code
 * (a string, for a sanity check), `baseUrl` is the provider's base (yima: the full endpoint).
 */
export function createBareClient(provider, baseUrl, credentials = CREDENTIALS) {
  const c = credentials[provider];
  switch (provider) {
    case 'tipay': {
      const url = `${baseUrl}/api/v1/yb/trade/refund`;
      return async (refundId, orderId) => {
        const body = JSON.stringify({ merchantNo: c.merchantNo, orderId, refundRequestId: refundId, refundAmount: '0.01' });
        const timestamp = String(Date.now());
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'ti-appid': c.appId, 'ti-timestamp': timestamp, 'ti-signature': sha256hex(body + timestamp + c.appKey) },
          body,
        });
        const answer = JSON.parse(await response.text());
        return `${answer.code}/${answer.data?.status}`;
      };
    }
    case 'eftpay': {
      const url = `${baseUrl}/VMP/Servlet/JSAPIService.do`;
      const paymentType = REFUND_EXTRAS.eftpay.options.paymentType;
      return async (refundId, orderId) => {
        const fields = {
          service: 'service.alipay.qrcode.Refund',
          user_confirm_key: c.userConfirmKey,
          transaction_amount: '0.01',
          out_trade_no: orderId,
          paytype: 'Alipay',
          buyertype: 'others',
          payment_type: paymentType,
          refund_no: refundId,
          time: utc8Compact(),
        };
        const signing = Object.keys(fields)
          .sort()
          .map((k) => `${k}=${fields[k]}`)
          .join('&');
        fields.sign = sha256hex(c.secretCode + signing);
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) });
        const answer = JSON.parse(await response.text());
        return `${answer.return_status}/${answer.trade_status}`;
      };
    }
    case 'lianke': {
      const url = `${baseUrl}/QuickPay/Refund`;
      return async (refundId, orderId) => {
        const body = JSON.stringify({ store_no: c.storeNo, operator: c.operator, refund_amount: 1, order_no: orderId, refund_no: refundId });
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const answer = JSON.parse(await response.text());
        return `${answer.code}/${answer.data?.transaction_status}`;
      };
    }
    case 'yima': {
      const url = baseUrl;
      return async (refundId, orderId) => {
        const xml =
          '<?xml version="1.0" encoding="GBK"?>\n<business_trans>\n' +
          '<request_type>barcode_refundbycashfee_request</request_type>\n' +
          `<isspid>${xmlEscape(c.isspid)}</isspid>\n<pos_id>${xmlEscape(c.posId)}</pos_id>\n<store_id>${xmlEscape(c.storeId)}</store_id>\n` +
          `<pos_seq>${xmlEscape(refundId)}</pos_seq>\n<system_id>${xmlEscape(c.systemId)}</system_id>\n` +
          `<barcode_refundbycashfee_request>\n<tx_amt>1</tx_amt>\n<org_pos_seq>${xmlEscape(orderId)}</org_pos_seq>\n</barcode_refundbycashfee_request>\n` +
          '</business_trans>\n';
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml; charset=GBK' }, body: iconv.encode(xml, 'GBK') });
        const text = iconv.decode(Buffer.from(await response.arrayBuffer()), 'GBK');
        const answer = xmljs.xml2js(text, { compact: true });
        return answer.business_trans.result.id._text;
      };
    }
    case 'easypay': {
      const url = `${baseUrl}/yqt/trade/refund/speedRefund`;
      const privateKey = createPrivateKey(c.merchantPrivateKeyPem);
      const { payType, oriTransDate } = REFUND_EXTRAS.easypay.options;
      return async (refundId, orderId) => {
        const now = utc8Compact();
        const reqHeader = { transTime: now, reqId: randomUUID().replace(/-/g, '') };
        const reqBody = {
          reqInfo: { mchtCode: c.mchtCode },
          reqOrderInfo: { orgTrace: refundId, oriOrgTrace: orderId, oriTransDate, refundAmount: 1 },
          payInfo: { payType, transDate: now.slice(0, 8) },
        };
        const signing = canonical(reqHeader) + createHash('md5').update(canonical(reqBody), 'utf8').digest('hex').toUpperCase();
        const reqSign = sign('sha256', Buffer.from(signing, 'utf8'), privateKey).toString('base64');
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reqHeader, reqBody, reqSign }) });
        const answer = JSON.parse(await response.text());
        return `${answer.rspHeader.rspCode}/${answer.rspBody?.respStateInfo?.transState}`;
      };
    }
    default:
      throw new Error(`unknown provider ${provider}`);
  }
}
